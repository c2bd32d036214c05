"""Every gallery figure as a lecturer shows it: its shape, its smallest text on a slide, and what
runs into what, for each way of drawing it.

    python3 benchmarks/legibility.py [--names neuron two_layer …]

For each built-in figure and each of: the spec's own drawing, ``--fit 16:9``, ``--fit 4:3``,
``--style circuit`` (a long circuit wrapped into rows), ``--style circuit --fit 4:3`` and
``--theme print``: the drawing's size and aspect ratio, its smallest font
size in points once scaled to fill a 10-inch wide 4:3 slide (under about 8 pt is hard to read
from the back of a room; a fitted drawing on its own page), the share of that page's area it
fills (one of its sides fills the page) and the collisions the layout check counts in Graphviz's geometry
(edges or arrowheads through nodes, labels or group titles; an edge running along or curling
through its own node; labels on labels, nodes or group borders; group boxes over each other; a forward and a backward edge on
top of each other). The tests hold every row to 0 collisions and the
4:3 row to 8 pt. With ``--torch`` (needs PyTorch), the course's ``from_torch`` models too
(``torch:cnn``, ``torch:lstm``, …: the nine of ``benchmarks/torch_models.py``).
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import replace
from pathlib import Path

from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.layout.collisions import collisions
from graphjac.render.layout.fitting import smallest_text
from graphjac.render.writers.composer import place

DRAWINGS = {"as given": {}, "fit 16:9": {"fit": "16:9"}, "fit 4:3": {"fit": "4:3"},
            "circuit": {"style": "circuit"}, "circuit fit 4:3": {"style": "circuit", "fit": "4:3"},
            "print": {"theme": "print"}}


def measured(graph, options):
    """(width, height, smallest text at 4:3 in pt, Counter of collision kinds) of one drawing."""
    figure = figure_for(graph, **options)
    placed = place(figure)
    width, height = placed.layout.width, placed.layout.height
    on_slide = figure if figure.page is not None else replace(figure, page=(4.0, 3.0))
    text = smallest_text(on_slide, (width, height))
    return width, height, text, collections.Counter(c.kind for c in collisions(figure, placed.layout, placed.marks))


def _filled(width, height, fit) -> float:
    """The share of the page's area the drawing fills once scaled to fit it (one side fills it)."""
    page = [float(v) for v in fit.split(":")]
    aspect, page_aspect = width / height, page[0] / page[1]
    return min(aspect, page_aspect) / max(aspect, page_aspect)


def torch_graphs() -> dict:
    """``torch:NAME`` -> a function giving the graph ``gj.from_torch`` makes of that course model."""
    import graphjac as gj
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from torch_models import models

    def graph(name):
        model, inputs, loss, target = models()[name]
        made = gj.from_torch(model, inputs, loss, target)
        made.backward()
        return made

    return {f"torch:{name}": (lambda name=name: graph(name)) for name in models()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", nargs="*", default=list(catalog()))
    parser.add_argument("--torch", action="store_true", help="the from_torch model set as well")
    args = parser.parse_args()
    graphs = {name: (lambda name=name: load_example(name)) for name in args.names}
    if args.torch:
        graphs.update(torch_graphs())
    print(f"{'figure':18}{'drawing':16}{'size (pt)':>16}{'aspect':>8}{'text at 4:3':>13}{'fills':>7}   collisions")
    totals, small = collections.Counter(), []
    for name, make in graphs.items():
        graph = make()
        for drawing, options in DRAWINGS.items():
            width, height, text, found = measured(graph, options)
            totals += found
            if drawing == "fit 4:3" and text < 8.0:
                small.append(name)
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(found.items())) or "0"
            fills = f"{_filled(width, height, options.get('fit', '4:3')):>6.0%}"
            print(f"{name:18}{drawing:16}{width:>8.0f} × {height:<5.0f}{width / height:>7.1f}:1{text:>9.2f} pt"
                  f"{fills}   {kinds}")
    print(f"\n{sum(totals.values())} collisions in all {dict(totals)}; under 8 pt at 4:3: {', '.join(small) or 'none'}")


if __name__ == "__main__":
    main()
