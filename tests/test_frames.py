"""Backprop step by step: the order of the steps, the frames, the Beamer overlays, the animation, the CLI."""

import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphjac import GraphjacError
from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.frames import animated_svg, backward_steps, frame_files, reveal_steps, write_frames
from graphjac.render.writers.tikz import write_beamer
from graphjac_cli.main import main

from latex import compile_tex, compile_together, needs_tex

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


@pytest.mark.parametrize("style", ["lecture", "circuit"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_each_value_is_revealed_after_the_values_it_is_computed_from(name, style):
    g = load_example(name)
    figure = figure_for(g, style=style)
    forward = [step for step in reveal_steps(figure) if not any(item[0] == "e" for item in step)
               and all(_phase(figure, item) == "forward" for item in step)]
    node_of = {node.id: node.name for node in figure.nodes}
    order = [{node_of[item.split(".")[0]] for item in step} for step in forward]
    assert all(len(names) == 1 for names in order)      # one graph node a step
    order = [names.pop() for names in order]
    ops = {g.record(n).name for n in g.nodes if g.record(n).op is not None}
    assert set(order) <= ops and len(set(order)) == len(order) and order
    operands = {}
    for src, dst, _ in g.edges:                          # the graph's own operands, not the figure's
        if g.record(src).op is not None:
            operands.setdefault(dst.name, set()).add(src.name)
    for k, name in enumerate(order):
        assert operands.get(name, set()) & set(order) <= set(order[:k]), (name, order[:k])


def _phase(figure, item):
    from graphjac.render.layout.geometry import text_phases
    key, line = item.split(".")
    node = next(n for n in figure.nodes if n.id == key)
    return text_phases(node)[int(line)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_wire_gets_its_gradient_after_every_wire_leaving_its_gate(name):
    figure = figure_for(load_example(name), style="circuit")
    feeds = {e.src: e.dst for e in figure.edges if e.joint == "tail"}      # wire -> gate it enters
    leaves = {e.dst: e.src for e in figure.edges if e.joint == "head"}     # wire -> gate or variable it leaves
    steps = reveal_steps(figure)
    backward = [step for step in steps if all(_phase(figure, item) == "backward" for item in step)]
    assert all(len(step) == 1 for step in backward) and backward
    done = []
    for (item,) in backward:
        wire = item.split(".")[0]
        after = {w for w, gate in leaves.items() if gate == feeds[wire]}   # the gate's output wires
        assert after <= set(done), (wire, after, done)
        done.append(wire)
    with_grad = {n.id for n in figure.nodes if n.role == "wire" and n.phases[1] == "backward"}
    assert set(done) == with_grad


def _edge_ids(svg):
    return {g.get("id") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}


def _shapes(svg):
    """Every node's outline and where its text lines start: equal in every frame when nothing moves."""
    out = []
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "node":
            outline = next((e for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse")
                            and e.get("stroke") != "transparent"), None)   # not a lit row's backdrop
            out.append((None if outline is None else ET.tostring(outline),
                        [(t.get("x"), t.get("y")) for t in g.iter(f"{SVG}text")]))
    return out


def _transparent_lines(svg):
    """Text drawn in the colour behind it (a node's fill, or the page where a wire's numbers are)."""
    theme = THEMES["lecture"]
    return sum(1 for g in svg.iter(f"{SVG}g") if g.get("class") == "node"
               for t in g.iter(f"{SVG}text")
               if t.get("fill") == theme.background and (g.get("id") or "").startswith("nw")
               or t.get("fill") in theme.fills.values())


@pytest.mark.parametrize("style", ["lecture", "circuit"])
@pytest.mark.parametrize("math", ["html", "typeset"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_frames_reveal_one_step_at_a_time_on_one_layout(name, math, style):
    figure = figure_for(load_example(name), math=math, style=style)
    steps = reveal_steps(figure)
    frames = frame_files(figure)
    assert len(frames) == len(steps) + 1
    if (math, style) == ("typeset", "lecture"):   # the same frames again (once per figure: each costs a render)
        assert frames == frame_files(figure_for(load_example(name), math=math, style=style))
    edges = {item for step in steps for item in step if item[0] == "e"}
    lines = [item for step in steps for item in step if item[0] != "e"]
    shapes = None
    for shown, text in enumerate(frames):
        svg = ET.fromstring(text.encode("utf-8"))
        reached = {item for step in steps[:shown] for item in step}
        assert edges & _edge_ids(svg) == edges & reached
        wide = [g.get("id") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"
                and any(p.get("stroke-width") == THEMES["lecture"].width("current") for p in g)]
        assert wide == [item for item in (steps[shown - 1] if shown else ()) if item[0] == "e"]
        assert shapes is None or _shapes(svg) == shapes  # nothing moves between frames
        shapes = _shapes(svg)
        if math == "typeset":
            ids = {g.get("id") for g in svg.iter(f"{SVG}g")}
            assert {f"label-{item}" for item in lines} & ids == {f"label-{item}" for item in lines if item in reached}
            labels = {i for i in ids if (i or "").startswith("label-e") and "." not in i}
            assert labels == {f"label-{k}" for k in edges & reached if figure.edges[int(k[1:])].label}
        else:   # Graphviz's own text: a line not reached yet is there, in its place, but not seen
            assert _transparent_lines(svg) >= len([item for item in lines if item not in reached])
            assert shown < len(steps) or _transparent_lines(svg) == 0


def test_frame_zero_shows_what_is_given_and_the_last_everything():
    figure = figure_for(load_example("neuron"), math="typeset")
    frames = frame_files(figure)
    first, last = (ET.fromstring(f.encode("utf-8")) for f in (frames[0], frames[-1]))
    ids = lambda svg: {g.get("id") for g in svg.iter(f"{SVG}g")}
    assert "label-n0.0" in ids(first) and "label-n4.0" in ids(first)       # x = (1, 2, −1); z's formula
    assert "label-n4.1" not in ids(first) and "label-n4.1" in ids(last)     # z's value comes with its step
    whole = ET.fromstring(frame_files(figure, passes=("backward",))[-1].encode("utf-8"))
    assert _edge_ids(whole) == _edge_ids(last)


def test_passes_choose_what_is_stepped_through():
    figure = figure_for(load_example("neuron"), math="typeset")
    forward, backward = reveal_steps(figure, ("forward",)), reveal_steps(figure, ("backward",))
    assert reveal_steps(figure) == forward + backward
    assert [k for step in backward for k in step if k[0] == "e"] == [f"e{k}" for k in backward_steps(figure)]
    only_back = frame_files(figure, passes=("backward",))
    zero = {g.get("id") for g in ET.fromstring(only_back[0].encode("utf-8")).iter(f"{SVG}g")}
    assert {"label-n4.1", "label-n5.1", "label-n6.1"} <= zero                # the forward pass, whole
    only_forward = frame_files(figure, passes=("forward",))
    assert len(only_forward) == len(forward) + 1
    assert all(not (_edge_ids(ET.fromstring(f.encode("utf-8"))) & {f"e{k}" for k in backward_steps(figure)})
               for f in only_forward)                                         # no gradient at all


def test_the_animation_reveals_each_step_in_turn_and_loops():
    figure = figure_for(load_example("neuron"), math="typeset")
    steps = reveal_steps(figure)
    text = animated_svg(figure)
    assert text == animated_svg(figure_for(load_example("neuron"), math="typeset"))
    svg = ET.fromstring(text.encode("utf-8"))
    count = len(steps) + 1
    for step, items in enumerate(steps, start=1):
        for item in items:
            group = next(g for g in svg.iter(f"{SVG}g") if g.get("id") in (item, f"label-{item}"))
            reveal = next(a for a in group if a.tag == f"{SVG}animate" and a.get("attributeName") == "opacity")
            assert reveal.get("values") == "0;1" and reveal.get("repeatCount") == "indefinite"
            assert float(reveal.get("keyTimes").split(";")[1]) == pytest.approx(step / count, abs=1e-4)
    for animate in svg.iter(f"{SVG}animate"):
        times = [float(t) for t in animate.get("keyTimes").split(";")]
        assert len(times) == len(animate.get("values").split(";")) and times == sorted(times)
        assert times[0] == 0 and times[-1] < 1 and animate.get("calcMode") == "discrete"


def _slides_of_each(tmp_path, figures):
    """Every figure's Beamer frames compiled in one document (one pdflatex run): each must make
    one slide per step and one more with everything."""
    parts = compile_together(tmp_path, {name: write_beamer(figure) for name, figure in figures.items()})
    for name, figure in figures.items():
        assert parts[name][0] == len(reveal_steps(figure)) + 1, name


@needs_tex
@pytest.mark.parametrize("names", [[n for n in EXAMPLES if n != "micrograd"], ["micrograd"]],
                         ids=["gallery", "micrograd"])        # micrograd's 65 slides on their own
def test_beamer_overlays_compile_to_one_slide_per_step(tmp_path, names):
    _slides_of_each(tmp_path, {name: figure_for(load_example(name), standalone=True) for name in names})


@needs_tex
def test_circuit_beamer_overlays_compile_to_one_slide_per_step(tmp_path):
    _slides_of_each(tmp_path, {name: figure_for(load_example(name), standalone=True, style="circuit")
                               for name in ["cs231n_circuit", "cs231n_sigmoid", "neuron", "dense_cce"]})


@needs_tex
def test_the_bare_beamer_frame_goes_into_a_deck(tmp_path):
    frames = [write_beamer(figure_for(load_example(name))) for name in ("neuron", "colah", "neuron")]
    assert all(frame.startswith("%") and r"\documentclass" not in frame for frame in frames)
    deck = (r"\documentclass{beamer}\usepackage{tikz,amsmath,amssymb,adjustbox}\usetikzlibrary{arrows.meta}"
            r"\begin{document}\begin{frame}{Title}Intro\end{frame}" + "".join(frames) + r"\end{document}")
    log = compile_tex(tmp_path, deck)
    slides = [1 + len(reveal_steps(figure_for(load_example(name)))) for name in ("neuron", "colah", "neuron")]
    assert f"({1 + sum(slides)} pages" in log            # the title frame, then each figure's slides


def test_no_drawing_is_set_again_for_each_slide():
    """Beamer sets a frame's body once per slide: the body only stacks boxes set before the frame
    (each from the slide after its step on, and all of them in a handout) and draws a step's
    highlight on that step's slide alone (never in a handout)."""
    figure = figure_for(load_example("micrograd"))
    tex = write_beamer(figure)
    setup, frame = tex.split("\\begin{frame}")
    assert not re.search(r"\\(uncover|alt)<", tex)
    saved = re.findall(r"\\sbox\{(\\gjbox[a-p]+)\}", setup)
    highlights = re.compile(r"\\only<(\d+)\| handout:0>\{\\rlap\{%\n(\\begin\{tikzpicture\}.*?\\end\{tikzpicture\})%\n\}\}",
                            re.S)
    slides = len(reveal_steps(figure)) + 1
    assert [int(k) for k, _ in highlights.findall(frame)] == list(range(2, slides + 1))   # each on its own
    rest = highlights.sub("", frame)
    assert not re.search(r"\\(draw|node)\b", rest)            # nothing else is drawn in the body
    first = re.search(r"\\makebox\[\\wd(\\gjbox[a-p]+)\]\[l\]\{%\n\\rlap\{\\usebox\{(\\gjbox[a-p]+)\}\}%", rest)
    assert first.group(1) == first.group(2) == saved[0]        # what slide 1 shows, under every slide
    placed = re.findall(r"\\only<(\d+-|beamer:0)\| handout:1>\{\\rlap\{\\usebox\{(\\gjbox[a-p]+)\}\}\}", rest)
    expected = [(f"{k + 1}-", box) for k, box in zip(range(2, slides), saved[1:])] + [("beamer:0", saved[-1])]
    assert placed == expected                                  # each step plain after it; the last in a handout
    assert len(saved) == len(set(saved)) == slides
    bounds = re.findall(r"\\useasboundingbox .*;", tex)
    assert len(bounds) == 2 * slides - 1 and len(set(bounds)) == 1   # the layers lie exactly over each other


@needs_tex
def test_a_handout_has_a_page_a_frame(tmp_path):
    frames = [write_beamer(figure_for(load_example(name))) for name in ("neuron", "cs231n_sigmoid")]
    deck = (r"\documentclass[handout]{beamer}\usepackage{tikz,amsmath,amssymb,adjustbox}\usetikzlibrary{arrows.meta}"
            r"\begin{document}" + "".join(frames) + r"\end{document}")
    assert "(2 pages" in compile_tex(tmp_path, deck)


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_write_frames_writes_every_step_and_repeats(tmp_path, fmt, magic):
    g = load_example("neuron")
    paths = write_frames(g, tmp_path / "a", fmt, math="typeset", dpi=50)
    steps = len(reveal_steps(figure_for(load_example("neuron"))))
    names = sorted(p.name for p in paths)
    assert names == sorted([f"step-{k:02d}.{fmt}" for k in range(steps + 1)]
                           + ["backprop.tex", "backprop-animated.svg"])
    assert all(p.read_bytes().startswith(magic) for p in paths if p.suffix == f".{fmt}")
    again = write_frames(load_example("neuron"), tmp_path / "b", fmt, math="typeset", dpi=50)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]


def test_nothing_is_written_when_there_is_nothing_to_step_through(tmp_path):
    with pytest.raises(GraphjacError, match="no gradients to step through"):
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
    assert bad.exit_code == 2 and "no gradients" in bad.output and "Traceback" not in bad.output


def test_a_reveal_deck_escapes_what_the_spec_and_options_say(tmp_path):
    """A title, a node's words or a --reveal-url cannot open a tag or a script in the deck."""
    import graphjac as gj
    g = gj.Graph("</title><script>alert(1)</script>")
    x = g.input("x", 2.0, label=r"\text{<img src=x onerror=alert(2)>}")
    g.backward(g.square(x, name="J"))
    paths = write_frames(g, tmp_path, "revealjs", reveal_url='x"><script>alert(3)</script>')
    deck = (tmp_path / "backprop-reveal.html").read_text(encoding="utf-8")
    assert tmp_path / "backprop-reveal.html" in paths and "step-00.svg" in deck
    assert deck.count("<script") == 2 and "<img src=x" not in deck and "alert(3)</script>" not in deck
    assert len(re.findall(r'<img (?:class="fragment" )?src="step-\d+\.svg"', deck)) == len(list(tmp_path.glob("step-*.svg")))


def test_the_cli_writes_a_reveal_deck(tmp_path):
    done = CliRunner().invoke(main, ["frames", "lecture:product", "-o", str(tmp_path), "--format", "revealjs"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "backprop-reveal.html").is_file() and (tmp_path / "step-00.svg").is_file()
