"""Jupyter's rich display of a graph: inline SVG for the notebook, and beside it the PDF every
LaTeX path takes.

A graph offers SVG (small, sharp, typeset when its spec says ``math: typeset``), which
JupyterLab, VS Code and HTML exports show, and a PDF of the same figure, which a notebook's PDF
build picks instead (``jupyter nbconvert --to pdf`` would otherwise call Inkscape, Quarto and
MyST-NB's LaTeX would show ``<Graph 'neuron': 7 nodes>``). ``display_formats("html")`` shows the
interactive figure (step through the passes, every number in full), with the PDF beside it as
the finished figure a PDF build prints. Choose other formats in the notebook,
``graphjac.integrations.jupyter.display_formats("svg")`` (smaller notebooks, no PDF build), or
where it is run, ``GRAPHJAC_NOTEBOOK_FORMATS=svg,png``. Without Graphviz the DOT text is shown.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections import Counter

from graphjac.render import figure_for
from graphjac.render.layout.graphviz import find_dot
from graphjac.render.writers.formats import WRITERS, mime_types
from graphjac.render.writers.schemes import for_the_page
from graphjac.render.writers.svgids import numbered

MIME = mime_types()   # svg, png, pdf, html
_chosen = None               # formats set by display_formats(), else the environment's
_shown = Counter()           # how often each figure was displayed in this kernel (for unique ids)


DEFAULT = ("svg", "pdf")


def display_formats(*formats) -> tuple:
    """Set (and return) the formats every graph is displayed in: any of svg, png, pdf and html
    (the interactive figure, which brings a PDF as its printed fallback unless png or pdf is chosen)."""
    global _chosen
    unknown = [f for f in formats if f not in MIME]
    if unknown or not formats:
        raise ValueError(f"display_formats takes svg, png, pdf and/or html (interactive); got {formats!r}")
    _chosen = tuple(formats)
    return _chosen


def formats() -> tuple:
    """The formats graphs are displayed in now."""
    if _chosen is not None:
        return _chosen
    wanted = tuple(f.strip().lower() for f in os.environ.get("GRAPHJAC_NOTEBOOK_FORMATS", "").split(",")
                   if f.strip())
    return tuple(f for f in wanted if f in MIME) or DEFAULT


def _with_fallback(chosen: tuple) -> tuple:
    """``chosen``, and a PDF after an interactive figure that has no static format beside it:
    what a PDF build, a print or a viewer without JavaScript shows (the finished passes)."""
    if "html" in chosen and not {"png", "pdf"} & set(chosen):
        return chosen + ("pdf",)
    return chosen


def mimebundle(graph, include=None, exclude=None) -> dict:
    """The display data of ``graph``: text/plain, and each chosen format's MIME type (the DOT
    text instead when Graphviz is missing)."""
    figure = figure_for(graph, details="html" in formats(), **for_the_page(graph, {}))
    bundle = {"text/plain": repr(graph)}
    if find_dot() is None:
        bundle["text/vnd.graphviz"] = WRITERS["dot"].write(figure)
        return bundle
    for format in _with_fallback(formats()):
        mime = MIME[format]
        if (include and mime not in include) or (exclude and mime in exclude):
            continue
        if format == "html":
            from graphjac.render.writers.interactive import html_fragment
            data = html_fragment(figure)
        else:
            data = WRITERS[format].write(figure)
        if format == "svg":     # as wide as the output area at most (webpdf cut a wide figure at the page edge)
            data = data.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)
        if format in ("svg", "html"):
            key = hash(data)
            _shown[key] += 1
            data = numbered(data, _shown[key])
        bundle[mime] = data
    return bundle


class PdfInBookLatex:
    """MyST-NB (Jupyter Book) offers each builder a notebook's graphjac figure in a format it
    takes, also for a notebook run with SVG alone (``display_formats("svg")``): the SVG the
    notebook keeps, and beside it the PDF it converts to (made once per figure), as one image
    with both candidates; a LaTeX build (Jupyter Book's PDF) takes the PDF
    where it showed ``<Graph 'neuron': 7 nodes>``, HTML the SVG. Registered as a
    ``myst_nb.mime_renderers`` entry point, so a book needs no setting; another SVG is left to
    MyST-NB."""

    mime_priority_overrides = [("latex", "image/svg+xml", 15)]   # after a PDF (10), before a PNG (20)

    @staticmethod
    def handle_mime(renderer, data, inline):
        if inline or data.mime_type != "image/svg+xml" or not isinstance(data.content, str) \
                or 'id="gj' not in data.content:
            return None
        made = renderer.render_image(data)
        folder = getattr(renderer.config, "output_folder", None)
        images = [node for top in made for node in top.findall(condition=lambda n: n.tagname == "image")]
        if not folder or len(images) != 1 or not images[0]["uri"].endswith(".svg"):
            return made
        uri = images[0]["uri"]
        pdf = Path(folder) / (Path(uri).stem + ".pdf")
        if not pdf.exists():
            from graphjac.io.fileio import atomic_write
            from graphjac.render.writers.composer import convert
            atomic_write(pdf, convert(data.content, "pdf"))
        images[0]["uri"] = uri[:-len(".svg")] + ".*"     # Sphinx picks the candidate its builder takes
        return made
