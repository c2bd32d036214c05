"""Bad arguments to the Python API and ops of one's own that misbehave: each is a GraphjacError
that names the argument or the op, at definition or at the first evaluation, never a raw
OverflowError, TypeError or SystemExit."""

import sys

import numpy as np
import pytest

import graphjac as gj
from graphjac.core.ops.custom import scoped_ops
from test_cli import cli, write


@pytest.fixture
def graph():
    g = gj.Graph("g")
    x = g.param("x", [1.0, 2.0])
    g.target = g.sum(g.square(x), name="J")
    g.backward(g.target)
    return g


@pytest.mark.parametrize("call, message", [
    (lambda g: g.add("x", 10 ** 400), "too large"),
    (lambda g: g.node("x") + 10 ** 400, "too large"),
    (lambda g: 10 ** 400 * g.node("x"), "too large"),
    (lambda g: g.step(lr=10 ** 400), "step needs a finite number lr"),
    (lambda g: g.step(lr=float("inf")), "step needs a finite number lr"),
    (lambda g: setattr(g, "render_options", "BT"), "render_options must be a mapping"),
    (lambda g: setattr(g, "render_options", {"direction": "XY"}), "direction"),
    (lambda g: setattr(g, "render_options", {"dirction": "BT"}), "did you mean 'direction'"),
])
def test_bad_arguments_are_graphjac_errors(graph, call, message):
    with pytest.raises(gj.GraphjacError, match=message):
        call(graph)


def _op(name, **changes):
    spec = dict(forward=lambda u: u ** 3, derivative=lambda u, out: 3 * u ** 2,
                latex=r"{$u}^{3}", derivative_latex=r"3 {$u}^{2}")
    spec.update(changes)
    gj.define_op(name, **spec)
    g = gj.Graph(name)
    g.target = g.sum(g.apply(name, g.param("x", [1.0, 2.0]), name="c"), name="J")
    g.backward(g.target)
    return g.to_dot()


@pytest.mark.parametrize("changes, message", [
    ({"forward": lambda u: "abc"}, "forward of op 'bad' must return real numbers.*str 'abc'"),
    ({"forward": lambda u: None}, "forward of op 'bad' must return real numbers.*NoneType"),
    ({"forward": lambda u: u * 1j}, "forward of op 'bad' must return real numbers.*complex"),
    ({"forward": lambda u: np.ones(5)}, r"forward of op 'bad' returned shape \(5,\) where the result has shape \(2,\)"),
    ({"forward": lambda u: u * np.nan}, "forward of op 'bad' returned nan"),
    ({"forward": lambda u: u * np.inf}, "forward of op 'bad' returned inf"),
    ({"forward": lambda u: sys.exit(3)}, "forward of op 'bad' raised SystemExit"),
    ({"derivative": lambda u, out: sys.exit(3)}, "derivative of op 'bad' raised SystemExit"),
    ({"derivative": lambda u, out: "x"}, "derivative of op 'bad' must return real numbers"),
    ({"derivative": lambda u, out: u * np.nan}, "derivative of op 'bad' returned nan"),
    ({"latex": "f({$v})"}, r"latex names \$v, which the op lacks \(it has \$u, \$out\)"),
    ({"derivative_latex": "{$w}"}, r"derivative_latex names \$w"),
    ({"latex": r"f(\€{$u})"}, r"latex: cannot read the LaTeX"),
    ({"latex": "{" * 200 + "$u" + "}" * 200}, "too deeply nested"),
])
def test_an_op_that_misbehaves_is_named(changes, message):
    with scoped_ops(), pytest.raises(gj.GraphjacError, match=message):
        _op("bad", **changes)


def test_a_template_may_name_elements_and_the_result():
    with scoped_ops():
        assert "digraph" in _op("fine", latex=r"{$u}^{3} + {$u_j} - {$out_k}")


def test_a_vjp_that_returns_text_is_named():
    with scoped_ops():
        gj.define_op("pair", forward=lambda u, v: u * v, vjp=lambda g, out, u, v: (g * v, "s"),
                     latex=r"{$u} {$v}", derivative_latex=("{$v}", "{$u}"))
        g = gj.Graph("pair")
        x = g.param("x", [1.0, 2.0])
        g.target = g.sum(g.apply("pair", x, x, name="c"), name="J")
        with pytest.raises(gj.GraphjacError, match="vjp of op 'pair' must return real numbers"):
            g.backward(g.target)


def test_a_model_whose_op_exits_is_one_clear_line(tmp_path):
    model = write(tmp_path, "m.py", "import sys, graphjac as gj\n"
                  "gj.define_op('quit', forward=lambda u: sys.exit(4), derivative=lambda u, out: u,\n"
                  "             latex='q({$u})', derivative_latex='1')\n"
                  "g = gj.Graph('m')\ng.target = g.apply('quit', g.param('x', 1.0), name='z')\n")
    code, out, err = cli("render", model, "-o", tmp_path / "m.svg")
    assert code == 2 and "forward of op 'quit' raised SystemExit" in err and "Traceback" not in err, err
