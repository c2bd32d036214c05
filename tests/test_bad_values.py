"""Values and names that used to crash a writer: overflow to ±inf and NaN, decomposed Unicode,
characters beyond the Basic Multilingual Plane, formulas nested thousands deep, and labels that
no LaTeX could set. Every writer draws or refuses them with a clear message, never a crash."""

import unicodedata
import xml.etree.ElementTree as ET

import pytest

import graphjac as gj
from graphjac.notation.numbers import NonFiniteWarning
from test_cli import assert_clean_error, cli, installed, write

WRITERS = ["svg", "png", "pdf", "dot", "tex"]


def _spec(tmp_path, name, label=None, value="1.0"):
    label_field = "" if label is None else f", label: '{label}'"
    return write(tmp_path, "spec.yaml", f"target: J\nnodes:\n  - {{name: \"{name}\", kind: param, value: {value}"
                 f"{label_field}}}\n  - {{name: y, kind: mul, inputs: [\"{name}\", \"{name}\"]}}\n"
                 f"  - {{name: J, kind: sum, inputs: [y]}}\n")


@pytest.mark.parametrize("fmt", WRITERS)
def test_values_that_overflow_are_drawn_as_infinity_with_a_warning(tmp_path, fmt):
    spec = _spec(tmp_path, "x", value="1.0e308")
    code, out, err = installed("render", spec, "-o", tmp_path / f"fig.{fmt}")   # a new process: warnings anew
    assert code == 0 and "infinite or NaN" in err and "internal error" not in err, err
    if fmt in ("dot", "tex"):
        text = (tmp_path / f"fig.{fmt}").read_text()
        assert "&#8734;" in text or r"\infty" in text


def test_infinity_and_nan_in_the_library_warn(tmp_path):
    graph = gj.load(_spec(tmp_path, "x", value="1.0e308"))
    with pytest.warns(NonFiniteWarning):
        dot = graph.to_dot()
    assert "&#8734;" in dot


@pytest.mark.parametrize("command", [("run", "--format", "latex"), ("run", "--format", "markdown"), ("run",),
                                     ("frames", "-o", "frames"), ("render", "-o", "fig.tex"),
                                     ("render", "-o", "fig.svg"), ("check",)])
def test_decomposed_and_astral_names_reach_every_writer(tmp_path, command):
    for name in ("cafe\u0301", "x😀𝔸", "e\u0301\u0301"):
        spec = _spec(tmp_path, name)
        code, out, err = cli(command[0], spec, *command[1:], cwd=tmp_path)
        assert code == 0 and "internal error" not in err, (name, err)


def test_a_decomposed_name_is_the_composed_name():
    g = gj.Graph("cafe\u0301")
    x = g.param("cafe\u0301", 2.0)
    assert x.name == "caf\u00e9" and g.name == "caf\u00e9"
    assert g.node("caf\u00e9").id == x.id == g.node("cafe\u0301").id
    with pytest.raises(gj.GraphjacError, match="already has a node named"):
        g.param("caf\u00e9", 1.0)
    with g.group("Mode\u0300l"):
        y = g.square(x, name="y")
    assert g.record(y).group == (unicodedata.normalize("NFC", "Mode\u0300l"),)


@pytest.mark.parametrize("math", ["typeset", "html"])
def test_an_astral_name_gives_well_formed_svg(tmp_path, math):
    spec = _spec(tmp_path, "x😀𝔸")
    code, out, err = cli("render", spec, "-o", tmp_path / "fig.svg", "--math", math)
    assert code == 0, err
    root = ET.parse(tmp_path / "fig.svg").getroot()
    assert root.tag.endswith("svg")


@pytest.mark.parametrize("label, message", [
    ("{" * 5000 + "x" + "}" * 5000, "formula too deeply nested (limit 64"),
    (r"\frac{1}{" * 2000 + "x" + "}" * 2000, "formula too deeply nested (limit 64"),
    ("x^{" * 70 + "2" + "}" * 70, "formula too deeply nested"),
    (r"\€", r"unknown command \€"),
    (r"\[ x \]", r"\[ starts or ends a formula"),
    (r"\(x\)", r"\( starts or ends a formula"),
])
def test_labels_no_latex_could_set_are_refused_at_load(tmp_path, label, message):
    spec = _spec(tmp_path, "x", label=label)
    code, out, err = cli("render", spec, "-o", tmp_path / "fig.tex")
    assert_clean_error(code, out, err, 2, "spec.yaml:3:", "nodes[0].label", message)
    assert len(err) < 400 and not (tmp_path / "fig.tex").exists()
    with pytest.raises(gj.GraphjacError, match="label"):
        gj.Graph("g").param("x", 1.0, label=label)


def test_the_one_character_commands_of_math_still_read():
    g = gj.Graph("g")
    g.param("x", 1.0, label=r"a\,b \{x\} \% \$ \# \_ \& \| \; \!")
