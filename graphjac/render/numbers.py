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

import numpy as np

MAX_VECTOR = 6        # longer vectors show their first and last elements around …
MAX_MATRIX = 6        # rows and columns a matrix shows in full
ZERO = 1e-12          # |x| below this is rounding noise (0.1 + 0.2 − 0.3): shown as 0


def number(x, precision: int) -> str:
    """``x`` rounded to ``precision`` significant digits; large and small ones as a × 10ⁿ.

    >>> number(2.78e-17, 3), number(1234567.0, 3), number(-0.0, 3)
    ('0', '1.23 \\\\times 10^{6}', '0')
    """
    x = float(x)
    if abs(x) < ZERO:
        return "0"
    text = f"{x:.{precision}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return mantissa + r" \times 10^{" + str(int(exponent)) + "}"
    return text


def vector(values, precision: int) -> str:
    """``(a, b, c)``, or ``(a, b, c, …, z)`` past :data:`MAX_VECTOR` elements."""
    items = [number(v, precision) for v in values]
    if len(items) > MAX_VECTOR:
        items = items[:MAX_VECTOR - 2] + [r"\ldots", items[-1]]
    return "(" + ", ".join(items) + ")"


def matrix(rows, precision: int) -> str:
    r"""A 2-D array as ``\begin{bmatrix} … \end{bmatrix}``."""
    body = r" \\ ".join(" & ".join(number(v, precision) for v in row) for row in rows)
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
