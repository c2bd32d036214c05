r"""The figure model: what a diagram draws, independent of how (DOT, TikZ, typeset math).

:func:`build_figure` reads the annotated graph (:func:`graphjac.notation.formulas.for_figure`) and the
:class:`RenderOptions` and returns a :class:`Figure` of plain frozen dataclasses; it lays out
and styles, and never computes a value or writes a formula of its own. Every label is a tuple of LaTeX lines; writers
turn them into their own markup. Node ids are stable (``n0, n1, …`` in build order;
``n4s1`` is sample 1 of node 4, ``n4e`` its ellipsis), so the same graph gives the same figure.

>>> import graphjac as gj
>>> g = gj.Graph("xy")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> from graphjac.notation.formulas import for_figure
>>> fig = build_figure(for_figure(g, RenderOptions()), RenderOptions())
>>> [(n.id, n.role, n.label) for n in fig.nodes]
[('n0', 'input', ('x = 3',)), ('n1', 'input', ('y = 2',)), ('n2', 'target', ('z = x \\, y', '= 6'))]
>>> [(e.src, e.dst, e.direction) for e in fig.edges]
[('n0', 'n2', 'forward'), ('n1', 'n2', 'forward'), ('n2', 'n0', 'backward'), ('n2', 'n1', 'backward')]
>>> fig.edges[2].label
('\\frac{\\partial z}{\\partial x} = y',)
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

import numpy as np

from graphjac.core.records import record
from graphjac.errors import GraphjacError, close_matches
from graphjac.notation import numbers
from graphjac.notation.symbols import escape_text
from graphjac.options import RenderOptions, word
from graphjac.render.model.folds import ellipsis_for, folded
from graphjac.render.model.samples import SampleSelection

ROLES = ("input", "param", "const", "op", "loss", "target", "ellipsis", "gate", "variable", "wire")
EDGE_DIRECTIONS = ("forward", "backward", "layout")   # layout: keeps ellipses in line, never drawn


@record
class Table:
    """A matrix drawn as a table: a caption (LaTeX) and rows of LaTeX cells."""

    caption: str
    rows: tuple

    def latex(self) -> str:
        r"""``caption = \begin{bmatrix} … \end{bmatrix}``."""
        body = r" \\ ".join(" & ".join(row) for row in self.rows)
        return self.caption + r" = \begin{bmatrix} " + body + r" \end{bmatrix}"


@record
class FigureNode:
    """A drawn node. ``name`` is the graph node it shows; ``sample`` the sample it stands for
    (1-based; None when it stands for all of them). ``label`` is empty for a leaf drawn as a
    table (the table's caption names it). ``phases`` says, line by line of the label and then
    table by table, which pass computes what it shows (``forward``, ``backward``, or ``""`` for
    what is given); step-by-step frames reveal the lines in that order. Empty: all given."""

    id: str
    role: str
    label: tuple
    group: tuple = ()
    tables: tuple = ()
    name: Optional[str] = None
    sample: Optional[int] = None
    phases: tuple = ()
    scope: tuple = ()   # the submodules computing it (``Graph.scope``): what :mod:`.collapses` draws as one node


@record
class FigureEdge:
    """A drawn edge: forward (value flow), backward (∂J/∂src) or layout (invisible)."""

    src: str
    dst: str
    direction: str
    label: tuple = ()
    emphasis: bool = False
    joint: Optional[str] = None   # "head" or "tail": that end runs on into a wire's label node


@record
class FigureGroup:
    """A box around the nodes whose group path starts with ``path``."""

    path: tuple
    label: tuple


@record
class LegendEntry:
    """One line of the legend: an edge direction and what it means."""

    direction: str
    label: tuple


@record
class Badge:
    """The gradient check's verdict, shown on the figure."""

    ok: bool
    label: tuple


@record
class Figure:
    """Everything a writer draws. ``direction`` is resolved (BT, TB, LR or RL)."""

    title: tuple
    direction: str
    theme: str
    nodes: tuple
    edges: tuple
    groups: tuple
    legend: tuple
    badge: Optional[Badge]
    options: RenderOptions
    spacing: float = 1.0      # Graphviz's node and rank separation, as a share of the usual
    beside: Optional[float] = None   # the node separation's share instead, when it is not ``spacing``
    splines: Optional[str] = None   # Graphviz's edge routing when not its own (polyline)
    page: Optional[tuple] = None   # (width, height): the page shape the drawing is padded to
    hidden: frozenset = frozenset()    # a frame's items not shown yet (``e<k>``, ``<label key>.<line>``)
    current: frozenset = frozenset()   # a frame's items it highlights (the step it adds)
    rows: tuple = ()          # a circuit wrapped into rows: each row's node ids (a wire into a later row returns)
    columns: tuple = ()       # a deep figure wrapped into columns: each column's node ids (model.columns)
    compact: bool = False     # a deep figure fitted to a page: each node's lines side by side, in a snug box
    turnable: bool = True     # fit may turn it to the other orientation (False: the user named the direction)
    name: str = ""            # the graph's name
    blanks: tuple = ()        # an exercise figure's numbered blanks (SheetBlank), in number order
    details: Optional[dict] = None   # id -> every number hovering it shows (notation.details), for pages that do


def build_figure(notes, options: RenderOptions, most_axes: int = 2, short_blanks: bool = False) -> Figure:
    """The figure of the annotated graph ``notes`` as ``options`` ask; a value written in a node
    has at most ``most_axes`` axes (fewer: ``fit`` drawing a figure legible no other way); with
    ``short_blanks``, each blank a short numbered rule whatever the number it hides (a worksheet's
    figure too large to print legibly: its questions carry the rules to write on)."""
    if options.style == "circuit":
        Blanks.of(notes, options)   # says that the circuit style draws no blanks
        if options.steps:
            raise GraphjacError("render option steps: the circuit style draws every step; leave steps out "
                                "or draw the lecture style")
        return _circuit_figure(notes, options)
    plan = SampleSelection.of(notes, options)
    blanks = Blanks.of(notes, options)
    blanks = replace(blanks, short=True) if short_blanks else blanks
    nodes = _nodes(notes, options, plan, blanks, most_axes)
    edges = _edges(notes, options, plan, blanks)
    backward = any(e.direction == "backward" for e in edges)
    figure = Figure(
        title=_title(notes, options), direction=_direction(options, plan), theme=options.theme,
        nodes=tuple(nodes), edges=tuple(edges), groups=_groups(nodes, notes, plan),
        legend=_legend(backward, notes, options) if options.legend else (),
        badge=_badge(notes.check, options) if options.gradcheck else None, options=options)
    figure = folded(replace(figure, name=notes.name or ""), options.steps)
    return blanks.numbered(figure) if blanks else figure


def _circuit_figure(notes, options):
    """The circuit style (:mod:`.circuit`): gates, variables, and one labelled wire per edge."""
    from graphjac.render.model.circuit import gate_label, wire_lines
    from graphjac.render.model.rows import in_rows
    nodes, edges, p = [], [], options.precision
    for note in notes.nodes:
        if _folded(note, options):
            continue
        if note.op is None:
            nodes.append(FigureNode(f"n{note.id}", "variable", (notes.symbol(note.id),), note.group, name=note.name))
        else:
            nodes.append(FigureNode(f"n{note.id}", "gate", (gate_label(note, notes),), note.group, name=note.name))
    wires = [(f"n{e.src}", f"n{e.dst}", notes.nodes[e.src], e.value, f"nw{e.src}_{e.dst}_{e.slot_index}")
             for e in notes.edges if not _folded(notes.nodes[e.src], options)]
    if notes.target is not None:
        target = notes.nodes[notes.target]
        nodes.append(FigureNode("nout", "variable", (notes.symbol(target.id),), name=target.name))
        wires.append((f"n{target.id}", "nout", target, np.ones(()), "nwout"))
    for src, dst, note, grad, wire in wires:
        grad = grad if options.backward else None
        nodes.append(FigureNode(wire, "wire", wire_lines(note.value, grad, p), name=note.name,
                                phases=("forward" if note.op else "", "backward" if grad is not None else "")))
        edges += [FigureEdge(src, wire, "forward", joint="head"), FigureEdge(wire, dst, "forward", joint="tail")]
    direction = options.direction if options.direction in ("LR", "RL") else "LR"   # wires across the page
    figure = Figure(title=_title(notes, options), direction=direction, theme=options.theme, nodes=tuple(nodes),
                    edges=tuple(edges), groups=_groups(nodes, notes, SampleSelection.of(notes, options)),
                    legend=(), badge=_badge(notes.check, options) if options.gradcheck else None, options=options)
    return in_rows(figure, options.rows) if options.rows > 1 else figure


BLANK, BLANK_END = "@blank@", "@end@"   # where a hidden number goes (and the number), until they are numbered
_DIGIT = re.compile(r"[0-9]")


@record
class Blanks:
    """What an exercise sheet hides (``blank``): node ids whose value is hidden, and graph edges
    (src, dst) whose gradient is; ``answers`` draws the key instead (the numbers, each with its
    blank's number)."""

    values: frozenset
    grads: frozenset
    answers: bool
    short: bool = False   # each rule as short as the shortest, the number left off the key's too

    @classmethod
    def of(cls, notes, options) -> "Blanks":
        ids = {n.name: n.id for n in notes.nodes}
        values, grads = set(), set()
        if options.blank and options.style == "circuit":
            raise GraphjacError("render option blank: the circuit style draws no blanks; draw the exercise sheet in "
                                "the lecture style (style: lecture) or leave blank out")
        for item in options.blank:
            if item == "values":
                values |= {n.id for n in notes.nodes if n.op is not None}
            elif item == "grads":
                grads |= {(e.src, e.dst) for e in notes.edges}
            elif item in ids:
                values.add(ids[item])
                grads |= {(e.src, e.dst) for e in notes.edges if e.src == ids[item]}
            elif ":" in item and all(part in ids for part in item.rsplit(":", 1)):
                src, dst = (ids[part] for part in item.rsplit(":", 1))
                if not any((e.src, e.dst) == (src, dst) for e in notes.edges):
                    raise GraphjacError(f"render option blank: there is no edge {item.replace(':', ' → ')}")
                grads.add((src, dst))
            else:
                close = close_matches(item, ["values", "grads", *ids])
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise GraphjacError(f"render option blank: {item!r} is not values, grads, a node name or an "
                                    f"edge src:dst of this graph{hint}")
        if grads and "value" not in options.edge_labels:
            raise GraphjacError("render option blank: a gradient's blank stands where its value is written; add value "
                                "to edge_labels (edge_labels: symbol,formula,value)")
        if values and "value" not in options.node_labels:
            raise GraphjacError("render option blank: a value's blank stands where it is written; add value to "
                                "node_labels")
        return cls(frozenset(values), frozenset(grads), options.answers)

    def __bool__(self):
        return bool(self.values or self.grads)

    def value(self, text: str) -> str:
        """A number as the sheet shows it: a rule to write the answer on, right after the "=",
        numbered below its end; as long as the number (its digits all zeros, so that the sheet
        and its key lay out alike and the sheet's files never hold the answer) and half as long
        again, for handwriting. The key writes the number on the same rule. A ``short`` blank is
        the shortest rule, in the key too: its question carries the rule and the answer."""
        room = r"\phantom{" + "0" * max(2, (len(_DIGIT.findall(text)) + 1) // 2) + "}"
        mark = BLANK + text + BLANK_END      # the number itself travels with the rule until it is numbered
        if self.short:
            return r"\underline{\phantom{0} \phantom{00}}" + mark
        if self.answers:
            return r"\underline{" + text + " " + room + "}" + mark
        return r"\underline{\phantom{" + _DIGIT.sub("0", text) + "} " + room + "}" + mark

    def numbered(self, figure):
        """Blanks numbered in the order the passes compute them: values forward, then gradients
        as backprop reaches them; the figure lists them (:class:`SheetBlank`) for the questions."""
        counter = iter(range(1, 10**6))
        found = []

        names = {node.id: node.name for node in figure.nodes}

        def fill(key, label, phases=None, wanted=None, through=None):
            out = []
            for k, line in enumerate(label):
                if BLANK in line and (wanted is None or (phases[k] == "backward") == wanted):   # (⋮ has no phases)
                    while BLANK in line:
                        start = line.index(BLANK)
                        end = line.index(BLANK_END, start)
                        number = str(next(counter))
                        before = line[:start].rpartition(r" = \underline")[0] if r" = \underline" in line[:start] else ""
                        asked = before if before and not before.startswith("= ") else label[0].partition(r" = \underline")[0]
                        found.append(SheetBlank(number, key, asked, line[start + len(BLANK):end], through))
                        line = line[:start] + "_{" + number + "}" + line[end + len(BLANK_END):]
                out.append(line)
            return tuple(out)

        nodes = [replace(n, label=fill(n.id, n.label, n.phases, False)) for n in figure.nodes]
        edges = list(figure.edges)
        for k in backward_steps(figure):
            edge = edges[k]
            edges[k] = replace(edge, label=fill(f"e{k}", edge.label, through=(names.get(edge.src), names.get(edge.dst))))
        nodes = tuple(replace(n, label=fill(n.id, n.label, n.phases, True)) for n in nodes)   # totals: after their shares
        return replace(figure, nodes=nodes, edges=tuple(edges), blanks=tuple(found))


@record
class SheetBlank:
    """A numbered blank of an exercise figure: where it is (a node id or ``e<k>``), the formula
    whose number it hides, that number (LaTeX), and for a gradient on an edge the (op, operand)
    names it flows through."""

    number: str
    key: str
    asked: str
    answer: str
    through: Optional[tuple] = None


# ---------------------------------------------------------------------------- nodes


def _role(note, target):
    if note.id == target:
        return "target"
    if note.kind in ("input", "param", "const"):
        return note.kind
    return "loss" if note.kind == "loss" else "op"


def _nodes(notes, options, plan, blanks, most_axes=2):
    ellipsis = ellipsis_for(_direction(options, plan))
    tables = _tables(notes, options)
    data = {e.src for e in notes.edges if e.differentiable}
    out = []
    for note in notes.nodes:
        if note.id in plan.hidden or note.id in plan.absorbed or _folded(note, options):
            continue
        group = note.group
        minibatch = word(options, "minibatch")
        if note.id in plan.expanded and note.id in data and note.kind == "input" and group[-1:] != (minibatch,):
            group = group + (minibatch,)
        for node_id, sample in plan.ids(note.id):
            if node_id.endswith("e"):
                out.append(FigureNode(node_id, "ellipsis", (ellipsis,), group, name=note.name))
                continue
            lines = list(_node_label(notes, note, options, sample, plan, blanks, most_axes))
            lines += [_node_label(notes, notes.nodes[i], options, sample, plan, blanks, most_axes)[0]
                      for i, dst in plan.absorbed.items() if dst == note.id]
            drawn = tables.get(note.id, ()) if sample in (None, 1) else ()
            label, phases = zip(*lines) if lines else ((), ())
            out.append(FigureNode(node_id, _role(note, notes.target), label, group, tuple(t for t, _ in drawn),
                                  note.name, sample, phases + tuple(phase for _, phase in drawn), note.scope))
    return out


def _folded(note, options):
    """An unnamed constant (a number in an expression) shown in its gate's formula, not as a node."""
    return note.kind == "const" and note.auto_named and options.constants == "fold"


def _node_label(notes, note, options, sample, plan, blanks, most_axes=2):
    """(LaTeX line, phase) pairs: the formula (or symbol), then value (of at most ``most_axes``
    axes), gradient and space as asked."""
    parts, p = options.node_labels, options.precision
    superscript = plan.superscript(sample)
    symbol = notes.symbol(note.id, superscript)
    formula = notes.formula(note.id, superscript)
    value = _sample_value(note.value, note.batch, sample)
    grad = _sample_value(note.grad, note.batch, sample)
    shown = value is not None and "value" in parts and numbers.fits(value) and note.name not in options.tables \
        and np.ndim(value) <= most_axes
    if sample is not None and sample != plan.samples[0]:   # the formula once, on the first sample
        formula = None
    if note.op is None and note.name in options.tables and sample in (None, 1):   # the table says "W = […]"
        return ()
    lines = [(formula if formula and "formula" in parts else symbol, "")]
    shown_value = numbers.value(value, p) if shown else None
    if shown and note.id in blanks.values:
        shown_value = blanks.value(shown_value)
    if note.op is None:
        constant_text = note.kind == "const" and value is not None and symbol == numbers.value(value, p)
        if shown and not constant_text:
            lines[0] = (symbol + " = " + shown_value, "")
    elif shown:
        lines.append(("= " + shown_value, "forward"))
    total = notes.total(note.id, superscript) if options.backward and note.grad is not None else None
    asked = total is not None and any((e.src, e.dst) in blanks.grads for e in notes.edges if e.src == note.id)
    if total is not None and note.shape != () and notes.share_count(note.id) < 3 \
            and "grad" not in parts and not asked:
        total = None   # two shares of an array: named on their edges (a line here costs a slide 2 pt)
    if total is not None and (sample is None or note.batch):   # a shared node: its shares add up
        if asked and grad is not None and numbers.fits(grad):   # an exercise asks for the total too
            lines.append((total + " = " + blanks.value(numbers.value(grad, p)), "backward"))
        else:
            values = _share_values(notes, note, options, sample)
            lines.append((notes.grad_symbol(note.id, superscript) + values if values else total, "backward"))
    elif "grad" in parts and grad is not None and numbers.fits(grad):
        lines.append((notes.grad_symbol(note.id, superscript) + " = " + numbers.value(grad, p), "backward"))
    if "shape" in parts:
        lines.append((r"\in " + note.value_space, ""))
    return tuple(lines)


def _share_values(notes, note, options, sample) -> str:
    """`` = 2 + 3 = 5``: a scalar node's shares (named on its edges) and their sum, as Colah
    writes ∂e/∂b; nothing for arrays, whose total is written as the sum of the shares' symbols."""
    if "value" not in options.edge_labels or note.shape != () or note.grad is None:
        return ""
    shares = [e.value for e in notes.edges if e.src == note.id and e.value is not None]
    p = options.precision
    total = " = " + numbers.number(float(note.grad), p)
    if len(shares) > 3:    # the shares are on the edges; their sum here
        return total
    return " = " + " + ".join(numbers.number(float(v), p) for v in shares).replace("+ -", "- ") + total


def _sample_value(array, batch, sample):
    """The value of one sample of a minibatch node; None for a whole minibatch (too big inline)."""
    if array is None:
        return None
    if batch:
        return None if sample is None else array[sample - 1]
    return array


def _tables(notes, options):
    """graph node id -> (table, phase) pairs drawn on it: values listed in ``tables`` (computed by
    the forward pass for an op), local Jacobians in ``jacobians`` (used by the backward pass)."""
    by_name = {n.name: n for n in notes.nodes}
    out = {}
    for name in options.tables:
        note = by_name[name]
        rows = np.atleast_2d(note.value)
        if rows.ndim > 2:
            raise GraphjacError(f"render option tables: node {name!r} has a {note.value.ndim}-D value "
                                f"{note.value.shape}; only vectors and matrices can be drawn as a table")
        table = _table(notes.whole_symbol(note.id), rows, options.precision)
        out.setdefault(note.id, []).append((table, "forward" if note.op is not None else ""))
    for jacobian in notes.jacobians:
        table = _table(jacobian.caption, jacobian.matrix, options.precision)
        out.setdefault(jacobian.dst, []).append((table, "backward"))
    return {k: tuple(v) for k, v in out.items()}


def _table(caption, rows, precision):
    return Table(caption, tuple(tuple(numbers.number(v, precision) for v in row) for row in np.atleast_2d(rows)))


# ---------------------------------------------------------------------------- edges


def _edges(notes, options, plan, blanks):
    ids = {n.name: n.id for n in notes.nodes}
    emphasis = {(ids[a], ids[b]) for a, b in options.highlight}
    edges = {(e.src, e.dst) for e in notes.edges}
    for a, b in options.highlight:
        if (ids[a], ids[b]) not in edges:
            into = sorted(notes.nodes[s].name for s, d in edges if d == ids[b])
            raise GraphjacError(f"render option highlight: there is no edge {a} → {b} "
                                f"({'edges into ' + b + ' come from ' + ', '.join(into) if into else b + ' has no operands'})")
    forward, backward = [], []
    for edge in notes.edges:
        if edge.src in plan.hidden or edge.src in plan.absorbed or _folded(notes.nodes[edge.src], options):
            continue
        pairs = plan.pairs(edge.src, edge.dst)
        strong = (edge.src, edge.dst) in emphasis
        for (src, s_sample), (dst, d_sample) in pairs:
            if src.endswith("e") or dst.endswith("e"):
                forward.append(FigureEdge(src, dst, "layout"))
                continue
            forward.append(FigureEdge(src, dst, "forward", emphasis=strong))
            if options.backward and edge.value is not None:   # only edges a gradient flows through
                label = _edge_label(notes, edge, options, plan, s_sample, d_sample, blanks)
                backward.append(FigureEdge(dst, src, "backward", label, strong))
    return forward + backward


def _edge_label(notes, edge, options, plan, s_sample, d_sample, blanks):
    """∂T/∂src = chain-rule formula [= value] [∈ shape], as ``edge_labels`` asks."""
    parts, p = options.edge_labels, options.precision
    sample = s_sample or d_sample
    src_batch = notes.nodes[edge.src].batch
    symbol, formula, value, local = edge.symbol, edge.formula, edge.value, edge.local
    if sample is not None:
        if not src_batch:   # one sample's share of ∂T/∂(a shared node): drawn, not labelled
            return ()
        if value is not None:
            value = value[sample - 1]
        superscript = plan.superscript(sample)
        symbol, formula = notes.edge_symbol(edge, superscript), notes.edge_formula(edge, superscript)
        local = notes.edge_local(edge, superscript)
        if sample != plan.samples[0] and edge.chained:   # a chain rule once, on sample 1
            formula = local = None
    elif src_batch:   # every sample's ∂J/∂src⁽ⁱ⁾ at once: too much for one label
        value = None
    first = [x for x, part in ((symbol, "symbol"), (formula, "formula")) if x and part in parts]
    rest = []
    if "value" in parts and value is not None and numbers.fits(value):
        text = numbers.value(value, p)
        if not (formula and "formula" in parts and formula == text):   # not "∂z/∂x = 1 = 1"
            rest.append(blanks.value(text) if (edge.src, edge.dst) in blanks.grads else text)
    lines = [" = ".join(first)] if first else []
    if rest:
        if lines and formula and "formula" in parts:
            lines.append("= " + rest[0])
        else:
            lines = [" = ".join(first + rest)]
    if "local" in parts and local:
        if edge.local_value is not None and sample is None:
            number = numbers.number(edge.local_value, p)
            local = local if local.endswith("= " + number) else local + " = " + number
        lines.append(local)
    if "shape" in parts:
        lines.append(r"\in " + edge.shape)
    return tuple(line for line in lines if line)


# ---------------------------------------------------------------------------- the rest


def _direction(options, plan):
    if options.direction != "auto":
        return options.direction
    return "LR" if plan.expanded else "BT"


def _title(notes, options):
    title = notes.name if options.title is None else options.title
    return (r"\text{" + escape_text(title) + "}",) if title else ()


def _groups(nodes, notes, plan):
    """Every group path and its prefixes, in order of first appearance; a box names the shared
    leaves it stands for (``Model: w⃗, b``) when they are not drawn."""
    paths = dict.fromkeys(node.group[:k] for node in nodes for k in range(1, len(node.group) + 1))
    groups = []
    for path in paths:
        title = r"\text{" + escape_text(path[-1]) + "}"
        named = [notes.nodes[i].symbol for i, group in plan.hidden.items() if group == path]
        if named:
            title += r"\text{: } " + ", ".join(named)
        groups.append(FigureGroup(path, (title,)))
    return tuple(groups)


def _text(words):
    return r"\text{" + escape_text(words) + "}"


def _legend(backward, notes, options):
    entries = [LegendEntry("forward", (_text(word(options, "forward")),))]
    if backward:
        entries.append(LegendEntry("backward", (_text(word(options, "backward") + " ") + notes.legend_symbol(),)))
    return tuple(entries)


def _badge(result, options):
    """The gradient check's verdict, as the annotated graph carries it."""
    if result.ok:
        return Badge(True, (r"\checkmark " + _text(" " + word(options, "gradcheck_ok")),))
    return Badge(False, (r"\times " + _text(" " + word(options, "gradcheck_failed") + " ") + _text(result.worst.name),))


def backward_steps(figure) -> tuple:
    """Indices of ``figure.edges`` that are backward edges, in the order backward computes them:
    latest node first (reverse topological order), its operands in slot order, sample 1 first."""
    position = {node.id: k for k, node in enumerate(figure.nodes)}
    first = {}
    for node in figure.nodes:
        first.setdefault(node.name, position[node.id])
    source = {node.id: node for node in figure.nodes}
    backward = [k for k, edge in enumerate(figure.edges) if edge.direction == "backward"]
    return tuple(sorted(backward, key=lambda k: (-first[source[figure.edges[k].src].name],
                                                 position[figure.edges[k].src], k)))
