"""The graphjac command line, through click's CliRunner and through the installed command."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphjac as gj
from graphjac.io.gallery import catalog
from graphjac_cli.main import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

PRODUCT = "name: product\ntarget: z\nnodes:\n  - {name: x, kind: input, value: 3.0}\n" \
          "  - {name: y, kind: param, value: 2.0}\n  - {name: z, kind: mul, inputs: [x, y]}\n"

# Linear regression on two samples: J = (1/N) Σ (y − (x w + b))², a gradient we can write by hand.
REGRESSION = """\
name: regression
target: J
nodes:
  - {name: x, kind: input, batch: true, value: [[1.0, 2.0], [3.0, -1.0]]}
  - {name: y, kind: input, batch: true, value: [1.0, 2.0]}
  - {name: w, kind: param, value: [0.5, -0.5]}
  - {name: b, kind: param, value: 0.25}
  - {name: yhat, kind: neuron, inputs: [x, w, b]}
  - {name: J0, kind: loss, function: mse, inputs: [yhat, y]}
  - {name: J, kind: mean, inputs: [J0]}
"""


def graphjac_command():
    """The installed ``graphjac`` script: where pip puts scripts for this Python, else on PATH."""
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts")),
               Path(sysconfig.get_path("scripts", f"{os.name}_user"))]
    found = next((str(f / "graphjac") for f in folders if (f / "graphjac").is_file()), shutil.which("graphjac"))
    assert found, "the graphjac command is not installed: run `pip install -e .`"
    return found


def cli(*args, cwd=None):
    """(exit code, stdout, stderr) of ``graphjac ARGS`` run in-process by CliRunner."""
    old = os.getcwd()
    os.chdir(cwd or old)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def installed(*args, cwd=None, env=None):
    """(exit code, stdout, stderr) of the installed ``graphjac ARGS`` in a subprocess."""
    run = subprocess.run([graphjac_command(), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                         env={**os.environ, **(env or {})}, timeout=120)
    return run.returncode, run.stdout, run.stderr


BOTH = pytest.mark.parametrize("invoke", [cli, installed], ids=["clirunner", "installed"])


def write(folder, name, text):
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_clean_error(code, out, err, expected_code, *fragments):
    assert code == expected_code, (code, out, err)
    assert "Traceback" not in out + err
    message = err.strip()
    assert message.startswith("Error: ") and "\n" not in message, err
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# ------------------------------------------------------------------------------ bad input
# (file name, contents, "line:" or "line:column" the message must name, what it must say)

BAD_INPUT = [
    ("malformed.yaml", "nodes:\n  - {name: x, kind: input, value: [1, 2}\n", ":2:40:", "invalid YAML"),
    ("malformed.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": 1},\n]}\n', ":3:1:", "invalid JSON"),
    ("malformed.toml", '[[nodes]]\nname = "x\n', ":2:10:", "invalid TOML"),
    ("kind.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: a, kind: sigmod, inputs: [x]}\n",
     ":3:15:", "unknown node kind 'sigmod'; did you mean 'sigmoid'?"),
    ("field.toml", '[[nodes]]\nname = "x"\nkind = "input"\nvalue = 1\nbatchh = true\n', ":5:1:",
     "unknown field 'batchh' for an input node; did you mean 'batch'?"),
    ("reference.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": 1},\n'
                       '  {"name": "z", "kind": "square", "inputs": ["xx"]}\n]}\n', ":3:46:",
     "refers to undefined node 'xx'"),
    ("cycle.yaml", "nodes:\n  - {name: u, kind: square, inputs: [v]}\n  - {name: v, kind: square, inputs: [u]}\n",
     ":2:5:", "cycle: 'u' -> 'v' -> 'u'"),
    ("duplicate.yaml", "nodes:\n  - {name: x, kind: input, value: 1, value: 2}\n", ":2:38:", "duplicate key 'value'"),
    ("nan.json", '{"nodes": [{"name": "x", "kind": "input", "value": NaN}]}\n', ":1:52:", "NaN is not allowed"),
    ("infinity.yaml", "nodes:\n  - {name: x, kind: input, value: [1, .inf]}\n", ":2:39:", "non-finite number inf"),
    ("shape.yaml", "nodes:\n  - {name: x, kind: input, value: [1, 2]}\n  - {name: w, kind: param, value: [1, 2, 3]}\n"
                   "  - {name: z, kind: dot, inputs: [x, w]}\n", ":4:26:", "same length; got shapes (2,) and (3,)"),
    ("python.yaml", "nodes: !!python/object/apply:os.system ['echo hacked']\n", ":1:8:",
     "'!!python/object/apply:os.system' is not allowed"),
    ("unknown.txt", "nodes: []\n", ": ", "unknown spec format '.txt'"),
    ("script.py", "import graphjac as gj\ng = gj.Graph('s')\nx = g.input('x', [1.0, 2.0])\n"
                  "z = g.dot(x, g.input('w', [1.0, 2.0, 3.0]))\n", ":4: ", "same length"),
]


@pytest.fixture
def bad_specs(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text, _, _ in BAD_INPUT:
        write(folder, name, text)
    (folder / "folder.yaml").mkdir()
    return folder


def _bad_cases():
    cases = [(name, where, what) for name, _, where, what in BAD_INPUT]
    return cases + [("missing.yaml", ": ", "no such file"), ("folder.yaml", ": ", "is a directory, not a spec file")]


@pytest.mark.parametrize("name, where, what", _bad_cases(), ids=[c[0] for c in _bad_cases()])
@pytest.mark.parametrize("command", ["render", "run", "check", "train"])
def test_bad_input_exits_2_naming_the_place(bad_specs, tmp_path, command, name, where, what):
    spec = bad_specs / name
    out = tmp_path / "out" / ("figure.svg" if command == "render" else "trained.yaml")
    out.parent.mkdir()
    extra = {"render": ["-o", out], "train": ["--steps", "2", "-o", out]}.get(command, [])
    code, stdout, stderr = cli(command, spec, *extra)
    assert_clean_error(code, stdout, stderr, 2, f"{spec}{where}", what)
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("name, where, what", _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_bad_input_through_the_installed_command(bad_specs, tmp_path, name, where, what):
    out = tmp_path / "figure.svg"
    code, stdout, stderr = installed("render", bad_specs / name, "-o", out, cwd=tmp_path)
    assert_clean_error(code, stdout, stderr, 2, f"{bad_specs / name}{where}", what)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["specs"]


def test_python_tag_is_not_executed_by_the_command(tmp_path):
    marker = tmp_path / "ran"
    spec = write(tmp_path, "evil.yaml", f"nodes: !!python/object/apply:os.system ['touch {marker}']\n")
    code, out, err = installed("run", spec)
    assert_clean_error(code, out, err, 2, "is not allowed")
    assert not marker.exists()


def test_bad_usage_exits_2(tmp_path):
    spec = write(tmp_path, "product.yaml", PRODUCT)
    for args, fragment in [
        (["render", spec, "-o", tmp_path / "figure.xyz"], "unknown output format 'xyz'"),
        (["render", spec, "-o", tmp_path / "no" / "such" / "folder.svg"], "does not exist"),
        (["render", spec, "-o", tmp_path / "figure"], "cannot tell the format without a suffix"),
        (["render", spec, "-o", tmp_path / "figure.svg", "-f", "png"], "the suffix says svg but --format says png"),
        (["render", spec, "--theme", "prnt"], "Invalid value for '--theme'"),
        (["render", spec, "--edge-labels", "symbol,valeu"], "did you mean 'value'?"),
        (["render", spec, "--tables", "W", "-o", tmp_path / "t.dot"], "W"),
        (["run", spec, "--target", "zz"], "no node named 'zz'; did you mean 'z'?"),
        (["train", spec, "--lr", "-1"], "Invalid value for '--lr'"),
        (["train", spec, "-o", tmp_path / "trained.txt", "--steps", "1"], "cannot tell the spec format"),
        (["run", "lecture:nueron"], "did you mean lecture:neuron?"),
        (["render"], "Missing argument 'SPEC'"),
        (["frobnicate"], "No such command 'frobnicate'."),
        (["rendr", spec], "No such command 'rendr'; did you mean 'render'?"),
    ]:
        code, out, err = cli(*args)
        assert code == 2, (args, code, out, err)
        assert fragment in err and "Traceback" not in out + err, (args, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["product.yaml"]
    code, out, err = installed("render", spec, "--edge-labels", "symbol,valeu", "-o", tmp_path / "figure.svg")
    assert code == 2 and "did you mean 'value'?" in err and "Traceback" not in err
    assert not (tmp_path / "figure.svg").exists()


def test_a_render_option_the_graph_cannot_take_names_it(tmp_path):
    spec = write(tmp_path, "product.yaml", PRODUCT)
    code, out, err = cli("render", spec, "--tables", "W", "-o", tmp_path / "t.dot")
    assert code == 2 and "'W'" in err


def test_debug_shows_the_traceback(tmp_path):
    spec = write(tmp_path, "kind.yaml", "nodes:\n  - {name: x, kind: inptu, value: 1}\n")
    code, out, err = installed("--debug", "run", spec)
    assert code == 1 and "Traceback" in err and "SpecError" in err
    code, out, err = installed("run", spec, env={"GRAPHJAC_DEBUG": "1"})
    assert "Traceback" in err


# ------------------------------------------------------------------------------ render


@pytest.mark.dot
@BOTH
def test_render_formats_from_the_suffix(invoke, tmp_path):
    spec = write(tmp_path, "product.yaml", PRODUCT)
    magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph"}
    for fmt, start in magic.items():
        out = tmp_path / f"product.{fmt}"
        code, stdout, stderr = invoke("render", spec, "-o", out)
        assert code == 0, stderr
        assert out.read_bytes().startswith(start)
        assert f"wrote {out}" in stderr
    assert b"<svg" in (tmp_path / "product.svg").read_bytes()


@BOTH
def test_render_to_stdout_and_the_format_flag(invoke, tmp_path):
    spec = write(tmp_path, "product.yaml", PRODUCT)
    code, out, err = invoke("render", spec, "-o", "-", "--format", "dot")
    assert code == 0 and out == gj.load(spec).to_dot()
    code, out, err = invoke("render", spec, "-o", tmp_path / "figure", "--format", "gv")
    assert code == 0 and (tmp_path / "figure").read_text() == gj.load(spec).to_dot()


def test_render_without_output_names_the_figure_after_the_spec(tmp_path):
    spec = write(tmp_path, "product.yaml", PRODUCT)
    code, out, err = cli("render", spec, "--format", "dot", cwd=tmp_path)
    assert code == 0 and err.strip() == "wrote product.dot (%.1f kB)" % ((tmp_path / "product.dot").stat().st_size / 1024)
    assert (tmp_path / "product.dot").read_text() == gj.load(spec).to_dot()
    code, out, err = cli("render", "lecture:dot", "-f", "gv", cwd=tmp_path)
    assert code == 0 and (tmp_path / "dot.gv").read_text() == gj.load("lecture:dot").to_dot()
    (tmp_path / "figures").mkdir()
    code, out, err = cli("render", "lecture:dot", "-o", tmp_path / "figures", "-f", "DOT")
    assert code == 0 and (tmp_path / "figures" / "dot.dot").read_text() == gj.load("lecture:dot").to_dot()


@pytest.mark.parametrize("flags, options", [
    (["--theme", "print"], {"theme": "print"}),
    (["--no-backward"], {"backward": False}),
    (["--edge-labels", "symbol,value,shape", "--precision", "5"],
     {"edge_labels": ("symbol", "value", "shape"), "precision": 5}),
    (["--direction", "LR", "--no-legend", "--title", "A neuron"],
     {"direction": "LR", "legend": False, "title": "A neuron"}),
    (["--samples", "2", "--model", "once", "--node-labels", "formula,grad"],
     {"samples": 2, "model": "once", "node_labels": ("formula", "grad")}),
])
def test_render_flags_are_the_renderers_options(flags, options):
    code, out, err = cli("render", "lecture:minibatch_bce", "-o", "-", "-f", "dot", *flags)
    assert code == 0, err
    graph = gj.load("lecture:minibatch_bce")
    assert out == graph.to_dot(**options)
    assert out != graph.to_dot()


def test_flags_left_out_keep_the_specs_render_options(tmp_path):
    spec = write(tmp_path, "stored.yaml", PRODUCT.replace("target: z\n", "target: z\nrender: {direction: LR}\n"))
    code, out, err = cli("render", spec, "-o", "-", "-f", "dot", "--theme", "dark")
    assert code == 0
    assert "rankdir=LR" in out
    assert out == gj.load(spec).to_dot(theme="dark")


def test_every_render_option_has_a_flag_with_help():
    from graphjac.render import option_help
    command = main.get_command(None, "render")
    flags = {p.name: p for p in command.params}
    for name in option_help():
        assert name in flags and flags[name].help, name


# ------------------------------------------------------------------------------ run, check, train


@BOTH
def test_run_prints_values_gradients_and_edge_shares(invoke, tmp_path):
    code, out, err = invoke("run", write(tmp_path, "product.yaml", PRODUCT))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "product: z = 6"
    # z = x·y with x = 3, y = 2: ∂z/∂x = y = 2, ∂z/∂y = x = 3
    assert re.search(r"^x\s+input\s+x ∈ ℝ\s+3\s+2$", out, re.M)
    assert re.search(r"^y\s+param\s+y ∈ ℝ\s+2\s+3$", out, re.M)
    assert re.search(r"^x → z\s+∂z/∂x = y\s+ℝ\s+2$", out, re.M)
    assert re.search(r"^y → z\s+∂z/∂y = x\s+ℝ\s+3$", out, re.M)


def test_run_regression_numbers_match_a_hand_computation(tmp_path):
    X, y, w, b = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1.0, 2.0]), np.array([0.5, -0.5]), 0.25
    residual = y - (X @ w + b)
    J, grad_w = np.mean(residual ** 2), -2 * X.T @ residual / 2
    code, out, err = cli("run", write(tmp_path, "regression.yaml", REGRESSION), "--precision", "6")
    assert code == 0
    assert out.splitlines()[0] == f"regression: J = {J:.6g}"
    w_row = next(line for line in out.splitlines() if line.startswith("w → yhat"))
    assert " ℝ¹ˣ² " in w_row        # ∂J/∂w⃗ is a row vector, as the lecture writes it
    shown = w_row[w_row.rindex("[") + 1:-1].replace("−", "-").split()
    np.testing.assert_allclose([float(v) for v in shown], grad_w, rtol=1e-5)


def test_run_without_a_target_takes_the_one_scalar_sink_or_says_why_not(tmp_path):
    spec = write(tmp_path, "plain.yaml", "nodes:\n  - {name: x, kind: input, value: 3}\n"
                                         "  - {name: z, kind: square, inputs: [x]}\n")
    code, out, err = cli("run", spec)     # z is the one scalar result: it is J
    assert code == 0 and re.search(r"^x\s+input\s+x ∈ ℝ\s+3\s+6$", out, re.M) and err == ""
    two = write(tmp_path, "two.yaml", "nodes:\n  - {name: x, kind: input, value: 3}\n"
                                      "  - {name: z, kind: square, inputs: [x]}\n  - {name: u, kind: exp, inputs: [x]}\n")
    code, out, err = cli("run", two)
    assert code == 0 and "no loss J" in out and re.search(r"^z\s+square\s+z = x²\s+9\s+—$", out, re.M)
    assert "note: no gradients shown" in err and "'z', 'u' could each be J" in err and "--target NAME" in err
    code, out, err = cli("run", two, "--target", "z")
    assert code == 0 and re.search(r"^x\s+input\s+x ∈ ℝ\s+3\s+6$", out, re.M)
    code, out, err = cli("render", two, "-o", tmp_path / "two.dot")
    assert code == 0 and "'z', 'u' could each be J" in err and "--target" not in err


@BOTH
def test_check_passes(invoke):
    code, out, err = invoke("check", "lecture:dense_cce")
    assert code == 0, err
    assert "passed" in out and "∂J/∂W" in out and "∂J/∂B" in out


@BOTH
def test_check_fails_with_the_worst_mismatch(invoke, tmp_path):
    # ReLU′(0) = 1 as the lecture writes it; central differences see (1 + 0)/2 there.
    spec = write(tmp_path, "kink.yaml", "target: J\nnodes:\n  - {name: u, kind: param, value: [0.0, 2.0]}\n"
                                        "  - {name: a, kind: relu, inputs: [u]}\n  - {name: J, kind: sum, inputs: [a]}\n")
    code, out, err = invoke("check", spec)
    assert code == 1
    assert "FAILED" in out
    assert_clean_error(code, "", err, 1, "gradient check failed; worst: ∂J/∂u[0]: backward 1,",
                       "finite differences 0.5")


def test_check_needs_a_target(tmp_path):
    spec = write(tmp_path, "plain.yaml", "nodes:\n  - {name: x, kind: param, value: 3}\n")
    assert_clean_error(*cli("check", spec), 2, "add 'target: NAME' to the spec or pass --target NAME")
    two = write(tmp_path, "two.yaml", "nodes:\n  - {name: x, kind: param, value: 3}\n"
                                      "  - {name: z, kind: square, inputs: [x]}\n  - {name: u, kind: exp, inputs: [x]}\n")
    assert_clean_error(*cli("check", two), 2, "its scalar results 'z', 'u' could each be J")
    one = write(tmp_path, "one.yaml", "nodes:\n  - {name: x, kind: param, value: 3}\n"
                                      "  - {name: z, kind: square, inputs: [x]}\n")
    code, out, err = cli("check", one)
    assert code == 0 and "∂z/∂x" in out


@BOTH
def test_train_descends_and_writes_the_trained_spec(invoke, tmp_path):
    spec = write(tmp_path, "regression.yaml", REGRESSION)
    X, y, w, b, lr = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1.0, 2.0]), np.array([0.5, -0.5]), 0.25, 0.05
    losses = []
    for _ in range(3):                      # gradient descent by hand
        residual = y - (X @ w + b)
        losses.append(np.mean(residual ** 2))
        w, b = w + lr * X.T @ residual, b + lr * np.sum(residual)
    losses.append(np.mean((y - (X @ w + b)) ** 2))
    for suffix in (".yaml", ".json", ".toml"):
        out = tmp_path / f"trained{suffix}"
        code, stdout, stderr = invoke("train", spec, "--lr", lr, "--steps", 3, "--every", 1, "-o", out)
        assert code == 0, stderr
        rows = [line.split() for line in stdout.splitlines()[1:]]
        assert [int(r[0]) for r in rows] == [0, 1, 2, 3]
        np.testing.assert_allclose([float(r[1]) for r in rows], losses, rtol=1e-7)
        trained = gj.load(out)
        np.testing.assert_allclose(trained.value("w"), w, rtol=1e-12)
        np.testing.assert_allclose(trained.value("b"), b, rtol=1e-12)
        assert trained.target.name == "J"


def test_train_reports_divergence(tmp_path):
    spec = write(tmp_path, "regression.yaml", REGRESSION)
    code, out, err = cli("train", spec, "--lr", "1e6", "--steps", "200")
    assert_clean_error(code, out, err, 1, "try a smaller --lr")


# ------------------------------------------------------------------------------ examples, build


@BOTH
def test_examples_lists_every_lecture_figure(invoke):
    code, out, err = invoke("examples")
    assert code == 0
    lines = out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [f"lecture:{name}" for name in catalog()]
    for name in catalog():
        assert gj.load(f"lecture:{name}").nodes


def _copy_examples(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for spec in EXAMPLES.glob("*.yaml"):
        shutil.copy(spec, folder / spec.name)
    return folder


@pytest.mark.dot
@BOTH
def test_build_the_examples_folder(invoke, tmp_path):
    folder, out = _copy_examples(tmp_path), tmp_path / "figures"
    specs = sorted(p.stem for p in folder.glob("*.yaml"))
    code, stdout, stderr = invoke("build", folder, "-o", out, "--format", "svg,dot")
    assert code == 0, stderr
    assert stdout.strip() == f"{len(specs)} built, 0 unchanged, 0 failed -> {out}"
    assert sorted(p.name for p in out.glob("*.svg")) == [f"{s}.svg" for s in specs]
    for stem in specs:
        assert (out / f"{stem}.dot").read_text() == gj.load(folder / f"{stem}.yaml").to_dot()

    code, stdout, stderr = invoke("build", folder, "-o", out, "--format", "svg,dot")
    assert stdout.strip() == f"0 built, {len(specs)} unchanged, 0 failed -> {out}"

    neuron = folder / "neuron.yaml"
    neuron.write_text(neuron.read_text().replace("name: neuron", "name: a changed neuron", 1))
    code, stdout, stderr = invoke("build", folder, "-o", out, "--format", "svg,dot")
    assert stdout.strip() == f"1 built, {len(specs) - 1} unchanged, 0 failed -> {out}"
    assert "a changed neuron" in (out / "neuron.dot").read_text()


def test_build_options_and_force(tmp_path):
    folder, out = _copy_examples(tmp_path), tmp_path / "figures"
    n = len(list(folder.glob("*.yaml")))
    assert cli("build", folder, "-o", out, "-f", "dot")[1].startswith(f"{n} built")
    code, stdout, _ = cli("build", folder, "-o", out, "-f", "dot", "--theme", "print")   # new options: redraw
    assert stdout.startswith(f"{n} built")
    assert (out / "dot.dot").read_text() == gj.load(folder / "dot.yaml").to_dot(theme="print")
    assert cli("build", folder, "-o", out, "-f", "dot", "--theme", "print")[1].startswith("0 built")
    assert cli("build", folder, "-o", out, "-f", "dot", "--theme", "print", "--force")[1].startswith(f"{n} built")


def test_build_reports_bad_specs_and_builds_the_rest(tmp_path):
    folder, out = tmp_path / "notes", tmp_path / "figures"
    (folder / "chapter").mkdir(parents=True)
    write(folder, "product.yaml", PRODUCT)
    write(folder / "chapter", "regression.toml", "")
    write(folder / "chapter", "broken.json", '{"nodes": [{"name": "x", "kind": "inptu", "value": 1}]}')
    write(folder, "config.json", '{"theme": "not a graph"}')
    code, stdout, stderr = cli("build", folder, "-o", out, "-f", "dot")
    assert code == 2
    assert "failed  " + str(folder / "chapter" / "broken.json") + ":1:26:" in stderr
    assert f"skipped {folder / 'config.json'}: not a graph spec" in stderr
    assert "Traceback" not in stderr
    assert (out / "product.dot").exists() and not (out / "chapter" / "broken.dot").exists()
    manifest = json.loads((out / ".graphjac-build.json").read_text())
    assert sorted(manifest["figures"]) == ["product.yaml"]


def test_build_refuses_two_specs_for_one_figure(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    write(folder, "product.yaml", PRODUCT)
    write(folder, "product.json", json.dumps(yaml.safe_load(PRODUCT)))
    code, out, err = cli("build", folder, "-o", tmp_path / "figures", "-f", "dot")
    assert_clean_error(code, out, err, 2, "would both write")
    assert not (tmp_path / "figures").exists()


def test_build_in_parallel_processes_gives_the_serial_figures(tmp_path):
    from graphjac.io import folders
    folder = _copy_examples(tmp_path)
    parallel = list(folders.run(folders.plan(folder, tmp_path / "parallel", formats=("dot",)), workers=2))
    serial = list(folders.run(folders.plan(folder, tmp_path / "serial", formats=("dot",)), workers=1))
    assert [r.status for r in parallel] == [r.status for r in serial] == ["built"] * len(serial)
    names = sorted(p.name for p in (tmp_path / "serial").glob("*.dot"))
    assert names == sorted(p.name for p in (tmp_path / "parallel").glob("*.dot")) and len(names) == len(serial)
    for name in names:
        assert (tmp_path / "parallel" / name).read_text() == (tmp_path / "serial" / name).read_text()


# ------------------------------------------------------------------------------ the command itself


@BOTH
def test_version_and_help(invoke):
    code, out, err = invoke("--version")
    assert code == 0 and out.strip() == f"graphjac, version {gj.__version__}"
    code, out, err = invoke("--help")
    assert code == 0
    for name in ["render", "run", "check", "train", "examples", "build"]:
        assert re.search(rf"^  {name}\s", out, re.M)
        code, text, _ = cli(name, "--help")
        assert code == 0 and "Examples:" in text and "graphjac " + name in text


def test_python_dash_m():
    run = subprocess.run([sys.executable, "-m", "graphjac", "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == f"graphjac, version {gj.__version__}"


def test_every_option_has_help():
    for command in map(lambda name: main.get_command(None, name), main.list_commands(None)):
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{command.name} --{param.name}"


def test_shell_completion():
    code, out, err = installed(env={"_GRAPHJAC_COMPLETE": "bash_source"})
    assert code == 0 and "_graphjac_completion" in out
    code, out, err = installed(env={"_GRAPHJAC_COMPLETE": "bash_complete", "COMP_WORDS": "graphjac render lecture:neu",
                                    "COMP_CWORD": "2"})
    assert code == 0
    assert "plain,lecture:neuron" in out.splitlines() and "plain,lecture:neuron_tanh" in out.splitlines()


def test_the_readme_shows_what_run_prints():
    readme = (Path(__file__).resolve().parent.parent / "docs" / "guide.md").read_text(encoding="utf-8")
    shown = re.search(r"`graphjac run lecture:neuron` prints:\n\n```text\n(.*?)```", readme, re.S).group(1)
    assert cli("run", "lecture:neuron")[1] == shown


def _places(data, prefix=()):
    """Every key path in spec data."""
    yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from _places(value, prefix + (key,))


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**20), st.floats(), st.text(max_size=6),
                 st.lists(st.one_of(st.integers(-2, 5), st.text(max_size=2)), max_size=3),
                 st.dictionaries(st.sampled_from(["random", "shape", "seed", "x"]), st.integers(-1, 3), max_size=2))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_spec_makes_the_command_crash(data):
    """Whatever a spec's fields hold, `graphjac run` succeeds or says what is wrong (exit 2)."""
    spec = yaml.safe_load((EXAMPLES / f"{data.draw(st.sampled_from(sorted(catalog())))}.yaml").read_text())
    place = data.draw(st.sampled_from(list(_places(spec))[1:]))
    parent = spec
    for key in place[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = data.draw(JUNK)
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, "spec.json", json.dumps(spec))
        result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_a_figure_graphviz_cannot_make_exits_1(tmp_path):
    spec, bin_dir = write(tmp_path, "product.yaml", PRODUCT), tmp_path / "bin"
    bin_dir.mkdir()
    code, out, err = installed("render", spec, "-o", tmp_path / "product.svg", env={"PATH": str(bin_dir)})
    assert_clean_error(code, out, err, 1, "dot program was not found", "Install Graphviz")
    assert not (tmp_path / "product.svg").exists()
    code, out, err = installed("render", spec, "-o", tmp_path / "product.dot", env={"PATH": str(bin_dir)})
    assert code == 0 and (tmp_path / "product.dot").read_text() == gj.load(spec).to_dot()
    write(bin_dir, "dot", "#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 3\n").chmod(0o755)
    code, out, err = installed("render", spec, "-o", tmp_path / "product.svg", env={"PATH": str(bin_dir)})
    assert code == 1 and "Graphviz's dot failed (exit status 3)" in err and "syntax error in line 1" in err
    assert "Traceback" not in err and not (tmp_path / "product.svg").exists()


def test_binary_figures_are_not_written_to_a_terminal(tmp_path):
    import pty
    primary, terminal = pty.openpty()
    try:
        run = subprocess.run([graphjac_command(), "render", "lecture:add", "-o", "-", "-f", "png"], stdout=terminal,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(terminal)
        os.close(primary)
    assert run.returncode == 2 and "not writing binary figure data to a terminal" in run.stderr


def test_a_closed_standard_output_is_a_clear_error_for_a_figure_and_no_error_for_a_file(tmp_path):
    def closed(*args):
        return subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', graphjac_command(), *map(str, args)],
                              capture_output=True, text=True, timeout=120)
    for args in (["render", "lecture:add", "-o", "-"], ["render", "lecture:add", "-o", "-", "-f", "png"]):
        run = closed(*args)
        assert (run.returncode, run.stderr) == (1, "Error: -o -: standard output is closed; name a file with -o\n")
    run = closed("render", "lecture:add", "-o", tmp_path / "add.svg")
    assert run.returncode == 0 and "wrote" in run.stderr and (tmp_path / "add.svg").read_text().startswith("<?xml")
    assert closed("run", "lecture:add").returncode == 0     # as print() does in Python: the table goes nowhere


def test_a_numeric_warning_is_one_line(tmp_path):
    spec = write(tmp_path, "big.yaml", "nodes:\n  - {name: x, kind: input, value: 1.0e+200}\n"
                                       "  - {name: z, kind: square, inputs: [x]}\n")
    code, out, err = installed("run", spec)
    if code == 0:   # x² overflows to inf: a one-line warning, or an error naming the node
        assert err == "Warning: overflow encountered in multiply\n"
    else:
        assert_clean_error(code, out, err, 2, "'z'")


@BOTH
def test_python_specs(invoke, tmp_path):
    write(tmp_path, "graphs.py", "import graphjac as gj\n\n\ndef product():\n    g = gj.Graph('product')\n"
                                 "    g.mul(g.input('x', 3.0), g.param('y', 2.0), name='z')\n    g.target = 'z'\n"
                                 "    return g\n\n\nsquare = gj.Graph('square')\n"
                                 "square.square(square.param('u', 5.0), name='v')\n")
    code, out, err = invoke("run", f"{tmp_path / 'graphs.py'}:product")
    assert code == 0 and out.startswith("product: z = 6\n")
    code, out, err = invoke("run", tmp_path / "graphs.py", "--target", "v")     # the one Graph in the file
    assert code == 0 and out.startswith("square: v = 25\n") and re.search(r"^u\s+param\s+u ∈ ℝ\s+5\s+10$", out, re.M)


def test_train_in_a_real_terminal_shows_its_progress_bar(tmp_path):
    """click draws the bar only on a terminal: run the installed command under `script`."""
    typescript = tmp_path / "typescript"
    done = subprocess.run(["script", "-qec", f"'{graphjac_command()}' train lecture:neuron --steps 30", str(typescript)],
                          capture_output=True, text=True, timeout=120)
    screen = typescript.read_text(errors="replace")
    assert done.returncode == 0, screen[-2000:]
    assert "training  [" in screen and "100%" in screen and "J = " in screen and "Error" not in screen


def test_a_long_fit_tells_how_it_gets_on_on_a_terminal_and_leaves_no_trace():
    """Its line appears once the fit has run a while (a fake clock here), is rewritten in place
    at most every half second, and is wiped when the fit, however nested, ends."""
    import io

    from graphjac_cli.progress import FitProgress
    now = [0.0]
    stream = io.StringIO()
    watcher = FitProgress(stream, clock=lambda: now[0])
    watcher.started()
    watcher.started()                     # a brief figure's fit inside its figure's
    now[0] = 1.0
    watcher.laid_out(0.0)                 # collided; and too soon to say anything
    assert stream.getvalue() == ""
    now[0] = 2.5
    watcher.laid_out(7.43)
    now[0] = 2.7
    watcher.laid_out(7.9)                 # counted, not shown: the line was written 0.2 s ago
    watcher.finished()
    now[0] = 3.4
    watcher.laid_out(6.0)
    assert stream.getvalue() == ("\rfitting to the page: 2 layouts in 2 s, the clearest with 7.4 pt text\x1b[K"
                                 "\rfitting to the page: 4 layouts in 3 s, the clearest with 7.9 pt text\x1b[K")
    watcher.finished()
    assert stream.getvalue().endswith("\x1b[K\r\x1b[K")
    watcher.started()
    watcher.laid_out(9.0)
    watcher.chose(9.0, "")
    watcher.finished()                    # a short fit that left nothing out: nothing at all
    assert stream.getvalue().count("fitting") == 2 and "fitted" not in stream.getvalue()
    watcher.started()
    watcher.started()
    watcher.chose(8.04, "t = 2 folded into ⋯ (--steps 3 draws every step)")
    watcher.finished()                    # said once the outermost fit ends, on a line of its own
    assert "fitted" not in stream.getvalue()
    watcher.finished()
    assert stream.getvalue().endswith("\r\x1b[Kfitted to the page at 8.0 pt: t = 2 folded into ⋯ "
                                      "(--steps 3 draws every step)\n")


def test_fit_tells_its_watcher_each_candidate_it_lays_out():
    from graphjac.render import figure_for
    from graphjac.render.layout import fitting
    from graphjac.progress import watched
    from graphjac.render.layout.fitting import smallest_text
    from graphjac.render.writers.composer import place

    class Recorder:
        def __init__(self):
            self.events = []

        def started(self):
            self.events.append("started")

        def laid_out(self, text):
            self.events.append(text)

        def finished(self):
            self.events.append("finished")

    fitting.forget()
    recorder = Recorder()
    with watched(recorder):
        figure = figure_for(gj.load("lecture:micrograd"), fit="4:3")
    events = recorder.events
    assert events[0] == "started" and events[-1] == "finished" and events.count("started") == events.count("finished")
    texts = [e for e in events if not isinstance(e, str)]
    placed = place(figure)
    assert len(texts) >= 2 and max(texts) == pytest.approx(smallest_text(figure, (placed.layout.width,
                                                                                   placed.layout.height)))
    figure_for(gj.load("lecture:add"), fit="4:3")    # no watcher now: nothing recorded
    assert recorder.events == events


def test_a_fit_on_a_terminal_ends_with_its_message_on_a_clean_line(tmp_path):
    import pty
    primary, terminal = pty.openpty()
    try:   # read as it runs: a pty holds a few kB, and a slow fit writes many lines
        run = subprocess.Popen([graphjac_command(), "render", "lecture:rnn_bptt", "--fit", "4:3", "-o",
                                tmp_path / "rnn.png"], stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        said = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:   # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            said += chunk
        run.wait(timeout=300)
    finally:
        os.close(primary)
    said = said.decode().replace("\r\n", "\n")
    lines = re.sub(r"\rfitting to the page: \d+ layouts? in \d+ s(, the clearest with [\d.]+ pt text)?\x1b\[K", "",
                   said)
    assert run.returncode == 0 and re.fullmatch(   # what the fit left out, and the option that keeps it
        r"fitted to the page at [\d.]+ pt: t = 2 folded into ⋯ \(--steps 3 draws every step\)\n"
        rf"wrote {re.escape(str(tmp_path / 'rnn.png'))} \([\d.]+ kB\)\n", lines.replace("\r\x1b[K", ""))
