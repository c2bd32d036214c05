"""Inputs that used to take minutes or end in an internal error: big specs read in linear time,
every render bounded by its timeout, an image larger than cairo draws, SIGTERM mid-render, an
output that cannot be written, and a preview port that is taken."""

import json
import os
import re
import signal
import socket
import subprocess
import time

import pytest

import graphjac as gj
from graphjac.io import loaders
from test_cli import assert_clean_error, graphjac_command, installed, write


def _chain(count):
    nodes = [{"name": "x0", "kind": "param", "value": 1.0}]
    nodes += [{"name": f"x{k}", "kind": "neg", "inputs": [f"x{k - 1}"]} for k in range(1, count)]
    return {"name": "chain", "target": f"x{count - 1}", "nodes": nodes}


def test_a_big_json_spec_is_scanned_once_not_once_per_node(tmp_path, monkeypatch):
    text = json.dumps(_chain(2000), indent=1)
    spec = write(tmp_path, "chain.json", text)
    starts = []
    scan = loaders._json_members
    monkeypatch.setattr(loaders, "_json_members", lambda text, start: starts.append(start) or scan(text, start))
    graph = gj.load(spec)
    assert len(graph.nodes) == 2000 and starts.count(0) <= 1 and len(starts) <= 2000 + 2
    brace_line = text.splitlines().index('   "name": "x1999",')      # the node's { is the line before
    assert graph.record("x1999").origin.endswith(f"chain.json:{brace_line}:3")


@pytest.mark.parametrize("suffix", ["json", "yaml", "toml"])
def test_an_error_at_the_end_of_a_big_spec_names_its_line(tmp_path, suffix):
    from graphjac.io.savers import dump_spec
    data = _chain(1500)
    data["nodes"][-1]["kind"] = "nge"
    spec = write(tmp_path, f"chain.{suffix}", dump_spec(data, suffix))
    with pytest.raises(gj.SpecError, match=r"chain\.\w+:\d+:\d+: nodes\[1499\]\.kind: unknown node kind 'nge'"):
        gj.load(spec)


def test_a_render_is_bounded_by_its_timeout_while_typesetting(tmp_path):
    label = " + ".join(f"x_{{{k}}}" for k in range(10000))     # about 6 s of typesetting
    spec = write(tmp_path, "long.yaml", f"target: J\nnodes:\n  - {{name: x, kind: param, value: 1.0, label: '{label}'}}\n"
                 f"  - {{name: J, kind: square, inputs: [x]}}\n")
    start = time.monotonic()
    code, out, err = installed("render", spec, "-o", tmp_path / "long.svg", "--timeout", "2",
                               env={"GRAPHJAC_CACHE_DIR": str(tmp_path / "cache")})
    assert_clean_error(code, out, err, 1, "took longer than 2 s, its timeout")
    assert time.monotonic() - start < 30 and not (tmp_path / "long.svg").exists()


def test_a_png_larger_than_cairo_draws_names_a_dpi_that_fits(tmp_path):
    g = gj.Graph("chain")
    x = g.param("x", 1.0)
    for k in range(60):
        x = g.neg(x, name=f"n{k}")
    g.target = x
    g.render(tmp_path / "chain.svg", direction="LR")
    width = float(re.search(r'width="([\d.]+)pt"', (tmp_path / "chain.svg").read_text()).group(1))
    with pytest.raises(gj.RenderError, match=r"pixels at --dpi 600, more than cairo draws") as error:
        g.render(tmp_path / "chain.png", direction="LR", dpi=600)
    fits = int(re.search(r"use --dpi (\d+) or less", str(error.value)).group(1))
    assert width * fits / 72 <= 32767 < width * (fits + 2) / 72
    assert not (tmp_path / "chain.png").exists()


def test_sigterm_mid_render_leaves_no_file_and_no_temporary_behind(tmp_path):
    g = gj.Graph("big")
    x = g.param("x", 0.5)
    for k in range(150):
        x = g.mul(x, g.param(f"w{k}", 1.0 + k / 1000), name=f"n{k}")
    g.target = x
    from graphjac.io.savers import save
    spec = save(g, tmp_path / "big.yaml")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "GRAPHJAC_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(temp)}
    process = subprocess.Popen([graphjac_command(), "render", spec, "-o", tmp_path / "big.png", "--fit", "4:3"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)                 # fitting 150 nodes to a slide takes many seconds: it is mid-render
    assert process.poll() is None, "the render ended before it could be stopped"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert not list(temp.iterdir()) and not (tmp_path / "big.png").exists()


def test_an_output_that_cannot_be_written_exits_as_a_full_standard_output_does(tmp_path):
    unwritable = installed("render", "lecture:product", "-o", "/proc/x.svg")
    with open("/dev/full", "w") as full:
        done = subprocess.run([graphjac_command(), "render", "lecture:product", "-o", "-", "-f", "dot"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert_clean_error(*unwritable, 1, "/proc/x.svg: cannot write it")
    assert done.returncode == 1 and "standard output: No space left on device" in done.stderr


def test_a_preview_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = installed("watch", "lecture:product", "-o", tmp_path / "w.svg", "--serve", port)
    assert_clean_error(code, out, err, 2, f"--serve {port}: cannot serve the preview there", "pick another port")


def test_a_program_that_uses_sigalrm_itself_keeps_its_alarm(tmp_path):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        gj.load("lecture:product").render(tmp_path / "p.svg")
        deadline = time.monotonic() + 5
        while not fired and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fired and signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.dot
def test_dot_past_its_timeout_says_how_to_give_it_longer_or_draw_less(monkeypatch):
    from graphjac.errors import RenderError
    from graphjac.render.layout import graphviz, programs

    def slow(command, data, timeout):
        raise subprocess.TimeoutExpired(command, timeout)
    monkeypatch.setattr(programs, "run", slow)
    with pytest.raises(RenderError) as caught:
        graphviz.run_dot("digraph { never_laid_out_before_1 }", "svg", timeout=3)
    message = str(caught.value)
    assert "longer than 3 s" in message and "--timeout" in message
    assert "--steps k" in message and "--depth k" in message
