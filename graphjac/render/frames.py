"""Backpropagation step by step: one frame per backward edge, in the order the backward pass runs.

Frame 0 shows the forward pass; frame k adds the k-th ∂J/∂· in reverse topological order and
highlights it. Every frame shares one layout, so nothing moves between frames. The same steps
come as separate figures (SVG, PNG, PDF), as one Beamer frame with ``\\only<k>`` overlays, and
as an animated SVG (SMIL, no script) for web notes.

>>> import graphjac as gj
>>> g = gj.Graph("xy")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(g.square(z, name="J"))
>>> from graphjac.render import figure_for
>>> figure = figure_for(g)
>>> [(figure.edges[k].src, figure.edges[k].dst) for k in backward_steps(figure)]   # J -> z, then z -> x, y
[('n3', 'n2'), ('n2', 'n0'), ('n2', 'n1')]
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import GraphjacError
from ..fileio import atomic_write_all
from .composer import convert, serialize, svg_tree
from .dot import figure_to_dot
from .figure import backward_steps
from .graphviz import run_dot
from .layout import measured_dot
from .themes import THEMES
from .typeset import SVG_NS

FORMATS = ("svg", "png", "pdf")

SECONDS_PER_STEP = 1.5


def frame_files(figure, format: str = "svg") -> list:
    """The contents of every frame in ``format`` (svg text, png or pdf bytes): frame 0 without
    backward edges, then one per step. Typeset math is drawn into Graphviz's SVG and converted;
    Graphviz's own labels are left to Graphviz, with the hidden edges made invisible."""
    if figure.options.math != "typeset":
        return _graphviz_frames(figure, format)
    svg, placed = svg_tree(figure)
    steps = backward_steps(figure)
    theme = THEMES[figure.theme]
    out = []
    for shown in range(len(steps) + 1):
        frame = copy.deepcopy(svg)
        hidden = {f"e{k}" for k in steps[shown:]} | {f"label-e{k}" for k in steps[shown:]}
        _remove(frame, hidden)
        if shown:
            _highlight(frame, steps[shown - 1], placed, theme)
        out.append(convert(serialize(frame), format, figure.options.dpi))
    return out


def _graphviz_frames(figure, format):
    """Frames drawn by Graphviz from one DOT text: invisible edges keep their place in the layout."""
    source = measured_dot(figure_to_dot(figure), figure, {})
    steps = backward_steps(figure)
    out = []
    for shown in range(len(steps) + 1):
        text = source
        for k in steps[shown:]:
            text = _restyle(text, k, "style=invis")
        if shown:
            text = _restyle(text, steps[shown - 1], f"penwidth={THEMES[figure.theme].width('current')}")
        data = run_dot(text, format, timeout=figure.options.timeout, dpi=figure.options.dpi)
        out.append(data.decode("utf-8") if format == "svg" else data)
    return out


def _restyle(source, k, attribute):
    """``source`` with ``attribute`` added last (so it wins) to the statement of edge ``e<k>``."""
    mark = f'id="e{k}"'
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if mark in line:
            end = line.rindex("]")
            lines[i] = line[:end] + ", " + attribute + line[end:]
    return "\n".join(lines)


def animated_svg(figure, seconds: float = SECONDS_PER_STEP) -> str:
    """One SVG that plays the frames in a loop (SMIL); viewers without animation show the last frame."""
    svg, placed = svg_tree(figure)
    steps = backward_steps(figure)
    theme = THEMES[figure.theme]
    total = (len(steps) + 1) * seconds
    for step, k in enumerate(steps, start=1):
        start = _fraction(step, len(steps) + 1)
        after = f";{_fraction(step + 1, len(steps) + 1)}" if step < len(steps) else ""   # the last stays lit
        for element in _by_id(svg, {f"e{k}", f"label-e{k}"}):
            _animate(element, "opacity", "0;1", f"0;{start}", total)
        for stroke in _strokes(svg, k):
            width = stroke.get("stroke-width", "1")
            current = theme.width("current")
            _animate(stroke, "stroke-width", f"{width};{current}" + (f";{width}" if after else ""),
                     f"0;{start}{after}", total)
        backdrop = _backdrop(svg, k, placed, theme)
        if backdrop is not None:
            backdrop.set("opacity", "0")
            _animate(backdrop, "opacity", "0;1" + (";0" if after else ""), f"0;{start}{after}", total)
    return serialize(svg)


def _fraction(step, count):
    return f"{step / count:.4f}".rstrip("0").rstrip(".")


def _animate(element, attribute, values, key_times, total):
    ET.SubElement(element, f"{{{SVG_NS}}}animate", {
        "attributeName": attribute, "values": values, "keyTimes": key_times, "calcMode": "discrete",
        "dur": f"{total:g}s", "repeatCount": "indefinite"})


def _by_id(svg, ids):
    return [element for element in svg.iter() if element.get("id") in ids]


def _remove(svg, ids):
    for parent in list(svg.iter()):
        for child in list(parent):
            if child.get("id") in ids:
                parent.remove(child)


def _strokes(svg, k):
    """The path and arrowhead of edge ``k``."""
    return [e for group in _by_id(svg, {f"e{k}"}) for e in group if e.tag in (f"{{{SVG_NS}}}path",
                                                                              f"{{{SVG_NS}}}polygon")]


def _highlight(svg, k, placed, theme):
    for stroke in _strokes(svg, k):
        stroke.set("stroke-width", theme.width("current"))
    _backdrop(svg, k, placed, theme)


def _backdrop(svg, k, placed, theme):
    """A soft box behind edge ``k``'s typeset label (None when Graphviz drew the label itself)."""
    label = placed.marks.get(f"e{k}")
    centre = next((e.label for e in placed.layout.edges if e.id == f"e{k}"), None)
    groups = _by_id(svg, {f"label-e{k}"})
    if label is None or centre is None or not groups:
        return None
    pad = 3.0
    box = ET.Element(f"{{{SVG_NS}}}rect", {
        "x": f"{centre[0] - label.width / 2 - pad:.2f}", "y": f"{-centre[1] - label.height / 2 - pad:.2f}",
        "width": f"{label.width + 2 * pad:.2f}", "height": f"{label.height + 2 * pad:.2f}",
        "rx": "4", "fill": theme.fills["target"]})
    groups[0].insert(0, box)
    return box


def write_frames(graph, directory, format: str = "svg", options=None, **overrides) -> list:
    """Write the steps of ``graph``'s backward pass into ``directory`` (made if missing):
    ``step-00.<format>`` …, ``backprop.tex`` (a Beamer frame with overlays; a whole document with
    ``standalone=True``) and ``backprop-animated.svg``, all or none of them; the steps an earlier,
    longer pass left there are removed. Returns the paths written."""
    from . import figure_for
    from .tikz import write_beamer
    if format not in FORMATS:
        raise GraphjacError(f"frames: format {format!r} is not one of {', '.join(FORMATS)}")
    figure = figure_for(graph, options, **overrides)
    if not backward_steps(figure):
        raise GraphjacError("frames: the figure has no backward edges to step through; give the graph a "
                            "loss J (g.backward(J) or a target in the spec) and keep the option backward on")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise GraphjacError(f"{directory}: is a file, not a folder for the frames")
    files = {f"step-{k:02d}.{format}": data for k, data in enumerate(frame_files(figure, format))}
    files["backprop.tex"] = write_beamer(figure)
    files["backprop-animated.svg"] = animated_svg(figure)
    directory.mkdir(parents=True, exist_ok=True)
    written = atomic_write_all({directory / name: data for name, data in files.items()})   # all or nothing
    for old in directory.glob("step-[0-9][0-9].*"):   # the steps of an earlier, longer pass
        if old.name not in files and old.suffix[1:] in FORMATS:
            old.unlink()
    return written
