"""What the Sphinx directive and the MkDocs fence share: render options written as text under
their command-line names (``edge-labels: symbol,value``, ``legend: false``).

>>> overrides({"edge-labels": "symbol,value", "legend": "false", "samples": "2"})
{'edge_labels': 'symbol,value', 'legend': False, 'samples': 2}
>>> is_render_option("theme"), is_render_option("caption")
(True, False)
"""

from __future__ import annotations

from .errors import GraphjacError
from .options import option_help


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
