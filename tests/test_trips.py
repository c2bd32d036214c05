"""What a new user tripped on: one outcome for a check with nothing to check, a suggestion for
every choice option, and builds that remove the figures they no longer make."""

import pytest

import graphjac as gj
from graphjac.io import gallery
from test_cli import assert_clean_error, cli, write

NO_PARAMS = "target: f\nnodes:\n  - {name: x, kind: input, value: 2.0}\n  - {name: f, kind: square, inputs: [x]}\n"


def test_a_check_with_nothing_to_check_is_one_message_and_bad_input(tmp_path):
    spec = write(tmp_path, "f.yaml", NO_PARAMS)
    code, out, err = cli("check", spec)
    assert_clean_error(code, out, err, 2, "nothing to check: J depends on no param", "--inputs")
    assert out == ""
    code, out, err = cli("check", spec, "--inputs")
    assert code == 0 and "passed" in out


@pytest.mark.parametrize("args, suggestion", [
    (("render", "lecture:neuron", "--theme", "darkk", "-o", "x.svg"), "did you mean 'dark'?"),
    (("render", "lecture:neuron", "--style", "circut", "-o", "x.svg"), "did you mean 'circuit'?"),
    (("render", "lecture:neuron", "-f", "pgn", "-o", "x"), "did you mean 'png'?"),
    (("run", "lecture:neuron", "--format", "markdwn"), "did you mean 'markdown'?"),
    (("frames", "lecture:neuron", "-o", "f", "--passes", "backwrd"), "did you mean 'backward'?"),
])
def test_every_choice_option_suggests(tmp_path, args, suggestion):
    code, out, err = cli(*args, cwd=tmp_path)
    assert code == 2 and suggestion in err and "Traceback" not in err


@pytest.mark.parametrize("spec, suggestion", [("micrograd", "lecture:micrograd"), ("neuron.yaml", "lecture:neuron"),
                                              ("two_layr", "lecture:two_layer")])
def test_a_built_in_figure_named_as_a_file_is_pointed_to(tmp_path, spec, suggestion):
    code, out, err = cli("render", spec, "-o", "x.svg", cwd=tmp_path)
    assert_clean_error(code, out, err, 2, f"{spec}: no such file; did you mean {suggestion}?")
    code, out, err = cli("render", "my_model.yaml", "-o", "x.svg", cwd=tmp_path)
    assert_clean_error(code, out, err, 2, "my_model.yaml: no such file")
    assert "did you mean" not in err


def test_a_build_removes_what_it_no_longer_makes_and_nothing_else(tmp_path):
    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    for name in ("a", "b"):
        write(specs, f"{name}.yaml", gallery.spec_path("product").read_text())
    assert cli("build", specs, "-o", out, "-f", "svg,pdf")[0] == 0
    (out / "mine.pdf").write_text("the user's own file")
    assert cli("build", specs, "-o", out, "-f", "svg,png")[0] == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["a.png", "a.svg", "b.png", "b.svg", "mine.pdf"]
    (specs / "b.yaml").unlink()
    (out / "a.png").write_text("edited by hand since")      # no longer what the build wrote: kept
    assert cli("build", specs, "-o", out, "-f", "svg")[0] == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["a.png", "a.svg", "mine.pdf"]


def test_one_precision_setting_governs_the_figures_and_the_tables(tmp_path):
    spec = gallery.spec_path("neuron").read_text().replace("render: {", "render: {precision: 5, ", 1)
    assert "precision: 5" in spec
    path = write(tmp_path, "neuron.yaml", spec)
    graph = gj.load(path)
    J = float(graph.prepare().value(graph.target))
    for source, digits in (("lecture:neuron", f"{J:.3g}"), (path, f"{J:.5g}")):
        code, out, err = cli("run", source)
        assert code == 0 and f"J = {digits}\n" in out, out
        assert f"= {digits}" in gj.load(source).to_dot()
        code, markdown, err = cli("run", source, "--format", "markdown")
        assert f"$J = {digits}$" in markdown
    assert f"J = {J:.7g}\n" in cli("run", path, "--precision", "7")[1]


def test_a_figure_that_fails_keeps_the_files_of_its_last_good_build(tmp_path):
    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    spec = write(specs, "a.yaml", gallery.spec_path("product").read_text())
    assert cli("build", specs, "-o", out, "-f", "svg")[0] == 0
    spec.write_text(spec.read_text().replace("kind: mul", "kind: mull"))
    code, out_text, err = cli("build", specs, "-o", out, "-f", "svg,pdf")
    assert code == 2 and "unknown node kind 'mull'" in err
    assert (out / "a.svg").read_text().startswith("<?xml")
