"""``graphjac build``: one worker process against one per core, and an unchanged rebuild.

    python3 benchmarks/build.py [--copies 4] [--format svg]

Copies every lecture spec from examples/ ``--copies`` times into a temporary folder, renders
them all with one worker and with one worker per core (both from scratch), then builds again
with nothing changed. Prints the three times side by side and the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from graphjac.io import folders

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def timed_build(folder, out, fmt, workers):
    start = time.perf_counter()
    results = list(folders.run(folders.plan(folder, out, formats=(fmt,)), workers=workers))
    elapsed = time.perf_counter() - start
    failed = [r.error for r in results if r.status == "failed"]
    if failed:
        raise SystemExit("\n".join(failed))
    return elapsed, sum(r.status == "built" for r in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of each lecture spec")
    parser.add_argument("--format", default="svg", help="output format")
    args = parser.parse_args()
    cores = folders.default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        for k in range(args.copies):
            (folder / f"copy{k}").mkdir(parents=True)
            for spec in EXAMPLES.glob("*.yaml"):
                shutil.copy(spec, folder / f"copy{k}" / spec.name)
        serial, n = timed_build(folder, Path(tmp) / "serial", args.format, 1)
        parallel, _ = timed_build(folder, Path(tmp) / "parallel", args.format, cores)
        unchanged, rebuilt = timed_build(folder, Path(tmp) / "parallel", args.format, cores)
    print(f"{n} {args.format} figures, {cores} cores")
    print(f"{'1 worker':>22}  {f'{cores} workers':>12}  {'nothing changed':>16}")
    print(f"{serial:>21.2f}s  {parallel:>11.2f}s  {unchanged:>15.2f}s")
    print(f"speed-up with {cores} workers: {serial / parallel:.2f}x; an unchanged rebuild takes "
          f"{unchanged / serial:.1%} of a full one ({rebuilt} rebuilt)")


if __name__ == "__main__":
    main()
