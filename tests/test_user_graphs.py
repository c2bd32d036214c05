"""A lecturer's own graphs: constants that stay constants, formulas as a lecturer writes them,
ops of your own, and every new kind through the spec formats."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphjac as gj
from graphjac.io.savers import save
from graphjac.notation.mathtext import to_unicode
from oracle import check_all


def formula(g, node):
    return to_unicode(g.annotate().node(g.node(node).name).formula)


# ------------------------------------------------------------------ constants are constants


def test_constants_have_no_gradient_and_no_backward_edge():
    g = gj.Graph("constants")
    x = g.param("x", 1.5)
    f = (0.5 * x + 1.0).named("f")
    g.backward(f)
    consts = [n for n in g.nodes if n.kind == "const"]
    assert len(consts) == 2 and all(c.grad is None for c in consts)
    assert all(g.edge_grad(c, dst) is None for c in consts for _, dst, _ in [e for e in g.edges if e[0].id == c.id])
    figure = g.figure()
    drawn = {n.name for n in figure.nodes}
    assert drawn == {"x", "mul1", "f"}                                   # folded into their gates
    labels = " ".join(line for e in figure.edges for line in e.label)
    assert r"\partial 0.5" not in labels and r"\partial 1}" not in labels
    shown = g.figure(constants="nodes")
    assert {n.name for n in shown.nodes} == {"x", "mul1", "f", "const1", "const2"}
    assert len([e for e in shown.edges if e.direction == "backward"]) == 2   # x → mul1, mul1 → f only
    from graphjac.notation.report import report
    assert "∂f/∂0.5" not in report(g) and "∂f/∂1" not in report(g)


@pytest.mark.parametrize("build, expected", [
    (lambda g, s, x, u: g.mul(s, -2.0), "−2s"),
    (lambda g, s, x, u: g.mul(-1.0, s), "−s"),
    (lambda g, s, x, u: s * 3, "3s"),
    (lambda g, s, x, u: 0.5 * u, "0.5u"),
    (lambda g, s, x, u: -u, "−u"),
    (lambda g, s, x, u: u + 1, "u + 1"),
    (lambda g, s, x, u: u + (-1), "u − 1"),
    (lambda g, s, x, u: u - (-2), "u + 2"),
    (lambda g, s, x, u: 1 - u, "1 − u"),
    (lambda g, s, x, u: 1 / x, "1/x"),
    (lambda g, s, x, u: u / 2, "u/2"),
    (lambda g, s, x, u: g.exp(-x), "e⁻ˣ"),
    (lambda g, s, x, u: g.const(0.01, name="lambda") * u, "λu"),
])
def test_formulas_with_constants_read_as_a_lecturer_writes_them(build, expected):
    g = gj.Graph("formulas")
    s, x, u = g.param("s", 2.0), g.param("x", 1.5), g.param("u", 0.3)
    node = build(g, s, x, u)
    assert formula(g, node).split(" = ", 1)[-1] == expected   # an unnamed −u is written −u alone


def test_a_named_constant_keeps_its_node_and_its_symbol():
    g = gj.Graph("penalty")
    w = g.param("w", [1.0, -2.0])
    lam = g.const(0.1, name="lambda")
    J = (lam * g.sum(g.square(w))).named("J")
    g.backward(J)
    figure = g.figure()
    lam_node = next(n for n in figure.nodes if n.name == "lambda")
    assert lam_node.label == (r"\lambda = 0.1",)
    assert g.grad("lambda") is None


# ------------------------------------------------------------------ ops of your own


@pytest.fixture
def cube():
    yield from _defined()


def _defined():
    """Ops of one's own for a test, forgotten afterwards (the registry is global)."""
    from graphjac.core.ops import REGISTRY
    from graphjac.core.ops.custom import CUSTOM
    before = set(REGISTRY)
    _define()
    yield
    for name in set(REGISTRY) - before:
        del REGISTRY[name]
        CUSTOM.discard(name)


def _define():
    gj.define_op("cube", forward=lambda u: u ** 3, derivative=lambda u, out: 3 * u ** 2,
                 latex=r"{$u}^{3}", derivative_latex=r"3 {$u}^{2}")
    gj.define_op("cube_wrong", forward=lambda u: u ** 3, derivative=lambda u, out: 2 * u ** 2,
                 latex=r"{$u}^{3}", derivative_latex=r"2 {$u}^{2}")
    gj.define_op("hypot", forward=lambda u, v: np.sqrt(u * u + v * v),
                 vjp=lambda g, out, u, v: (g * u / out, g * v / out),
                 latex=r"\sqrt{{$u}^{2} + {$v}^{2}}", derivative_latex=(r"\frac{$u}{$out}", r"\frac{$v}{$out}"))


@pytest.mark.parametrize("batch", [False, True])
def test_an_op_of_your_own_is_checked_against_autograd_like_the_others(cube, batch, rng, monkeypatch):
    import autograd.numpy as anp
    import oracle
    monkeypatch.setitem(oracle.PER_SAMPLE, "cube", lambda u: u ** 3)
    monkeypatch.setitem(oracle.PER_SAMPLE, "hypot", lambda u, v: anp.sqrt(u * u + v * v))
    g = gj.Graph("mine")
    u = g.input("u", rng.uniform(0.5, 2, size=(4, 3)), batch=True) if batch else g.param("u", rng.uniform(0.5, 2, 3))
    v = g.param("v", rng.uniform(0.5, 2, 3))
    c = g.apply("cube", u, name="c")
    h = g.apply("hypot", c, v, name="h")
    check_all(g, oracle.weighted_sum(g, h))
    notes = g.annotate()
    assert to_unicode(notes.node("c").formula).endswith("= u⃗³") or to_unicode(notes.node("c").formula).endswith("³")
    assert "3" in to_unicode(notes.edge("u", "c").local)


def test_gradcheck_catches_a_wrong_derivative_and_names_the_op(cube):
    g = gj.Graph("homework")
    x = g.param("x", [1.0, 2.0])
    J = g.sum(g.apply("cube_wrong", x, name="c"), name="J")
    g.backward(J)
    result = g.gradcheck()
    assert not result.ok
    failing = [c for c in result.ops if not c.ok]
    assert [(c.op, c.node, c.slot) for c in failing] == [("cube_wrong", "c", "u")]
    assert "FAIL op 'cube_wrong' at node 'c'" in str(result)


def test_an_op_of_your_own_in_a_spec_file_and_a_model_script(cube, tmp_path):
    spec = tmp_path / "cube.yaml"
    spec.write_text("name: cube\ntarget: J\nnodes:\n  - {name: x, kind: param, value: 2.0}\n"
                    "  - {name: c, kind: cube, inputs: [x]}\n  - {name: J, kind: sum, inputs: [c]}\n")
    g = gj.load(spec)
    g.backward()
    assert float(g.grad("x")) == 12.0
    script = tmp_path / "model.py"
    script.write_text(textwrap.dedent('''
        import graphjac as gj
        gj.define_op("quad", forward=lambda u: u ** 4, derivative=lambda u, out: 4 * u ** 3,
                     latex=r"{$u}^{4}", derivative_latex=r"4 {$u}^{3}")
        g = gj.Graph("quad")
        q = g.apply("quad", g.param("x", 2.0), name="q")
        g.target = q
    '''))
    m = gj.load(script)
    m.backward()
    assert float(m.grad("x")) == 32.0
    done = subprocess.run([sys.executable, "-m", "graphjac", "check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0 and "op 'quad' at node 'q'" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="sigmoid", forward=abs, derivative=abs, latex="x", derivative_latex="1"), "built-in"),
    (dict(name="my op", forward=abs, derivative=abs, latex="x", derivative_latex="1"), "identifier"),
    (dict(name="f", forward=abs, latex="x", derivative_latex="1"), "exactly one of derivative"),
    (dict(name="f", forward=abs, derivative=abs, latex=None, derivative_latex="1"), "latex must be"),
])
def test_define_op_refuses_what_it_cannot_use(kwargs, message):
    with pytest.raises(gj.GraphjacError, match=message):
        gj.define_op(**kwargs)


def test_an_op_of_your_own_that_raises_names_itself(cube):
    gj.define_op("broken", forward=lambda u: u / "x", derivative=lambda u, out: u, latex="b($u)",
                 derivative_latex="1")
    g = gj.Graph("broken")
    with pytest.raises(gj.GraphjacError, match="the forward of op 'broken' raised TypeError"):
        g.value(g.apply("broken", g.param("x", 1.0)))


# ------------------------------------------------------------------ every new kind through the spec formats

NEW_KINDS = """\
name: gates
target: J
nodes:
  - {name: u, kind: param, value: [[0.5, 1.5, 2.0], [1.0, 0.8, 1.2]]}
  - {name: v, kind: param, value: [[1.0, 2.0], [0.5, 1.0], [2.0, 0.2]]}
  - {name: n, kind: neg, inputs: [u]}
  - {name: d, kind: div, inputs: [1.0, u]}
  - {name: e, kind: exp, inputs: [n]}
  - {name: l, kind: log, inputs: [u]}
  - {name: r, kind: sqrt, inputs: [u]}
  - {name: a, kind: abs, inputs: [n]}
  - {name: s, kind: sin, inputs: [u]}
  - {name: c, kind: cos, inputs: [u]}
  - {name: mx, kind: maximum, inputs: [e, d]}
  - {name: mn, kind: minimum, inputs: [l, r]}
  - {name: mm, kind: matmul, inputs: [u, v]}
  - {name: t, kind: transpose, inputs: [mm]}
  - {name: sp, kind: softplus, inputs: [s]}
  - {name: lr, kind: leaky_relu, slope: 0.1, inputs: [c]}
  - {name: s0, kind: sum, axis: 0, inputs: [mx]}
  - {name: m1, kind: mean, axis: -1, inputs: [t]}
  - {name: J, kind: sum, inputs: [s0]}
  - {name: J2, kind: add, inputs: [J, 0.0]}
"""


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_every_new_kind_round_trips_through_every_format(tmp_path, suffix):
    source = tmp_path / "gates.yaml"
    source.write_text(NEW_KINDS)
    g = gj.load(source)
    again = gj.load(save(g, tmp_path / f"again{suffix}"))
    assert again.to_spec() == g.to_spec()
    for node in g.nodes:
        np.testing.assert_array_equal(again.value(node.name), g.value(node))
    assert again.record("s0").attrs["axis"] == 0 and again.record("m1").attrs["axis"] == -1


@pytest.mark.parametrize("entry, key, message", [
    ("{name: s0, kind: sum, axis: 1.5, inputs: [mx]}", "axis", "axis must be a whole number; got 1.5"),
    ("{name: s0, kind: sum, axis: 5, inputs: [mx]}", "inputs", "axis 5 is out of range"),
    ("{name: s0, kind: sum, axsi: 0, inputs: [mx]}", "axsi", "did you mean 'axis'?"),
])
def test_a_bad_axis_names_its_place_in_the_file(tmp_path, entry, key, message):
    text = NEW_KINDS.replace("{name: s0, kind: sum, axis: 0, inputs: [mx]}", entry)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    line = next(k for k, row in enumerate(text.splitlines(), 1) if row.strip().startswith("- {name: s0"))
    column = text.splitlines()[line - 1].index(key) + 1
    with pytest.raises(gj.SpecError) as info:
        gj.load(path)
    assert str(info.value).startswith(f"{path}:{line}:{column}: ") and message in str(info.value), str(info.value)
