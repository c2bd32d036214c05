"""Collisions in Graphviz's own geometry: the gallery and random graphs, counted.

    python3 benchmarks/collisions.py [--graphs 30]

Lays every figure out as SVG/PNG/PDF/TikZ lay it out (labels measured, the check-and-relayout
step included) and counts, from ``dot -Tjson``, the places where an edge runs through a node or
a label not its own, where labels overlap, and where a forward and a backward edge lie on top
of each other. The gallery is held to zero by the tests; random graphs show what remains.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np

import graphjac as gj
from graphjac.gallery import catalog
from graphjac.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.collisions import collisions
from graphjac.render.composer import place

OPTIONS = ({}, {"edge_labels": "symbol,formula,value"}, {"theme": "print"})


def random_graph(seed: int, size: int = 10) -> gj.Graph:
    """Scalar gates on three inputs and two parameters, joined into one J."""
    rng = np.random.default_rng(seed)
    g = gj.Graph(f"random {seed}")
    nodes = [g.input(f"x{k}", float(rng.normal())) for k in range(3)] + [g.param(f"w{k}", float(rng.normal()))
                                                                          for k in range(2)]
    for k in range(size):
        op = rng.choice(["add", "mul", "sub", "exp", "tanh", "square"])
        a, b = nodes[rng.integers(len(nodes))], nodes[rng.integers(len(nodes))]   # a == b too: x·x
        if op in ("add", "mul", "sub"):
            nodes.append(getattr(g, op)(a, b, name=f"v{k}"))
        elif op == "exp" and abs(float(a.value)) < 5:
            nodes.append(g.exp(a, name=f"v{k}"))
        elif op == "square":
            nodes.append(g.square(a, name=f"v{k}"))
        else:
            nodes.append(g.activation(a, "tanh", name=f"v{k}"))
    while len(g.target_candidates()) > 1:
        first, second = g.target_candidates()[:2]
        g.add(first, second, name=f"s{len(g)}")
    return g


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
    total, figures = collections.Counter(), 0
    for seed in range(args.graphs):
        for options in OPTIONS:
            found = count(random_graph(seed), **options)
            figures += bool(found)
            total += found
    print(f"random graphs ({args.graphs} × {len(OPTIONS)}): {figures} figures with a collision, "
          f"{sum(total.values())} collisions {dict(total)}")


if __name__ == "__main__":
    main()
