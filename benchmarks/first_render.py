"""A large figure's first render (an empty formula cache): its formulas set in this process or on every core.

    python3 benchmarks/first_render.py [--nodes 60] [--rounds 2]

Renders the layered graph of ``dot_build.py`` as typeset SVG in a new process with an empty
formula cache, once with ``GRAPHJAC_TYPESET_WORKERS=1`` (every formula set in the rendering
process, as before worker processes) and once as graphjac chooses (one worker per core once a
figure has many new formulas). The two take turns; each keeps its best time. Both write the
same bytes (checked).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graphjac.render.typesetter import usable_cores

RENDER = """
import sys
sys.path.insert(0, {here!r})
from dot_build import layered_graph
layered_graph({nodes}).render({out!r})
"""


def first_render(folder: Path, nodes: int, workers: str, k: int) -> tuple:
    out = folder / f"{workers}-{k}.svg"
    env = {**os.environ, "GRAPHJAC_CACHE_DIR": str(folder / f"cache-{workers}-{k}")}
    env.pop("GRAPHJAC_TYPESET_WORKERS", None)
    if workers != "auto":
        env["GRAPHJAC_TYPESET_WORKERS"] = workers
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RENDER.format(here=str(Path(__file__).parent), nodes=nodes, out=str(out))],
                   check=True, env=env)
    return time.perf_counter() - start, out.read_bytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    best, drawn = {"1": float("inf"), "auto": float("inf")}, set()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.rounds):
            for workers in (("1", "auto") if k % 2 == 0 else ("auto", "1")):
                seconds, svg = first_render(Path(tmp), args.nodes, workers, k)
                best[workers] = min(best[workers], seconds)
                drawn.add(svg)
    assert len(drawn) == 1, "the two ways drew different figures"
    print(f"{args.nodes}-node graph, typeset SVG, empty formula cache; {usable_cores()} cores; best of {args.rounds}")
    print(f"{'formulas set in the rendering process':44}{best['1']:>8.2f} s")
    print(f"{'on every core (graphjac chooses)':44}{best['auto']:>8.2f} s   {best['1'] / best['auto']:.2f}× faster")


if __name__ == "__main__":
    main()
