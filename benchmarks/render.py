"""Rendering from the command line, against the floor a Python tool with Graphviz cannot beat.

    python3 benchmarks/render.py [--rounds 7]

Times, side by side in one run (the contenders take turns; the best of ``--rounds`` is kept):

- **floor**: ``python3 -c "import numpy"`` plus ``dot -Tsvg`` on the DOT text graphjac lays out
  for the same figure, as two processes;
- **dependencies**: the same with everything else a warm render loads from other packages
  (click, platformdirs and the standard library's XML, subprocess, hashing and JSON), in a
  plain ``python3 -c`` (whose exit frees every module, which the ``graphjac`` program skips);
- **warm**: ``graphjac render lecture:neuron -o neuron.svg`` (typeset math) with graphjac's
  cache filled by an earlier render (its formulas, and what PyYAML made of the spec);
- **cold**: the same with an empty cache (PyYAML reads the spec, graphjac's typesetter sets
  every formula);
- **watch**: ``graphjac watch`` running, from a save of the spec to the refreshed figure.

Bytecode is compiled first, as ``pip install`` does. Targets: warm ≤ 1.5× the floor, cold ≤
2.5×, watch ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import graphjac
from graphjac.io.gallery import spec_path
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.writers.composer import place


IMPORTS = "import numpy, click, platformdirs, xml.etree.ElementTree, subprocess, hashlib, json"


def graphjac_command() -> str:
    """The console script of this interpreter (the floor runs the same one), else the one on PATH."""
    beside = Path(sys.executable).parent / "graphjac"
    return str(beside) if beside.exists() else shutil.which("graphjac")


def cache_in(folder: Path) -> dict:
    """The environment of a render whose cache is in ``folder``: found by platformdirs, as a user's
    is, where the XDG variable says where (Linux), else named by GRAPHJAC_CACHE_DIR."""
    env = {key: value for key, value in os.environ.items() if key not in ("GRAPHJAC_CACHE_DIR", "GRAPHJAC_NO_CACHE")}
    if sys.platform.startswith("linux"):
        return {**env, "XDG_CACHE_HOME": str(folder)}
    return {**env, "GRAPHJAC_CACHE_DIR": str(folder)}


def timed(command, env=None, stdin=None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env, input=stdin)
    return time.perf_counter() - start


def laid_out_dot(name: str) -> bytes:
    """The DOT text graphjac hands to dot for the typeset figure (labels measured)."""
    figure = figure_for(load_example(name), None, math="typeset")
    return place(figure).source.encode("utf-8")


def watch_latency(folder: Path, saves: int) -> list:
    """Seconds from each save of a spec to the new figure, with ``graphjac watch`` running."""
    spec, out = folder / "neuron.yaml", folder / "neuron.svg"
    text = spec_path("neuron").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    watcher = subprocess.Popen([graphjac_command(), "watch", spec, "-o", out], stderr=subprocess.DEVNULL)
    try:
        _until(lambda: out.exists(), 60)
        times = []
        for k in range(saves):
            before = out.read_bytes()
            start = time.perf_counter()
            spec.write_text(text.replace("name: neuron", f"name: neuron, edit {k}", 1), encoding="utf-8")
            _until(lambda: out.read_bytes() != before, 30)
            times.append(time.perf_counter() - start)
            time.sleep(0.3)
        return times
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)


def _until(condition, timeout):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("graphjac watch did not write the figure in time")
        time.sleep(0.002)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for package in (Path(graphjac.__file__).parent, Path(graphjac.__file__).parent.parent / "cli"):
        compileall.compile_dir(str(package), quiet=1)
    dot = shutil.which("dot")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = laid_out_dot("neuron")
        warm_env = cache_in(folder / "warm")
        render = [graphjac_command(), "render", "lecture:neuron", "-o", str(folder / "neuron.svg")]
        timed(render, warm_env)   # fills the warm cache
        best = dict.fromkeys(("floor", "imports", "warm", "cold"), float("inf"))

        def with_dot(imports):
            return lambda: timed([sys.executable, "-c", imports]) + timed([dot, "-Tsvg"], stdin=source)
        for k in range(args.rounds):
            cold_env = cache_in(folder / f"cold{k}")
            runs = {
                "floor": with_dot("import numpy"),
                "imports": with_dot(IMPORTS),
                "warm": lambda: timed(render, warm_env),
                "cold": lambda: timed(render, cold_env),
            }
            for name in (list(runs) if k % 2 == 0 else list(runs)[::-1]):
                best[name] = min(best[name], runs[name]())
        latency = watch_latency(folder, max(args.rounds, 5))
    floor = best["floor"]
    print(f"graphjac {graphjac.__version__}; best of {args.rounds} rounds; floor = python3 -c 'import numpy' "
          f"+ dot -Tsvg on the same DOT\n")
    print(f"{'':28}{'time':>10}{'÷ floor':>10}   target")
    print(f"{'floor':28}{floor:>9.3f}s{1.0:>10.2f}")
    below = best["imports"]
    print(f"{'  with the dependencies':28}{below:>9.3f}s{below / floor:>10.2f}   (what a warm render loads from "
          f"other packages, in a plain python3)")
    for name, target in (("warm", 1.5), ("cold", 2.5)):
        ratio = best[name] / floor
        print(f"{'render lecture:neuron, ' + name:28}{best[name]:>9.3f}s{ratio:>10.2f}   ≤ {target}× "
              f"{'ok' if ratio <= target else 'MISSED'}   (the target: {target * floor:.3f} s)")
    worst, median = max(latency), sorted(latency)[len(latency) // 2]
    print(f"{'watch: save → new figure':28}{median:>9.3f}s{'':>10}   ≤ 0.3 s {'ok' if median <= 0.3 else 'MISSED'}"
          f"   (median of {len(latency)} saves; slowest {worst:.3f} s)")


if __name__ == "__main__":
    main()
