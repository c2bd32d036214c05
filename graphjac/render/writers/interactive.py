"""Interactive HTML figures: the typeset SVG with a small script (no framework, no network) that
steps through the passes, shows each node's and edge's full numbers, and tries a descent step.

- Steps: the same as the frames' (:func:`.steps.reveal_steps`), with buttons and the arrow keys.
- Details: hovering or focusing (Tab) a node or a backward edge shows its value and ∂J/∂· in
  full, as matrices; an edge also shows its local Jacobian ∂dst/∂src (numerator layout).
- Toggles: values, gradients and local Jacobians each shown or hidden.
- Descent: for a parameter p, the step p ← p − η ∂J/∂p and the J it gives, for each η the page
  offers (computed by the engine before the page is written, so the numbers are the engine's).
- Accessible: every node and edge is in the tab order with an ``aria-label`` reading its formula
  in Unicode; focus is visible; the colours follow the page's light or dark scheme.
- Several figures share a page: nothing is found by a global id; each figure's script looks only
  inside its own ``<div class="graphjac-interactive">``.

``html_page`` is a whole document, ``html_fragment`` what a notes page embeds (Sphinx, MkDocs,
Jupyter). Both read only the figure model: its numbers in full come with it
(``figure_for(graph, details=True)``, from :mod:`graphjac.notation.details`).
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from importlib.resources import files

from graphjac.notation.details import RATES
from graphjac.render.model.steps import PASSES, never_shown, reveal_steps
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.composer import serialize, svg_tree
from graphjac.render.writers.schemes import AUTO, following_the_page, in_dark
from graphjac.render.writers.svgids import prefixed

# the controls' colours where the page is dark (the reader's system, or the page's own switch);
# an ``auto`` figure's drawing turns dark there too, on the dark theme's paper
DARK_GROUND = ("--gj-ink: #eee; --gj-back: #1e1e1e; --gj-paper: #fdfdfd; --gj-panel: #2a2a2a; --gj-button: #3c4043; "
               "--gj-edge: #80868b; --gj-focus: #8ab4f8; color-scheme: dark;")
DARK_PAPER = f"--gj-paper: {THEMES['dark'].background};"


def html_page(figure, title=None) -> str:
    """A whole HTML document holding the interactive figure."""
    name = html.escape(title or figure.name or "figure")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{name}</title>\n"
            "<meta name=\"color-scheme\" content=\"light dark\">\n</head>\n<body>\n"
            + html_fragment(figure) + "\n</body>\n</html>\n")


READABLE_PX = 12   # the smallest text a page shows, in CSS pixels: a wider drawing scrolls instead


def _least_width(svg, figure) -> int:
    """The narrowest the drawing may be shown, in CSS pixels: where its smallest text is
    :data:`READABLE_PX` (at its own size, a point is 4/3 of a pixel)."""
    width = float((svg.get("viewBox") or "0 0 0 0").split()[2])   # the drawing's own size (a fit page's is scaled)
    smallest = min(THEMES[figure.theme].sizes[role] for role in ("node", "value", "edge"))
    return round(width * READABLE_PX / smallest)


def html_fragment(figure) -> str:
    """The interactive figure as one ``<div>``: its style, controls, SVG, data and script. The
    figure carries its numbers in full (``figure_for(graph, details=True)``)."""
    if figure.details is None:
        raise ValueError("an interactive figure shows its numbers in full: make it with figure_for(graph, details=True)")
    if figure.options.math != "typeset":
        figure = replace(figure, options=replace(figure.options, math="typeset"))
    svg, _ = svg_tree(figure, split_lines=True)
    forward = [list(step) for step in reveal_steps(figure, ("forward",))]
    steps = [list(step) for step in reveal_steps(figure, PASSES)]
    items = {item for step in steps for item in step} | never_shown(figure, PASSES)
    details = figure.details
    _mark(svg, items, details)
    data = {"steps": steps, "backward": len(forward), "details": details, "rates": list(RATES)}
    drawing = serialize(svg).split("?>", 1)[-1].strip()
    auto = figure.theme == AUTO
    drawing = prefixed(following_the_page(drawing) if auto else drawing)
    assets = files("graphjac.render.writers") / "assets"
    style = (assets / "figure.css").read_text(encoding="utf-8") + in_dark(".graphjac-interactive", DARK_GROUND) \
        + (in_dark(".graphjac-interactive.gj-auto", DARK_PAPER) if auto else "")
    return (f'<div class="graphjac-interactive{" gj-auto" if auto else ""}">\n<style>{style}</style>\n'
            + _controls() + f'<div class="gj-drawing" style="--gj-least-width: {_least_width(svg, figure)}px">'
              f'{drawing}</div>\n'
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
