r"""Numbers as figures show them: rounded to significant digits, vectors as tuples, matrices as matrices.

The result is LaTeX (a minus is ``-``; the math-text layer turns it into −).

>>> number(-0.66812, 3)
'-0.668'
>>> value(np.array([1.0, 2.0, -1.0]), 3)
'(1, 2, -1)'
>>> value(np.array([[1.0, 0.5], [0.25, 2.0]]), 2)
'\\begin{bmatrix} 1 & 0.5 \\\\ 0.25 & 2 \\end{bmatrix}'
"""

from __future__ import annotations

import math
import warnings

import numpy as np

MAX_VECTOR = 6        # longer vectors show their first and last elements around …
MAX_MATRIX = 6        # rows and columns a matrix shows in full
ZERO = 1e-12          # |x| below this is rounding noise (0.1 + 0.2 − 0.3): shown as 0


class NonFiniteWarning(RuntimeWarning):
    """A figure shows a value that is infinite or NaN."""


PLAIN = (1e-4, 1e6)   # magnitudes written as plain decimals; outside, as a × 10ⁿ


def number(x, precision: int, scientific=None) -> str:
    r"""``x`` rounded to ``precision`` significant digits; large and small ones as a × 10ⁿ
    (``scientific`` True or False writes every number of a vector or matrix of one size alike).

    >>> number(2.78e-17, 3), number(1234567.0, 3), number(-0.0, 3), number(999.6, 3)
    ('0', '1.23 \\times 10^{6}', '0', '1000')
    >>> number(-0.000153, 3, scientific=True)
    '-1.53 \\times 10^{-4}'

    Infinite and undefined values (an overflow) are drawn as such, with a warning:

    >>> import warnings; warnings.simplefilter("ignore")
    >>> number(float("inf"), 3), number(float("-inf"), 3), number(float("nan"), 3)
    ('\\infty', '-\\infty', '\\mathrm{NaN}')
    """
    x = float(x)
    if not math.isfinite(x):
        warnings.warn("a value or gradient is infinite or NaN (an overflow?); the figure shows it as ∞ or NaN",
                      NonFiniteWarning, stacklevel=2)
        return r"\mathrm{NaN}" if math.isnan(x) else ("-" if x < 0 else "") + r"\infty"
    if abs(x) < ZERO:
        return "0"
    rounded = float(f"{x:.{precision}g}")
    if scientific is None:
        scientific = not PLAIN[0] <= abs(rounded) < PLAIN[1]
    if not scientific:
        return np.format_float_positional(rounded, trim="-")
    mantissa, exponent = f"{x:.{precision - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa + r" \times 10^{" + str(int(exponent)) + "}"


def _alike(values):
    """Whether a vector or matrix is written in a × 10ⁿ form throughout: when any of its numbers
    needs it (so −7.31 × 10⁻⁵ never stands beside −0.000153)."""
    magnitudes = [abs(float(f"{v:.6g}")) for v in np.asarray(values, dtype=float).flat
                  if abs(v) >= ZERO and math.isfinite(v)]
    needed = any(not PLAIN[0] <= m < PLAIN[1] for m in magnitudes)
    return True if needed and max(magnitudes) < 1e4 * min(magnitudes) else None   # one size: alike


def vector(values, precision: int) -> str:
    """``(a, b, c)``, or ``(a, b, c, …, z)`` past :data:`MAX_VECTOR` elements."""
    scientific = _alike(values)
    items = [number(v, precision, scientific) for v in values]
    if len(items) > MAX_VECTOR:
        items = items[:MAX_VECTOR - 2] + [r"\ldots", items[-1]]
    return "(" + ", ".join(items) + ")"


def matrix(rows, precision: int) -> str:
    r"""A 2-D array as ``\begin{bmatrix} … \end{bmatrix}``."""
    scientific = _alike(rows)
    body = r" \\ ".join(" & ".join(number(v, precision, scientific) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def fits(array) -> bool:
    """Whether ``value`` can show ``array`` in full (a scalar, a vector, or a small matrix)."""
    array = np.asarray(array)
    return array.ndim <= 1 or (array.ndim == 2 and max(array.shape) <= MAX_MATRIX)


def value(array, precision: int) -> str:
    """A scalar, a vector or a small matrix as LaTeX (call :func:`fits` first for arrays of ndim > 2)."""
    array = np.asarray(array)
    if array.ndim == 0:
        return number(array, precision)
    if array.ndim == 1:
        return vector(array, precision)
    if array.ndim == 2:
        return matrix(array, precision)
    raise ValueError(f"cannot show an array of shape {array.shape} inline")
