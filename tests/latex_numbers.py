"""A formula the figures show, read back as numbers: the LaTeX of a local derivative evaluated at
given values of its symbols, so that a test can hold what a figure *says* to what torch computes.

It reads the subset of LaTeX that elementwise local derivatives are written in: numbers, the
symbols given, + − · and juxtaposition, ( ), \\frac, \\sqrt, powers, e^x, \\cos, \\sin, \\log,
\\tanh, \\sigma, \\mathrm{sign} and ``cases`` with = < > ≥ ≤. Anything else is an error naming it,
never a guess.

>>> float(evaluate(r"(1 + a)(1 - a)", {"a": 0.5}))
0.75
>>> float(evaluate(r"\\begin{cases} 1 & z \\ge 0 \\\\ \\frac{1}{5} & z < 0 \\end{cases}", {"z": -2.0}))
0.2
"""

from __future__ import annotations

import numpy as np

from graphjac.notation.mathtext import parse

FUNCTIONS = {"cos": "np.cos", "sin": "np.sin", "log": "np.log", "exp": "np.exp", "tanh": "np.tanh",
             "σ": "_sigmoid", "sign": "np.sign"}
OPERATORS = {"+": "+", "-": "-", "−": "-", "·": "*", "⋅": "*", "×": "*"}
RELATIONS = {">": ">", "<": "<", "=": "==", "≥": ">=", "≤": "<=", "⩾": ">=", "⩽": "<="}


def evaluate(latex: str, values: dict):
    """The value of ``latex`` with each symbol of ``values`` set (numbers or arrays, elementwise)."""
    expression = _expression(parse(latex), values)
    return eval(expression, {"np": np, "_sigmoid": lambda z: 1 / (1 + np.exp(-z))}, dict(values))  # noqa: S307


def _expression(node, values) -> str:
    kind = type(node).__name__
    if kind == "Seq":
        return _sequence(node.items, values)
    if kind == "Frac":
        return f"(({_expression(node.num, values)}) / ({_expression(node.den, values)}))"
    if kind == "Root":
        return f"np.sqrt({_expression(node.body, values)})"
    if kind == "Script":
        if node.sub is not None:
            raise ValueError(f"a subscript is not read: {node}")
        base = _expression(node.base, values)
        if base == "e" and "e" not in values:
            base = "np.e"
        return f"(({base}) ** ({_expression(node.sup, values)}))"
    if kind == "Env" and node.kind == "cases":
        conditions = ", ".join(_condition(condition, values) for _, condition in node.rows)
        choices = ", ".join(f"(({_expression(value, values)}) + 0 * _shape)" for value, _ in node.rows)
        return f"np.select([{conditions}], [{choices}], np.nan)".replace("_shape", _any_symbol(values))
    if kind == "Sym":
        return _sequence((node,), values)
    raise ValueError(f"cannot read {kind} as a number: {node}")


def _any_symbol(values) -> str:
    return next(iter(values)) if values else "0"


def _condition(node, values) -> str:
    items = node.items
    at = [k for k, item in enumerate(items) if type(item).__name__ == "Sym" and item.cls == "rel"]
    if len(at) != 1 or items[at[0]].text not in RELATIONS:
        raise ValueError(f"a case's condition must be one comparison: {node}")
    k = at[0]
    return (f"(({_sequence(items[:k], values)}) {RELATIONS[items[k].text]} "
            f"({_sequence(items[k + 1:], values)}))")


def _sequence(items, values) -> str:
    """Items side by side: numbers, symbols, operators, brackets, functions; juxtaposition multiplies."""
    tokens = []     # (kind, text): atom, op, open, close, func
    for item in items:
        kind = type(item).__name__
        if kind != "Sym":
            if kind in ("Space",):
                continue
            tokens.append(("atom", _expression(item, values)))
            continue
        text = item.text
        if text.strip() == "" or item.cls == "space":
            continue
        if text.isdigit() or text == ".":
            if tokens and tokens[-1][0] == "number":
                tokens[-1] = ("number", tokens[-1][1] + text)
            else:
                tokens.append(("number", text))
        elif text in OPERATORS and item.cls in ("bin", "ord", "op"):
            tokens.append(("op", OPERATORS[text]))
        elif text == "(":
            tokens.append(("open", "("))
        elif text == ")":
            tokens.append(("close", ")"))
        elif text in FUNCTIONS:
            tokens.append(("func", FUNCTIONS[text]))
        elif text in values:
            tokens.append(("atom", text))
        elif text == "e":
            tokens.append(("atom", "np.e"))
        else:
            raise ValueError(f"cannot read {text!r} as a number (symbols given: {sorted(values)})")
    out = ""
    previous = None
    for k, (kind, text) in enumerate(tokens):
        kind = "atom" if kind == "number" else kind
        if previous in ("atom", "close") and kind in ("atom", "open", "func"):
            out += " * "
        if previous == "func" and kind == "atom":
            out += f"({text})"
            previous = "close"
            continue
        out += text if kind != "op" else f" {text} "
        previous = kind
    return out or "0"
