"""Hardening, round three: interactive pages, worksheet keys, file names at the system's limit,
the preview server's Host check, SIGHUP, and derandomised property tests. Each failed on the
code before."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import graphjac as gj
from graphjac.io.fileio import atomic_write_all
from test_cli import cli, graphjac_command


# ------------------------------------------------------------------------------ interactive pages

@pytest.mark.parametrize("name", ["minibatch_bce", "minibatch_mse"])
def test_a_minibatch_figure_drawn_per_sample_makes_an_interactive_page(tmp_path, name):
    code, out, err = cli("render", f"lecture:{name}", "-o", tmp_path / "page.html")
    assert code == 0, err
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" class="gj-data">(.*?)</script>', page, re.S)[1])
    sampled = [d for d in data["details"].values() if d.get("sample")]
    assert sampled, "the per-sample nodes have their numbers"
    g = gj.load(f"lecture:{name}")
    g.prepare()
    last = max(sampled, key=lambda d: d["sample"])
    np.testing.assert_allclose(last["value"], g.value(last["name"])[last["sample"] - 1])


def _page_of(graph, tmp_path):
    path = tmp_path / "page.html"
    graph.render(path)
    return path.read_text(encoding="utf-8")


def test_a_node_name_cannot_change_how_the_page_reads_its_script(tmp_path):
    g = gj.Graph("names")
    x = g.input("x<!--<script>", 2.0)
    g.backward(g.mul(x, g.param("w</script><b>", 3.0), name="z"))
    page = _page_of(g, tmp_path)
    data = page.split('class="gj-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data
    assert json.loads(data)["details"]


def test_a_lone_surrogate_in_a_name_is_written_not_an_internal_error(tmp_path):
    g = gj.Graph("s")
    g.backward(g.mul(g.input("x\udce9", 2.0), g.param("w", 3.0), name="z"))
    page = _page_of(g, tmp_path)
    assert "\\udce9" in page


def test_an_mlp_page_holds_no_jacobian_it_cannot_bound(tmp_path):
    rng = np.random.default_rng(0)
    g = gj.Graph("mlp")
    X = g.input("X", rng.normal(size=(4, 64)), batch=True)
    h = g.activation(g.dense(X, g.param("W1", rng.normal(size=(64, 128)) * 0.1), g.param("B1", np.zeros(128))), "tanh")
    J = g.mean(g.loss(g.activation(g.dense(h, g.param("W2", rng.normal(size=(128, 10)) * 0.1),
                                           g.param("B2", np.zeros(10))), "softmax"),
                      g.input("y", rng.integers(0, 10, 4), batch=True), "cce"), name="J")
    g.backward(J)
    page = _page_of(g, tmp_path)
    data = json.loads(page.split('class="gj-data">', 1)[1].split("</script>", 1)[0])
    big = [d for d in data["details"].values() if d.get("jacobian_size", 0) > 4096]
    assert big and all(d["jacobian"] is None and d["grad"] is not None for d in big)
    assert len(page) < 5_000_000


# ------------------------------------------------------------------------------ outputs

@pytest.mark.parametrize("key", ["s.pdf", "./s.pdf", "link.pdf"])
def test_a_worksheet_key_never_replaces_the_sheet(tmp_path, key):
    sheet = tmp_path / "s.pdf"
    sheet.write_bytes(b"%PDF the sheet")
    (tmp_path / "link.pdf").symlink_to(sheet)
    code, out, err = cli("sheet", "lecture:neuron", "-o", "s.pdf", "--key", key, cwd=tmp_path)
    assert code != 0 and "one file" in err, err
    assert sheet.read_bytes() == b"%PDF the sheet"


def test_a_planted_default_key_link_is_not_written_through(tmp_path):
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"keep me")
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "s.key.pdf").symlink_to(outside)
    code, out, err = cli("sheet", "lecture:neuron", "-o", "s.pdf", cwd=folder)
    assert code == 2 and "link" in err, err
    assert outside.read_bytes() == b"keep me" and not (folder / "s.pdf").exists()


def test_two_outputs_that_are_one_file_by_a_hard_link_are_refused(tmp_path):
    first = tmp_path / "a.svg"
    first.write_text("a")
    os.link(first, tmp_path / "b.svg")
    with pytest.raises(gj.GraphjacError, match="one file"):
        atomic_write_all({first: "1", tmp_path / "b.svg": "2"})
    assert first.read_text() == "a"


@pytest.mark.parametrize("length", [242, 250, 255])
def test_a_file_name_up_to_the_systems_limit_is_written(tmp_path, length):
    name = "f" * (length - 4) + ".svg"
    code, out, err = cli("render", "lecture:add", "-o", name, cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / name).read_text().startswith("<?xml") or "<svg" in (tmp_path / name).read_text()
    assert [p.name for p in tmp_path.iterdir()] == [name]


# ------------------------------------------------------------------------------ the preview server

def _serving(tmp_path):
    spec = tmp_path / "m.yaml"
    spec.write_text("nodes:\n  - {name: x, kind: input, value: 2.0}\n  - {name: w, kind: param, value: 3.0}\n"
                    "  - {name: z, kind: mul, inputs: [x, w]}\n")
    watcher = subprocess.Popen([graphjac_command(), "watch", spec, "-o", tmp_path / "m.svg", "--serve", "0"],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    url = watcher.stderr.readline().split()[-1]
    port = int(url.rsplit(":", 1)[1].strip("/"))
    return watcher, port


def _get(port, host, path="/state"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    return response.status, response.read()


def test_the_preview_answers_only_requests_for_localhost(tmp_path):
    watcher, port = _serving(tmp_path)
    try:
        deadline = time.monotonic() + 20
        while _get(port, f"localhost:{port}")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _get(port, f"localhost:{port}")[0] == 200
        assert _get(port, f"127.0.0.1:{port}")[0] == 200
        assert _get(port, f"attacker.example:{port}")[0] == 421
        assert _get(port, "attacker.example")[0] == 421
        assert _get(port, f"localhost:{port + 1}")[0] == 421
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.communicate(timeout=30)


def test_sighup_stops_the_preview_cleanly(tmp_path):
    watcher, port = _serving(tmp_path)
    time.sleep(0.5)
    watcher.send_signal(signal.SIGHUP)
    _, stderr = watcher.communicate(timeout=30)
    assert watcher.returncode == 128 + signal.SIGHUP and "Traceback" not in stderr, stderr


# ------------------------------------------------------------------------------ signals during a build

SLOW_DOT = """#!/bin/sh
sleep 1
exec {dot} "$@"
"""


@pytest.mark.dot
@pytest.mark.parametrize("signum, whole_group", [(signal.SIGTERM, False), (signal.SIGTERM, True),
                                                 (signal.SIGINT, True), (signal.SIGHUP, True)],
                         ids=["SIGTERM", "SIGTERM-group", "Ctrl-C", "SIGHUP-group"])
def test_a_build_stopped_mid_layout_leaves_no_temporary_folder(tmp_path, signum, whole_group):
    """`build -j 2` stopped while its workers wait for dot (a dot that takes a second, so that
    the signal comes mid-layout): no graphjac-dot-* folder is left in the temporary folder, and
    no dot goes on running."""
    import shutil
    dot = shutil.which("dot")
    assert dot, "Graphviz's dot is needed"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "dot").write_text(SLOW_DOT.format(dot=dot))
    (tmp_path / "bin" / "dot").chmod(0o755)
    specs, temporary = tmp_path / "specs", tmp_path / "tmp"
    specs.mkdir(), temporary.mkdir()
    for k in range(6):
        (specs / f"f{k}.yaml").write_text((Path(gj.__file__).parent.parent / "examples" / "neuron.yaml").read_text())
    env = dict(os.environ, TMPDIR=str(temporary), PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    build = subprocess.Popen([graphjac_command(), "build", str(specs), "-o", str(tmp_path / "out"), "-j", "2"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(600):                    # until a worker is inside a layout
        if list(temporary.glob("graphjac-dot-*")) or build.poll() is not None:
            break
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before any layout began"
    time.sleep(0.2)
    if whole_group:
        os.killpg(build.pid, signum)
    else:
        build.send_signal(signum)
    _, stderr = build.communicate(timeout=60)
    for _ in range(400):                   # the workers end on their own signal, just after
        if not list(temporary.glob("graphjac-*")):
            break
        time.sleep(0.05)
    assert not list(temporary.glob("graphjac-*")), (sorted(p.name for p in temporary.iterdir()), stderr.decode())
    assert b"Traceback" not in stderr, stderr.decode()


# ------------------------------------------------------------------------------ the suite itself

def test_property_tests_draw_the_same_examples_every_run():
    from hypothesis import settings
    assert settings().derandomize or os.environ.get("HYPOTHESIS_PROFILE") == "dev"


# ------------------------------------------------------------------------------ model scripts

SCRIPT = """import graphjac as gj
print("hello from the script")
g = gj.Graph("m")
z = g.mul(g.input("x", 2.0), g.param("w", 3.0), name="z")
g.target = z
"""


def test_what_a_script_prints_never_enters_a_figure_on_standard_output(tmp_path):
    (tmp_path / "m.py").write_text(SCRIPT)
    result = subprocess.run([graphjac_command(), "render", "m.py", "-o", "-", "-f", "svg"], cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert b"hello" not in result.stdout and result.stdout.lstrip().startswith((b"<?xml", b"<svg"))
    assert b"hello from the script" in result.stderr
    table = subprocess.run([graphjac_command(), "run", "m.py", "--format", "markdown"], cwd=tmp_path,
                           capture_output=True, timeout=120)
    assert b"hello" not in table.stdout and b"|" in table.stdout


@pytest.mark.parametrize("command", [["render", "m.py", "-o", "m.svg"], ["run", "m.py"]])
def test_a_script_calling_os_exit_is_one_clear_error_not_a_silent_end(tmp_path, command):
    (tmp_path / "m.py").write_text("import os\nos._exit(0)\n")
    result = subprocess.run([graphjac_command(), *command], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "os._exit(0)" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m.svg").exists()


# ------------------------------------------------------------------------------ numbers and names

@pytest.mark.parametrize("label", [2.0, -1.0])
@pytest.mark.parametrize("after_sigmoid", [False, True])
def test_a_bce_label_outside_0_1_names_the_node_and_the_label(label, after_sigmoid):
    g = gj.Graph("bce")
    p = g.activation(g.param("z", 0.3), "sigmoid") if after_sigmoid else g.param("p", 0.3)
    J = g.loss(p, g.input("y", label), "bce", name="J0")
    with pytest.raises(gj.GraphjacError, match=r"node 'J0'.*target y must lie in \[0, 1\].*got " + f"{label:g}"):
        g.backward(J)


@pytest.mark.parametrize("labels", [[0.5, 0.5, 7.0], [-3.0, 0.0, 0.0]])
def test_cce_labels_that_are_no_probabilities_are_said(labels):
    g = gj.Graph("cce")
    J = g.loss(g.activation(g.param("l", [0.1, 0.2, 0.3]), "softmax"), g.input("y", labels), "cce", name="J0")
    with pytest.raises(gj.GraphjacError, match=r"node 'J0'.*labels y .* must lie in \[0, 1\]"):
        g.backward(J)


def test_a_name_in_another_unicode_spelling_is_the_same_node(tmp_path):
    nfd = "e\u0301"
    spec = tmp_path / "m.yaml"
    spec.write_text(f"nodes:\n  - {{name: \u00e9, kind: input, value: 2.0}}\n"
                    f"  - {{name: z, kind: square, inputs: [{nfd}]}}\ntarget: z\n", encoding="utf-8")
    g = gj.load(spec)
    assert float(g.value("z")) == 4.0 and g.record(nfd).name == "\u00e9"


def test_an_interactive_page_names_the_graphs_own_target(tmp_path):
    g = gj.Graph("loss")
    w = g.param("w", [0.5, -0.3])
    L = g.loss(g.activation(g.neuron(g.input("x", [1.0, 2.0]), w, g.param("b", 0.1), name="z"), "sigmoid",
                            name="a"), g.input("y", 1.0), "bce", name="loss")
    g.backward(L)
    page = _page_of(g, tmp_path)
    data = json.loads(page.split('class="gj-data">', 1)[1].split("</script>", 1)[0])
    named = [d.get("grad_of") for d in data["details"].values() if d["kind"] == "node"] + \
            [d["name"] for d in data["details"].values() if d["kind"] == "edge"]
    assert not any("∂J" in text for text in named if text), named
    assert any("∂loss/∂w⃗" in text for text in named if text), named


# ------------------------------------------------------------------------------ folder builds

def _project(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text("nodes:\n  - {name: x, kind: input, value: 2.0}\n"
                                  "  - {name: z, kind: square, inputs: [x]}\n")
    return specs, tmp_path / "out"


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_manifest_that_is_no_regular_file_neither_hangs_nor_exhausts_the_build(tmp_path, kind):
    specs, out = _project(tmp_path)
    out.mkdir()
    manifest = out / ".graphjac-build.json"
    if kind == "fifo":
        os.mkfifo(manifest)
    else:
        manifest.symlink_to("/dev/zero")
    result = subprocess.run([graphjac_command(), "build", specs, "-o", out], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "remove it and build again" in result.stderr and not (out / "a.svg").exists()


def test_a_manifest_key_no_file_system_takes_is_dropped_not_fatal(tmp_path):
    specs, out = _project(tmp_path)
    assert cli("build", specs, "-o", out)[0] == 0
    manifest = out / ".graphjac-build.json"
    data = json.loads(manifest.read_text())
    data["figures"]["k" * 10_000] = {"digest": "0", "files": {"k" * 10_000 + ".svg": "0"}}
    manifest.write_text(json.dumps(data))
    for _ in range(2):
        code, out_text, err = cli("build", specs, "-o", out)
        assert code == 0, err
    assert "k" * 100 not in manifest.read_text()


# ------------------------------------------------------------------------------ notes

class _FakeApp:
    def __init__(self, packages=()):
        self.registry = type("Registry", (), {"latex_packages": [(p, None) for p in packages]})()
        self.added = []

    def add_latex_package(self, name):
        self.added.append(name)
        self.registry.latex_packages.append((name, None))


def _config(engine="pdflatex", latex_format="tikz"):
    return type("Config", (), {"latex_elements": {}, "graphjac_latex_format": latex_format, "latex_engine": engine})()


def test_the_latex_preamble_adds_each_package_once_and_guards_its_unicode_declarations():
    from graphjac.integrations.sphinx import _add_latex_setup
    app, config = _FakeApp(packages=["amssymb"]), _config()
    _add_latex_setup(app, config)
    assert "amssymb" not in app.added and "tikz" in app.added      # already there: not added again (-W)
    preamble = config.latex_elements["preamble"]
    start = preamble.index(r"\ifdefined\DeclareUnicodeCharacter")
    assert preamble.index(r"\DeclareUnicodeCharacter{2212}") > start and preamble.rstrip().endswith(r"\fi")


@pytest.mark.parametrize("options, message", [
    ({"style": "circuit", "blank": "values,grads"}, "circuit style draws no blanks"),
    ({"blank": "grads", "edge_labels": "symbol,formula"}, "add value to edge_labels"),
])
def test_a_blank_that_would_not_be_drawn_is_said_not_ignored(options, message):
    with pytest.raises(gj.GraphjacError, match=message):
        gj.load("lecture:neuron").to_dot(**options)


def test_the_cli_says_so_too():
    code, out, err = cli("render", "lecture:neuron", "--style", "circuit", "--blank", "values", "-o", "-", "-f", "dot")
    assert code == 2 and "circuit style draws no blanks" in err and "Traceback" not in err
