"""Central finite differences against backward, with PyTorch's default tolerances.

An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|; the report names the
worst element of each checked leaf (the one nearest to, or furthest past, its tolerance).
"""

from __future__ import annotations


import numpy as np

from graphjac.core.ops.custom import check_op_derivatives
from graphjac.core.records import record
from graphjac.errors import GraphjacError
from graphjac.notation.symbols import partial_text

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3


@record
class LeafCheck:
    """The check of ∂J/∂leaf for one leaf, summarised by its worst element."""

    name: str
    ok: bool
    index: tuple
    analytic: float
    numeric: float
    abs_error: float

    def describe(self, target="J", mark=True):
        """One line: ok/FAIL (with ``mark``), ∂target/∂leaf[worst index], both numbers and the error."""
        where = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        head = ("ok   " if self.ok else "FAIL ") if mark else ""
        return (f"{head}{partial_text(target, self.name)}{where}: backward {self.analytic:.10g}, "
                f"finite differences {self.numeric:.10g}, |error| {self.abs_error:.3g}")

    __str__ = describe


@record
class OpCheck:
    """The local derivative of one node computing an op of your own, against central
    differences of that op's forward alone: a wrong derivative is named by its op."""

    node: str
    op: str
    slot: str
    ok: bool
    abs_error: float

    def describe(self):
        mark = "ok  " if self.ok else "FAIL"
        return (f"{mark} op {self.op!r} at node {self.node!r}: its derivative for operand {self.slot!r} "
                f"{'agrees with' if self.ok else 'differs from'} finite differences (|error| {self.abs_error:.3g})")


@record
class GradcheckResult:
    """``ok`` is true when every checked element of every leaf passes, and the derivative of
    every op of your own agrees with finite differences."""

    target: str
    checks: tuple
    eps: float
    atol: float
    rtol: float
    ops: tuple = ()

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and all(c.ok for c in self.ops)

    @property
    def worst(self):
        return max(self.checks, key=lambda c: c.abs_error / (self.atol + self.rtol * abs(c.numeric)),
                   default=None)

    def __bool__(self):
        return self.ok

    def __str__(self):
        head = (f"gradcheck of {self.target!r}: {'passed' if self.ok else 'FAILED'} "
                f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})")
        return "\n".join([head] + ["  " + c.describe(self.target) for c in self.checks]
                         + ["  " + c.describe() for c in self.ops])


def _numeric_gradient(graph, leaf, target, eps):
    base = graph.value(leaf)
    numeric = np.empty(base.shape)
    for index in np.ndindex(base.shape):
        values = []
        for delta in (eps, -eps):
            moved = base.copy()
            moved[index] += delta
            values.append(float(graph.evaluate(target, {leaf: moved})))
        numeric[index] = (values[0] - values[1]) / (2 * eps)
    return numeric


def _tolerance(name, value, positive=False):
    """A finite number ≥ 0 (> 0 for eps), or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0 or (positive and value == 0):
        raise GraphjacError(f"gradcheck: {name} must be a finite number {'> 0' if positive else '≥ 0'}; got {value!r}")
    return float(value)


def gradcheck(graph, inputs=False, eps=EPS, atol=ATOL, rtol=RTOL) -> GradcheckResult:
    """Check ∂J/∂p for every param (and every input J depends on, with ``inputs=True``)."""
    target = graph.target
    if target is None:
        raise GraphjacError("gradcheck needs a loss J: call g.backward(J) first")
    eps, atol, rtol = _tolerance("eps", eps, positive=True), _tolerance("atol", atol), _tolerance("rtol", rtol)
    graph.prepare()
    kinds = ("param", "input") if inputs else ("param",)
    checks = []
    for leaf in graph.records():
        analytic = graph.grad(leaf.name) if leaf.kind in kinds else None
        if analytic is None:
            continue
        numeric = _numeric_gradient(graph, leaf.name, target, eps)
        error = np.abs(analytic - numeric)
        ratio = error / (atol + rtol * np.abs(numeric))
        index = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.ndim else ()
        index = tuple(int(i) for i in index)
        checks.append(LeafCheck(leaf.name, bool(np.all(ratio <= 1.0)), index,
                                float(analytic[index]), float(numeric[index]), float(error[index])))
    ops = tuple(OpCheck(*row) for row in check_op_derivatives(graph, eps, atol, rtol))
    return GradcheckResult(target.name, tuple(checks), eps, atol, rtol, ops)
