"""How large the smallest text of every gallery figure is on a slide, before and after ``fit``.

    python3 benchmarks/legibility.py [--fit 4:3 16:9]

For each built-in figure: its natural size, and its smallest font size in points when the
figure is scaled to fill a 10-inch wide page of each shape — as drawn today (direction and
spacing as the spec says) and with ``fit`` choosing them. 10-inch wide at 4:3 is a projected
slide; text under about 8 pt there is hard to read from the back of a room.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from graphjac.gallery import catalog
from graphjac.loaders import load_example
from graphjac.options import page_shape
from graphjac.render import figure_for
from graphjac.render.fitting import drawing_size, smallest_text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", nargs="+", default=["4:3", "16:9"])
    args = parser.parse_args()
    header = f"{'figure':20}{'natural size (pt)':>20}" + "".join(f"{'at ' + s + ': before → after':>26}" for s in args.fit)
    print(header)
    for name in catalog():
        graph = load_example(name)
        natural = figure_for(graph)
        size = drawing_size(natural)
        cells = []
        for shape in args.fit:
            before = smallest_text(replace(natural, page=page_shape(shape)), size)
            fitted = figure_for(graph, fit=shape)
            after = smallest_text(fitted, drawing_size(fitted))
            cells.append(f"{before:>12.1f} → {after:4.1f} pt {fitted.direction}")
        print(f"{name:20}{size[0]:>9.0f} × {size[1]:<8.0f}" + "".join(f"{c:>26}" for c in cells))


if __name__ == "__main__":
    main()
