"""Compiling a figure's Beamer frame (one slide a step) against the same slides drawn the way one
writes overlays by hand: every step inside one tikzpicture, ``\\only<k+1->`` plain and
``\\only<k>`` highlighted, so that each slide draws the whole figure again.

    python3 benchmarks/beamer.py [--figure micrograd] [--rounds 3]

Both documents show the same slides (the same drawing commands, the same layout); the times are
pdflatex's, best of ``--rounds``, taken in turns. graphjac's frame sets what slide 1 shows and each
step drawn plainly once, in boxes, and only stacks them on each slide.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.writers.tikz import BEAMER, FIT, STATIC, _bounds, _drawn, _opening, stepped, write_beamer


def drawn_whole(figure) -> str:
    """The same slides as :func:`write_beamer`, each drawing the whole figure: the reference."""
    figure, placed, reveal, steps, heading = stepped(figure)
    body = _opening(figure) + [_bounds(placed.layout)] + _drawn(figure, placed, reveal, STATIC)
    for slide in steps:
        if slide != steps[-1]:   # the last step has no slide after it
            body += [f"\\only<{slide + 1}->{{"] + _drawn(figure, placed, reveal, (slide, False)) + ["}"]
        body += [f"\\only<{slide}>{{"] + _drawn(figure, placed, reveal, (slide, True)) + ["}"]
    picture = "\n".join(body + [r"\end{tikzpicture}"])
    return (BEAMER + f"\\begin{{frame}}\n{heading}\\centering\n{FIT}\n{picture}\n\\end{{adjustbox}}\n\\end{{frame}}\n"
            "\\end{document}\n")


def compile_time(folder: Path, name: str, tex: str) -> tuple:
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(["pdflatex", "-interaction=batchmode", "-halt-on-error", f"{name}.tex"], cwd=folder,
                   capture_output=True, check=True, timeout=900)
    seconds = time.perf_counter() - start
    log = (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    pages = int(log.split("Output written on ")[1].split("(")[1].split(" page")[0])
    return seconds, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", default="micrograd")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("pdflatex") is None:
        print("pdflatex is not installed (bash scripts/test.sh installs it)", file=sys.stderr)
        return 1
    figure = figure_for(load_example(args.figure), standalone=True)
    documents = {"graphjac": write_beamer(figure), "drawn whole": drawn_whole(figure)}
    best, pages = dict.fromkeys(documents, float("inf")), {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.rounds):
            for name in (list(documents) if k % 2 == 0 else list(documents)[::-1]):
                seconds, pages[name] = compile_time(Path(tmp), name.replace(" ", "_"), documents[name])
                best[name] = min(best[name], seconds)
    assert len(set(pages.values())) == 1, pages
    print(f"{args.figure}: {pages['graphjac']} slides; pdflatex, best of {args.rounds}")
    for name, seconds in best.items():
        print(f"  {name:<12} {seconds:6.2f} s")
    print(f"  each slide drawn whole takes {best['drawn whole'] / best['graphjac']:.1f}× as long")
    return 0


if __name__ == "__main__":
    sys.exit(main())
