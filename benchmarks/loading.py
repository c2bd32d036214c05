"""Reading a big spec, as the user's parser alone would: graphjac's loaders (which also record
where every node stands, for messages naming file, line and column) against ``json.load``,
``yaml.safe_load`` and ``tomllib`` reading the same text, at 1,000, 2,000 and 10,000 nodes.

    python3 benchmarks/loading.py [--sizes 1000,2000,10000] [--repeat 3]

Prints, per format and size, the time of each, their ratio, and the time per node; the target
is near-linear reading: the time per node at 10,000 nodes within 2× of that at 1,000.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import graphjac as gj
from graphjac.io.savers import dump_spec


def chain(count: int) -> dict:
    nodes = [{"name": "x0", "kind": "param", "value": 1.0}]
    nodes += [{"name": f"x{k}", "kind": "square" if k % 2 else "neg", "inputs": [f"x{k - 1}"]}
              for k in range(1, count)]
    return {"name": "chain", "target": f"x{count - 1}", "nodes": nodes}


def plain_parser(fmt: str):
    if fmt == "json":
        return lambda text: json.loads(text)
    if fmt == "yaml":
        import yaml
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return lambda text: yaml.load(text, Loader=loader)
    import tomllib
    return tomllib.loads


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    os.environ["GRAPHJAC_NO_CACHE"] = "1"   # each round reads the text (no YAML spec kept from the last)
    folder = Path(tempfile.mkdtemp(prefix="graphjac-loading-"))
    print(f"{'format':6} {'nodes':>6} {'graphjac':>10} {'parser':>10} {'ratio':>6} {'µs/node':>8}")
    worst = 0.0
    for fmt in ("json", "yaml", "toml"):
        per_node = []
        for size in sizes:
            path = folder / f"chain{size}.{fmt}"
            path.write_text(dump_spec(chain(size), fmt), encoding="utf-8")
            text = path.read_text(encoding="utf-8")
            ours = best(lambda: gj.load(path), args.repeat)
            theirs = best(lambda: plain_parser(fmt)(text), args.repeat)
            per_node.append(ours / size * 1e6)
            print(f"{fmt:6} {size:6d} {ours:9.3f}s {theirs:9.3f}s {ours / theirs:5.1f}× {per_node[-1]:8.1f}")
        growth = per_node[-1] / per_node[0]
        worst = max(worst, growth)
        print(f"{fmt:6} time per node at {sizes[-1]:,} nodes / at {sizes[0]:,}: {growth:.2f}× (target ≤ 2)")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
