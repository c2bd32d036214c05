r"""The figure as a TikZ picture: Graphviz's layout, the ops' own LaTeX, the theme as TikZ styles.

Labels are measured at the sizes of a 10 pt document (graphjac's typesetter stands in for TeX,
with room for pdflatex's Computer Modern, which runs wider than STIX Two: :data:`CM_ROOM`) and
set at exactly those sizes, whatever the document's own; Graphviz places boxes of those sizes, and the
picture draws every node, spline, group and label at the positions ``dot`` chose, in points.
The picture needs ``tikz`` with the ``arrows.meta`` library and ``amsmath``/``amssymb``;
``standalone=True`` wraps it in a complete document.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from graphjac.errors import RenderError
from graphjac.render.layout.geometry import edge_ends, side_by_side, texts
from graphjac.notation.latex import for_pdflatex
from graphjac.render.model.steps import PASSES, never_shown, reveal_steps
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.composer import centre_of, place

# pdflatex's Computer Modern is wider than the STIX Two Math the labels are measured in: the
# gallery's formulas by 4% (median), 10% at the 90th percentile; single capitals (J, B) by a third,
# which a node's margin takes
CM_ROOM = 1.1
ARROWS = {"normal": "Stealth[length=6pt,width=4.5pt]", "empty": "Stealth[open,length=6pt,width=4.5pt]"}
NAMED_COLORS = {"white": "FFFFFF", "black": "000000"}
BEAMER = r"""\documentclass{beamer}
\usepackage{amsmath,amssymb,adjustbox,tikz}
\usetikzlibrary{arrows.meta}
\setbeamertemplate{navigation symbols}{}
\begin{document}
"""
FIT = r"\begin{adjustbox}{max width=\textwidth, max totalheight=0.88\textheight}"
PREAMBLE = r"""\documentclass[tikz,border=4pt]{standalone}
\usepackage{amsmath,amssymb}
\usetikzlibrary{arrows.meta}
\begin{document}
"""


def write_tikz(figure) -> str:
    """The figure as a ``tikzpicture`` (a standalone document with ``standalone=True``)."""
    body, _ = picture(figure)
    if figure.options.standalone:
        return PREAMBLE + body + "\\end{document}\n"
    return ("% graphjac figure; needs \\usepackage{tikz,amsmath,amssymb} and \\usetikzlibrary{arrows.meta}\n"
            + body)


def picture(figure) -> tuple:
    """(the bare ``tikzpicture``, the :class:`~.layout.Layout` it draws, in points)."""
    placed = place(figure, measured_sizes(THEMES[figure.theme]))
    return _picture(figure, placed), placed.layout


def write_beamer(figure, passes=PASSES) -> str:
    r"""The passes step by step as one Beamer frame (:func:`.steps.reveal_steps`): slide 1 shows
    what is given, slide k + 1 adds the k-th step, highlighted there and drawn plainly after
    (``\only`` overlays, one layout for every slide). With ``standalone=True``, a complete Beamer
    document.

    Beamer sets a frame's whole body again for each slide, so the body holds no drawing that
    more than one slide shows: what slide 1 shows, and each step drawn plainly, are pictures set
    once in boxes before the frame, which every slide from theirs on places one over another;
    only a step's highlighted drawing is in the body, on its own slide. A figure of 65 steps
    sets each of its labels at most three times, not once per slide. In a handout the frame is
    one page with every step drawn plainly."""
    figure, placed, reveal, steps, heading = stepped(figure, passes)
    saved = {STATIC: _layer(figure, placed, reveal, STATIC)}
    saved.update({slide: _layer(figure, placed, reveal, (slide, False)) for slide in steps})
    boxes = {layer: _box_name(text) for layer, text in saved.items()}
    setup = "".join(f"\\ifdefined{boxes[layer]}\\else\\newsavebox{{{boxes[layer]}}}\\fi\n"
                    f"\\sbox{{{boxes[layer]}}}{{%\n{text}}}\n" for layer, text in saved.items())
    put = lambda layer: f"\\rlap{{\\usebox{{{boxes[layer]}}}}}"   # the layers share a corner and a size
    # a handout (\documentclass[handout]{beamer}) has one page: every step plain, none highlighted
    stack = [put(STATIC)] + [f"\\only<{slide + 1}-| handout:1>{{{put(slide)}}}" for slide in steps[:-1]]
    stack += [f"\\only<beamer:0| handout:1>{{{put(slide)}}}" for slide in steps[-1:]]
    stack += [f"\\only<{slide}| handout:0>{{\\rlap{{%\n{_layer(figure, placed, reveal, (slide, True))}}}}}"
              for slide in steps]
    picture = f"\\makebox[\\wd{boxes[STATIC]}][l]{{%\n" + "%\n".join(stack) + "}\n"
    frame = f"{setup}\\begin{{frame}}\n{heading}\\centering\n{FIT}\n{picture}\\end{{adjustbox}}\n\\end{{frame}}\n"
    if figure.options.standalone:
        return BEAMER + frame + "\\end{document}\n"
    return ("% graphjac passes step by step, one step per slide; needs \\usepackage{tikz,amsmath,amssymb,adjustbox} "
            "and \\usetikzlibrary{arrows.meta}\n" + frame)


def stepped(figure, passes=PASSES) -> tuple:
    r"""What a Beamer frame of ``figure`` is made of: (the figure without its title, placed, frame
    item -> the slide it appears on (None: never; :mod:`.steps`), the slides that add a step, the
    ``\frametitle`` line that takes the title)."""
    reveal = {item: step + 2 for step, items in enumerate(reveal_steps(figure, passes)) for item in items}
    reveal.update(dict.fromkeys(never_shown(figure, passes)))
    title = "".join(for_pdflatex(line) for line in figure.title)   # the frame's title, not the picture's
    figure = replace(figure, title=())
    placed = place(figure, measured_sizes(THEMES[figure.theme]))
    steps = sorted({slide for slide in reveal.values() if slide})
    return figure, placed, reveal, steps, f"\\frametitle{{${title}$}}\n" if title else ""


# a layer of a Beamer frame: STATIC, what slide 1 shows; or (slide, current), what that slide's
# step adds, highlighted (current: on its own slide) or plain (on every slide after)
STATIC = "static"
PAD = 4.0   # points of the layers' common bounding box beyond Graphviz's
CORNER = (-PAD, -PAD)


def _layer(figure, placed, reveal, layer):
    """One layer as a picture of the frame's bounding box, so that the layers, placed at one
    corner, lie exactly over one another."""
    lines = _opening(figure) + [_bounds(placed.layout)] + _drawn(figure, placed, reveal, layer)
    return "\n".join(lines + [r"\end{tikzpicture}%"]) + "\n"   # no space after it: it would widen a box


def _bounds(layout):
    return f"\\useasboundingbox {_pt(CORNER)} rectangle {_pt((layout.width + PAD, layout.height + PAD))};"


def _box_name(text):
    """A savebox's name, from its picture: the same picture in two frames may share its box."""
    return "\\gjbox" + "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(text.encode()).hexdigest()[:12])


def _picture(figure, placed):
    """The whole tikzpicture, every step shown."""
    return "\n".join(_opening(figure) + _drawn(figure, placed, {}, STATIC) + [r"\end{tikzpicture}"]) + "\n"


def _opening(figure):
    """The tikzpicture's first lines: its styles and the theme's colours."""
    theme = THEMES[figure.theme]
    lines = [r"\begin{tikzpicture}[x=1pt, y=1pt, inner sep=0pt, outer sep=0pt,"]
    lines += ["  " + style + "," for style in _styles(theme)]
    lines[-1] = lines[-1][:-1] + "]"
    return lines + [f"\\definecolor{{gj{name}}}{{HTML}}{{{_hex(value)}}}" for name, value in _colors(theme)]


def _drawn(figure, placed, reveal, layer):
    """What ``layer`` draws; ``reveal`` maps a frame item (:mod:`.steps`) to the slide it appears
    on (None: never; an item it does not name is there from the start)."""
    lines = []
    if layer == STATIC:
        lines += _background(figure, placed.layout) + _groups(figure, placed)
    lines += _nodes(figure, placed, reveal, layer) + _edges(figure, placed, reveal, layer)
    return lines + (_heading(figure, placed) if layer == STATIC else [])


def _background(figure, layout):
    theme = THEMES[figure.theme]
    if _hex(theme.background) == "FFFFFF":
        return []
    pad = 8.0   # the slide colour a little past the outermost node
    return [f"\\fill[gjbackground] {_pt((-pad, -pad))} rectangle {_pt((layout.width + pad, layout.height + pad))};"]


def _colors(theme):
    named = [("background", theme.background), ("text", theme.text), ("border", theme.border),
             ("wirevalue", theme.wire_value),
             ("forward", theme.forward), ("backward", theme.backward), ("group", theme.group_border),
             ("emphasis", theme.emphasis), ("good", theme.good), ("bad", theme.bad)]
    return named + [(role, color) for role, color in theme.fills.items()]


def measured_sizes(theme) -> dict:
    """role -> the size a TikZ label is measured at: its TeX size, widened for Computer Modern."""
    return {role: size * CM_ROOM for role, size in theme.tex_sizes.items()}


def fonts(theme) -> dict:
    r"""role -> the ``\fontsize`` command of the theme's TikZ size for it: every size set
    explicitly, as measured, so the layout holds in a 10, 11 or 12 pt document alike."""
    return {role: f"\\fontsize{{{size:g}}}{{{1.2 * size:g}}}\\selectfont" for role, size in theme.tex_sizes.items()}


def _styles(theme):
    arrow = ARROWS.get(theme.backward_arrow, ARROWS["normal"])
    w = {role: f"{width:g}pt" for role, width in theme.widths.items()}
    return [
        f"gj node/.style={{draw=gjborder, line width={w['tex_node']}, rounded corners=4pt, align=center, text=gjtext}}",
        f"gj target/.append style={{line width={w['tex_target']}}}",
        f"gj forward/.style={{draw=gjforward, line width={w['tex_edge']}, arrows={{-{ARROWS['normal']}}}}}",
        f"gj backward/.style={{draw=gjbackward, {theme.backward_style}, line width={w['tex_edge']}}}",
        f"gj backward arrow/.style={{arrows={{{arrow}-}}}}",
        f"gj emphasis/.style={{line width={w['tex_emphasis']}}}",
        f"gj group/.style={{draw=gjgroup, {theme.group_style}, rounded corners=6pt, line width={w['tex_group']}}}",
        "gj label/.style={align=center, text=gjtext, inner sep=2pt}",   # ink of a fraction runs past its box
        "gj edge label/.style={align=center, text=gjbackward, inner sep=2pt}",
        "gj current/.style={fill=gjtarget, rounded corners=3pt, inner sep=2pt}",
    ]


def _hex(color):
    if color.startswith("#") and len(color) == 7:
        return color[1:].upper()
    if color in NAMED_COLORS:
        return NAMED_COLORS[color]
    raise RenderError(f"theme colour {color!r} cannot be written for TikZ (use #rrggbb)")


def _pt(point):
    return f"({point[0]:.2f},{point[1]:.2f})"


def _text(lines, figure, shown=None, across=False):
    """LaTeX lines as a node's text: each line display-style math in its role's size, stacked in a
    tabular so that a line with a fraction never runs into the next (``across``: its columns,
    side by side). ``shown``: line number -> "plain", "current" (in the emphasis colour) or
    "room" (not drawn, its room kept); a line it does not name is plain."""
    font = fonts(THEMES[figure.theme])
    colors = {"wire_value": r"\color{gjwirevalue}", "wire_grad": r"\color{gjbackward}",
              "current": r"\color{gjemphasis}"}
    rows = []
    for k, (latex, role) in enumerate(lines):
        math, how = f"$\\displaystyle {for_pdflatex(latex)}$", (shown or {}).get(k, "plain")
        if how == "room":
            rows.append(font[role] + f"\\phantom{{{math}}}")
        else:
            rows.append(font[role] + colors.get("current" if how == "current" else role, "") + math)
    if across:
        return r"\begin{tabular}{@{}" + r"@{\;}".join("c" * len(rows)) + r"@{}}" + "&".join(rows) + r"\end{tabular}"
    return r"\begin{tabular}{@{}c@{}}" + r"\\[1pt]".join(rows) + r"\end{tabular}"   # rows as tall as their math


def _shown(slides, layer):
    """line number -> how ``layer`` draws it (:func:`_text`), from the slide each line appears on
    (0: from the start); None where the layer draws none of the node's lines."""
    if layer == STATIC:
        return {k: "plain" if slide == 0 else "room" for k, slide in slides.items()}
    slide, current = layer
    if slide not in slides.values():
        return None
    return {k: ("current" if current else "plain") if s == slide else "room" for k, s in slides.items()}


def _nodes(figure, placed, reveal, layer):
    """The nodes' lines that ``layer`` draws: the boxes and what they show from the start in the
    static layer; a step's lines in its own layer, centred where the box's are, with no box (a
    node's text is centred in it, whatever its size and shape)."""
    content, across = texts(figure), side_by_side(figure)
    meets = edge_ends(placed.layout)
    out = []
    for node in figure.nodes:
        box = placed.layout.nodes.get(node.id)
        if box is None:
            continue
        slides = {k: reveal.get(f"{node.id}.{k}", 0) for k in range(len(content[node.id]))}
        shown = _shown(slides, layer)
        if shown is None:
            continue
        text = _text(content[node.id], figure, shown, node.id in across)
        if layer != STATIC:
            out.append(f"\\node[gj label] at {_pt((box.x, box.y))} {{{text}}};")
            continue
        if node.role in ("ellipsis", "variable", "wire"):
            out.append(f"\\node[gj label] ({node.id}) at {_pt((box.x, box.y))} {{{text}}};")
            if node.role == "wire":   # the wire runs on under the value, above the gradient
                half = box.width / 2
                start, end = meets.get(node.id, {}).get("in", (box.x - half, box.y)), \
                    meets.get(node.id, {}).get("out", (box.x + half, box.y))
                out.append(f"\\draw[gj forward, arrows=-] {_pt(start)} -- {_pt(end)};")
            continue
        if node.role == "gate":
            out.append(f"\\node[gj node, circle, fill=gjop, minimum size={box.width:.2f}pt] ({node.id}) "
                       f"at {_pt((box.x, box.y))} {{{text}}};")
            continue
        style = "gj node, gj target" if node.role == "target" else "gj node"
        out.append(f"\\node[{style}, fill=gj{node.role}, minimum width={box.width:.2f}pt, "
                   f"minimum height={box.height:.2f}pt] ({node.id}) at {_pt((box.x, box.y))} {{{text}}};")
    return out


def _groups(figure, placed):
    content = texts(figure)
    out = []
    for k in range(len(figure.groups)):
        key = f"cluster_{k}"
        box = placed.layout.clusters.get(key)
        if box is None:
            continue
        out.append(f"\\draw[gj group] {_pt((box.x0, box.y0))} rectangle {_pt((box.x1, box.y1))};")
        if box.label is not None and key in content:   # an untitled box (folded steps') has no title
            out.append(f"\\node[gj label] at {_pt(box.label)} {{{_text(content[key], figure)}}};")
    return out


def _edges(figure, placed, reveal, layer):
    """The edges, and their labels, that ``layer`` draws: a step's edge highlighted on its own
    slide (the current label on its tint), plain after."""
    content = texts(figure)
    paths = {edge.id: edge for edge in placed.layout.edges}
    out = []
    for k, edge in enumerate(figure.edges):
        path, key = paths.get(f"e{k}"), f"e{k}"
        slide = reveal.get(key, 0)   # 0: from the start; None: never
        if path is None or edge.direction == "layout" or slide != (0 if layer == STATIC else layer[0]):
            continue
        current = layer != STATIC and layer[1]
        style = "gj forward" if edge.direction == "forward" else "gj backward"
        if edge.joint == "head":   # into a circuit wire's label: the wire runs on, no arrowhead yet
            style += ", arrows=-"
        if edge.direction == "backward" and path.start is not None:
            style += ", gj backward arrow"
        if edge.emphasis:
            style += ", gj emphasis" + (", draw=gjemphasis" if edge.direction == "forward" else "")
        out.append(f"\\draw[{style}{', gj emphasis' if current else ''}] {_spline(path)};")
        at = centre_of(placed.layout, key) if key in content else None
        if at is not None:
            out.append(f"\\node[gj edge label{', gj current' if current else ''}] at {_pt(at)} "
                       f"{{{_text(content[key], figure)}}};")
    return out


def _spline(path):
    """The B-spline as TikZ Bézier segments, from the tail's arrow tip to the head's."""
    points = path.points
    parts = ([_pt(path.start), "--"] if path.start else []) + [_pt(points[0])]
    for i in range(1, len(points), 3):
        parts.append(f".. controls {_pt(points[i])} and {_pt(points[i + 1])} .. {_pt(points[i + 2])}")
    if path.end:
        parts += ["--", _pt(path.end)]
    return " ".join(parts)


def _heading(figure, placed):
    head, centre = placed.head, placed.layout.label
    if head is None or centre is None:
        return []
    out = []
    for kind, k, x, y, width, _ in head.parts:
        at = (centre[0] + x, centre[1] + y)
        if kind == "legend":
            backward = figure.legend[k].direction == "backward"
            style = "gj backward" if backward else "gj forward, arrows=-"
            out.append(f"\\draw[{style}] {_pt((at[0] - width / 2, at[1]))} -- {_pt((at[0] + width / 2, at[1]))};")
            continue
        if kind == "title":
            lines = [(line, "title") for line in figure.title]
            color = "gjtext"
        elif kind == "badge":
            lines = [(line, "edge") for line in figure.badge.label]
            color = "gjgood" if figure.badge.ok else "gjbad"
        else:
            lines = [(line, "edge") for line in figure.legend[k].label]
            color = "gjtext"
        out.append(f"\\node[gj label, text={color}] at {_pt(at)} {{{_text(lines, figure)}}};")
    return out
