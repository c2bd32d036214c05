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
import re
from dataclasses import replace

from ..errors import RenderError
from .composer import centre_of, place
from .steps import PASSES, never_shown, reveal_steps
from .latex import for_pdflatex
from .layout import edge_ends, side_by_side, texts
from .themes import THEMES

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
    (``\only``, ``\uncover`` and ``\alt`` overlays, one layout for every slide). With
    ``standalone=True``, a complete Beamer document.

    What no overlay touches (groups, forward edges, nodes shown from the start) is drawn once, in
    a box set before the frame, that every slide places under the rest: Beamer sets a frame's
    whole body again for each slide, and a figure of many steps drew its every spline each time."""
    reveal = {item: step + 2 for step, items in enumerate(reveal_steps(figure, passes)) for item in items}
    reveal.update(dict.fromkeys(never_shown(figure, passes)))
    title = "".join(for_pdflatex(line) for line in figure.title)   # the frame's title, not the picture's
    figure = replace(figure, title=())
    placed = place(figure, measured_sizes(THEMES[figure.theme]))
    static, slides = _layers(_picture(figure, placed, reveal), placed.layout)
    box = "\\gjstatic" + "".join(chr(ord("a") + int(c, 16)) for c in hashlib.sha256(static.encode()).hexdigest()[:12])
    setup = f"\\ifdefined{box}\\else\\newsavebox{{{box}}}\\fi\n\\sbox{{{box}}}{{%\n{static}}}\n"
    picture = slides.replace(STATIC_MARK, f"\\node[anchor=south west] at {_pt(CORNER)} {{\\usebox{{{box}}}}};")
    heading = f"\\frametitle{{${title}$}}\n" if title else ""
    frame = f"{setup}\\begin{{frame}}\n{heading}\\centering\n{FIT}\n{picture}\\end{{adjustbox}}\n\\end{{frame}}\n"
    if figure.options.standalone:
        return BEAMER + frame + "\\end{document}\n"
    return ("% graphjac passes step by step, one step per slide; needs \\usepackage{tikz,amsmath,amssymb,adjustbox} "
            "and \\usetikzlibrary{arrows.meta}\n" + frame)


OVERLAY = re.compile(r"\\(?:only|uncover|alt)<")
STATIC_MARK = "%gj static layer"
PAD = 4.0   # points of the pictures' common bounding box beyond Graphviz's
CORNER = (-PAD, -PAD)


def _layers(picture, layout):
    """(the lines of ``picture`` no overlay touches, as a picture; the picture with those lines
    replaced by :data:`STATIC_MARK`): both with the same bounding box, so that the first, set
    once, lies exactly under the second."""
    lines = picture.splitlines()
    start = next(k for k, line in enumerate(lines) if line.endswith("]")) + 1   # after the picture's options
    colours = [line for line in lines[start:] if line.startswith("\\definecolor")]
    bounds = f"\\useasboundingbox {_pt(CORNER)} rectangle {_pt((layout.width + PAD, layout.height + PAD))};"
    body = [line for line in lines[start:-1] if not line.startswith("\\definecolor")]
    static = [line for line in body if not OVERLAY.search(line)]
    changing = [line for line in body if OVERLAY.search(line)]
    head = lines[:start] + colours + [bounds]
    return ("\n".join(head + static + [lines[-1]]) + "\n",
            "\n".join(head + [STATIC_MARK] + changing + [lines[-1]]) + "\n")


def _picture(figure, placed, reveal=None):
    """The tikzpicture; ``reveal`` maps a frame item (:mod:`.steps`) to the slide it appears on
    (None: never)."""
    theme = THEMES[figure.theme]
    layout = placed.layout
    reveal = reveal or {}
    lines = [r"\begin{tikzpicture}[x=1pt, y=1pt, inner sep=0pt, outer sep=0pt,"]
    lines += ["  " + style + "," for style in _styles(theme)]
    lines[-1] = lines[-1][:-1] + "]"
    lines += [f"\\definecolor{{gj{name}}}{{HTML}}{{{_hex(value)}}}" for name, value in _colors(theme)]
    if _hex(theme.background) != "FFFFFF":
        pad = 8.0   # the slide colour a little past the outermost node
        corner = (layout.width + pad, layout.height + pad)
        lines.append(f"\\fill[gjbackground] {_pt((-pad, -pad))} rectangle {_pt(corner)};")
    lines += _groups(figure, placed)
    lines += _nodes(figure, placed, reveal)
    lines += _edges(figure, placed, reveal)
    lines += _heading(figure, placed)
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines) + "\n"


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


def _text(lines, figure, slides=None, across=False):
    """LaTeX lines as a node's text: each line display-style math in its role's size, stacked in a
    tabular so that a line with a fraction never runs into the next (``across``: its columns,
    side by side). ``slides``: line number -> the Beamer slide it appears on, in the emphasis
    colour there (None: never, its room kept)."""
    font = fonts(THEMES[figure.theme])
    colors = {"wire_value": r"\color{gjwirevalue}", "wire_grad": r"\color{gjbackward}"}
    rows = []
    for k, (latex, role) in enumerate(lines):
        color, math = colors.get(role, ""), f"$\\displaystyle {for_pdflatex(latex)}$"
        slide = slides.get(k, 0) if slides else 0
        if slide is None:
            math = f"\\phantom{{{math}}}"
        elif slide:
            math = f"\\uncover<{slide}->{{{color}\\alt<{slide}>{{\\color{{gjemphasis}}}}{{}}{math}}}"
        rows.append(font[role] + (color if not slide else "") + math)
    if across:
        return r"\begin{tabular}{@{}" + r"@{\;}".join("c" * len(rows)) + r"@{}}" + "&".join(rows) + r"\end{tabular}"
    return r"\begin{tabular}{@{}c@{}}" + r"\\[1pt]".join(rows) + r"\end{tabular}"   # rows as tall as their math


def _nodes(figure, placed, reveal):
    content, across = texts(figure), side_by_side(figure)
    meets = edge_ends(placed.layout)
    out = []
    for node in figure.nodes:
        box = placed.layout.nodes.get(node.id)
        if box is None:
            continue
        slides = {k: reveal[f"{node.id}.{k}"] for k in range(len(content[node.id])) if f"{node.id}.{k}" in reveal}
        text = _text(content[node.id], figure, slides, node.id in across)
        if node.role in ("ellipsis", "variable", "wire"):
            out.append(f"\\node[gj label] ({node.id}) at {_pt((box.x, box.y))} {{{text}}};")
            if node.role == "wire":   # the wire runs on under the value, above the gradient, edge to edge
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
        if box.label is not None:
            out.append(f"\\node[gj label] at {_pt(box.label)} {{{_text(content[key], figure)}}};")
    return out


def _edges(figure, placed, reveal):
    content = texts(figure)
    paths = {edge.id: edge for edge in placed.layout.edges}
    out = []
    for k, edge in enumerate(figure.edges):
        path = paths.get(f"e{k}")
        if path is None or edge.direction == "layout":
            continue
        style = "gj forward" if edge.direction == "forward" else "gj backward"
        if edge.joint == "head":   # into a circuit wire's label: the wire runs on, no arrowhead yet
            style += ", arrows=-"
        if edge.direction == "backward" and path.start is not None:
            style += ", gj backward arrow"
        if edge.emphasis:
            style += ", gj emphasis" + (", draw=gjemphasis" if edge.direction == "forward" else "")
        key = f"e{k}"
        at = centre_of(placed.layout, key) if key in content else None
        label = (lambda extra: f"\\node[gj edge label{extra}] at {_pt(at)} {{{_text(content[key], figure)}}};") \
            if at is not None else None
        spline = _spline(path)
        if key not in reveal:
            out.append(f"\\draw[{style}] {spline};")
            out += [label("")] if label else []
            continue
        slide = reveal[key]   # highlighted on its own slide, then drawn like the rest
        if slide is None:
            continue
        later = slide < max(s for s in reveal.values() if s is not None)
        out.append(f"\\only<{slide}>{{\\draw[{style}, gj emphasis] {spline};}}")
        out += [f"\\only<{slide + 1}->{{\\draw[{style}] {spline};}}"] if later else []
        if label:
            out.append(f"\\only<{slide}>{{{label(', gj current')}}}")
            out += [f"\\only<{slide + 1}->{{{label('')}}}"] if later else []
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
