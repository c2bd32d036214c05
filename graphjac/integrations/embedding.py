"""What the Sphinx directive and the MkDocs fence share: render options written as text under
their command-line names (``edge-labels: symbol,value``, ``legend: false``), and which spec
files a page may name (those inside the documentation's folders; Python only when allowed).

>>> overrides({"edge-labels": "symbol,value", "legend": "false", "samples": "2"})
{'edge_labels': 'symbol,value', 'legend': False, 'samples': 2}
>>> is_render_option("theme"), is_render_option("caption")
(True, False)
"""

from __future__ import annotations

from graphjac.errors import GraphjacError
from graphjac.io.fileio import within
from graphjac.options import option_help


def allowed_spec(spec: str, folders, run_python: bool, how_to_widen: str, how_to_run: str) -> str:
    """``spec`` as a page names it, if it may be read: its file (links followed) lies inside one of
    ``folders``, and a Python model only with ``run_python``; else a GraphjacError saying which
    setting allows it (``how_to_widen``, ``how_to_run``).

    >>> allowed_spec("lecture:neuron", ["/docs"], False, "", "")
    'lecture:neuron'
    >>> allowed_spec("/docs/../secret.yaml", ["/docs"], False, "widen it", "")
    Traceback (most recent call last):
    ...
    graphjac.errors.GraphjacError: /docs/../secret.yaml: outside the documentation's folder /docs; widen it
    """
    from graphjac.io.loaders import source_file, spec_kind
    kind = spec_kind(spec)
    if kind == "lecture":
        return spec
    if not any(within(source_file(spec), folder) for folder in folders):
        where = " or ".join(str(folder) for folder in folders)
        raise GraphjacError(f"{spec}: outside the documentation's folder {where}; {how_to_widen}")
    if kind == "python" and not run_python:
        raise GraphjacError(f"{spec}: a page runs no Python figure unless it is allowed; {how_to_run}")
    return spec


def render_option_names() -> dict:
    """CLI name -> (option name, kind) for every render option."""
    return {name.replace("_", "-"): (name, spec[3]) for name, spec in option_help().items()}


def is_render_option(name: str) -> bool:
    return name in render_option_names()


def overrides(texts: dict) -> dict:
    """Render options from ``{cli-name: text}`` (other keys are left out); a bad value is a
    GraphjacError naming the option."""
    known = render_option_names()
    found = {}
    for key, text in texts.items():
        if key in known:
            name, kind = known[key]
            try:
                found[name] = _value(kind, text)
            except ValueError as exc:
                raise GraphjacError(f"option {key}: {exc}") from None
    return found


def _value(kind, text):
    text = "" if text is None else str(text).strip()
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("", "true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"expected true or false; got {text!r}")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected a whole number; got {text!r}") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number; got {text!r}") from None
    return text

