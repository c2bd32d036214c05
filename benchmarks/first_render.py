"""A large figure's first render (an empty formula cache), and its typesetting against ziamath's.

    python3 benchmarks/first_render.py [--nodes 60] [--rounds 3]

Renders the layered graph of ``dot_build.py`` as typeset SVG in a new process with an empty
formula cache, then times, side by side in new processes, setting that figure's formulas with
graphjac's typesetter and with ziamath (``ziamath.Latex(latex, size=…, color=…)`` drawn to SVG,
as a user of ziamath writes it), each including its import and its font's load. The
contenders take turns; each keeps its best time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RENDER = """
import sys
sys.path.insert(0, {here!r})
from dot_build import layered_graph
layered_graph({nodes}).render({out!r})
"""

OURS = """
import json, sys
from graphjac.render.math.math_layout import set_formula
for latex, size, color in json.load(open(sys.argv[1])):
    set_formula(latex, size, color)
"""

ZIAMATH = """
import json, sys
import ziamath
for latex, size, color in json.load(open(sys.argv[1])):
    ziamath.Latex(latex, size=size, color=color).svg()
"""


def formulas_of(nodes: int) -> list:
    """The (latex, size, colour) of every formula the figure sets."""
    sys.path.insert(0, str(Path(__file__).parent))
    from dot_build import layered_graph

    from graphjac.render.math import typeset
    seen, real = {}, typeset.set_formula
    typeset.set_formula = lambda *request: seen.setdefault(request, real(*request))
    os.environ["GRAPHJAC_NO_CACHE"] = "1"
    try:
        layered_graph(nodes).render(Path(tempfile.mkdtemp()) / "figure.svg")
    finally:
        typeset.set_formula = real
        del os.environ["GRAPHJAC_NO_CACHE"]
    return list(seen)


def timed(code: str, *args, env=None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    requests = formulas_of(args.nodes)
    best = dict.fromkeys(("render", "ours", "ziamath"), float("inf"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        listed = folder / "formulas.json"
        listed.write_text(json.dumps(requests))
        for k in range(args.rounds):
            env = {**os.environ, "GRAPHJAC_CACHE_DIR": str(folder / f"cache-{k}")}
            runs = {"render": lambda: timed(RENDER.format(here=str(Path(__file__).parent), nodes=args.nodes,
                                                          out=str(folder / f"{k}.svg")), env=env),
                    "ours": lambda: timed(OURS, str(listed)),
                    "ziamath": lambda: timed(ZIAMATH, str(listed))}
            for name in (list(runs) if k % 2 == 0 else list(runs)[::-1]):
                best[name] = min(best[name], runs[name]())
    print(f"{args.nodes}-node graph, typeset SVG, empty formula cache; {len(requests)} formulas; "
          f"best of {args.rounds}, each in a new process")
    print(f"{'first render':44}{best['render']:>8.2f} s")
    print(f"{'its formulas set by graphjac':44}{best['ours']:>8.2f} s")
    print(f"{'the same formulas set by ziamath':44}{best['ziamath']:>8.2f} s   "
          f"{best['ziamath'] / best['ours']:.1f}× graphjac's time")


if __name__ == "__main__":
    main()
