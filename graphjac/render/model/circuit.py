r"""The circuit style (``style="circuit"``): a figure drawn as CS231n's backprop notes draw one.

Gates are small circles labelled with their operation (+, ×, exp, 1/x, max, σ), numbers in the
expression folded into the gate (+1, ×−1); variables are named where their wire starts; every
forward edge is one wire with its value above (in the value colour) and its share of ∂J/∂·
below (in the gradient colour); the output's wire ends the circuit with J's value and 1.

Each wire is drawn through a small label node (role ``wire``) sitting on it, so that Graphviz
keeps the numbers clear of every other node and wire. Dense layers, softmax and the losses are
gates too (``XW+B``, ``softmax``, ``BCE``); a minibatch is drawn once, its wires carrying the
whole minibatch's numbers where they fit and the variable's name where they do not.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> g = gj.Graph("f")
>>> f = g.mul(g.add(g.input("x", -2.0), g.input("y", 5.0), name="q"), g.input("z", -4.0), name="f")
>>> g.backward(f)
>>> fig = figure_for(g, style="circuit")
>>> [(n.role, n.label) for n in fig.nodes if n.role == "gate"]
[('gate', ('+',)), ('gate', ('\\times',))]
>>> [n.label for n in fig.nodes if n.role == "wire"][:3]     # value above, ∂f/∂· below
[('-2', '-4'), ('5', '-4'), ('3', '-4')]
"""

from __future__ import annotations

from graphjac.core.ops import REGISTRY
from graphjac.core.ops.base import number_latex
from graphjac.notation import numbers
from graphjac.notation.symbols import escape_text

def gate_label(note, notes) -> str:
    """The gate's text: its op's sign, with a folded constant operand written in (+1, ×−1, 1/x)."""
    operands = [notes.nodes[i] for i in note.inputs]
    constants = [o for o in operands if o.kind == "const" and o.auto_named and o.value is not None
                 and o.value.ndim == 0]
    sign = REGISTRY[note.op].gate or r"\mathrm{" + escape_text(note.op) + "}"   # the op declares its sign
    if note.op == "pow":
        return r"(\cdot)^{" + number_latex(notes.notation.records[note.id].attrs["exponent"]) + "}"
    if note.op == "div" and constants and operands[0] is constants[0]:
        return numbers.number(constants[0].value, 3) + r"/x"
    if constants and note.op in ("add", "sub", "mul", "div", "maximum", "minimum"):
        value = numbers.number(constants[0].value, 3)
        if note.op in ("maximum", "minimum"):
            return sign + "(" + value + r", \cdot)"
        if note.op == "sub" and operands[0] is constants[0]:
            return value + r" - x"
        if value.startswith("-") and note.op in ("add", "sub"):   # + −0.2 is − 0.2, − −0.2 is + 0.2
            return ("- " if note.op == "add" else "+ ") + value[1:]
        return sign + " " + value
    return sign


def wire_lines(value, grad, precision) -> tuple:
    """The wire's two lines: its value (above) and its gradient (below); blank where not shown."""
    above = numbers.value(value, precision) if value is not None and numbers.fits(value) else r"\;"
    below = numbers.value(grad, precision) if grad is not None and numbers.fits(grad) else r"\;"
    return above, below
