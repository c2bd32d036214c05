"""Rendering through Graphviz: SVG/PNG/PDF, missing or failing dot, atomic output, Jupyter."""

import os
import re
import shutil
import stat

import pytest

import graphjac as gj
from graphjac.options import THEME_NAMES

from test_render import minibatch, neuron


@pytest.fixture
def fake_dot(tmp_path, monkeypatch):
    """``fake_dot(script)`` puts a ``dot`` that runs the shell ``script`` alone on PATH."""
    def install(script):
        folder = tmp_path / "bin"
        folder.mkdir()
        path = folder / "dot"
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", str(folder))
    return install


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def no_graphviz(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_missing_graphviz_says_how_to_install_it_and_dot_text_still_works(no_graphviz, tmp_path):
    g = neuron()
    target = tmp_path / "fig.svg"
    with pytest.raises(gj.RenderError) as info:
        g.render(target)
    message = str(info.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "graphviz.org" in message and isinstance(info.value, gj.GraphjacError)
    assert not target.exists()
    assert g.render(tmp_path / "fig.dot").read_text() == g.to_dot()


def test_missing_graphviz_shows_dot_text_in_jupyter(no_graphviz):
    bundle = neuron()._repr_mimebundle_()
    assert bundle["text/vnd.graphviz"].startswith("digraph") and "image/svg+xml" not in bundle


def test_dot_failure_shows_its_stderr_and_leaves_no_file(tmp_path, fake_dot):
    fake_dot('echo "Error: syntax error in line 3 near ->" >&2; exit 1')
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(gj.RenderError, match="(?s)exit status 1.*syntax error in line 3"):
        neuron().render(out / "fig.png")
    assert _leftovers(out) == []


def test_dot_that_hangs_is_stopped_by_the_timeout(tmp_path, fake_dot):
    fake_dot(f"exec {shutil.which('sleep')} 30")
    with pytest.raises(gj.RenderError, match="longer than 0.5 s"):
        neuron().render(tmp_path / "fig.pdf", timeout=0.5)
    assert not (tmp_path / "fig.pdf").exists()


def test_a_failed_render_keeps_the_previous_file_whole(tmp_path, fake_dot):
    fake_dot("printf 'partial'; exit 3")
    out = tmp_path / "out"
    out.mkdir()
    (out / "fig.svg").write_text("the old figure")
    with pytest.raises(gj.RenderError, match="exit status 3"):
        neuron().render(out / "fig.svg")
    assert (out / "fig.svg").read_text() == "the old figure" and _leftovers(out) == ["fig.svg"]


def test_empty_output_from_dot_is_an_error(tmp_path, fake_dot):
    fake_dot("exit 0")
    with pytest.raises(gj.RenderError, match="wrote no svg output"):
        neuron().render(tmp_path / "fig.svg", math="html")
    with pytest.raises(gj.RenderError, match="wrote no (layout|svg) output"):
        neuron().render(tmp_path / "fig.svg")        # typeset: one run of dot for layout and drawing
    assert not (tmp_path / "fig.svg").exists()


needs_dot = pytest.mark.dot


@needs_dot
def test_same_graph_same_svg_bytes(tmp_path):
    assert shutil.which("dot"), "Graphviz's dot is needed for this test"
    first = neuron().render(tmp_path / "a.svg").read_bytes()
    second = neuron().render(tmp_path / "b.svg").read_bytes()
    assert first == second and first.startswith(b"<?xml")


@needs_dot
@pytest.mark.parametrize("theme", THEME_NAMES)
def test_every_theme_renders(theme, tmp_path):
    for graph, options in ((neuron(), {}), (minibatch(), {"samples": 2, "edge_labels": "symbol,formula,value"})):
        svg = graph.render(tmp_path / f"{theme}.svg", theme=theme, gradcheck=True, math="html", **options).read_text()
        assert "<svg" in svg and "∂" in svg and "✓" in svg


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_formats_by_suffix(suffix, magic, tmp_path):
    path = neuron().render(tmp_path / f"fig{suffix}")
    assert path.read_bytes().startswith(magic)
    assert _leftovers(tmp_path) == [path.name]


@needs_dot
def test_jupyter_shows_svg():
    bundle = neuron()._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<?xml") and "neuron" in bundle["text/plain"]
    root = re.search(r"<svg [^>]*>", bundle["image/svg+xml"]).group(0)
    assert 'style="max-width: 100%; height: auto"' in root     # scaled to the output area, never cut at a page edge


@needs_dot
def test_tables_legend_and_badge_reach_the_svg(tmp_path):
    g = gj.Graph("softmax")
    X = g.input("x", [[1.0, 2.0, -1.0]], batch=True)
    logits = g.dense(X, g.param("W", [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]), g.param("b", [0.0, 0.1]), name="l")
    p = g.activation(logits, "softmax", name="p")
    g.backward(g.mean(g.loss(p, g.input("y", [1], batch=True), "cce", name="J0"), name="J"))
    svg = g.render(tmp_path / "s.svg", tables="W", jacobians="p:l", gradcheck=True, math="html").read_text()
    for text in ("−0.5", "0.6", "forward: values", "backward: ∂", "gradients agree with finite differences"):
        assert text in svg, text
    assert os.path.getsize(tmp_path / "s.svg") > 0


def _one_run_each(monkeypatch, cores=1):
    """graphviz with an empty memory, on a machine of ``cores`` cores, and the list of the dot
    commands it runs from now on."""
    import subprocess

    from graphjac.render.layout import graphviz
    monkeypatch.setattr(graphviz.os, "cpu_count", lambda: cores)
    runs, real = [], subprocess.Popen

    def counted(command, *args, **kwargs):
        runs.append(command)
        return real(command, *args, **kwargs)
    monkeypatch.setattr(graphviz.subprocess, "Popen", counted)
    monkeypatch.setattr(graphviz, "_recent", type(graphviz._recent)())
    return graphviz, runs


def test_the_same_dot_text_is_laid_out_once_a_process_and_a_failure_is_not_kept(monkeypatch):
    graphviz, runs = _one_run_each(monkeypatch)
    text = "digraph { a -> b }\n"
    first = graphviz.run_dot(text, "svg")
    assert graphviz.run_dot(text, "svg") == first and len(runs) == 1        # drawn again from memory
    both = graphviz.run_dot_all(text + " ", ("json", "svg"))
    assert graphviz.run_dot(text + " ", "json") == both["json"] and len(runs) == 2   # one run made both
    graphviz.run_dot("digraph { a -> c }\n", "svg")
    assert len(runs) == 3                                                   # other text: dot again
    with pytest.raises(gj.RenderError):
        graphviz.run_dot("digraph { a -> }\n", "svg")
    with pytest.raises(gj.RenderError):
        graphviz.run_dot("digraph { a -> }\n", "svg")
    assert len(runs) == 5                                                   # a failure is tried again
    for k in range(graphviz.RECENT + 1):
        graphviz.run_dot(f"digraph {{ n{k} }}\n", "json")
    assert len(graphviz._recent) == graphviz.RECENT                         # a bounded memory


@pytest.mark.parametrize("name, style", [("two_layer", None), ("micrograd", None), ("cs231n_sigmoid", "circuit"),
                                         ("dense_cce", "circuit"), ("softmax_jacobian", None)])
def test_a_fits_candidates_laid_out_in_one_run_are_laid_out_as_each_alone(monkeypatch, name, style):
    """Graphviz reads a stream of graphs in one process: each graph's layout must be what it is
    when that graph is laid out alone (dot keeps attribute names across the stream's graphs)."""
    import subprocess

    from graphjac.io.loaders import load_example
    from graphjac.render import figure_for
    from graphjac.render.layout.geometry import parse_json
    from graphjac.render.layout import fitting
    from graphjac.render.writers.composer import first_source
    figure = figure_for(load_example(name), None, math="typeset", fit="4:3", **({"style": style} if style else {}))
    sources = [first_source(c) for c in fitting._candidates(figure, fitting._shapes(figure), fitting.SPACINGS)]
    alone = [parse_json(subprocess.run(["dot", "-Tjson"], input=s.encode(), capture_output=True, check=True).stdout)
             for s in sources]
    for cores in (1, 2):   # one stream, or one a core at once
        graphviz, runs = _one_run_each(monkeypatch, cores)
        graphviz.lay_out_ahead(sources)
        assert len(runs) == cores and len(sources) > 8
        assert [parse_json(graphviz.run_dot(s, graphviz.LAYOUT)) for s in sources] == alone and len(runs) == cores


def test_laying_out_ahead_keeps_nothing_when_one_graph_fails(monkeypatch):
    graphviz, runs = _one_run_each(monkeypatch)
    good, bad = "digraph { a -> b }\n", "digraph { a -> }\n"
    graphviz.lay_out_ahead([good, bad, good])
    assert len(runs) == 1 and not graphviz._recent
    with pytest.raises(gj.RenderError, match="syntax error"):        # said of the graph at fault
        graphviz.run_dot(bad, "json")
    assert graphviz.run_dot(good, "json").lstrip().startswith(b"{") and len(runs) == 3
    graphviz.lay_out_ahead([good])                                     # laid out already: no run
    assert len(runs) == 3
    graphviz, runs = _one_run_each(monkeypatch, cores=2)               # a run a core: the good one's kept
    graphviz.lay_out_ahead([good, bad, good])
    assert len(runs) == 2 and list(graphviz._recent) == [(("json0",), None, good)]


def test_a_signal_another_thread_takes_stops_the_wait_for_a_program_at_once():
    """A SIGTERM may land on any thread (numpy's BLAS keeps one): a wait for dot that blocked until
    dot ended held `kill` off for as long as a layout takes (a fit's run of many graphs: over 30 s
    on a busy machine)."""
    import time

    from graphjac.render.layout import programs
    from signals import Stopped, signalled_from_another_thread

    with pytest.raises(Stopped), signalled_from_another_thread() as start:
        programs.run(["sh", "-c", "sleep 30"], b"", 60)
    assert time.monotonic() - start < 10      # not the 30 s of sleep: the signal was acted on


@pytest.mark.parametrize("name", ["rnn_bptt", "two_layer", "micrograd"])
def test_the_layout_read_from_dot_s_json_without_drawing_operations_is_the_layout_read_from_its_full_json(name):
    """graphjac reads ``-Tjson0`` (a quarter to a half of ``-Tjson``'s text, the xdot drawing
    operations left out: a transformer's fit read 5 s of JSON): every node, edge, label and box
    the same."""
    import subprocess

    from graphjac.io.loaders import load_example
    from graphjac.render import figure_for
    from graphjac.render.layout.geometry import parse_json
    from graphjac.render.writers.composer import first_source
    source = first_source(figure_for(load_example(name)))
    full, lean = (subprocess.run(["dot", f"-T{format}"], input=source.encode(), capture_output=True, check=True).stdout
                  for format in ("json", "json0"))
    assert parse_json(lean) == parse_json(full) and len(lean) < 0.6 * len(full)
