"""Jupyter's rich display of a graph: SVG when Graphviz is installed, else the DOT text."""

from __future__ import annotations

from . import figure_for
from .graphviz import find_dot
from .writers import WRITERS


def mimebundle(graph) -> dict:
    """``{"image/svg+xml": …}`` with Graphviz, ``{"text/vnd.graphviz": …}`` without; plus text/plain."""
    figure = figure_for(graph)
    bundle = {"text/plain": repr(graph)}
    if find_dot() is None:
        bundle["text/vnd.graphviz"] = WRITERS["dot"].write(figure)
    else:
        bundle["image/svg+xml"] = WRITERS["svg"].write(figure).decode("utf-8")
    return bundle
