"""Bad output paths: no output replaces its own input (under any name or link), and a folder
build never writes through a link, never runs a script from outside its folder, and survives a
script that moves its working folder, ends its process or defines ops."""

import os
import shutil

import pytest

import graphjac as gj
from graphjac.io import gallery
from graphjac.io.savers import save
from test_cli import assert_clean_error, cli, installed, write

PRODUCT = gallery.spec_path("product").read_text()
SCRIPT = """import graphjac as gj
from helper import VALUE
g = gj.Graph("scripted")
g.target = g.mul(g.input("x", VALUE), g.param("w", 2.0), name="z")
"""


@pytest.fixture
def inputs(tmp_path):
    spec = write(tmp_path, "spec.yaml", PRODUCT)
    write(tmp_path, "helper.py", "VALUE = 3.0\n")
    write(tmp_path, "model.py", SCRIPT)
    (tmp_path / "link.svg").symlink_to(spec)
    os.link(spec, tmp_path / "hard.svg")
    return tmp_path


def _unchanged(folder):
    return (folder / "spec.yaml").read_text() == PRODUCT and (folder / "model.py").read_text() == SCRIPT \
        and (folder / "helper.py").read_text() == "VALUE = 3.0\n"


@pytest.mark.parametrize("spec, output", [
    ("spec.yaml", "spec.yaml"), ("spec.yaml", "./spec.yaml"), ("spec.yaml", "link.svg"), ("spec.yaml", "hard.svg"),
    ("model.py", "model.py"), ("model.py", "helper.py"), ("model.py:g", "model.py"),
])
def test_render_never_replaces_its_input(inputs, spec, output):
    code, out, err = cli("render", spec, "-o", output, "--format", "svg", cwd=inputs)
    assert_clean_error(code, out, err, 2, "own input", "refusing to replace it")
    assert _unchanged(inputs)


@pytest.mark.parametrize("command", [("train", "spec.yaml", "-o", "spec.yaml"),
                                     ("train", "spec.yaml", "-o", "hard.svg.yaml"),
                                     ("watch", "spec.yaml", "-o", "spec.yaml", "-f", "svg"),
                                     ("watch", "model.py", "-o", "helper.py", "-f", "svg")])
def test_train_and_watch_never_replace_their_input(inputs, command):
    os.link(inputs / "spec.yaml", inputs / "hard.svg.yaml")
    code, out, err = installed(*command, cwd=inputs)
    assert_clean_error(code, out, err, 2, "own input")
    assert _unchanged(inputs)


def test_the_library_never_replaces_its_input(inputs):
    graph = gj.load(inputs / "model.py")
    assert {p.name for p in graph.sources} >= {"model.py", "helper.py"}
    for path in ("model.py", "helper.py"):
        with pytest.raises(gj.GraphjacError, match="own input"):
            graph.render(inputs / path, "svg")
    spec = gj.load(inputs / "spec.yaml")
    os.link(inputs / "spec.yaml", inputs / "hard.yaml")
    for path in ("link.svg", "hard.svg"):
        with pytest.raises(gj.GraphjacError, match="own input"):
            spec.render(inputs / path, "svg")
    with pytest.raises(gj.GraphjacError, match="own input"):
        save(spec, inputs / "hard.yaml")
    assert _unchanged(inputs)


def test_frames_never_replace_their_input(inputs):
    folder = inputs / "frames"
    folder.mkdir()
    source = write(folder, "spec.yaml", PRODUCT)
    (folder / "backprop.tex").symlink_to(source)
    code, out, err = cli("frames", source, "-o", folder)
    assert_clean_error(code, out, err, 2, "own input")
    assert source.read_text() == PRODUCT and not list(folder.glob("step-*"))


# ------------------------------------------------------------------------------ folder builds

@pytest.fixture
def project(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    write(specs, "a.yaml", PRODUCT)
    write(specs, "b.yaml", PRODUCT.replace("name: product", "name: b"))
    (tmp_path / "out").mkdir()
    write(tmp_path, "precious.txt", "the user's")
    return tmp_path


def _build(project, *args):
    return installed("build", "specs", "-o", "out", "-f", "svg", *args, cwd=project)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_never_writes_through_a_link(project, jobs):
    (project / "out" / "a.svg").symlink_to("../precious.txt")
    (project / "outside").mkdir()
    write(project / "specs", "sub.yaml", PRODUCT)
    (project / "specs" / "nested").mkdir()
    write(project / "specs" / "nested", "c.yaml", PRODUCT)
    (project / "out" / "nested").symlink_to(project / "outside")
    code, out, err = _build(project, "-j", jobs)
    assert code == 2 and "a.svg: is a link to ../precious.txt" in err and "nested: is a link" in err, err
    assert (project / "precious.txt").read_text() == "the user's" and not list((project / "outside").iterdir())
    assert (project / "out" / "b.svg").read_text().startswith("<?xml")
    assert "Traceback" not in err


def test_build_runs_no_script_that_is_a_link_leaving_its_folder(project):
    write(project, "evil.py", "open('ran', 'w').write('ran')\n")
    (project / "specs" / "evil.graph.py").symlink_to(project / "evil.py")
    code, out, err = _build(project)
    assert code == 2 and "evil.graph.py: is a link to" in err and "outside" in err, err
    assert not (project / "ran").exists() and not (project / "specs" / "ran").exists()


SCRIPTS = {
    "chdir.graph.py": "import os, graphjac as gj\nos.chdir('/')\ng = gj.Graph('c')\n"
                      "g.target = g.square(g.param('x', 2.0), name='z')\n",
    "exits.graph.py": "import os\nos._exit(3)\n",
    "defines.graph.py": "import graphjac as gj\n"
                        "gj.define_op('cube', forward=lambda u: u ** 3, derivative=lambda u, out: 3 * u ** 2,\n"
                        "             latex=r'{$u}^{3}', derivative_latex=r'3 {$u}^{2}')\n"
                        "g = gj.Graph('d')\ng.target = g.apply('cube', g.param('x', 2.0), name='c')\n",
}
USES_CUBE = "nodes:\n  - {name: x, kind: param, value: 2.0}\n  - {name: c, kind: cube, inputs: [x]}\ntarget: c\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_script_that_moves_exits_or_defines_ops_fails_only_itself(project, jobs):
    for name, text in SCRIPTS.items():
        write(project / "specs", name, text)
    write(project / "specs", "z_uses_cube.yaml", USES_CUBE)   # drawn after defines.graph.py
    code, out, err = _build(project, "-j", jobs)
    built = sorted(p.name for p in (project / "out").glob("*.svg"))
    assert built == ["a.svg", "b.svg", "chdir.svg", "defines.svg"], (built, err)
    assert "exits.graph.py:2: the script raised ScriptExit: os._exit(3) was called" in err
    assert "z_uses_cube.yaml:3:15: nodes[1].kind: unknown node kind 'cube'" in err
    assert code == 2 and "Traceback" not in err and "BrokenProcessPool" not in err
    assert not list(project.glob("*.svg")) and not list(project.parent.glob("*.svg"))


def test_an_upper_case_script_suffix_is_a_script_everywhere(project):
    script = write(project / "specs", "UPPER.GRAPH.PY", SCRIPTS["chdir.graph.py"])
    code, out, err = _build(project)
    assert code == 0 and (project / "out" / "UPPER.svg").exists(), err
    code, out, err = installed("render", script, "-o", project / "upper.svg")
    assert code == 0 and (project / "upper.svg").exists(), err
    shutil.copy(script, project / "Model.PY")
    assert gj.load(project / "Model.PY:g").name == "c"
