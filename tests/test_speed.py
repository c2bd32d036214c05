"""What keeps an editing loop fast: the typeset-formula cache (trusted only when its content
checks out), imports of only what a command needs, and ``graphjac watch``."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

import graphjac as gj
from graphjac.render import draw
from graphjac.render.math import formula_cache, typeset
from graphjac_cli.commands import SUMMARIES
from graphjac_cli.main import main
from test_cli import graphjac_command

NEURON = gj.load("lecture:neuron")


def _render_svg(graph=NEURON):
    typeset.forget()          # only the disk cache may help
    return draw(graph, "svg")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRAPHJAC_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRAPHJAC_NO_CACHE", raising=False)
    yield folder / "formulas"
    typeset.forget()


def _entries(folder):
    """The cache's entries of one formula each (a figure's formulas kept together are not)."""
    return sorted(entry for entry in folder.rglob("*.json") if not entry.name.startswith(".tmp-")
                  and "answers" not in json.loads(entry.read_text()))


def _together(folder):
    return [entry for entry in folder.rglob("*.json") if "answers" in json.loads(entry.read_text())]


def test_a_warm_render_sets_no_formula_and_draws_the_same_bytes(cache, monkeypatch):
    cold = _render_svg()
    assert len(_entries(cache)) > 10
    monkeypatch.setattr(typeset, "set_formula", lambda *a: pytest.fail(f"typeset again: {a[0]!r}"))
    assert _render_svg() == cold


def test_other_typesetting_code_sets_every_formula_afresh(cache, monkeypatch):
    """An entry is graphjac's typesetting code's too: how a formula is set may change within a version."""
    _render_svg()
    calls = []
    original = typeset.set_formula
    monkeypatch.setattr(typeset, "set_formula", lambda *a: calls.append(a) or original(*a))
    monkeypatch.setattr(formula_cache, "_TYPESETTING", ("math_layout.py", "opentype.py"))   # as if mathtext.py changed
    formula_cache._installation.cache_clear()
    try:
        _render_svg()
    finally:
        monkeypatch.undo()
        formula_cache._installation.cache_clear()
    assert calls and len(calls) == len(_entries(cache)) / 2


def test_corrupt_truncated_and_foreign_entries_are_ignored_and_replaced(cache, monkeypatch):
    cold = _render_svg()
    for bundle in _together(cache):   # the formulas one by one (tests/test_bad_cache.py edits the bundles)
        bundle.unlink()
    entries = _entries(cache)
    good = json.loads(entries[0].read_text())
    entries[0].write_text("{not json")
    entries[1].write_bytes(entries[1].read_bytes()[:40])
    foreign = json.loads(entries[2].read_text())
    foreign["fragment"] = foreign["fragment"].replace("<g>", '<g><script>alert(1)</script>', 1)
    entries[2].write_text(json.dumps(foreign))
    outside = json.loads(entries[3].read_text())
    outside["fragment"] = outside["fragment"].replace('href="#', 'href="http://example.org/x.svg#', 1)
    entries[3].write_text(json.dumps(outside))
    wrong = json.loads(entries[4].read_text())
    wrong["width"] = wrong["width"] * 3       # a valid entry for other text would be wrong here
    wrong["latex"] = wrong["latex"] + " "
    entries[4].write_text(json.dumps(wrong))
    calls = []
    original = typeset.set_formula
    monkeypatch.setattr(typeset, "set_formula", lambda *a: calls.append(a) or original(*a))
    again = _render_svg()
    assert again == cold and "script" not in again and "example.org" not in again
    assert len(calls) == 5                                    # each bad entry typeset afresh …
    assert json.loads(entries[0].read_text()) == good         # … and stored whole again
    for entry in entries[:5]:
        assert formula_cache._checked(json.loads(entry.read_text()), {k: json.loads(entry.read_text())[k]
                                       for k in ("latex", "size", "color", "installation")}) is not None


def _modules_after(code, env=None):
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


HEAVY = {"networkx", "yaml", "ziamath", "cairosvg", "tomlkit", "tomllib", "tomli", "graphviz", "click", "torch",
         "playwright"}


def test_import_graphjac_loads_no_heavy_library():
    assert _modules_after("import graphjac") & HEAVY == set()


def test_a_typeset_render_loads_neither_ziamath_nor_cairosvg_and_a_warm_one_no_typesetter_nor_pyyaml(tmp_path):
    env = {"GRAPHJAC_CACHE_DIR": str(tmp_path)}
    code = "import graphjac as gj, graphjac.render; graphjac.render.draw(gj.load('lecture:neuron'), 'svg')"
    cold = _modules_after(code, env)                          # sets the formulas, with graphjac's typesetter
    assert "graphjac.render.math.math_layout" in cold and {"ziamath", "ziafont", "latex2mathml", "cairosvg"} & cold == set()
    assert "yaml" in cold                                     # the spec read by PyYAML, and kept
    warm = _modules_after(code, env)
    assert {"ziamath", "cairosvg", "networkx", "tomlkit", "graphjac.render.math.math_layout", "yaml"} & warm == set()


def test_each_format_loads_its_own_parser(tmp_path):
    spec = tmp_path / "m.json"
    spec.write_text(json.dumps({"nodes": [{"name": "x", "kind": "input", "value": 1.0}]}))
    assert {"yaml", "tomllib", "tomli"} & _modules_after(f"import graphjac as gj; gj.load({str(spec)!r})") == set()


@pytest.mark.parametrize("args, env", [(["--help"], {}),                                    # the command list
                                       ([], {"_GRAPHJAC_COMPLETE": "zsh_complete",            # tab completion
                                             "COMP_WORDS": "graphjac ", "COMP_CWORD": "1"})])
def test_the_command_list_imports_no_command(args, env):
    code = ("import contextlib, io\nfrom graphjac_cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):\n"
            f"    main({args!r}, prog_name='graphjac')\n"
            "assert 'Re-render SPEC on every save' in out.getvalue() and 'train' in out.getvalue()\n"
            f"assert ('Usage:' in out.getvalue()) == {not env}")
    loaded = _modules_after(code, env)
    assert {f"graphjac_cli.{name}" for name in SUMMARIES} & loaded == set()
    assert {"graphjac.render", "yaml", "ziamath"} & loaded == set()


def test_each_command_is_listed_with_its_own_summary():
    for name in main.list_commands(None):
        assert main.get_command(None, name).get_short_help_str(limit=1000) == SUMMARIES[name]


# ---------------------------------------------------------------------------- graphjac watch

SPEC = """name: watched
nodes:
  - {name: x, kind: input, value: 2.0}
  - {name: w, kind: param, value: 0.5}
  - {name: z, kind: mul, inputs: [x, w]}
target: z
"""


def _wait(condition, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _read(path):
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_watch_rerenders_on_save_keeps_the_last_good_figure_and_stops_on_ctrl_c(tmp_path):
    spec, out = tmp_path / "m.yaml", tmp_path / "m.svg"
    spec.write_text(SPEC)
    watcher = subprocess.Popen([graphjac_command(), "watch", spec, "-o", out, "--serve", "0", "--math", "html"],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert _wait(lambda: b"</svg>" in _read(out)), "no first figure"
        first = out.read_bytes()
        assert b"0.5" in first
        spec.write_text(SPEC.replace("0.5", "0.75"))
        assert _wait(lambda: b"0.75" in _read(out)), "the save was not seen"
        good = out.read_bytes()
        spec.write_text(SPEC.replace("inputs: [x, w]", "inputs: [x, nowhere]"))
        time.sleep(1.0)
        assert out.read_bytes() == good                      # the error leaves the figure alone
        spec.write_text(SPEC.replace("0.5", "1.25"))
        assert _wait(lambda: b"1.25" in _read(out)), "watching stopped after an error"
    finally:
        watcher.send_signal(signal.SIGINT)
        _, stderr = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, stderr
    lines = stderr.splitlines()
    assert lines[0].startswith("preview at http://localhost:") and lines[1].startswith("watching ")
    assert any("error: " in line and "nowhere" in line for line in lines), stderr
    assert lines[-1] == "stopped" and "Traceback" not in stderr


def test_the_preview_page_serves_the_latest_figure_and_the_error(tmp_path):
    spec, out = tmp_path / "m.yaml", tmp_path / "m.svg"
    spec.write_text(SPEC)
    watcher = subprocess.Popen([graphjac_command(), "watch", spec, "-o", out, "--serve", "0"],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        url = watcher.stderr.readline().split()[-1]
        assert _wait(lambda: b"</svg>" in _read(out))

        def get(path):
            with urllib.request.urlopen(url + path, timeout=10) as response:
                return response.headers["Content-Type"], response.read()

        assert _wait(lambda: json.loads(get("state")[1])["version"] >= 1)
        kind, page = get("")
        assert kind.startswith("text/html") and b'id="figure"' in page and b"/state" in page
        kind, figure = get("figure")
        assert kind == "image/svg+xml" and figure == out.read_bytes()
        spec.write_text("nodes: [")
        assert _wait(lambda: json.loads(get("state")[1])["error"] is not None)
        assert "invalid YAML" in json.loads(get("state")[1])["error"]
        assert get("figure")[1] == figure
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.communicate(timeout=30)


def test_watch_follows_the_modules_a_model_imports(tmp_path):
    (tmp_path / "helper.py").write_text("WEIGHT = 0.5\n")
    model = tmp_path / "model.py"
    model.write_text("import graphjac as gj\nfrom helper import WEIGHT\n"
                     "g = gj.Graph('m')\nz = g.mul(g.input('x', 2.0), g.param('w', WEIGHT), name='z')\n"
                     "g.target = z\n")
    out = tmp_path / "m.svg"
    watcher = subprocess.Popen([graphjac_command(), "watch", model, "-o", out, "--math", "html"],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert _wait(lambda: b"0.5" in _read(out))
        (tmp_path / "helper.py").write_text("WEIGHT = 0.875\n")
        assert _wait(lambda: b"0.875" in _read(out)), "a change to the imported helper was not seen"
    finally:
        watcher.send_signal(signal.SIGINT)
        _, stderr = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, stderr
