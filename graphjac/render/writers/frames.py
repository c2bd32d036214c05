"""Backpropagation step by step: the forward pass, then the backward pass, one step a frame.

Frame 0 shows what is given: the leaves' values and every op's formula. The forward pass then
adds each op's value in the order the pass computes them (in the circuit style, the values on
a gate's output wires), and the backward pass each ∂J/∂· in reverse topological order (each
backward edge, or in the circuit style each wire's gradient), the newest highlighted. Every
frame shares one layout, so nothing moves between frames. The same steps come as separate
figures (SVG, PNG, PDF), as one Beamer frame with overlays, as one reveal.js slide whose steps
are fragments (→ or a clicker steps through the passes), and as an animated SVG (SMIL, no
script) for web notes.

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
import html
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from graphjac.errors import GraphjacError
from graphjac.io.fileio import atomic_write_all
from graphjac.render.deadline import within
from graphjac.render.layout.dot import figure_to_dot
from graphjac.render.layout.graphviz import run_dot
from graphjac.render.math.typeset import SVG_NS
from graphjac.render.model.figure import backward_steps  # noqa: F401  (the backward pass's order, for callers of frames)
from graphjac.render.model.steps import PASSES, backward_items, frames_of, never_shown, reveal_steps
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.accessible import heading, spoken
from graphjac.render.writers.composer import centre_of, convert, serialize, svg_tree
from graphjac.render.writers.formats import frame_formats

FORMATS = frame_formats()   # svg, png, pdf: the one list, in the writer registry
REVEALJS = "revealjs"       # SVG steps and a reveal.js deck of one slide that steps through them
CHOICES = FORMATS + (REVEALJS,)
REVEAL_URL = "https://cdn.jsdelivr.net/npm/reveal.js@5"
SECONDS_PER_STEP = 1.5


def frame_files(figure, format: str = "svg", passes=PASSES) -> list:
    """The contents of every frame in ``format`` (svg text, png or pdf bytes), on one layout.
    Typeset math is drawn into Graphviz's SVG and converted; Graphviz's own labels are left to
    Graphviz, the lines and edges not reached yet drawn invisible in their places."""
    frames = frames_of(figure, passes)
    if figure.options.math != "typeset":
        source = [figure_to_dot(frame) for frame in frames]
        return [_decoded(run_dot(text, format, timeout=figure.options.timeout, dpi=figure.options.dpi), format)
                for text in source]
    svg, placed = svg_tree(figure, split_lines=True)
    theme = THEMES[figure.theme]
    out = []
    for frame in frames:
        drawn = copy.deepcopy(svg)
        _hide(drawn, frame.hidden)
        for item in frame.current:
            _highlight(drawn, item, placed, theme)
        out.append(convert(serialize(drawn), format, figure.options.dpi))
    return out


def _decoded(data, format):
    return data.decode("utf-8") if format == "svg" else data


def animated_svg(figure, seconds: float = SECONDS_PER_STEP, passes=PASSES) -> str:
    """One SVG that plays the frames in a loop (SMIL); viewers without animation show the last frame.
    Its math is typeset whatever the figure's ``math`` (each line is revealed in turn, and only
    typeset lines are elements of their own)."""
    if figure.options.math != "typeset":
        figure = replace(figure, options=replace(figure.options, math="typeset"))
    svg, placed = svg_tree(figure, split_lines=True)
    steps = reveal_steps(figure, passes)
    theme = THEMES[figure.theme]
    count = len(steps) + 1
    total = count * seconds
    _hide(svg, never_shown(figure, passes))
    for step, items in enumerate(steps, start=1):
        start = _fraction(step, count)
        after = f";{_fraction(step + 1, count)}" if step < len(steps) else ""   # the last stays lit
        for item in items:
            for element in _by_id(svg, {item, f"label-{item}"}):
                _animate(element, "opacity", "0;1", f"0;{start}", total)
            if item[0] == "e":
                for stroke in _strokes(svg, item):
                    width = stroke.get("stroke-width", "1")
                    _animate(stroke, "stroke-width", f"{width};{theme.width('current')}" + (f";{width}" if after else ""),
                             f"0;{start}{after}", total)
            backdrop = _backdrop(svg, item, placed, theme)
            if backdrop is not None:
                backdrop.set("opacity", "0")
                _animate(backdrop, "opacity", "0;1" + (";0" if after else ""), f"0;{start}{after}", total)
    return serialize(svg)


def reveal_section(figure, names, passes=PASSES) -> str:
    """A reveal.js slide (``<section>``) of the frames ``names`` (their files, in order) stacked
    in one place (``r-stack``), each after the first a fragment: → or a clicker steps through
    the passes, the next → leaves the slide, ← steps back. Stretched to the slide's height
    (``r-stretch``), so the figure is never cut. Each frame's alt text says what its step adds."""
    said = spoken(figure)
    title = heading(figure)
    steps = reveal_steps(figure, passes)
    alts = ["what is given"] + ["; ".join(said[key] for key in dict.fromkeys(item.split(".")[0] for item in items)
                                          if key in said) or f"step {k}"
                                for k, items in enumerate(steps, start=1)]
    fragment = ' class="fragment"'
    images = [f'    <img{fragment if k else ""} src="{html.escape(name)}" '
              f'alt="{html.escape(f"{title}, step {k} of {len(names) - 1}: {alt}")}">'
              for k, (name, alt) in enumerate(zip(names, alts))]
    return ('<section class="graphjac-steps">\n  <div class="r-stack r-stretch">\n' + "\n".join(images)
            + "\n  </div>\n</section>\n")


REVEAL_STYLE = (".graphjac-steps .r-stack img { max-width: 100%; max-height: 100%; margin: auto; "
                "box-shadow: none; background: white; }")


def reveal_deck(figure, names, passes=PASSES, reveal_url: str = REVEAL_URL) -> str:
    """A whole reveal.js deck around :func:`reveal_section` (reveal.js from ``reveal_url``: its
    CDN by default, or a copy of your own); paste the ``<section>`` into a deck of your own."""
    url = html.escape(reveal_url.rstrip("/"), quote=True)
    title = html.escape(heading(figure))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{url}/dist/reveal.css">
<link rel="stylesheet" href="{url}/dist/theme/white.css">
<style>{REVEAL_STYLE}</style>
</head>
<body>
<div class="reveal"><div class="slides">
<!-- the slide to paste into a deck of your own (with the style above and the step files beside it) -->
{reveal_section(figure, names, passes)}</div></div>
<script src="{url}/dist/reveal.js"></script>
<script>Reveal.initialize({{ hash: true }});</script>
</body>
</html>
"""


def _fraction(step, count):
    return f"{step / count:.4f}".rstrip("0").rstrip(".")


def _animate(element, attribute, values, key_times, total):
    ET.SubElement(element, f"{{{SVG_NS}}}animate", {
        "attributeName": attribute, "values": values, "keyTimes": key_times, "calcMode": "discrete",
        "dur": f"{total:g}s", "repeatCount": "indefinite"})


def _by_id(svg, ids):
    return [element for element in svg.iter() if element.get("id") in ids]


def _hide(svg, items):
    """Take frame ``items`` out of the drawing: an edge's group, a typeset line's or label's group."""
    _remove(svg, {f"label-{item}" for item in items} | {item for item in items if item[0] == "e"})


def _remove(svg, ids):
    for parent in list(svg.iter()):
        for child in list(parent):
            if child.get("id") in ids:
                parent.remove(child)


def _strokes(svg, edge):
    """The path and arrowhead of ``edge`` (``e<k>``)."""
    return [e for group in _by_id(svg, {edge}) for e in group if e.tag in (f"{{{SVG_NS}}}path",
                                                                           f"{{{SVG_NS}}}polygon")]


def _highlight(svg, item, placed, theme):
    for stroke in (_strokes(svg, item) if item[0] == "e" else ()):
        stroke.set("stroke-width", theme.width("current"))
    _backdrop(svg, item, placed, theme)


def _backdrop(svg, item, placed, theme):
    """A soft box behind ``item``'s typeset text (None when it has none): an edge's label, or a line."""
    key, _, line = item.partition(".")
    label, centre = placed.marks.get(key), centre_of(placed.layout, key)
    groups = _by_id(svg, {f"label-{item}"})
    if label is None or centre is None or not groups:
        return None
    boxes = label.boxes(centre[0], -centre[1])
    x, top, width, height = boxes[int(line)] if line else (centre[0] - label.width / 2, -centre[1] - label.height / 2,
                                                          label.width, label.height)
    pad = 3.0 if not line else 1.5
    box = ET.Element(f"{{{SVG_NS}}}rect", {
        "x": f"{x - pad:.2f}", "y": f"{top - pad:.2f}", "width": f"{width + 2 * pad:.2f}",
        "height": f"{height + 2 * pad:.2f}", "rx": "3", "fill": theme.fills["target"]})
    groups[0].insert(0, box)
    return box


def write_frames(graph, directory, format: str = "svg", options=None, passes=PASSES, reveal_url: str = REVEAL_URL,
                 **overrides) -> list:
    """Write ``graph``'s passes step by step into ``directory`` (made if missing):
    ``step-00.<format>`` …, ``backprop.tex`` (a Beamer frame with overlays; a whole document with
    ``standalone=True``) and ``backprop-animated.svg``, all or none of them; the steps an earlier,
    longer run left there are removed. ``format`` ``revealjs``: SVG steps and ``backprop-reveal.html``,
    a reveal.js deck of one slide that steps through them (:func:`reveal_deck`, reveal.js from
    ``reveal_url``). ``passes``: the ones stepped through (forward, backward or both). Returns
    the paths written."""
    from graphjac.render import figure_for
    from graphjac.render.writers.tikz import write_beamer
    if format not in CHOICES:
        raise GraphjacError(f"frames: format {format!r} is not one of {', '.join(CHOICES)}")
    passes = tuple(passes)
    if not passes or set(passes) - set(PASSES):
        raise GraphjacError(f"frames: passes {', '.join(passes) or '(none)'}: give forward, backward or both")
    figure = figure_for(graph, options, **overrides)
    if "backward" in passes and not backward_items(figure):
        raise GraphjacError("frames: the figure has no gradients to step through; give the graph a loss J "
                            "(g.backward(J) or a target in the spec) and keep the option backward on")
    if not reveal_steps(figure, passes):
        raise GraphjacError("frames: the forward pass has no op to step through (the graph is all inputs)")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise GraphjacError(f"{directory}: is a file, not a folder for the frames")
    with within(figure.options.timeout):
        step_format = "svg" if format == REVEALJS else format
        frames = frame_files(figure, step_format, passes)
        digits = max(2, len(str(len(frames) - 1)))
        files = {f"step-{k:0{digits}d}.{step_format}": data for k, data in enumerate(frames)}
        if format == REVEALJS:
            files["backprop-reveal.html"] = reveal_deck(figure, list(files), passes, reveal_url)
        files["backprop.tex"] = write_beamer(figure, passes)
        files["backprop-animated.svg"] = animated_svg(figure, passes=passes)
    directory.mkdir(parents=True, exist_ok=True)
    written = atomic_write_all({directory / name: data for name, data in files.items()},   # all or nothing
                               inputs=graph.sources)
    for old in directory.glob("step-*.*"):   # the steps of an earlier, longer run
        if old.name not in files and old.stem[5:].isdigit() and old.suffix[1:] in FORMATS:
            old.unlink()
    return written
