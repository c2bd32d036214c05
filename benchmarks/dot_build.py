"""Building the DOT text of a 1,000-node graph against the time Graphviz's dot needs to lay it out.

    python3 benchmarks/dot_build.py [--nodes 1000] [--repeat 5] [--layouts 2]

Prints both times side by side and their ratio (the target: building takes at most 2% of
dot's layout time). The two take turns (builds, a layout, builds, a layout, builds) and each
keeps its best time, as a shared machine's slow spells would otherwise fall on one of them.
The graph is forward- and backward-evaluated first, so the timing covers annotating it,
building the figure model and writing the DOT text, with every backward edge labelled.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import graphjac as gj
from graphjac.notation import mathtext
from graphjac.render.layout.graphviz import find_dot
from graphjac.render.layout import html_labels


def layered_graph(nodes: int) -> gj.Graph:
    """Sums and differences of neighbours, in layers of eight, until ``nodes`` nodes."""
    g = gj.Graph(f"{nodes} nodes")
    layer = [g.input(f"x{k}", float(k + 1)) for k in range(8)]
    while len(g) < nodes - 2:
        nxt = []
        for k in range(len(layer)):
            if len(g) >= nodes - 2:
                break
            combine = g.add if k % 2 else g.sub
            nxt.append(combine(layer[k], layer[(k + 1) % len(layer)]))
        layer = nxt or layer
    total = g.sum(layer[0]) if len(layer) == 1 else g.add(layer[0], layer[1])
    g.backward(g.mean(total))
    return g


def cold(action, **options):
    """Run ``action`` with every math-text cache emptied (formulas, their pieces, the pieces'
    markup), as the first render in a new process would."""
    html_labels.to_html.cache_clear()
    html_labels._shape_html.cache_clear()
    html_labels._MARKUP_OF.clear()
    mathtext.to_unicode.cache_clear()
    mathtext._parse_piece.cache_clear()
    return action(**options)


def best_of(repeat, action):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layouts", type=int, default=2, help="dot runs, each followed by --repeat builds")
    args = parser.parse_args(argv)
    g = layered_graph(args.nodes)

    def builds():
        return best_of(args.repeat, lambda: cold(g.to_dot, edge_labels="symbol,formula,value"))
    build, text = builds()
    print(f"graph: {len(g)} nodes, {len(g.edges)} edges, DOT text {len(text) / 1e3:.0f} kB")
    dot = find_dot()
    if dot is None:
        print(f"build DOT text: {build * 1e3:9.1f} ms    (Graphviz's dot is not installed: no layout time)")
        return 1
    layout = float("inf")
    for _ in range(args.layouts):   # turns, so that a slow spell of a shared machine slows one of each
        layout = min(layout, best_of(1, lambda: subprocess.run([dot, "-Tsvg"], input=text.encode(),
                                                               capture_output=True, check=True))[0])
        build = min(build, builds()[0])
    print(f"{'build DOT text (graphjac)':<28}{'layout (dot -Tsvg)':>22}{'ratio':>10}")
    print(f"{build * 1e3:>22.1f} ms{layout * 1e3:>19.1f} ms{build / layout:>10.4f}   (target: ≤ 0.02)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
