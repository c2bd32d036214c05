"""Writing graphs to spec files: YAML, JSON or TOML, chosen by the suffix, written atomically.

What :func:`save` writes, :func:`graphjac.load` reads back into the same graph:

>>> import os, tempfile, graphjac as gj
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.param("y", 2.0), name="z")
>>> path = save(g, os.path.join(tempfile.mkdtemp(), "product.toml"))
>>> gj.load(path).to_spec() == g.to_spec()
True
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .errors import SpecError
from .fileio import atomic_write
from .loaders import DATA_SUFFIXES


def dump_spec(spec: dict, fmt: str) -> str:
    """Spec data as the text of a ``yaml``, ``json`` or ``toml`` file."""
    if fmt == "yaml":
        return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    if fmt == "json":
        return json.dumps(spec, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "toml":
        import tomli_w
        return tomli_w.dumps(_without_none(spec))
    raise SpecError(f"unknown spec format {fmt!r}: expected one of yaml, json, toml")


def _without_none(data):
    """TOML has no null: a None option is the same as leaving it out."""
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def save(graph, path) -> Path:
    """Write ``graph.to_spec()`` to ``path`` (.yaml, .yml, .json or .toml) atomically."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise SpecError(f"{path}: cannot tell the spec format from {suffix or 'no suffix'!r}: "
                        f"use one of {', '.join(DATA_SUFFIXES)}")
    return atomic_write(path, dump_spec(graph.to_spec(), DATA_SUFFIXES[suffix]))
