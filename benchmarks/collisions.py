"""Collisions in Graphviz's own geometry: the gallery and random graphs, counted.

    python3 benchmarks/collisions.py [--graphs 30]

Lays every figure out as SVG/PNG/PDF/TikZ lay it out (labels measured, the check-and-mend and
relayout steps included) and counts, from ``dot -Tjson``, the places where an edge runs through a node or
a label not its own, where labels overlap, and where a forward and a backward edge lie on top
of each other. The tests hold the gallery and their first random graphs to zero; more seeds show
what remains.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.layout.collisions import collisions
from graphjac.render.writers.composer import place

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from random_graphs import scalar_graph, vector_graph  # noqa: E402  (the tests' own random graphs)

OPTIONS = ({}, {"edge_labels": "symbol,formula,value"}, {"theme": "print"}, {"style": "circuit"})


def count(graph, **options):
    figure = figure_for(graph, **options)
    placed = place(figure)
    return collections.Counter(c.kind for c in collisions(figure, placed.layout, placed.marks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=30)
    args = parser.parse_args()
    gallery = collections.Counter()
    for name in catalog():
        for options in OPTIONS:
            gallery += count(load_example(name), **options)
    print(f"gallery ({len(catalog())} figures × {len(OPTIONS)} option sets): {sum(gallery.values())} collisions "
          f"{dict(gallery)}")
    for make in (scalar_graph, vector_graph):
        total, figures = collections.Counter(), 0
        for seed in range(args.graphs):
            for options in OPTIONS:
                found = count(make(seed), **options)
                figures += bool(found)
                total += found
        print(f"{make.__name__} ({args.graphs} × {len(OPTIONS)} option sets): {figures} figures with a collision, "
              f"{sum(total.values())} collisions {dict(total)}")

if __name__ == "__main__":
    main()
