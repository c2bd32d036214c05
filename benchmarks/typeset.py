"""Typeset math and TikZ against Graphviz's own labels: what measuring every formula costs.

    python3 benchmarks/typeset.py [--repeat 3]

Renders every lecture figure as SVG with Graphviz's labels (math=html), as SVG with typeset
math (math=typeset: every label typeset and measured, one run of dot), and as TikZ.
Prints the best of ``--repeat`` times per output side by side, with the ratio to math=html.
Formulas are set once per process and cached, so the best time is that of a warm process; the
first typeset figure of a process also loads the math font and is timed apart.
"""

from __future__ import annotations

import argparse
import time

from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.writers.formats import WRITERS

OUTPUTS = {"svg, math=html": ("svg", {"math": "html"}), "svg, math=typeset": ("svg", {"math": "typeset"}),
           "tex (TikZ)": ("tex", {})}


def best(figures, fmt, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for figure in figures:
            WRITERS[fmt].write(figure)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per output; the best counts")
    args = parser.parse_args()
    start = time.perf_counter()
    WRITERS["svg"].write(figure_for(load_example("add"), math="typeset"))
    print(f"first typeset figure (loads the math font): {time.perf_counter() - start:.2f} s")
    results = {}
    for name, (fmt, options) in OUTPUTS.items():
        figures = [figure_for(load_example(example), **options) for example in catalog()]
        results[name] = best(figures, fmt, args.repeat)
    base = results["svg, math=html"]
    print(f"{len(catalog())} lecture figures, best of {args.repeat}:")
    for name, seconds in results.items():
        print(f"  {name:<20} {seconds:7.3f} s   {seconds / base:5.2f} x math=html")


if __name__ == "__main__":
    main()
