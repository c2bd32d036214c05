"""What a render costs as graphs grow, against Graphviz's own layout of the same DOT text.

    python3 benchmarks/graph_size.py [--sizes 50,100,200] [--rounds 3]

For each size, a layered graph of add and sub gates (each node adds or subtracts two of the
layer below, a lecture's graph grown wide and deep) is written as a spec; then, side by side in
one run (the best of ``--rounds`` kept):

- **dot**: ``dot -Tsvg`` on the DOT text graphjac writes for the figure (``render -o x.dot``),
  one process: the layout any Graphviz tool pays;
- **graphjac**: ``graphjac render spec -o x.svg`` with typeset math, its formula cache warm
  (the render a lecturer repeats) and Python's compiled modules kept (in a folder of the run's
  own, even where ``PYTHONDONTWRITEBYTECODE`` is set), one process.

It prints a table by size, the ratio graphjac / dot, and the growth: time per node at the
largest size over time per node at the smallest. Targets (issue "course-sized graphs"): ≤ 3× at
50 nodes, ≤ 1.5× from 200 up; a 1,000-node graph (``--sizes 1000``) within the default 60 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def layered_spec(count: int, width: int = 8) -> dict:
    """``count`` nodes: ``width`` inputs, then layers of add/sub gates over two nodes below, J last."""
    nodes = [{"name": f"x{k}", "kind": "input", "value": float(k % 5) - 2.0} for k in range(width)]
    below = [n["name"] for n in nodes]
    while len(nodes) < count - 1:
        layer = []
        for k in range(min(width, count - 1 - len(nodes))):
            name = f"n{len(nodes)}"
            nodes.append({"name": name, "kind": "add" if k % 2 == 0 else "sub",
                          "inputs": [below[k % len(below)], below[(k + 1) % len(below)]]})
            layer.append(name)
        below = layer
    nodes.append({"name": "J", "kind": "sum", "inputs": [below[0]]})
    return {"name": f"layered {count}", "nodes": nodes, "target": "J"}


def best(command, rounds, cwd, env=None) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=600, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, command))} failed: {done.stderr.decode()[-500:]}")
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    graphjac, dot = shutil.which("graphjac"), shutil.which("dot")
    if graphjac is None or dot is None:
        raise SystemExit("needs the graphjac command (pip install -e .) and Graphviz's dot")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = dict(os.environ, GRAPHJAC_CACHE_DIR=str(work / "cache"), PYTHONPYCACHEPREFIX=str(work / "bytecode"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)   # Python's compiled modules kept, as an installed Python keeps them
        for size in sizes:
            spec = work / f"g{size}.yaml"
            spec.write_text(yaml.safe_dump(layered_spec(size)), encoding="utf-8")
            subprocess.run([graphjac, "render", str(spec), "-o", str(work / f"g{size}.dot"), "--math", "typeset"],
                           check=True, capture_output=True, env=env)
            subprocess.run([graphjac, "render", str(spec), "-o", str(work / "warm.svg"), "--math", "typeset"],
                           check=True, capture_output=True, env=env, timeout=600)   # fills the formula cache
            dot_time = best([dot, "-Tsvg", str(work / f"g{size}.dot"), "-o", str(work / "dot.svg")], args.rounds, work)
            ours = best([graphjac, "render", str(spec), "-o", str(work / "g.svg"), "--math", "typeset"],
                        args.rounds, work, env)   # the cache the warm-up filled
            rows.append((size, dot_time, ours))
    print(f"{'nodes':>6} {'dot -Tsvg':>10} {'graphjac':>10} {'ratio':>7}")
    for size, dot_time, ours in rows:
        print(f"{size:>6} {dot_time:>9.2f}s {ours:>9.2f}s {ours / dot_time:>6.1f}×")
    (small, _, first), (large, _, last) = rows[0], rows[-1]
    print(f"growth: {last / large * 1000:.1f} ms a node at {large} nodes, {first / small * 1000:.1f} ms at {small} "
          f"({last / large / (first / small):.2f}× per node)")


if __name__ == "__main__":
    sys.exit(main())
