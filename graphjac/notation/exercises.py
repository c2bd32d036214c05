r"""The questions of a worksheet and the key's worked answers, as LaTeX: one per blank of the
exercise figure (its value, or its gradient's chain rule with the numbers it multiplies), then two
about the whole graph, with the graph's own target (∂L/∂w₂ where L is the loss).
"""

from __future__ import annotations

import re

import numpy as np

from graphjac.notation.numbers import value as value_latex


def questions(graph, blanks, precision: int = 3) -> list:
    """``(number, what the blank asks, the key's worked answer)`` for every blank (an exercise
    figure's ``blanks``: each with its ``number``, ``asked``, ``answer`` and, on an edge, the
    (op, operand) names it flows ``through``), then the questions about the whole graph; all LaTeX."""
    out = [(blank.number, blank.asked, _worked(graph, blank, precision)) for blank in blanks]
    return out + _about(graph, precision, len(out))


def _worked(graph, blank, precision):
    """The key's answer: the formula and its value; for a gradient of unbatched nodes, with the
    numbers of the chain rule: ∂J/∂(the op) times the local Jacobian (numerator layout)."""
    asked, answer = blank.asked, blank.answer
    if blank.through is None:
        return f"{asked} = {answer}"
    op, operand = blank.through
    if op is None or operand is None or graph.record(op).batch or graph.record(operand).batch:
        return f"{asked} = {answer}"
    upstream, local = graph.grad(op), np.asarray(graph.jacobian(op, operand))
    if upstream is None or local.size > 36:
        return f"{asked} = {answer}"
    local = local.reshape(()) if local.size == 1 else local.reshape(-1) if 1 in local.shape else local
    return f"{asked} = {value_latex(np.asarray(upstream), precision)} \\cdot {_factor(local, precision)} = {answer}"


def _factor(value, precision) -> str:
    """A product's second number as a lecturer writes it: a negative scalar in parentheses."""
    written = value_latex(np.asarray(value), precision)
    return f"({written})" if np.ndim(value) == 0 and written.startswith("-") else written


def _about(graph, precision, count):
    """Questions about the whole graph: one gradient element from the values given, and which
    gradients are zero."""
    notes = graph.annotate()
    J = notes.notation.target_symbol()     # the graph's own target: ∂L/∂w₂ where L is the loss
    params = [n for n in notes.nodes if n.kind == "param" and graph.grad(n.name) is not None]
    out = []
    vector = next((n for n in params if np.ndim(graph.grad(n.name)) == 1 and np.size(graph.grad(n.name)) >= 2), None)
    if vector is not None:
        base = re.sub(r"\\vec\{(\w)\}", r"\1", vector.symbol)
        indexed = re.fullmatch(r"(.*)_\{(.*)\}", base)
        element = f"{indexed.group(1)}_{{{indexed.group(2)},2}}" if indexed else f"{base}_{{2}}"
        value = float(graph.grad(vector.name)[1])
        out.append((str(count + 1), rf"\text{{from the values given, compute }} \frac{{\partial {J}}}{{\partial {element}}}",
                    rf"\frac{{\partial {J}}}{{\partial {element}}} = {value_latex(np.asarray(value), precision)}"))
    zero = [n.symbol for n in notes.nodes if n.kind in ("param", "input") and graph.grad(n.name) is not None
            and not np.any(graph.grad(n.name))]
    said = ", ".join(rf"\frac{{\partial {J}}}{{\partial {s}}}" for s in zero) if zero else r"\text{none}"
    out.append((str(count + len(out) + 1), r"\text{which gradients of the inputs and parameters are zero?}", said))
    return out
