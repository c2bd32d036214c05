"""Interactive HTML figures: the typeset SVG with a small script (no framework, no network) that
steps through the passes, shows each node's and edge's full numbers, and tries a descent step.

- Steps: the same as the frames' (:func:`.steps.reveal_steps`), with buttons and the arrow keys.
- Details: hovering or focusing (Tab) a node or a backward edge shows its value and ∂J/∂· in
  full, as matrices; an edge also shows its local Jacobian ∂dst/∂src (numerator layout).
- Toggles: values, gradients and local Jacobians each shown or hidden.
- Descent: for a parameter p, the step p ← p − η ∂J/∂p and the J it gives, for each η the page
  offers (computed by the engine when the page is written, so the numbers are the engine's).
- Accessible: every node and edge is in the tab order with an ``aria-label`` reading its formula
  in Unicode; focus is visible; the colours follow the page's light or dark scheme.
- Several figures share a page: nothing is found by a global id; each figure's script looks only
  inside its own ``<div class="graphjac-interactive">``.

``html_page`` is a whole document, ``html_fragment`` what a notes page embeds (Sphinx, MkDocs,
Jupyter).
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from importlib.resources import files

import numpy as np

from graphjac.notation.mathtext import to_unicode
from graphjac.render.model.steps import PASSES, never_shown, reveal_steps
from graphjac.render.writers.composer import serialize, svg_tree
from graphjac.render.writers.svgids import prefixed

RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)   # the learning rates η a page offers


def html_page(graph, figure, title=None) -> str:
    """A whole HTML document holding the interactive figure."""
    name = html.escape(title or graph.name or "figure")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{name}</title>\n"
            "<meta name=\"color-scheme\" content=\"light dark\">\n</head>\n<body>\n"
            + html_fragment(graph, figure) + "\n</body>\n</html>\n")


def html_fragment(graph, figure) -> str:
    """The interactive figure as one ``<div>``: its style, controls, SVG, data and script."""
    if figure.options.math != "typeset":
        figure = replace(figure, options=replace(figure.options, math="typeset"))
    svg, _ = svg_tree(figure, split_lines=True)
    forward = [list(step) for step in reveal_steps(figure, ("forward",))]
    steps = [list(step) for step in reveal_steps(figure, PASSES)]
    items = {item for step in steps for item in step} | never_shown(figure, PASSES)
    details = _details(graph, figure)
    _mark(svg, items, details)
    data = {"steps": steps, "backward": len(forward), "details": details, "rates": list(RATES)}
    drawing = prefixed(serialize(svg).split("?>", 1)[-1].strip())
    assets = files("graphjac.render.writers") / "assets"
    return (f'<div class="graphjac-interactive">\n<style>{(assets / "figure.css").read_text(encoding="utf-8")}</style>\n'
            + _controls() + f'<div class="gj-drawing">{drawing}</div>\n'
            + '<div class="gj-details" aria-live="polite"><p>Hover over or focus (Tab) a node or an edge to '
              'see its numbers in full.</p></div>\n'
            + f'<script type="application/json" class="gj-data">{_json(data)}</script>\n'
            + f'<script>{(assets / "figure.js").read_text(encoding="utf-8")}</script>\n</div>')


def _controls() -> str:
    return ('<div class="gj-controls" role="toolbar" aria-label="step through the passes">'
            '<button type="button" class="gj-first" aria-label="back to the given values">start</button>'
            '<button type="button" class="gj-prev" aria-label="previous step">◀ back</button>'
            '<button type="button" class="gj-next" aria-label="next step">next ▶</button>'
            '<button type="button" class="gj-last" aria-label="every step">end</button>'
            '<span class="gj-step" aria-live="polite"></span>'
            '<label><input type="checkbox" class="gj-show-values" checked> values</label>'
            '<label><input type="checkbox" class="gj-show-grads" checked> gradients</label>'
            '<label><input type="checkbox" class="gj-show-local" checked> local Jacobians</label>'
            '</div>\n')


def _json(data) -> str:
    """JSON that cannot end, or change the parsing of, the script element it stands in: ``<``,
    ``>`` and ``&`` as escapes (a name ``x<!--<script>`` would otherwise swallow the page), every
    other non-ASCII character too (a lone surrogate in a name is then text, not an encoding error).

    >>> print(_json({"name": "x<!--<script>"}))
    {"name":"x\\u003c!--\\u003cscript\\u003e"}
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------------------ what each element shows

def _numbers(array):
    """An array as nested lists of floats (None for no array), every digit kept."""
    return None if array is None else np.asarray(array, dtype=float).tolist()


def _details(graph, figure) -> dict:
    """Figure id -> what hovering it shows, from the engine's numbers."""
    annotations = graph.annotate()
    notes = {note.name: note for note in annotations.nodes}
    edge_notes = {(note.src, note.dst): note for note in annotations.edges}
    by_id = {node.id: node for node in figure.nodes}
    out = {}
    for node in figure.nodes:
        if node.name is None or node.name not in graph:
            continue
        value, grad = graph.value(node.name), graph.grad(node.name)
        if node.sample is not None and graph.record(node.name).batch:   # samples are numbered from 1
            value = value[node.sample - 1]
            grad = None if grad is None else grad[node.sample - 1]
        note = notes.get(node.name)
        formula = to_unicode(note.formula or note.symbol) if note is not None else node.name
        entry = {"kind": "node", "name": node.name, "formula": formula, "value": _numbers(value),
                 "grad": _numbers(grad), "sample": node.sample,
                 "grad_of": to_unicode(annotations.grad_symbol(note.id)) if note is not None else "gradient"}
        if graph.record(node.name).kind == "param" and grad is not None and graph.target is not None:
            entry["descent"] = _descent(graph, node.name)
        out[node.id] = entry
    for k, edge in enumerate(figure.edges):
        if edge.direction != "backward":
            continue
        op, operand = by_id.get(edge.src), by_id.get(edge.dst)
        if op is None or operand is None or op.name is None or operand.name is None:
            continue
        numbered = operand.sample if operand.sample is not None else op.sample
        sample = 0 if numbered is None else numbered - 1                 # samples are numbered from 1
        share = graph.edge_grad(operand.name, op.name)
        if share is not None and operand.sample is not None and graph.record(operand.name).batch:
            share = share[sample]
        jacobian = None
        if _jacobian_size(graph, op.name, operand.name) <= JACOBIAN_LIMIT:   # else its VJP's numbers alone
            jacobian = graph.jacobian(op.name, operand.name, sample=sample) if graph.record(op.name).batch \
                else graph.jacobian(op.name, operand.name)
        note = edge_notes.get((graph.node(operand.name).id, graph.node(op.name).id))
        formula = f"{to_unicode(note.symbol)} = {to_unicode(note.formula)}" if note is not None and note.formula \
            else f"{operand.name} → {op.name}"
        shown = to_unicode(note.symbol) if note is not None else f"∂/∂{operand.name}"
        out[f"e{k}"] = {"kind": "edge", "name": f"{shown} through the edge {operand.name} → {op.name}",
                        "formula": formula,
                        "grad": _numbers(share), "jacobian": _numbers(jacobian),
                        "jacobian_size": _jacobian_size(graph, op.name, operand.name),
                        "local": to_unicode(note.local) if note is not None and note.local else
                        f"∂{op.name}/∂{operand.name}"}
    return out


JACOBIAN_LIMIT = 4096   # entries of a local Jacobian a page holds (a 784 × 512 W's would be 2·10¹¹)


def _jacobian_size(graph, dst, src) -> int:
    """Entries of the per-sample local Jacobian ∂dst/∂src."""
    return int(np.prod(graph.record(dst).sample_shape, dtype=np.int64)) * \
        int(np.prod(graph.record(src).sample_shape, dtype=np.int64))


def _descent(graph, name) -> list:
    """[(η, J after p ← p − η ∂J/∂p)] for every rate, the other parameters as they are."""
    trial = type(graph).from_spec(graph.to_spec())   # a copy to try the steps on
    start, grad = graph.value(name), graph.grad(name)
    out = []
    for rate in RATES:
        trial.set_value(name, start - rate * grad)
        trial.forward()
        J = float(trial.value(trial.target))
        out.append([rate, J if np.isfinite(J) else None])
    return out


def _mark(svg, items, details) -> None:
    """Tag the step items and the elements with details, so the script finds them inside its own
    figure (no page-wide ids), and put the nodes and edges in the tab order (their spoken labels
    are the SVG's own: :mod:`.accessible`)."""
    for element in svg.iter():
        element_id = element.get("id", "")
        if element_id.startswith("label-") and element_id[6:] in items:
            element.set("data-gj-item", element_id[6:])
        elif element_id in items:
            element.set("data-gj-item", element_id)
        if element_id in details:
            element.set("data-gj-detail", element_id)
            element.set("tabindex", "0")
            element.set("focusable", "true")
            element.set("role", "img")
