"""The figure model as Graphviz DOT text: pure string work, the same figure gives the same bytes.

Ids are the figure's own (``n0``, ``n4s1``, …; edges ``e0``, ``e1``, …); every label is an
HTML-like label built by :mod:`.html_labels` (or, for a writer that draws the labels itself, an
empty box of the measured size) and every other user text goes through :func:`~.quoting.quote`.
Backward edges are written in the forward direction with ``dir=back``, so Graphviz gives
their labels room between the ranks instead of laying them over other edges.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional

from graphjac.notation.symbols import shortened
from graphjac.render.layout.quoting import html_label, quote
from graphjac.render.model.rows import route
from graphjac.render.layout.steps import ACROSS, PLACED, UNDER, placement
from graphjac.render.model.themes import THEMES

TABLE = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
# a circuit wire enters its label node on one side and leaves on the other, along the label's rule
WIRE_PORTS = {"LR": ("w", "e"), "RL": ("e", "w")}


def figure_to_dot(figure, boxes=None) -> str:
    """DOT text for ``figure`` (see :mod:`graphjac.render.model.figure`), every edge with the id
    ``e<k>`` of its place in ``figure.edges``.

    With ``boxes``, each label whose key is there is an empty box of that (width, height) (a
    wire's also has its rule's colour): writers that draw the labels themselves have Graphviz
    lay the figure out around them. Keys are node ids, ``e<k>`` for edges, ``cluster_<k>`` for
    groups and ``heading`` for the graph's own label (title, legend, badge).
    """
    theme = THEMES[figure.theme]
    font = quote(figure.options.font)
    boxes = boxes or {}
    lines = ["digraph graphjac {"]
    lines += ["  " + s for s in _defaults(figure, theme, font, boxes)]
    steps = placement(figure)
    lines += _body(figure, theme, boxes, steps)
    lines += ["  " + s for s in _edges(figure, theme, boxes, steps.across if steps else frozenset())]
    lines.append("}")
    return "\n".join(lines) + "\n"


def placeholder(width: float, height: float, rule: Optional[str] = None) -> str:
    """An HTML-like DOT label that is an empty box of ``width`` × ``height`` points (with a
    horizontal ``rule`` of that colour through its middle: a circuit wire under its numbers).

    >>> placeholder(40, 12.5)   # doctest: +ELLIPSIS
    '<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">...<TD FIXEDSIZE="TRUE" WIDTH="40" HEIGHT="13"></TD>...'
    """
    w, h = (max(1, math.ceil(v)) for v in (width, height))   # Graphviz takes whole points: round up
    if rule is not None:
        half = max(1, (h - 1) // 2)
        cell = '<TR><TD FIXEDSIZE="TRUE" WIDTH="{}" HEIGHT="{}"{}></TD></TR>'
        return ('<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">' + cell.format(w, half, "")
                + cell.format(w, 1, f' BORDER="1" SIDES="T" COLOR="{rule}"') + cell.format(w, half, "") + "</TABLE>>")
    return (f'<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD FIXEDSIZE="TRUE" '
            f'WIDTH="{w}" HEIGHT="{h}"></TD></TR></TABLE>>')


def _box(boxes, key):
    """The placeholder for label ``key``, when it is measured (None otherwise)."""
    return placeholder(*boxes[key]) if key in boxes else None


def _attrs(**attrs) -> str:
    """``[a=1, b=2]`` with the values already quoted or HTML-labelled, in the order given."""
    return "[" + ", ".join(f"{k}={v}" for k, v in attrs.items() if v is not None) + "]"


def _defaults(figure, theme, font, boxes):
    wide = figure.direction in ("LR", "RL")
    nodesep, ranksep = (0.5, 0.9) if wide else (0.6, 0.7)
    beside = figure.spacing if figure.beside is None else figure.beside
    graph = dict(rankdir=figure.direction, newrank="true", nodesep=f"{nodesep * beside:.2g}",
                 ranksep=f"{ranksep * figure.spacing:.2g}", fontname=font, fontcolor=quote(theme.text),
                 bgcolor=quote(theme.background), pad="0.2", labelloc="t",
                 label=_box(boxes, "heading") or _heading(figure, theme), splines=figure.splines)
    node = dict(shape="box", style=quote("rounded,filled"), fontname=font, fontsize=theme.sizes["node"],
                fontcolor=quote(theme.text), color=quote(theme.border), penwidth=theme.width("node"),
                margin=quote("0.1,0.03" if figure.compact else "0.14,0.07"),
                height=quote("0.2") if figure.compact else None)
    edge = dict(fontname=font, fontsize=theme.sizes["edge"], arrowsize=theme.width("arrow"), color=quote(theme.forward),
                fontcolor=quote(theme.text))
    return [f"graph {_attrs(**graph)};", f"node {_attrs(**node)};", f"edge {_attrs(**edge)};"]


# ---------------------------------------------------------------------------- labels


def label(lines, first_size=None, rest_size=None, padding=0, hidden=(), ground=None, lit=(), backdrop=None,
          across=False) -> str:
    """HTML-like markup for LaTeX ``lines``: one line as it is, several as the rows of a table
    (or, ``across``, the cells of one row; ``padding`` points around the text also makes a
    table). Lines numbered in ``hidden`` keep their room but are not seen, written in
    ``ground``, the colour behind them (a frame's lines not computed yet: Graphviz's SVG has no
    transparent text); rows in ``lit`` are set on ``backdrop`` (the step a frame adds)."""
    marks = [_html(line) for line in lines]
    sizes = [first_size] + [rest_size] * (len(marks) - 1)
    colors = [ground if k in hidden else None for k in range(len(marks))]
    if len(marks) == 1 and not padding:
        return _font(marks[0], first_size, colors[0])
    # table rows, not <BR/>: Graphviz leaves room for sub- and superscripts only between rows
    cells = [f'<TD{_backdrop(k in lit, backdrop)}>{_font(m, s, c)}</TD>'
             for k, (m, s, c) in enumerate(zip(marks, sizes, colors))]
    rows = "<TR>" + "".join(cells) + "</TR>" if across else "".join(f"<TR>{cell}</TR>" for cell in cells)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="{max(2, padding)}" CELLPADDING="0">' + rows + "</TABLE>"


def _html(latex):
    """``latex`` as HTML-like markup; the LaTeX reader loads on the first label written this way
    (a figure whose labels are all measured boxes never needs it)."""
    return _latex_reader().to_html(latex)


@lru_cache(maxsize=None)
def _latex_reader():
    from graphjac.render.layout import html_labels
    return html_labels


def _backdrop(lit, color):
    return f' BGCOLOR="{color}"' if lit and color else ""


def _lines_in(items, key) -> set:
    """The line numbers of label ``key`` among a frame's ``items`` (``<key>.<line>``)."""
    return {int(item[len(key) + 1:]) for item in items if item.startswith(key + ".")}


def _font(markup, size, color=None):
    attrs = (f' POINT-SIZE="{size}"' if size else "") + (f' COLOR="{color}"' if color else "")
    return f"<FONT{attrs}>{markup}</FONT>" if attrs else markup


def _heading(figure, theme):
    """The graph label: the title, then the legend and the gradient-check badge, as one table
    (a compact figure's on one line)."""
    parts = []
    if figure.title:
        parts.append(_font(label(figure.title), theme.sizes["title"]))
    if figure.legend:
        parts.append(_legend(figure.legend, theme))
    if figure.badge is not None:
        color = theme.good if figure.badge.ok else theme.bad
        parts.append(_font(label(figure.badge.label), theme.sizes["edge"], color))
    if not parts:
        return None
    cells = [f"<TD>{part}</TD>" for part in parts]
    rows = (["<TR>" + '<TD WIDTH="18"></TD>'.join(cells) + "</TR>"] if figure.compact   # side by side
            else [f"<TR>{cell}</TR>" for cell in cells])
    rows.append('<TR><TD HEIGHT="8"></TD></TR>')
    return html_label('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows)
                      + "</TABLE>")


def _legend(entries, theme):
    """Each entry as a short line drawn in its edge style (a cell border), then its meaning."""
    cells = []
    for entry in entries:
        backward = entry.direction == "backward"
        color = theme.backward if backward else theme.forward
        style = f' STYLE="{theme.backward_style}"' if backward else ""
        sample = (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD HEIGHT="7" '
                  f'WIDTH="36"></TD></TR><TR><TD BORDER="1" SIDES="T" COLOR="{color}"{style} HEIGHT="7" '
                  f'WIDTH="36"></TD></TR></TABLE>')
        cells.append(f'<TD>{sample}</TD><TD WIDTH="6"></TD><TD ALIGN="LEFT">'
                     f'{_font(label(entry.label), theme.sizes["edge"])}</TD><TD WIDTH="18"></TD>')
    return TABLE + "<TR>" + "".join(cells) + "</TR></TABLE>"


# ---------------------------------------------------------------------------- nodes and groups


def _node(node, theme, figure, boxes):
    hidden, lit = _lines_in(figure.hidden, node.id), _lines_in(figure.current, node.id)
    measured = _box(boxes, node.id)
    if node.role == "ellipsis":
        text = measured or html_label(label(node.label, theme.sizes["ellipsis"], theme.sizes["group"]))
        return f"{node.id} {_attrs(label=text, shape='plaintext', style=quote(''))};"
    if node.role == "wire":   # a circuit wire's numbers: the value above the wire, its gradient below
        text = measured or _wire_label(node, hidden, lit, theme)
        return f"{node.id} {_attrs(label=text, shape='plaintext', style=quote(''), margin='0', width='0', height='0', id=quote(node.id))};"
    if node.role == "variable":
        text = measured or html_label(label(node.label, theme.sizes["node"]))
        return f"{node.id} {_attrs(label=text, shape='plaintext', style=quote(''), id=quote(node.id))};"
    if node.role == "gate":
        text = measured or html_label(label(node.label, theme.sizes["gate"]))
        return f"{node.id} " + _attrs(
            label=text, shape="circle", margin=quote("0.02"), fillcolor=quote(theme.fills["op"]), id=quote(node.id)) + ";"
    lines = node.label + tuple(t.latex() for t in node.tables)
    text = measured or html_label(label(lines, None, theme.sizes["value"], hidden=hidden, lit=lit,
                                        ground=theme.fills[node.role], backdrop=theme.fills["target"],
                                        across=figure.compact))
    return f"{node.id} " + _attrs(
        label=text, fillcolor=quote(theme.fills[node.role]),
        tooltip=quote(shortened(node.name) + ("" if node.sample is None else f" (sample {node.sample})")),
        id=quote(node.id), penwidth=theme.width("target") if node.role == "target" else None) + ";"


def _wire_label(node, hidden, lit, theme):
    """A circuit wire's numbers: the value above the wire (text line 0), its gradient below (line 2)."""
    above, below = node.label
    rows = (_wire_row(above, 0, "wire_value", theme.wire_value, hidden, lit, theme)
            + f'<TR><TD HEIGHT="1" BORDER="1" SIDES="T" COLOR="{theme.forward}"></TD></TR>'
            + _wire_row(below, 2, "wire_grad", theme.backward, hidden, lit, theme))
    return f'<{TABLE}{rows}</TABLE>>'


def _wire_row(latex, line, role, color, hidden, lit, theme):
    """A wire's number as a table row, in its colour (in the page's, while a frame hides it)."""
    font = _font(_html(latex), theme.sizes[role], theme.background if line in hidden else color)
    return f'<TR><TD{_backdrop(line in lit, theme.fills["target"])}>{font}</TD></TR>'


def _body(figure, theme, boxes, steps=None):
    """Nodes nested in their groups' clusters (``cluster_0``, … in order of first appearance);
    with ``steps`` (:func:`.steps.placement`), its groups marked to be boxed after the layout and
    each rank's order."""
    cluster_ids = {group.path: k for k, group in enumerate(figure.groups)}
    labels = {group.path: group.label for group in figure.groups}
    placed = steps.groups if steps else frozenset()
    out = []

    def emit(path, depth):
        pad = "  " * depth
        for node in figure.nodes:
            if node.group == path:
                out.append(pad + _node(node, theme, figure, boxes))
        for child in (p for p in cluster_ids if len(p) == len(path) + 1 and p[:len(path)] == path):
            out.append(f"{pad}subgraph cluster_{cluster_ids[child]} {{")
            key = f"cluster_{cluster_ids[child]}"
            attrs = _cluster(_box(boxes, key) or _group_label(labels[child], theme), theme)
            if child in placed:
                attrs = attrs[:-1] + f", {PLACED}=true" + (f", {UNDER}=true" if child in steps.below else "") + "]"
            out.append(f"{pad}  graph {attrs};")
            emit(child, depth + 1)
            out.append(pad + "}")

    emit((), 1)
    return out + _sample_order(figure) + list(steps.lines if steps else ())


def _sample_order(figure):
    """Samples in order (1, 2, …, N) across each rank: invisible edges inside a rank=same block."""
    copies = {}
    for node in figure.nodes:
        if node.sample is not None or node.role == "ellipsis":
            copies.setdefault(node.name, []).append(node.id)
    return [f"  {{rank=same; {' -> '.join(ids)} [style=invis];}}" for ids in copies.values() if len(ids) > 1]


def _group_label(lines, theme):
    return html_label(label(lines, theme.sizes["group"])) if lines else quote("")   # an untitled box


def _cluster(text, theme):
    return _attrs(label=text, style=quote("rounded," + theme.group_style),
                  color=quote(theme.group_border), fontcolor=quote(theme.text), margin="12")


# ---------------------------------------------------------------------------- edges

BEND = 'shape=point, style=invis, width=0, height=0, label=""'   # where a returning wire turns


def _rows(plan):
    """A circuit in rows (:func:`.rows.route`): its invisible bends and where they go."""
    return ([f"{bend} [{BEND}];" for bend in plan.bends]
            + ["{rank=same; " + "; ".join(ids) + ";}" for ids in plan.ranks]
            + [f"{a} -> {b} [style=invis];" for a, b in plan.invisible])


def _returning(pieces, key, attrs):
    """A wire returning to the start of the next row, as the ``pieces`` of its route (the last
    with the arrowhead, the long one back along the gap kept straight): edges ``<key>~0``,
    ``~1``, … that :func:`.layout.parse_json` joins into the one edge ``<key>`` again."""
    plain = {name: value for name, value in attrs.items() if name in ("penwidth", "color")}
    out = []
    for k, (a, b) in enumerate(pieces):
        if k == 0:
            piece = dict(attrs, arrowhead="none", weight="10")
        elif k == len(pieces) - 1:
            piece = dict(plain, weight="10")
        else:
            piece = dict(plain, dir="none", **({"weight": "20"} if k == 2 else {}))
        piece["id"] = quote(f"{key}~{k}")
        out.append(f"{a} -> {b} {_attrs(**piece)};")
    return out


ACROSS_ATTRS = {"constraint": "false", ACROSS: "true"}   # ranks nothing in plain dot; graphjac routes it last


def _edges(figure, theme, boxes, across=frozenset()):
    # A forward edge beside a labelled backward edge gets a blank label too: Graphviz then lays
    # the two side by side instead of on top of each other.
    spaced = {(e.dst, e.src) for e in figure.edges if e.direction == "backward" and e.label}
    style, hidden_style, color = quote(theme.backward_style), quote("invis"), quote(theme.backward)
    plan = route(figure) if figure.rows else None
    out = _rows(plan) if plan else []
    fanning = _fanning(figure)
    for k, edge in enumerate(figure.edges):
        key = f"e{k}"
        if edge.direction == "layout":
            out.append(f"{edge.src} -> {edge.dst} [id={key}, style=invis];")
        elif edge.direction == "forward":
            attrs = dict(id=key, label="<&#160;&#160;&#160;>" if (edge.src, edge.dst) in spaced else None,
                         minlen="2" if edge.src in fanning else None,
                         **(ACROSS_ATTRS if (edge.src, edge.dst) in across else {}))
            ports = WIRE_PORTS.get(figure.direction)
            if edge.joint == "head":   # into a wire's label node: the wire runs on, through its numbers
                attrs.update(arrowhead="none", **({"headport": ports[0]} if ports else {"headclip": "false"}))
            elif edge.joint == "tail":
                attrs.update(**({"tailport": ports[1]} if ports else {"tailclip": "false"}))
            if edge.emphasis:
                attrs.update(penwidth=theme.width("emphasis"), color=quote(theme.emphasis))
            out += (_returning(plan.pieces[k], key, attrs) if plan and k in plan.pieces
                    else [f"{edge.src} -> {edge.dst} {_attrs(**attrs)};"])
        else:   # a frame's edge not reached yet is invisible, in its place in the layout
            text = (_box(boxes, key) or html_label(label(edge.label, padding=2 if figure.compact else 4))) \
                if edge.label else None
            out.append(f"{edge.dst} -> {edge.src} " + _attrs(
                id=key, dir="back", style=hidden_style if key in figure.hidden else style, color=color,
                fontcolor=color, arrowtail=theme.backward_arrow,
                penwidth=theme.width("current" if key in figure.current else "emphasis")
                if edge.emphasis or key in figure.current else None,
                label=text, minlen="2" if edge.dst in fanning else None,
                **(ACROSS_ATTRS if (edge.dst, edge.src) in across else {})) + ";")
    return out


FAN = 4   # a compact figure's node feeding this many gets two ranks' room above it


def _fanning(figure) -> set:
    """The nodes of a compact figure that feed :data:`FAN` or more others: their edges get
    two ranks' height (``minlen``), so that they fan out instead of running flat along a
    tight figure's rank, on top of each other."""
    if not figure.compact:
        return set()
    fed = {}
    for edge in figure.edges:
        if edge.direction == "forward":
            fed.setdefault(edge.src, set()).add(edge.dst)
    return {node for node, targets in fed.items() if len(targets) >= FAN}

