r"""The figure model: what a diagram draws, independent of how (DOT, TikZ, typeset math).

:func:`build_figure` reads ``graph.annotate()`` and the :class:`RenderOptions` and returns a
:class:`Figure` of plain frozen dataclasses. Every label is a tuple of LaTeX lines; writers
turn them into their own markup. Node ids are stable (``n0, n1, …`` in build order;
``n4s1`` is sample 1 of node 4, ``n4e`` its ellipsis), so the same graph gives the same figure.

>>> import graphjac as gj
>>> g = gj.Graph("xy")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> fig = build_figure(g, RenderOptions())
>>> [(n.id, n.role, n.label) for n in fig.nodes]
[('n0', 'input', ('x = 3',)), ('n1', 'input', ('y = 2',)), ('n2', 'target', ('z = x \\, y', '= 6'))]
>>> [(e.src, e.dst, e.direction) for e in fig.edges]
[('n0', 'n2', 'forward'), ('n1', 'n2', 'forward'), ('n2', 'n0', 'backward'), ('n2', 'n1', 'backward')]
>>> fig.edges[2].label
('\\frac{\\partial z}{\\partial x} = y',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import GraphjacError
from ..symbols import escape_text
from . import numbers
from .options import RenderOptions
from .samples import SamplePlan, per_sample

ROLES = ("input", "param", "const", "op", "loss", "target", "ellipsis")
EDGE_DIRECTIONS = ("forward", "backward", "layout")   # layout: keeps ellipses in line, never drawn


@dataclass(frozen=True)
class Table:
    """A matrix drawn as a table: a caption (LaTeX) and rows of LaTeX cells."""

    caption: str
    rows: tuple

    def latex(self) -> str:
        r"""``caption = \begin{bmatrix} … \end{bmatrix}``."""
        body = r" \\ ".join(" & ".join(row) for row in self.rows)
        return self.caption + r" = \begin{bmatrix} " + body + r" \end{bmatrix}"


@dataclass(frozen=True)
class FigureNode:
    """A drawn node. ``name`` is the graph node it shows; ``sample`` the sample it stands for
    (1-based; None when it stands for all of them). ``label`` is empty for a leaf drawn as a
    table (the table's caption names it)."""

    id: str
    role: str
    label: tuple
    group: tuple = ()
    tables: tuple = ()
    name: Optional[str] = None
    sample: Optional[int] = None


@dataclass(frozen=True)
class FigureEdge:
    """A drawn edge: forward (value flow), backward (∂J/∂src) or layout (invisible)."""

    src: str
    dst: str
    direction: str
    label: tuple = ()
    emphasis: bool = False


@dataclass(frozen=True)
class FigureGroup:
    """A box around the nodes whose group path starts with ``path``."""

    path: tuple
    label: tuple


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: an edge direction and what it means."""

    direction: str
    label: tuple


@dataclass(frozen=True)
class Badge:
    """The gradient check's verdict, shown on the figure."""

    ok: bool
    label: tuple


@dataclass(frozen=True)
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


def prepare(graph) -> None:
    """Run the passes a figure needs: forward if values are missing, backward if the graph has a
    target J but no gradients."""
    if len(graph) and not graph.has_values:
        graph.forward()
    if graph.target is not None and not graph.has_grads:
        graph.backward(graph.target)


def build_figure(graph, options: RenderOptions) -> Figure:
    """The figure of ``graph`` as ``options`` ask (runs :func:`prepare` first)."""
    prepare(graph)
    notes = graph.annotate(vector_style=options.vector_style)
    _check_names(graph, options)
    plan = SamplePlan.of(notes, options)
    nodes = _nodes(graph, notes, options, plan)
    edges = _edges(graph, notes, options, plan)
    backward = any(e.direction == "backward" for e in edges)
    return Figure(
        title=_title(graph, options), direction=_direction(options, plan), theme=options.theme,
        nodes=tuple(nodes), edges=tuple(edges), groups=_groups(nodes, notes, plan),
        legend=_legend(backward, notes) if options.legend else (), badge=_badge(graph) if options.gradcheck else None,
        options=options)


# ---------------------------------------------------------------------------- nodes


def _role(note, target):
    if note.id == target:
        return "target"
    if note.kind in ("input", "param", "const"):
        return note.kind
    return "loss" if note.kind == "loss" else "op"


def _nodes(graph, notes, options, plan):
    ellipsis = r"\vdots" if _direction(options, plan) in ("LR", "RL") else r"\cdots"
    tables = _tables(graph, notes, options)
    data = {e.src for e in notes.edges if e.differentiable}
    out = []
    for note in notes.nodes:
        if note.id in plan.hidden or note.id in plan.absorbed:
            continue
        group = note.group
        if note.id in plan.expanded and note.id in data and note.kind == "input" \
                and group[-1:] != ("Minibatch",):
            group = group + ("Minibatch",)
        for node_id, sample in plan.ids(note.id):
            if node_id.endswith("e"):
                out.append(FigureNode(node_id, "ellipsis", (ellipsis,), group, name=note.name))
                continue
            label = _node_label(note, options, sample, plan)
            label += tuple(_node_label(notes.nodes[i], options, sample, plan)[0]
                           for i, dst in plan.absorbed.items() if dst == note.id)
            out.append(FigureNode(node_id, _role(note, notes.target), label, group,
                                  tables.get(note.id, ()) if sample in (None, 1) else (), note.name, sample))
    return out


def _node_label(note, options, sample, plan):
    """LaTeX lines: the formula (or symbol), then value, gradient and space as asked."""
    parts, p = options.node_labels, options.precision
    symbol = note.symbol if sample is None else per_sample(note.symbol, plan, sample)
    formula = note.formula if sample is None else note.formula and per_sample(note.formula, plan, sample)
    value = _sample_value(note.value, note.batch, sample)
    grad = _sample_value(note.grad, note.batch, sample)
    shown = value is not None and "value" in parts and numbers.fits(value) and note.name not in options.tables
    if sample is not None and sample != plan.samples[0]:   # the formula once, on the first sample
        formula = None
    if note.op is None and note.name in options.tables:   # the table says "W = […]" itself
        return ()
    lines = [formula if formula and "formula" in parts else symbol]
    if note.op is None:
        constant_text = note.kind == "const" and value is not None and symbol == numbers.value(value, p)
        if shown and not constant_text:
            lines[0] = symbol + " = " + numbers.value(value, p)
    elif shown:
        lines.append("= " + numbers.value(value, p))
    if "grad" in parts and grad is not None and numbers.fits(grad):
        lines.append(_partial(note, symbol) + " = " + numbers.value(grad, p))
    if "shape" in parts:
        lines.append(r"\in " + note.value_space)
    return tuple(lines)


def _partial(note, symbol):
    return r"\frac{\partial J}{\partial " + symbol + "}"


def _sample_value(array, batch, sample):
    """The value of one sample of a minibatch node; None for a whole minibatch (too big inline)."""
    if array is None:
        return None
    if batch:
        return None if sample is None else array[sample - 1]
    return array


def _tables(graph, notes, options):
    """graph node id -> tables drawn on it: values listed in ``tables``, Jacobians in ``jacobians``."""
    by_name = {n.name: n for n in notes.nodes}
    out = {}
    for name in options.tables:
        note = by_name[name]
        rows = np.atleast_2d(note.value)
        if rows.ndim > 2:
            raise GraphjacError(f"render option tables: node {name!r} has a {note.value.ndim}-D value "
                                f"{note.value.shape}; only vectors and matrices can be drawn as a table")
        out.setdefault(note.id, []).append(_table(note.symbol, rows, options.precision))
    for dst, src in options.jacobians:
        d, s = by_name[dst], by_name[src]
        if s.id not in graph.record(dst).inputs:
            raise GraphjacError(f"render option jacobians: {src!r} is not an operand of {dst!r}")
        caption = r"\frac{\partial " + d.symbol + r"}{\partial " + s.symbol + "}"
        if d.batch:
            caption = caption.replace("^{(i)}", "^{(1)}")
        out.setdefault(d.id, []).append(_table(caption, graph.jacobian(dst, src), options.precision))
    return {k: tuple(v) for k, v in out.items()}


def _table(caption, rows, precision):
    return Table(caption, tuple(tuple(numbers.number(v, precision) for v in row) for row in np.atleast_2d(rows)))


# ---------------------------------------------------------------------------- edges


def _edges(graph, notes, options, plan):
    emphasis = {(graph.record(a).id, graph.record(b).id) for a, b in options.highlight}
    forward, backward = [], []
    for edge in notes.edges:
        if edge.src in plan.hidden or edge.src in plan.absorbed:
            continue
        pairs = plan.pairs(edge.src, edge.dst)
        strong = (edge.src, edge.dst) in emphasis
        for (src, s_sample), (dst, d_sample) in pairs:
            if src.endswith("e") or dst.endswith("e"):
                forward.append(FigureEdge(src, dst, "layout"))
                continue
            forward.append(FigureEdge(src, dst, "forward", emphasis=strong))
            if options.backward and edge.value is not None:   # only edges a gradient flows through
                label = _edge_label(edge, notes.nodes[edge.src].batch, options, plan, s_sample, d_sample)
                backward.append(FigureEdge(dst, src, "backward", label, strong))
    return forward + backward


def _edge_label(edge, src_batch, options, plan, s_sample, d_sample):
    """∂J/∂src = chain-rule formula [= value] [∈ shape], as ``edge_labels`` asks."""
    parts, p = options.edge_labels, options.precision
    sample = s_sample or d_sample
    symbol, formula, value = edge.symbol, edge.formula, edge.value
    if sample is not None:
        if not src_batch:   # one sample's share of ∂J/∂(a shared node): drawn, not labelled
            return ()
        if value is not None:
            value = value[sample - 1]
        symbol = per_sample(symbol, plan, sample)
        formula = per_sample(formula, plan, sample)
        if sample != plan.samples[0] and r"\partial" in formula:   # a chain rule once, on sample 1
            formula = None
    elif src_batch:   # every sample's ∂J/∂src⁽ⁱ⁾ at once: too much for one label
        value = None
    first = [x for x, part in ((symbol, "symbol"), (formula, "formula")) if x and part in parts]
    rest = []
    if "value" in parts and value is not None and numbers.fits(value):
        text = numbers.value(value, p)
        if not (formula and "formula" in parts and formula == text):   # not "∂z/∂x = 1 = 1"
            rest.append(text)
    lines = [" = ".join(first)] if first else []
    if rest:
        if lines and formula and "formula" in parts:
            lines.append("= " + rest[0])
        else:
            lines = [" = ".join(first + rest)]
    if "shape" in parts:
        lines.append(r"\in " + edge.shape)
    return tuple(line for line in lines if line)


# ---------------------------------------------------------------------------- the rest


def _check_names(graph, options):
    """Every node an option names exists (the error names the option and suggests a node)."""
    names = [("tables", n) for n in options.tables]
    names += [(opt, n) for opt in ("jacobians", "highlight") for pair in getattr(options, opt) for n in pair]
    for option, name in names:
        if name not in graph:
            try:
                graph.node(name)
            except GraphjacError as exc:
                raise GraphjacError(f"render option {option}: {exc}") from None


def _direction(options, plan):
    if options.direction != "auto":
        return options.direction
    return "LR" if plan.expanded else "BT"


def _title(graph, options):
    title = graph.name if options.title is None else options.title
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


def _legend(backward, notes):
    entries = [LegendEntry("forward", (r"\text{forward: values}",))]
    if backward:
        target = notes.nodes[notes.target].symbol
        entries.append(LegendEntry("backward", (r"\text{backward: } \frac{\partial " + target + r"}{\partial \cdot}",)))
    return tuple(entries)


def _badge(graph):
    """Runs the library's gradient check; the badge only reports it."""
    if graph.target is None:
        raise GraphjacError("render option gradcheck: the graph has no loss J to check; "
                            "call g.backward(J) first or name the target in the spec")
    result = graph.gradcheck()
    if result.ok:
        return Badge(True, (r"\checkmark \text{ gradients agree with finite differences}",))
    worst = result.worst
    return Badge(False, (r"\times \text{ gradcheck failed: } \text{" + escape_text(worst.name) + "}",))
