"""Typesetting a long formula (a sum of N terms) against the same number of terms set as short
formulas of ten terms each, as a figure's ordinary labels are.

    python3 benchmarks/long_labels.py [--terms 100,1000,2000]

Prints, per length, both times, their ratio and the time per term; the target is near-linear
typesetting: the time per term of the longest within 2× of the shortest (ziamath, which graphjac
used before its own typesetter, grows with the square of a row's length: 1,000 terms took 4.9 s).
"""

from __future__ import annotations

import argparse
import sys
import time

from graphjac.render.math.math_layout import set_formula


def terms(first: int, count: int) -> str:
    return " + ".join(f"x_{{{k}}}^{{2}}" for k in range(first, first + count))


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", default="100,1000,2000")
    args = parser.parse_args()
    set_formula("x", 14, "black")                      # the font's first reading, paid once
    print(f"{'terms':>6} {'one formula':>12} {'short ones':>11} {'ratio':>6} {'ms/term':>8}")
    per_term = []
    for count in (int(n) for n in args.terms.split(",")):
        long = timed(lambda: set_formula(terms(0, count), 14, "black"))
        short = timed(lambda: [set_formula(terms(k, 10), 14, "black") for k in range(0, count, 10)])
        per_term.append(long / count * 1e3)
        print(f"{count:6d} {long:11.2f}s {short:10.2f}s {long / short:5.2f}× {per_term[-1]:8.2f}")
    growth = per_term[-1] / per_term[0]
    print(f"time per term, longest / shortest: {growth:.2f}× (target ≤ 2)")
    return 0 if growth <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
