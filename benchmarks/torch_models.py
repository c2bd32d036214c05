"""The nine models of a course, from the model to a figure file: graphjac against torchview.

    python3 benchmarks/torch_models.py [--repeat 3]

graphjac's side: ``gj.from_torch`` (capture, a float64 run, the graph), its forward and backward
passes, and ``render`` to an SVG file (typeset). torchview's side: ``draw_graph(model,
input_data)`` and its ``visual_graph.render(format="svg")`` (Graphviz). Both in one process,
taking turns, best of ``--repeat``. Also graphjac's PNG of the same figure against its SVG.
Targets: the SVG at most 3× torchview's; the PNG of a slide-sized figure (``fit="16:9"``, the last
column) no slower than its SVG plus 0.3 s.
Needs torchview (``pip install torchview``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import graphjac as gj

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from loading import best  # noqa: E402  (benchmarks/ is the script's folder)
from torch_models import models  # noqa: E402


def _or_nan(timed):
    """``timed()``, or NaN when graphjac refuses the render (a PNG wider than cairo draws)."""
    try:
        return timed()
    except gj.GraphjacError as err:
        print(f"  ({err})")
        return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from torchview import draw_graph

    folder = Path(tempfile.mkdtemp())
    print(f"{'model':12} {'torchview':>10} {'graphjac svg':>13} {'ratio':>7} {'target':>8} "
          f"{'graphjac png':>13} {'png − svg':>10} {'on a slide':>11}")
    worst = 0.0
    for name, (model, inputs, loss, target) in models().items():
        def ours(suffix, **options):
            graph = gj.from_torch(model, inputs, loss, target)
            graph.backward()
            graph.render(folder / f"{name}{'-slide' if options else ''}.{suffix}", **options)

        def theirs():
            drawn = draw_graph(model, input_data=inputs if isinstance(inputs, tuple) else (inputs,),
                               directory=str(folder), filename=f"{name}-tv")
            drawn.visual_graph.render(format="svg", directory=str(folder), filename=f"{name}-tv")

        times = {"tv": [], "svg": [], "png": [], "slide svg": [], "slide png": []}
        for _ in range(args.repeat):          # in turns
            times["tv"].append(best(theirs, 1))
            times["svg"].append(best(lambda: ours("svg"), 1))
            times["png"].append(_or_nan(lambda: best(lambda: ours("png"), 1)))
            times["slide svg"].append(best(lambda: ours("svg", fit="16:9"), 1))
            times["slide png"].append(best(lambda: ours("png", fit="16:9"), 1))
        tv, svg, png, slide_svg, slide_png = (min(times[k]) for k in times)
        ratio = svg / tv
        worst = max(worst, ratio)
        print(f"{name:12} {tv:9.3f}s {svg:12.3f}s {ratio:6.1f}× {'≤ 3× ' + ('ok' if ratio <= 3 else 'MISSED'):>8} "
              f"{png:12.3f}s {png - svg:+9.3f}s {slide_png - slide_svg:+10.3f}s")
    print(f"\nworst ratio {worst:.1f}× (target ≤ 3×); files in {folder}")


if __name__ == "__main__":
    main()
