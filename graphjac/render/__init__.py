"""Figures: a graph's figure model (``model/``), laid out with Graphviz (``layout/``), its formulas
typeset (``math/``) and written in every format (``writers/``).

The public entry points are :func:`to_dot` and :func:`render` (also ``Graph.to_dot`` and
``Graph.render``); :func:`figure_for` gives the renderer-neutral :class:`~.model.figure.Figure`
(with ``details=True``, every number an interactive page shows). Writers read only that figure.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from graphjac.errors import GraphjacError
from graphjac.io.fileio import atomic_write
from graphjac.notation.formulas import for_figure
from graphjac.options import RenderOptions, option_help
from graphjac.render.model.figure import Figure, build_figure
from graphjac.render.writers.formats import WRITERS, register, writer_for

__all__ = ["Figure", "RenderOptions", "WRITERS", "draw", "figure_for", "option_help", "options_for", "register",
           "render", "to_dot", "writer_for"]


def options_for(graph, options=None, **overrides) -> RenderOptions:
    """The graph's stored ``render_options`` (a spec's ``render:``), then ``options``, then keywords."""
    merged = dict(graph.render_options)
    if options is not None:
        if isinstance(options, RenderOptions):
            merged.update({f.name: getattr(options, f.name) for f in fields(RenderOptions)})
        elif isinstance(options, dict):
            merged.update(options)
        else:
            raise GraphjacError(f"render options: expected RenderOptions or a mapping of option names to values; "
                                f"got {options!r}")
    merged.update(overrides)
    return RenderOptions.from_mapping(merged)


def figure_for(graph, options=None, *, details: bool = False, short_blanks: bool = False, **overrides) -> Figure:
    """The figure model of ``graph``: the graph prepared and annotated by the notation layer
    (:func:`graphjac.notation.formulas.for_figure`), then laid out as the options ask; with
    ``details``, every number an interactive page shows in full
    (:func:`graphjac.notation.details.details`); ``short_blanks``: a worksheet's blanks all short
    (:func:`.model.figure.build_figure`)."""
    chosen = options_for(graph, options, **overrides)
    notes = for_figure(graph, chosen)
    figure = replace(build_figure(notes, chosen, short_blanks=short_blanks), name=graph.name or "")
    if chosen.fit is not None:
        figure = _fitted(graph, notes, figure, options, overrides)
    elif chosen.style == "circuit" and not chosen.rows:
        from graphjac.render.layout.fitting import within
        figure = within(figure)
    return replace(figure, details=_details(graph, figure)) if details else figure


BRIEF_FROM = 5.0   # points: a figure fitted this small or larger is tried brief (half as large again, at most)


def _fitted(graph, notes, figure, options, overrides):
    """``figure`` fitted to its page; one still short of legible there, that is no exercise and
    whose steps the user left as they are, is tried brief as well: first without any matrix's
    numbers in its nodes, then also with ∂J/∂x alone on its edges, then with no vector's numbers
    either (every number and formula is still on the interactive page), each drawn so if that
    is larger; a step that changes labels the user named (``node_labels``, ``edge_labels``, in
    the render or the spec) is not tried (``notes``: the graph annotated as ``figure`` shows it)."""
    from graphjac.progress import chose, fitting
    with fitting():   # one fit to a watcher, however many brief figures it tries
        text, best = _fitted_brief(graph, notes, figure, options, overrides)
        chose(text, left_out(figure, best))
        return best


def _fitted_brief(graph, notes, figure, options, overrides):
    from graphjac.render.layout.fitting import LEGIBLE, fitted_text
    keep_direction = _direction_given(options, overrides)
    text, best = fitted_text(figure, keep_direction)
    if not LEGIBLE > text >= BRIEF_FROM or figure.blanks or figure.options.style == "circuit" \
            or _given(graph, options, overrides, "steps") or _given(graph, options, overrides, "node_labels"):
        return text, best
    symbols = figure.options.updated(edge_labels=("symbol",))
    ladder = ((figure.options, 1),) if _given(graph, options, overrides, "edge_labels") \
        else ((figure.options, 1), (symbols, 1), (symbols, 0))
    annotated = {figure.options: notes}   # each options' annotation made once, when first needed
    for brief_options, most_axes in ladder:
        if brief_options not in annotated:
            annotated[brief_options] = for_figure(graph, brief_options)
        brief = replace(build_figure(annotated[brief_options], brief_options, most_axes), name=figure.name)
        brief_text, brief_best = fitted_text(brief, keep_direction)
        if brief_text > text:
            text, best = brief_text, brief_best
        if text >= LEGIBLE:
            break
    return text, best


def left_out(figure, drawn) -> str:
    """What ``fit`` left out of ``figure`` to draw it as ``drawn``, in words ("" for nothing):
    steps folded, submodules collapsed, numbers or formulas left off, each with the option that
    keeps it where there is one (only a recurrent model's steps named keep its submodules open).

    >>> import graphjac as gj
    >>> rnn = gj.load("lecture:rnn_bptt")
    >>> left_out(figure_for(rnn), figure_for(rnn, steps=1))
    't = 2 folded into ⋯ (--steps 3 draws every step)'
    """
    from graphjac.notation.mathtext import to_unicode
    from graphjac.render.model.folds import ELLIPSIS_ID, step_groups
    said = []
    families = step_groups(figure)
    keep = f" (--steps {len(families[0])} draws every step)" if families else ""
    folded = next((n for n in drawn.nodes if n.id == ELLIPSIS_ID), None)
    if folded is not None and not any(n.id == ELLIPSIS_ID for n in figure.nodes):
        said.append(f"{to_unicode(folded.label[-1]).strip()} folded into ⋯{keep}")
    elif len(drawn.nodes) < len(figure.nodes):   # a model's steps named keep it whole; nothing else does
        said.append(f"submodules drawn as one node each{keep}")
    if _matrices(figure) and not _matrices(drawn):
        said.append(f"no matrix's numbers (--node-labels {','.join(figure.options.node_labels)} keeps them)")
    if drawn.options.edge_labels != figure.options.edge_labels:
        said.append(f"no formulas on the edges (--edge-labels {','.join(figure.options.edge_labels)} keeps them)")
    return "; ".join(said)


def _matrices(figure) -> bool:
    """Whether any node of ``figure`` shows a matrix's numbers."""
    return any("{bmatrix}" in line for node in figure.nodes for line in node.label)


def _given(graph, options, overrides, name) -> bool:
    """Whether the render or the graph's own options (a spec's ``render:``) name the option ``name``."""
    if name in overrides or name in graph.render_options or (isinstance(options, dict) and name in options):
        return True
    if isinstance(options, RenderOptions):
        return getattr(options, name) != getattr(RenderOptions(), name)
    return False


def _direction_given(options, overrides) -> bool:
    """Whether the render itself names a direction (``--direction TB``, ``direction=`` or the
    options given): ``fit`` keeps it and chooses only the spacing (a spec's own direction is
    a default that ``fit`` may turn)."""
    if overrides.get("direction", "auto") != "auto":
        return True
    if isinstance(options, RenderOptions):
        return options.direction != "auto"
    return isinstance(options, dict) and options.get("direction", "auto") != "auto"


def _details(graph, figure) -> dict:
    """What hovering each node and backward edge of ``figure`` shows (samples numbered from 1)."""
    from graphjac.notation.details import details
    by_id = {node.id: node for node in figure.nodes}
    nodes = [(node.id, node.name, node.sample) for node in figure.nodes]
    edges = []
    for k, edge in enumerate(figure.edges):
        op, operand = by_id.get(edge.src), by_id.get(edge.dst)
        if edge.direction == "backward" and op is not None and operand is not None:
            sample = operand.sample if operand.sample is not None else op.sample
            edges.append((f"e{k}", op.name, operand.name, sample))
    return details(graph, nodes, edges)


def to_dot(graph, options=None, **overrides) -> str:
    """The figure as Graphviz DOT text (no Graphviz needed)."""
    return WRITERS["dot"].write(figure_for(graph, options, **overrides))


def draw(graph, format: str, options=None, **overrides):
    """The figure's file contents in ``format`` (str for text formats, bytes otherwise)."""
    return _written(graph, writer_for(format=format), options, overrides)


def render(graph, path, format=None, options=None, **overrides) -> Path:
    """Write the figure to ``path`` atomically; the format comes from the suffix or ``format``."""
    return atomic_write(path, _written(graph, writer_for(path, format), options, overrides), inputs=graph.sources)


def _written(graph, writer, options, overrides):
    return writer.write(figure_for(graph, options, details=writer.needs_details, **overrides))
