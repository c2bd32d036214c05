"""Figures with typeset math (``math="typeset"``): SVG, PDF and PNG without a TeX installation.

Every label is set by :mod:`.typeset` and measured; Graphviz lays out the DOT figure with each
label replaced by an empty box of that size, draws the shapes and edges, and the formulas are
then drawn into the boxes. PDF and PNG are converted from that SVG by cairosvg, so they need
no fonts: every glyph is already an outline.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Optional

from graphjac.core.records import record
from graphjac.errors import FontError, RenderError
from graphjac.options import PAGES
from graphjac.render.layout.collisions import collisions, relabelled, round_labels, separated
from graphjac.render.layout.dot import figure_to_dot
from graphjac.render.layout.geometry import Heading, edge_ends, lay_out, lay_out_and_draw, side_by_side, texts
from graphjac.render.math.typeset import SVG_NS, Label, hoist_symbols, inline_symbols, kept_together
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.accessible import label_elements, unseen

EDGE_PAD = 4.0     # clear space around an edge label, so that no edge touches its math
CHECKED_NODES = 150   # larger figures are laid out once (checking costs more than it saves there);
# a circuit's wire labels are not counted: its gates and variables are what make a layout costly
# how a figure is laid out: (node and rank separation, Graphviz's splines); the first, then at most
# two relayouts, chosen by what still collides (:func:`relayouts_for`)
FIRST = (1.0, None)
STRAIGHTER = (1.0, "polyline")   # a label on a group's border: straight pieces, the same room
ROOMY = (1.5, None)              # an edge through a label: half as much room again
ROOMIER = (2.2, None)            # an edge through a node: a gap too narrow to bow the edge round it
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


def labels(figure, sizes=None) -> dict:
    """Every label of ``figure`` typeset in its theme's colours and sizes (or ``sizes``), keyed as
    :func:`.layout.texts`."""
    theme = THEMES[figure.theme]
    sizes = sizes or theme.sizes
    across = side_by_side(figure)
    return {key: _typeset(_what(figure, key), lines, sizes, color, theme, key in across)
            for key, (lines, color) in _label_lines(figure, theme).items()}


def _formulas(figure, sizes=None) -> list:
    """``(latex, size, colour)`` of every formula the figure's labels and heading set."""
    theme = THEMES[figure.theme]
    sizes = sizes or theme.sizes
    lines = [(lines, color) for lines, color in _label_lines(figure, theme).values()]
    lines += [(lines, color) for _, lines, color in _heading_lines(figure, theme).values()]
    return [_line(latex, sizes[role], line_color(role, color, theme), role) for part, color in lines
            for latex, role in part]


def _label_lines(figure, theme):
    """key -> (``(latex, role)`` lines, colour) of every label."""
    return {key: (lines, theme.backward if key.startswith("e") else theme.text) for key, lines in texts(figure).items()}


def line_color(role, color, theme):
    """A line's colour: a circuit wire's value and gradient have their own."""
    return {"wire_value": theme.wire_value, "wire_grad": theme.backward}.get(role, color)


def _typeset(what, lines, sizes, color, theme, across=False):
    try:
        return Label.of([_line(latex, sizes[role], line_color(role, color, theme), role) for latex, role in lines],
                        color, across)
    except FontError:
        raise                    # the font's fault, not the label's
    except RenderError as err:
        raise RenderError(f"the label of {what}: {err}") from None


def _line(latex, size, color, role):
    """A line to set; a wire's blank number keeps a number's height, so the wire runs between
    the lines (an invisible digit)."""
    if role in ("wire_value", "wire_grad") and latex == r"\;":
        return "0", size, "none"
    return latex, size, color


def _what(figure, key):
    """The figure element behind a label key, as an error message names it."""
    names = {node.id: node.name for node in figure.nodes}
    if key.startswith("cluster_"):
        return f"group {figure.groups[int(key[8:])].path[-1]!r}"
    if key in names:
        return f"node {names[key]!r}"
    edge = figure.edges[int(key[1:])]
    return f"the edge {names[edge.src]!r} -> {names[edge.dst]!r}"


def heading(figure, sizes=None):
    """(Heading geometry, {part key: Label}) for the title, legend and badge; None without them."""
    theme = THEMES[figure.theme]
    sizes = sizes or theme.sizes
    parts = {key: _typeset(what, lines, sizes, color, theme)
             for key, (what, lines, color) in _heading_lines(figure, theme).items()}
    if not parts:
        return None, parts

    def size(key):
        return (parts[key].width, parts[key].height) if key in parts else None

    legend = [size(f"legend-label{k}") for k in range(len(figure.legend))]
    return Heading.of(size("title"), legend, size("badge"), across=figure.compact), parts


def _heading_lines(figure, theme):
    """part key -> (what, ``(latex, role)`` lines, colour) of the title, legend entries and badge."""
    parts = {}
    if figure.title:
        parts["title"] = ("the title", [(line, "title") for line in figure.title], theme.text)
    for k, entry in enumerate(figure.legend):
        parts[f"legend-label{k}"] = ("the legend", [(line, "edge") for line in entry.label], theme.text)
    if figure.badge is not None:
        parts["badge"] = ("the badge", [(line, "edge") for line in figure.badge.label],
                          theme.good if figure.badge.ok else theme.bad)
    return parts


@record
class Placed:
    """A figure laid out around its measured labels: the DOT sent to Graphviz and what came back."""

    source: str
    layout: object
    marks: dict
    head: object
    head_marks: dict
    drawing: Optional[bytes] = None    # Graphviz's SVG of the same layout, when asked for
    shifts: tuple = ()                 # (edge id, dx, dy): edges moved whole off another after Graphviz drew them
    bowed: tuple = ()                  # edge ids whose middle was moved off another: their splines drawn again


def place(figure, sizes=None, draw=False, relayout=True, layouts=None) -> Placed:
    """Measure every label at ``sizes`` (the theme's) and let Graphviz lay the figure out around
    them (and draw it as SVG in the same run, with ``draw``); with ``relayout``, checked, what
    collides moved apart, and laid out again (:func:`relayouts_for`, at most twice) while anything
    still does: the one with the fewest collisions is kept. ``layouts``: the (spread, splines) to try in turn instead."""
    marks, head, head_marks, boxes = _labels_and_boxes(figure, sizes)
    checked = relayout and sum(node.role != "wire" for node in figure.nodes) <= CHECKED_NODES
    tries = list(layouts or [FIRST])
    best = None
    while tries:
        candidate = _spread(figure, *tries.pop(0))
        found, placed = _placed(candidate, figure, boxes, marks, head, head_marks, draw, checked)
        if best is None and found and layouts is None:
            tries = relayouts_for(found)
        if best is None or len(found) < best[0]:
            best = (len(found), placed)
        if not found:
            break
    return best[1]


def relayouts_for(found) -> list:
    """The relayouts, in turn, for what still collides after the first layout was mended: much
    more room first for an edge through a node, half as much again first for an edge or a label
    through a label (an unrolled RNN), straight pieces first for a label on a group's border;
    then the other of the roomier two (an LSTM's labels need the most room)."""
    kinds = {c.kind for c in found}
    if "edge-node" in kinds:
        return [ROOMIER, ROOMY]
    return [ROOMY, ROOMIER] if kinds & {"edge-label", "label-label", "label-node"} else [STRAIGHTER, ROOMY]


def _placed(candidate, figure, boxes, marks, head, head_marks, draw, checked) -> tuple:
    """(what still collides, :class:`Placed`) of one layout of ``candidate``: a backward edge on
    its forward edge moved off it, an edge through a node bowed round it, a label in the way moved
    beside its edge, and an edge through a label that could not move drawn again round it."""
    source = figure_to_dot(candidate, boxes)
    if draw:
        layout, drawing = lay_out_and_draw(source, figure.options.timeout)
    else:
        layout, drawing = lay_out(source, figure.options.timeout), None
    found = collisions(candidate, layout, marks) if checked else []
    shifts, bowed = {}, set()
    if found:
        layout, shifts, bowed = separated(candidate, layout, found, marks)
        layout = relabelled(candidate, layout, marks)
        found = collisions(candidate, layout, marks)
        layout, rerouted = round_labels(candidate, layout, found, marks)   # through a label that could not move
        if rerouted:
            bowed = set(bowed) | rerouted
            found = collisions(candidate, layout, marks)
    return found, Placed(source, layout, marks, head, head_marks, drawing,
                         tuple((key, *shift) for key, shift in shifts.items()), tuple(sorted(bowed)))


def first_source(figure, sizes=None) -> str:
    """The DOT text :func:`place` first lays out for ``figure`` (before any relayout)."""
    return figure_to_dot(_spread(figure, *FIRST), _labels_and_boxes(figure, sizes)[3])


def _spread(figure, spread, splines):
    """``figure`` as a layout of :func:`place` lays it out: its spacing times ``spread``, with ``splines``."""
    return replace(figure, spacing=figure.spacing * spread, splines=splines)


def _labels_and_boxes(figure, sizes):
    """(the labels typeset, the heading and its labels, label key -> the box DOT leaves for it)."""
    with kept_together(_formulas(figure, sizes)):   # a figure drawn again reads its formulas at once
        marks = labels(figure, sizes)
        head, head_marks = heading(figure, sizes)
    boxes = {key: _box(key, label, figure.compact) for key, label in marks.items()}
    for node in figure.nodes:
        if node.role == "wire" and node.id in boxes:
            boxes[node.id] = boxes[node.id][:2] + (THEMES[figure.theme].forward,)
    if head is not None:
        boxes["heading"] = (head.width, head.height)
    return marks, head, head_marks, boxes


def write_svg(figure) -> str:
    """The figure as SVG with typeset math."""
    return serialize(svg_tree(figure)[0])


def svg_tree(figure, split_lines: bool = False) -> tuple:
    """(SVG element tree, :class:`Placed`): Graphviz's drawing with an id ``e<k>`` on every edge and,
    with ``math="typeset"``, every label typeset in a group ``label-<key>`` (and each of its lines
    in a group ``label-<key>.<line>``, with ``split_lines``); otherwise Graphviz's own labels."""
    if figure.options.math == "typeset":
        placed = place(figure, draw=True)
    else:
        source = figure_to_dot(figure)
        layout, drawing = lay_out_and_draw(source, figure.options.timeout)
        placed = Placed(source, layout, {}, None, {}, drawing)
    layout = placed.layout
    svg = ET.fromstring(placed.drawing)
    _shift_edges(svg, placed.shifts)
    _redraw_bowed(svg, layout, placed.bowed)
    graph = svg.find(f"{{{SVG_NS}}}g")
    layer = ET.SubElement(graph, f"{{{SVG_NS}}}g", {"class": "typeset"})
    for key, label in placed.marks.items():
        centre = centre_of(layout, key)
        if centre is not None:
            label.draw(ET.SubElement(layer, f"{{{SVG_NS}}}g", {"id": f"label-{key}"}), centre[0], -centre[1],
                       f"label-{key}" if split_lines else None)
    if placed.head is not None and layout.label is not None:
        _draw_heading(layer, placed.head, placed.head_marks, layout.label, figure)
    _join_wires(svg, layout, figure)
    _fit(svg, layout, placed.marks)
    if figure.page is not None:
        _pad_to_page(svg, figure.page, THEMES[figure.theme].background)
    centres = {key: (centre[0], -centre[1]) for key in placed.marks
               for centre in [centre_of(layout, key)] if centre is not None}
    label_elements(svg, figure, centres)
    return svg, placed


def _shift_edges(svg, shifts):
    """Move the edges the layout step moved (:func:`.collisions.separated`) in Graphviz's drawing too."""
    moved = {key: (dx, dy) for key, dx, dy in shifts}
    for group in svg.iter(f"{{{SVG_NS}}}g"):
        if group.get("id") in moved:
            dx, dy = moved[group.get("id")]
            group.set("transform", f"translate({dx:.2f} {-dy:.2f})")


def _redraw_bowed(svg, layout, bowed):
    """Draw each bowed edge's spline (:func:`.collisions.separated`) from its layout's control
    points, and an arrowhead the edge's new course moved (one drawn again round a node) at its
    new tip, turned to the curve's new direction."""
    edges = {e.id: e for e in layout.edges if e.id in bowed}
    for group in svg.iter(f"{{{SVG_NS}}}g"):
        path = group.find(f"{{{SVG_NS}}}path") if group.get("id") in edges else None
        if path is not None:
            edge = edges[group.get("id")]
            (x0, y0), *rest = edge.points
            path.set("d", f"M{x0:.2f},{-y0:.2f}C" + " ".join(f"{x:.2f},{-y:.2f}" for x, y in rest))
            for head in group.findall(f"{{{SVG_NS}}}polygon"):
                _turn_arrowhead(head, edge)


def _turn_arrowhead(polygon, edge):
    """Move Graphviz's arrowhead ``polygon`` so that its tip is the edge's arrow tip nearest it
    and it points along the curve there (nothing changes when it does already)."""
    corners = [tuple(float(v) for v in pair.split(",")) for pair in polygon.get("points", "").split()]
    unique = list(dict.fromkeys(corners))
    tips = [(tip, base) for tip, base in ((edge.end, edge.points[-1]), (edge.start, edge.points[0])) if tip]
    if len(unique) != 3 or not tips:
        return
    sides = [math.dist(unique[(k + 1) % 3], unique[(k + 2) % 3]) for k in range(3)]
    old_tip = unique[sides.index(min(sides))]                  # opposite the base, its shortest side
    middle = [sum(c[i] for c in unique if c != old_tip) / 2 for i in (0, 1)]
    tip, base = min(tips, key=lambda t: math.dist((t[0][0], -t[0][1]), old_tip))
    new_tip, new_base = (tip[0], -tip[1]), (base[0], -base[1])
    turn = math.atan2(new_tip[1] - new_base[1], new_tip[0] - new_base[0]) \
        - math.atan2(old_tip[1] - middle[1], old_tip[0] - middle[0])
    if math.dist(new_tip, old_tip) < 0.5 and abs(math.remainder(turn, math.tau)) < 0.02:
        return
    cos, sin = math.cos(turn), math.sin(turn)

    def moved(x, y):
        dx, dy = x - old_tip[0], y - old_tip[1]
        return new_tip[0] + cos * dx - sin * dy, new_tip[1] + sin * dx + cos * dy
    polygon.set("points", " ".join(f"{x:.2f},{y:.2f}" for x, y in (moved(*c) for c in corners)))


def _join_wires(svg, layout, figure):
    """Run each circuit wire's rule from where its incoming edge ends to where its outgoing edge
    starts (Graphviz draws a table's rule a point short of the node's sides)."""
    ends = edge_ends(layout)
    wires = {node.id for node in figure.nodes if node.role == "wire"}
    for group in svg.iter(f"{{{SVG_NS}}}g"):
        meets = ends.get(group.get("id"), {}) if group.get("id") in wires else {}
        rule = group.find(f"{{{SVG_NS}}}polyline") if len(meets) == 2 else None
        if rule is not None:
            (x0, y0), (x1, y1) = meets["in"], meets["out"]
            rule.set("points", f"{x0:.2f},{-y0:.2f} {x1:.2f},{-y1:.2f}")


SLIDE_POINTS = 720.0   # a slide's width, in points (10 inches): what a fit figure's page is drawn at
A4_POINTS = 595.28     # an A4 page's width


def _pad_to_page(svg, page, background):
    """Grow the canvas evenly to the page's shape (the drawing centred), so the figure fills the
    page when it is scaled to it; the page is the figure's size (a 10-inch slide, an A4 page), so
    that its PNG and PDF come out slide- or page-sized, however large the drawing."""
    vx, vy, vw, vh = (float(v) for v in svg.get("viewBox").split())
    ratio = page[1] / page[0]
    if vh / vw < ratio:
        grow = vw * ratio - vh
        vy, vh = vy - grow / 2, vh + grow
    else:
        grow = vh / ratio - vw
        vx, vw = vx - grow / 2, vw + grow
    svg.set("viewBox", f"{vx:.2f} {vy:.2f} {vw:.2f} {vh:.2f}")
    width = A4_POINTS if tuple(page) == PAGES["a4"] else SLIDE_POINTS
    svg.set("width", f"{width:.0f}pt")
    svg.set("height", f"{width * ratio:.0f}pt")
    svg.insert(0, ET.Element(f"{{{SVG_NS}}}rect", {"x": f"{vx:.2f}", "y": f"{vy:.2f}", "width": f"{vw:.2f}",
                                                  "height": f"{vh:.2f}", "fill": background}))


def serialize(svg) -> str:
    """An SVG tree as a file's text, each glyph outline defined once."""
    hoist_symbols(svg)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(svg, encoding="unicode") + "\n"


def _box(key, label, compact=False):
    pad = (EDGE_PAD / 2 if compact else EDGE_PAD) * 2 if key.startswith("e") else 0.0
    return label.width + pad, label.height + pad


def _fit(svg, layout, marks):
    """Grow the SVG's canvas over any label Graphviz left partly outside its bounding box."""
    x0, y0, x1, y1 = 0.0, 0.0, layout.width, layout.height
    for key, label in marks.items():
        centre = centre_of(layout, key)
        if centre is not None:
            x0, x1 = min(x0, centre[0] - label.width / 2), max(x1, centre[0] + label.width / 2)
            y0, y1 = min(y0, centre[1] - label.height / 2), max(y1, centre[1] + label.height / 2)
    left, right, bottom, top = -x0, x1 - layout.width, -y0, y1 - layout.height
    if max(left, right, bottom, top) <= 0:
        return
    vx, vy, vw, vh = (float(v) for v in svg.get("viewBox").split())
    vx, vy, vw, vh = vx - left, vy - top, vw + left + right, vh + top + bottom
    svg.set("viewBox", f"{vx:.2f} {vy:.2f} {vw:.2f} {vh:.2f}")
    svg.set("width", f"{vw:.0f}pt")
    svg.set("height", f"{vh:.0f}pt")


def centre_of(layout, key) -> Optional[tuple]:
    """Where the label ``key`` sits in ``layout`` (None for a label Graphviz did not place)."""
    if key in layout.nodes:
        return layout.nodes[key].x, layout.nodes[key].y
    if key in layout.clusters:
        return layout.clusters[key].label
    return next((e.label for e in layout.edges if e.id == key), None)


def _draw_heading(layer, head, marks, centre, figure):
    theme = THEMES[figure.theme]
    cx, cy = centre
    for kind, k, x, y, width, _ in head.parts:
        if kind == "legend":
            backward = figure.legend[k].direction == "backward"
            attrs = {"x1": f"{cx + x - width / 2:.2f}", "x2": f"{cx + x + width / 2:.2f}",
                     "y1": f"{-(cy + y):.2f}", "y2": f"{-(cy + y):.2f}", "stroke-width": theme.width("legend"),
                     "stroke": theme.backward if backward else theme.forward}
            if backward:
                attrs["stroke-dasharray"] = theme.dash
            ET.SubElement(layer, f"{{{SVG_NS}}}line", attrs)
        else:
            marks[kind if kind != "legend-label" else f"legend-label{k}"].draw(layer, cx + x, -(cy + y))


_CREATION_DATE = re.compile(rb"(/CreationDate \(D:)\d{14}")


def write(figure, format: str):
    """The figure in ``format`` (svg, pdf or png) with typeset math."""
    return convert(write_svg(figure), format, figure.options.dpi)


CAIRO_SIDE = 32767       # pixels a side of the largest image cairo draws
_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')


def _check_pixels(svg_text: str, dpi: int) -> None:
    """A RenderError naming the size and a dpi that fits, for a PNG larger than cairo draws."""
    size = _SIZE.search(svg_text)
    if size is None:
        return
    width, height = (float(points) * dpi / 72 for points in size.groups())
    if max(width, height) > CAIRO_SIDE:
        fits = int(CAIRO_SIDE * 72 / max(float(points) for points in size.groups()))
        raise RenderError(f"the PNG would be {width:,.0f} × {height:,.0f} pixels at --dpi {dpi}, more than "
                          f"cairo draws ({CAIRO_SIDE:,} a side); use --dpi {fits} or less, or write SVG or PDF")


def convert(svg_text: str, format: str, dpi: int = 150):
    """SVG text as svg, pdf or png (cairosvg; a PNG by librsvg's ``rsvg-convert`` where it is
    installed, the same picture sooner); a PDF's creation date is fixed so that the bytes repeat.
    Any other format is refused, never written as another."""
    if format == "svg":
        return svg_text
    if format not in ("png", "pdf"):
        raise RenderError(f"cannot convert a figure to {format!r}: SVG converts to png or pdf only")
    try:
        import cairosvg
    except (ImportError, OSError) as err:   # cairocffi raises OSError when the Cairo library is missing
        raise RenderError(f"{format.upper()} output converts SVG with cairosvg, which could not load "
                          f"({err}); install the Cairo library ('sudo apt-get install libcairo2', "
                          f"'brew install cairo') or write SVG") from None
    if format == "png":
        _check_pixels(svg_text, dpi)
        return _rsvg_png(svg_text, dpi) or cairosvg.svg2png(bytestring=for_cairo(svg_text, format), dpi=dpi)
    return fixed_date(cairosvg.svg2pdf(bytestring=for_cairo(svg_text, format)))


RSVG = "rsvg-convert"   # librsvg's converter: where it is installed, PNGs are drawn by it


def _rsvg_png(svg_text: str, dpi: int) -> Optional[bytes]:
    """The PNG of ``svg_text`` drawn by librsvg's ``rsvg-convert`` (the same picture as cairosvg's,
    five to seven times sooner for a slide-sized figure: it reads the SVG natively), or None
    where it is not installed or fails (cairosvg draws it then)."""
    import shutil
    import subprocess
    from graphjac.render.layout import programs
    executable = shutil.which(RSVG)
    if executable is None:
        return None
    try:
        done = programs.run([executable, "-d", str(dpi), "-p", str(dpi), "-f", "png"],
                            for_cairo(svg_text, "png", inline=False), 600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.startswith(b"\x89PNG") else None


TEXT_LAYER_ALPHA = "0.004"    # about 1/255: cairo leaves out text drawn fully transparent


def for_cairo(svg_text: str, format: str, inline: bool = True) -> bytes:
    """The SVG as cairosvg draws it into ``format``: each glyph drawn where it is used
    (:func:`.typeset.inline_symbols`, the same picture in half the time; not for a drawer that
    reads uses natively, ``inline=False``), and the invisible text over the typeset formulas kept
    as a PDF's text layer (so a search, a copy or a screen reader finds the words) but left out
    of a PNG."""
    svg = ET.fromstring(svg_text)
    if inline:
        inline_symbols(svg)
    for parent in list(svg.iter()):
        for text in [child for child in parent if unseen(child)]:
            if format == "png":
                parent.remove(text)
            else:
                text.set("fill-opacity", TEXT_LAYER_ALPHA)
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True)


def fixed_date(pdf: bytes) -> bytes:
    """``pdf`` with cairo's creation date fixed, so that the same figure gives the same bytes."""
    return _CREATION_DATE.sub(rb"\g<1>20000101000000", pdf)

