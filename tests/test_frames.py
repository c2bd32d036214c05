"""Backprop step by step: the order of the steps, the frames, the Beamer overlays, the animation, the CLI."""

import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphjac import GraphjacError
from graphjac.gallery import catalog
from graphjac.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.themes import THEMES
from graphjac.render.frames import animated_svg, backward_steps, frame_files, write_frames
from graphjac.render.tikz import write_beamer
from graphjac_cli.main import main

from latex import compile_tex, needs_tex

pytestmark = pytest.mark.dot
SVG = "{http://www.w3.org/2000/svg}"


def _with_target():
    names = []
    for name in catalog():
        g = load_example(name)
        if g.target is not None:
            names.append(name)
    return names


EXAMPLES = _with_target()


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_step_needs_only_gradients_already_computed(name):
    figure = figure_for(load_example(name))
    steps = backward_steps(figure)
    backward = [k for k, e in enumerate(figure.edges) if e.direction == "backward"]
    assert sorted(steps) == backward and backward
    done = set()
    for k in steps:
        node = figure.edges[k].src                       # ∂J/∂node flows out along this edge …
        into = {j for j in backward if figure.edges[j].dst == node}
        assert into <= done, (name, k)                   # … so every share of ∂J/∂node came before
        done.add(k)


def _edge_ids(svg):
    return {g.get("id") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}


@pytest.mark.parametrize("math", ["html", "typeset"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_frames_reveal_one_edge_at_a_time_on_one_layout(name, math):
    figure = figure_for(load_example(name), math=math)
    steps = backward_steps(figure)
    frames = frame_files(figure)
    assert len(frames) == len(steps) + 1
    assert frames == frame_files(figure_for(load_example(name), math=math))
    nodes = None
    for shown, text in enumerate(frames):
        svg = ET.fromstring(text.encode("utf-8"))
        backward = {f"e{k}" for k in steps} & _edge_ids(svg)
        assert backward == {f"e{k}" for k in steps[:shown]}
        wide = [g.get("id") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"
                and any(p.get("stroke-width") == THEMES["lecture"].width("current") for p in g)]
        assert wide == ([f"e{steps[shown - 1]}"] if shown else [])
        shapes = [ET.tostring(g) for g in svg.iter(f"{SVG}g") if g.get("class") == "node"]
        assert nodes is None or shapes == nodes          # nothing moves between frames
        nodes = shapes
        if math == "typeset":
            labels = {g.get("id") for g in svg.iter(f"{SVG}g") if (g.get("id") or "").startswith("label-e")}
            assert labels == {f"label-e{k}" for k in steps[:shown] if figure.edges[k].label}


def test_the_animation_reveals_each_edge_at_its_step_and_loops():
    figure = figure_for(load_example("neuron"), math="typeset")
    steps = backward_steps(figure)
    text = animated_svg(figure)
    assert text == animated_svg(figure_for(load_example("neuron"), math="typeset"))
    svg = ET.fromstring(text.encode("utf-8"))
    count = len(steps) + 1
    for step, k in enumerate(steps, start=1):
        group = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == f"e{k}")
        reveal = next(a for a in group if a.tag == f"{SVG}animate" and a.get("attributeName") == "opacity")
        assert reveal.get("values") == "0;1" and reveal.get("repeatCount") == "indefinite"
        assert float(reveal.get("keyTimes").split(";")[1]) == pytest.approx(step / count, abs=1e-4)
    for animate in svg.iter(f"{SVG}animate"):
        times = [float(t) for t in animate.get("keyTimes").split(";")]
        assert len(times) == len(animate.get("values").split(";")) and times == sorted(times)
        assert times[0] == 0 and times[-1] < 1 and animate.get("calcMode") == "discrete"


@needs_tex
@pytest.mark.parametrize("name", EXAMPLES)
def test_beamer_overlays_compile_to_one_slide_per_step(tmp_path, name):
    figure = figure_for(load_example(name), standalone=True)
    log = compile_tex(tmp_path, write_beamer(figure))
    pages = int(re.search(r"Output written on fig\.pdf \((\d+) pages?", log).group(1))
    assert pages == len(backward_steps(figure)) + 1


@needs_tex
def test_the_bare_beamer_frame_goes_into_a_deck(tmp_path):
    frame = write_beamer(figure_for(load_example("neuron")))
    assert frame.startswith("%") and r"\documentclass" not in frame
    deck = (r"\documentclass{beamer}\usepackage{tikz,amsmath,amssymb,adjustbox}\usetikzlibrary{arrows.meta}"
            r"\begin{document}\begin{frame}{Title}Intro\end{frame}" + frame + r"\end{document}")
    log = compile_tex(tmp_path, deck)
    assert "(7 pages" in log                             # 1 + the neuron's 6 slides


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_write_frames_writes_every_step_and_repeats(tmp_path, fmt, magic):
    g = load_example("neuron")
    paths = write_frames(g, tmp_path / "a", fmt, math="typeset", dpi=50)
    steps = len(backward_steps(figure_for(load_example("neuron"))))
    names = sorted(p.name for p in paths)
    assert names == sorted([f"step-{k:02d}.{fmt}" for k in range(steps + 1)]
                           + ["backprop.tex", "backprop-animated.svg"])
    assert all(p.read_bytes().startswith(magic) for p in paths if p.suffix == f".{fmt}")
    again = write_frames(load_example("neuron"), tmp_path / "b", fmt, math="typeset", dpi=50)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]


def test_nothing_is_written_when_there_is_nothing_to_step_through(tmp_path):
    with pytest.raises(GraphjacError, match="no backward edges"):
        write_frames(load_example("neuron"), tmp_path / "out", backward=False)
    with pytest.raises(GraphjacError, match="format 'gif'"):
        write_frames(load_example("neuron"), tmp_path / "out", "gif")
    assert not (tmp_path / "out").exists()


def test_the_frames_command(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["frames", "lecture:neuron", "-o", str(tmp_path / "steps"), "--math", "typeset",
                                "--theme", "print"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "steps" / "step-00.svg").exists() and (tmp_path / "steps" / "backprop.tex").exists()
    bad = runner.invoke(main, ["frames", "lecture:neuron", "-o", str(tmp_path / "x"), "--no-backward"])
    assert bad.exit_code == 2 and "no backward edges" in bad.output and "Traceback" not in bad.output
