"""A formula the figures show, read back as numbers: the LaTeX of a local derivative evaluated at
given values of its symbols, so that a test can hold what a figure *says* to what torch computes.

It reads the LaTeX local derivatives are written in when they are algebra in the operands:
numbers, the symbols given (plain, ``\\vec``, ``\\mathbf``), + − · and juxtaposition, ( ),
``\\frac``, ``\\sqrt``, powers, e^x, ``^{T}`` (a vector read as a column turns into a row),
``I`` and ``\\mathbf{1}`` (identity and ones of the operand's size), ``(1, \\ldots, 1)``,
``\\cos``, ``\\sin``, ``\\log``, ``\\tanh``, ``\\sigma``, ``\\mathrm{sign}``, ``\\mathrm{softmax}``,
index notation with j (rows) and k (columns), ``\\delta_{jk}``, and ``cases`` with = < > ≥ ≤.

A derivative written with a named structural operator (``\\mathrm{perm}``, ``\\mathrm{flip}``,
``\\mathrm{onehot}``, ``\\mathrm{windows}``, ``\\mathbb{1}``, a block ``[0 \\; I \\; 0]``, ``\\otimes``, a normalised
``\\hat{x}``) is no algebra in the operands: :class:`Structural` says so. Anything else is an
error naming it, never a guess.

>>> float(evaluate(r"(1 + a)(1 - a)", {"a": 0.5}))
0.75
>>> float(evaluate(r"\\begin{cases} 1 & z \\ge 0 \\\\ \\frac{1}{5} & z < 0 \\end{cases}", {"z": -2.0}))
0.2
>>> evaluate(r"y_{j}(\\delta_{jk} - y_{k})", {"y": np.array([0.25, 0.75])}, size=2).tolist()
[[0.1875, -0.1875], [-0.1875, 0.1875]]
"""

from __future__ import annotations

import numpy as np

from graphjac.notation.mathtext import parse

FUNCTIONS = {"cos": "np.cos", "sin": "np.sin", "log": "np.log", "exp": "np.exp", "tanh": "np.tanh",
             "σ": "_sigmoid", "sign": "np.sign", "softmax": "_softmax"}
STRUCTURAL = {"perm", "flip", "onehot", "windows", "full", "route", "spread", "place", "reshape", "permute", "rowsum",
              "arg", "⊗"}
OPERATORS = {"+": "+", "-": "-", "−": "-", "·": "*", "⋅": "*", "×": "*"}
RELATIONS = {">": ">", "<": "<", "=": "==", "≥": ">=", "≤": "<=", "⩾": ">=", "⩽": "<="}


class Structural(ValueError):
    """The formula names a structural operator: it is no algebra in the operands."""


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _transposed(x):
    x = np.asarray(x)
    return x[None, :] if x.ndim == 1 else x.T


def evaluate(latex: str, values: dict, size: int = 1):
    """The value of ``latex`` with each symbol of ``values`` set (numbers or arrays); ``I``,
    ``\\mathbf{1}`` and ``(1, …, 1)`` have ``size`` rows."""
    tree = parse(latex)
    _refuse_structural(tree)
    expression = _expression(tree, values)
    names = {"np": np, "_sigmoid": lambda z: 1 / (1 + np.exp(-z)), "_softmax": _softmax, "_T": _transposed,
             "_I": np.eye(size), "_ones": np.ones(size), "_column": np.ones((size, 1)), "_eye": np.eye(size)}
    return eval(expression, names, dict(values))  # noqa: S307  (LaTeX graphjac wrote, read in a test)


def _refuse_structural(tree):
    """Raise :class:`Structural` if the formula names a structural operator anywhere in it."""
    def walk(node):
        kind = type(node).__name__
        if kind == "Accent" and node.name == "hat":
            raise Structural("a normalised x̂")
        if kind == "Sym":
            if node.text in STRUCTURAL or node.text in ("[", "]"):
                raise Structural(node.text)
        if kind == "Script" and getattr(node.base, "text", "") == "δ":
            if "".join(getattr(s, "text", "") for s in node.sub.items) != "jk":
                raise Structural("δ over other indices than j, k (a tensor of three or more indices)")
        for child in _children(node):
            walk(child)
    walk(tree)


def _children(node):
    for field in ("items", "body", "num", "den", "base", "sub", "sup"):
        value = getattr(node, field, None)
        if isinstance(value, tuple):
            yield from value
        elif value is not None and not isinstance(value, str):
            yield value
    for row in getattr(node, "rows", ()) or ():
        yield from row


def _expression(node, values) -> str:
    kind = type(node).__name__
    if kind == "Seq":
        return _sequence(node.items, values)
    if kind == "Frac":
        return f"(({_expression(node.num, values)}) / ({_expression(node.den, values)}))"
    if kind == "Root":
        return f"np.sqrt({_expression(node.body, values)})"
    if kind == "Accent":
        if node.name == "hat":
            raise Structural("a normalised x̂")
        return _expression(node.body, values)          # \vec{u} is u
    if kind == "Script":
        return _script(node, values)
    if kind == "Env" and node.kind == "cases":
        conditions = ", ".join(_condition(condition, values) for _, condition in node.rows)
        choices = ", ".join(f"(({_expression(value, values)}) + 0 * {_any_symbol(values)})" for value, _ in node.rows)
        return f"np.select([{conditions}], [{choices}], np.nan)"
    if kind in ("Sym", "Font", "Style"):
        return _sequence((node,), values)
    raise ValueError(f"cannot read {kind} as a number: {node}")


def _script(node, values) -> str:
    base = node.base
    if type(base).__name__ == "Sym" and base.text in ("δ",) and node.sub is not None:
        if "".join(s.text for s in node.sub.items) != "jk":
            raise ValueError(f"δ with indices other than jk: {node}")
        return "_eye"
    text = _expression(base, values) if not (type(base).__name__ == "Sym" and base.text == ")") else None
    if node.sub is not None:
        index = "".join(getattr(s, "text", "?") for s in node.sub.items)
        if text not in values or index not in ("j", "k"):
            raise ValueError(f"a subscript other than an index j or k of a symbol: {node}")
        text = f"np.asarray({text})[:, None]" if index == "j" else f"np.asarray({text})[None, :]"
    if node.sup is None:
        return text
    sup = "".join(getattr(s, "text", "?") for s in getattr(node.sup, "items", ()))
    if sup == "T":
        return "_T" if text is None else f"_T({text})"
    if text == "e" and "e" not in values:
        text = "np.e"
    return f"(({text}) ** ({_expression(node.sup, values)}))"


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


def _ones_tuple(items) -> bool:
    texts = [getattr(item, "text", "") for item in items]
    return "…" in texts and set(texts) <= {"(", ")", "1", ",", "…"}


def _sequence(items, values) -> str:
    """Items side by side: numbers, symbols, operators, brackets, functions; juxtaposition multiplies."""
    items = list(items)
    if _ones_tuple(items):
        return "_ones"
    for start, item in enumerate(items):        # (1, …, 1) inside a product
        if getattr(item, "text", "") == "(":
            end = next((e for e in range(start, len(items)) if getattr(items[e], "text", "") == ")"), None)
            if end is not None and _ones_tuple(items[start:end + 1]):
                return _sequence(items[:start], values) + " * _ones" if start else "_ones"
    tokens = []     # (kind, text): atom, number, op, open, close, func, transpose
    k = 0
    while k < len(items):
        item = items[k]
        kind = type(item).__name__
        k += 1
        if kind == "Space":
            continue
        if kind == "Script" and type(item.base).__name__ == "Sym" and item.base.text == ")":
            tokens.append(("close", ")"))
            if _script(item, values) == "_T":
                tokens[-1] = ("close", "))")     # the group, transposed: opened as _T((
                _open_transpose(tokens)
            continue
        if kind == "Seq" and [getattr(s, "text", "") for s in item.items] == ["1"]:
            tokens.append(("atom", "_column"))       # \mathbf{1}: a column of ones
            continue
        if kind != "Sym":
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
        elif text in ("(", "["):
            if text == "[":
                raise Structural("a block matrix")
            tokens.append(("open", "("))
        elif text == ")":
            tokens.append(("close", ")"))
        elif text in FUNCTIONS:
            tokens.append(("func", FUNCTIONS[text]))
        elif text in values:
            tokens.append(("atom", text))
        elif text == "I":
            tokens.append(("atom", "_I"))
        elif text == "e":
            tokens.append(("atom", "np.e"))
        else:
            raise ValueError(f"cannot read {text!r} as a number (symbols given: {sorted(values)})")
    return _joined(tokens)


def _open_transpose(tokens):
    """Turn the "(" that the last ")" closes into "_T((": the group is transposed."""
    depth = 0
    for i in range(len(tokens) - 1, -1, -1):
        kind, text = tokens[i]
        if kind == "close":
            depth += 1
        elif kind == "open":
            depth -= 1
            if depth == 0:
                func = i > 0 and tokens[i - 1][0] == "func"
                if func:   # softmax(u)^T: the call's result is transposed
                    tokens[i - 1] = ("func", "_T(" + tokens[i - 1][1])
                    tokens[i] = ("open", "(")
                else:
                    tokens[i] = ("open", "_T((")
                return
    raise ValueError("a transposed group without its opening bracket")


def _joined(tokens) -> str:
    out, previous = "", None
    for kind, text in tokens:
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
