"""Render options: one validated dataclass, with the help text the CLI builds its flags from.

>>> RenderOptions(theme="print").theme
'print'
>>> RenderOptions.from_mapping({"edge_labels": "symbol,value"}).edge_labels
('symbol', 'value')
>>> RenderOptions(theme="prnt")
Traceback (most recent call last):
...
graphjac.errors.GraphjacError: render option theme: 'prnt' is not one of lecture, print, dark, auto; did you mean 'print'?
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import Optional

from graphjac.core.records import field, record
from graphjac.errors import GraphjacError, close_matches

DIRECTIONS = ("auto", "BT", "TB", "LR", "RL")
THEME_NAMES = ("lecture", "print", "dark", "auto")
EDGE_PARTS = ("symbol", "formula", "value", "shape", "local")
NODE_PARTS = ("formula", "value", "grad", "shape")
MODELS = ("per-sample", "once")
VECTOR_STYLES = ("arrow", "bold")
MATH_MODES = ("html", "typeset")
CONSTANTS = ("fold", "nodes")
STYLES = ("lecture", "circuit")
WORDS = {"forward": "forward: values", "backward": "backward:", "minibatch": "Minibatch",
         "gradcheck_ok": "gradients agree with finite differences", "gradcheck_failed": "gradcheck failed:",
         "blank": "answer"}
PAGES = {"16:9": (16.0, 9.0), "4:3": (4.0, 3.0), "a4": (210.0, 297.0)}
ALIASES = {"rankdir": "direction"}   # Graphviz's own name for it


def _option(default, help, choices=None, kind=None):
    """A dataclass field carrying its help text, allowed values and kind for validation."""
    meta = {"help": help, "choices": choices, "kind": kind or type(default).__name__}
    return field(default=default, metadata=meta)


@record
class RenderOptions:
    """What a figure shows and how it looks. Every field validates on construction."""

    direction: str = _option("auto", "layout direction: BT (bottom to top, the neuron figure), LR (left to "
                             "right, the minibatch figure), TB, RL; auto picks LR for minibatch figures "
                             "drawn per sample, else BT", DIRECTIONS)
    theme: str = _option("lecture", "lecture (colour), print (grayscale; edges told apart by line style), "
                         "dark (for slides) or auto (lecture colours that turn dark on a dark web page; "
                         "the default of the Sphinx, MkDocs and notebook figures)", THEME_NAMES)
    edge_labels: tuple = _option(("symbol", "formula"), "what backward edges say, comma separated: symbol "
                                 "(∂J/∂x), formula (the chain rule ∂J/∂z·wᵀ), value, shape (ℝ¹ˣⁿ), local "
                                 "(the local derivative ∂z/∂x, as Colah's figures label edges)",
                                 EDGE_PARTS, "parts")
    style: str = _option("lecture", "lecture (boxes holding each node's formula and value) or circuit "
                         "(CS231n's circuits: gates as small circles, values above and gradients below "
                         "each wire)", STYLES)
    node_labels: tuple = _option(("formula", "value"), "what nodes say, comma separated: formula, value, "
                                 "grad (∂J/∂node), shape", NODE_PARTS, "parts")
    backward: bool = _option(True, "draw the backward edges (∂J/∂·)")
    precision: int = _option(3, "significant digits of the numbers shown (1 to 12)")
    samples: int = _option(0, "draw a minibatch sample by sample: this many samples, an ellipsis and the "
                           "last one (0 draws each minibatch value once, with (i))")
    steps: int = _option(0, "a figure with time steps (an RNN unrolled over t = 1 … T): draw this many first "
                         "steps, an ellipsis and the last one (0 draws every step, unless fit finds that folding "
                         "them is the only way to legible text; a number as large as the steps' count draws "
                         "every step even then)")
    model: str = _option("per-sample", "with samples > 0: draw the model's nodes for every sample "
                         "(per-sample) or once for the whole minibatch (once)", MODELS)
    tables: tuple = _option((), "node names whose value is drawn as a table (matrices such as W)",
                            None, "names")
    jacobians: tuple = _option((), "local Jacobians drawn as a table on their node, as 'dst:src' "
                               "(e.g. 'p:l' for the softmax Jacobian ∂p/∂l)", None, "pairs")
    highlight: tuple = _option((), "edges drawn emphasised, as 'src:dst'", None, "pairs")
    constants: str = _option("fold", "numbers in expressions: folded into the formula of the gate that uses them "
                             "(fold, as CS231n draws +1 and ×−1 gates) or drawn as nodes of their own (nodes); "
                             "a named constant always has its node", CONSTANTS)
    legend: bool = _option(True, "show a legend telling forward from backward edges")
    gradcheck: bool = _option(False, "run the gradient check and show its verdict as a badge")
    title: Optional[str] = _option(None, "the figure's title (default: the graph's name; '' for none)",
                                   None, "text")
    blank: tuple = _option((), "an exercise sheet: hide values and/or grads (or the values and gradients "
                           "of the nodes named, or the gradients of 'src:dst' edges) behind numbered "
                           "blanks, numbered in the order backprop computes them", None, "names")
    answers: bool = _option(False, "with blank: the answer key instead: every hidden number shown, with its "
                            "blank's number beside it")
    fit: Optional[str] = _option(None, "fit a page shape: 16:9, 4:3 (slides), a4 (portrait) or any W:H; "
                                 "direction, spacing and wrapping chosen so the smallest text is as large "
                                 "as it can be", None, "text")
    rows: int = _option(0, "the circuit style: the rows a long circuit is wrapped into, each wire into the next "
                        "row returning below its own (0: one row for a circuit as wide as a slide, else as few as keep "
                        "the figure within 3:1; with fit, the best for the page)")
    words: tuple = _option((), "the figure's own words in your lecture's language, as key=text;key=text "
                           "(keys: " + ", ".join(WORDS) + ")", None, "words")
    vector_style: str = _option("arrow", "vectors written with an arrow (x⃗) or in bold", VECTOR_STYLES)
    font: str = _option("DejaVu Serif", "font family of every label")
    math: str = _option("typeset", "how SVG, PDF and PNG draw formulas: typeset (real math: stacked fractions, "
                        "limits under Σ, proper superscripts; no TeX needed) or html (Graphviz's own text, "
                        "selectable in an SVG)", MATH_MODES)
    standalone: bool = _option(False, "TikZ (.tex) output as a complete LaTeX document instead of a bare "
                               "tikzpicture")
    dpi: int = _option(150, "resolution of PNG output, dots per inch (36 to 600)")
    timeout: float = _option(60.0, "seconds a render may take (Graphviz and typesetting) before it is stopped")

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _validate(f, getattr(self, f.name)))

    @classmethod
    def from_mapping(cls, mapping, where: str = "render options") -> "RenderOptions":
        """Options from a dict (a spec file's ``render:`` section, CLI values, keyword arguments)."""
        if mapping is None:
            return cls()
        if not isinstance(mapping, dict):
            raise GraphjacError(f"{where}: expected a mapping of option names to values; got {mapping!r}")
        known = {f.name for f in fields(cls)}
        values = {}
        for key, value in mapping.items():
            name = ALIASES.get(key, key)
            if name not in known:
                close = close_matches(str(key), sorted(known))
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise GraphjacError(f"{where}: unknown render option {key!r}{hint} "
                                    f"(options: {', '.join(sorted(known))})")
            values[name] = value
        return cls(**values)

    def unknown_nodes(self, graph) -> list:
        """(option, the graph's NodeError) for every node that tables, jacobians or highlight names
        and ``graph`` lacks (the error suggests a name)."""
        named = [("tables", n) for n in self.tables]
        named += [(key, n) for key in ("jacobians", "highlight") for pair in getattr(self, key) for n in pair]
        found = []
        for option, name in named:
            if name not in graph:
                try:
                    graph.node(name)
                except GraphjacError as exc:
                    found.append((option, exc))
        return found

    def updated(self, **changes) -> "RenderOptions":
        """A copy with some options changed (validated like the rest)."""
        return replace(self, **changes) if changes else self


def option_help() -> dict:
    """name -> (default, help, allowed values or None, kind), in declaration order (for the CLI)."""
    return {f.name: (f.default, f.metadata["help"], f.metadata["choices"], f.metadata["kind"])
            for f in fields(RenderOptions)}


def _fail(name, value, expected):
    raise GraphjacError(f"render option {name}: {value!r} is not {expected}")


def _validate(f, value):
    kind, choices, name = f.metadata["kind"], f.metadata["choices"], f.name
    if name == "font":
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ,._-]*", value):
            _fail(name, value, "a font family name (letters, digits, spaces, commas, dots, - and _)")
        return value
    if kind == "str":
        if value not in choices if choices else not isinstance(value, str):
            _choice_error(name, value, choices)
        return value
    if kind == "bool":
        return _boolean(name, value)
    if kind == "int":
        bounds = {"precision": (1, 12), "samples": (0, 1000), "steps": (0, 1000), "dpi": (36, 600), "rows": (0, 12)}
        return _bounded(name, value, *bounds[name])
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            _fail(name, value, "a number of seconds between 0 and 3600")
        return float(value)
    if kind == "text":
        if value is not None and not isinstance(value, str):
            _fail(name, value, "text")
        if name == "fit" and value is not None:
            page_shape(value)
        return value
    if kind == "words":
        return _words(value)
    items = _items(name, value)
    if kind == "parts":
        for item in items:
            if item not in choices:
                _choice_error(name, item, choices)
        return tuple(dict.fromkeys(items))
    if kind == "pairs":
        return tuple(_pair(name, item) for item in items)
    return tuple(str(item) for item in items)


def page_shape(fit) -> tuple:
    """(width, height) of a ``fit`` value: ``16:9``, ``4:3``, ``a4`` or ``W:H``.

    >>> page_shape("16:9"), page_shape("a4"), page_shape("3:2")
    ((16.0, 9.0), (210.0, 297.0), (3.0, 2.0))
    """
    key = str(fit).strip().lower()
    if key in PAGES:
        return PAGES[key]
    parts = key.split(":")
    try:
        width, height = (float(p) for p in parts)
    except ValueError:
        width = height = -1.0
    if len(parts) != 2 or not (0.05 <= width / height <= 20 if width > 0 and height > 0 else False):
        _fail("fit", fit, "16:9, 4:3, a4 or a page shape W:H (such as 3:2)")
    return width, height


def _words(value) -> tuple:
    """(key, text) pairs from a mapping or from 'key=text;key=text'."""
    if isinstance(value, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        value = dict(value)
    if isinstance(value, str):
        pairs = [part.split("=", 1) for part in value.split(";") if part.strip()]
        if any(len(p) != 2 for p in pairs):
            _fail("words", value, "key=text pairs separated by ; (such as 'forward=vorwärts: Werte')")
        value = {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(value, dict):
        _fail("words", value, "a mapping of words (" + ", ".join(WORDS) + ") to text")
    for key, text in value.items():
        if key not in WORDS:
            _choice_error("words", key, tuple(WORDS))
        if not isinstance(text, str):
            _fail("words", text, f"text for {key!r}")
    return tuple(sorted(value.items()))


def word(options, key) -> str:
    """The figure's word ``key`` in the lecture's language (English unless ``words`` says)."""
    return dict(options.words).get(key, WORDS[key])


def _choice_error(name, value, choices):
    close = close_matches(str(value), choices)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise GraphjacError(f"render option {name}: {value!r} is not one of {', '.join(choices)}{hint}")


def _boolean(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.lower() in ("true", "yes", "on", "1")
    _fail(name, value, "true or false")


def _bounded(name, value, low, high):
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(name, value, f"a whole number from {low} to {high}")
    return value


def _items(name, value):
    """A list given as a sequence or as comma-separated text."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    _fail(name, value, "a list (or comma-separated text)")


def _pair(name, item):
    """('dst', 'src') from a 2-sequence or from 'dst:src' (split at the last colon)."""
    if isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(s, str) for s in item):
        return tuple(item)
    if isinstance(item, str) and ":" in item.strip(":"):
        first, second = item.rsplit(":", 1)
        return first, second
    _fail(name, item, "a pair of node names, 'a:b' or [a, b]")
