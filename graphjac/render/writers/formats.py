"""The writer registry: output format -> function turning a :class:`Figure` into file contents.

``g.render("fig.svg")`` picks the writer from the suffix (or ``format=``). A new format is one
:func:`register` call in the module that implements it.

>>> sorted(WRITERS)
['dot', 'gv', 'html', 'pdf', 'png', 'svg', 'tex']
>>> writer_for("figure.SVG").format
'svg'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

from graphjac.core.records import record
from graphjac.errors import GraphjacError, close_matches
from graphjac.render.deadline import within


@record
class Writer:
    """``write(figure)`` returns the file's contents (str or bytes)."""

    format: str
    write: Callable
    description: str
    needs_graphviz: bool = False
    needs_details: bool = False   # the page shows every number in full: figure_for(…, details=True)
    mime: Optional[str] = None    # its MIME type, where a notebook can display it
    pages: tuple = ()             # the pages that can show it: "web" (HTML), "print" (LaTeX, PDF)
    frames: bool = False          # `frames` can write one file a step in it


WRITERS: dict = {}


def register(format: str, write: Callable, description: str, needs_graphviz: bool = False,
             needs_details: bool = False, mime: Optional[str] = None, pages: tuple = (),
             frames: bool = False) -> Writer:
    """Make ``format`` available to :func:`writer_for` (the last registration wins); the writer
    is bounded by the figure's ``timeout``."""
    writer = Writer(format, _bounded(write), description, needs_graphviz, needs_details, mime, pages, frames)
    WRITERS[format] = writer
    return writer


def formats_for(page: str) -> tuple:
    """The formats a page of this kind can show, in the order they were registered.

    >>> formats_for("web"), formats_for("print")
    (('svg', 'png', 'html'), ('png', 'pdf', 'tex'))
    """
    return tuple(f for f, writer in WRITERS.items() if page in writer.pages)


def frame_formats() -> tuple:
    """The formats ``frames`` writes a step in.

    >>> frame_formats()
    ('svg', 'png', 'pdf')
    """
    return tuple(f for f, writer in WRITERS.items() if writer.frames)


def mime_types() -> dict:
    """format -> MIME type, for the formats a notebook can display.

    >>> mime_types()["png"]
    'image/png'
    """
    return {f: writer.mime for f, writer in WRITERS.items() if writer.mime}


def writer_for(path=None, format: Optional[str] = None) -> Writer:
    """The writer for ``format``, or for the suffix of ``path``; unknown formats name the choices."""
    if format is None:
        suffix = Path(str(path)).suffix if path is not None else ""
        if not suffix:
            raise GraphjacError(f"{path}: cannot tell the output format without a suffix; "
                                f"use one of {_choices()} or pass format=")
        format = suffix[1:]
    key = str(format).lower()
    if key not in WRITERS:
        close = close_matches(key, sorted(WRITERS))
        hint = f"; did you mean {close[0]!r}?" if close else ""
        where = f"{path}: " if path is not None else ""
        raise GraphjacError(f"{where}unknown output format {format!r}{hint} (formats: {_choices()})")
    return WRITERS[key]


def _bounded(write):
    def bounded(figure):
        with within(figure.options.timeout):
            return write(figure)
    bounded.__doc__ = write.__doc__
    return bounded


def _choices():
    return ", ".join(sorted(WRITERS))


def _dot_text(figure):
    from graphjac.render.layout.dot import figure_to_dot
    return figure_to_dot(figure)


def _graphviz(format):
    def write(figure):
        if figure.options.math == "typeset":
            from graphjac.render.writers.composer import write
            data = write(figure, format)
        else:
            from graphjac.render.layout.graphviz import run_dot
            data = run_dot(_dot_text(figure), format, timeout=figure.options.timeout, dpi=figure.options.dpi)
        if format != "svg":
            return data
        if figure.options.math != "typeset":   # Graphviz's own labels: titled and summarised too
            data = _labelled(data if isinstance(data, str) else data.decode("utf-8"), figure)
        data = data if isinstance(data, str) else data.decode("utf-8")
        from graphjac.render.writers.schemes import AUTO, following_the_page
        if figure.theme == AUTO:
            data = following_the_page(data)
        from graphjac.render.writers.svgids import prefixed  # unique ids: many figures can share one HTML page
        return prefixed(data)
    return write


# Graphviz writes a script inside a script as two baseline-shift attributes of one <text>, which is
# no XML (browsers refuse the file); the inner one is the one that holds
_TWICE_SHIFTED = re.compile(r'baseline-shift="[^"]*" (?=baseline-shift=")')


def _labelled(svg_text: str, figure) -> str:
    """Graphviz's SVG of ``figure`` with its readable titles and summary (:mod:`.accessible`)."""
    import xml.etree.ElementTree as ET
    from graphjac.render.writers.accessible import label_elements
    from graphjac.render.writers.composer import serialize
    svg = ET.fromstring(_TWICE_SHIFTED.sub("", svg_text).encode("utf-8"))
    label_elements(svg, figure)
    return serialize(svg)


def _tikz(figure):
    from graphjac.render.writers.tikz import write_tikz
    return write_tikz(figure)


register("dot", _dot_text, "Graphviz DOT text (needs no Graphviz)")
register("gv", _dot_text, "Graphviz DOT text (needs no Graphviz)")
for _format, _what, _mime, _pages in (("svg", "SVG", "image/svg+xml", ("web",)),
                                      ("png", "PNG image", "image/png", ("web", "print")),
                                      ("pdf", "PDF", "application/pdf", ("print",))):
    register(_format, _graphviz(_format), f"{_what}, laid out by Graphviz's dot", needs_graphviz=True,
             mime=_mime, pages=_pages, frames=True)
def _html(figure):
    from graphjac.render.writers.interactive import html_page
    return html_page(figure)


register("tex", _tikz, "TikZ picture for LaTeX, laid out by Graphviz's dot", needs_graphviz=True, pages=("print",))
register("html", _html, "an interactive web page: step through the passes, every number in full",
         needs_graphviz=True, needs_details=True, mime="text/html", pages=("web",))
