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


from graphjac.errors import SpecError
from graphjac.io.fileio import atomic_write
from graphjac.io.loaders import DATA_SUFFIXES


def dump_spec(spec: dict, fmt: str) -> str:
    """Spec data as the text of a ``yaml``, ``json`` or ``toml`` file."""
    if fmt == "yaml":
        nodes = [_OneLine(n) if len(json.dumps(n)) <= 90 else n for n in spec.get("nodes", [])]
        data = {**spec, "nodes": nodes} if "nodes" in spec else spec
        return _yaml(data)
    if fmt == "json":
        return json.dumps(spec, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "toml":
        return _toml(_without_none(spec))
    raise SpecError(f"unknown spec format {fmt!r}: expected one of yaml, json, toml")


class _OneLine(dict):
    """A node short enough to be written on one line: ``- {name: x, kind: input, value: 1.0}``."""


def _yaml(data) -> str:
    """YAML text with short nodes on one line (PyYAML is loaded only here)."""
    import yaml

    class SpecDumper(yaml.SafeDumper):
        pass

    SpecDumper.add_representer(
        _OneLine, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
    return yaml.dump(data, Dumper=SpecDumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                     width=100)


def _without_none(data):
    """TOML has no null: a None option is the same as leaving it out."""
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def _toml(spec: dict) -> str:
    """Top-level values, then each table (``[render]``), then each array of tables (``[[nodes]]``);
    lists and mappings inside a node stay on one line (``value = [1.0, 2.0]``), as a spec reads best."""
    import tomlkit

    document = tomlkit.document()
    tables = {k: v for k, v in spec.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in spec.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)}
    for key, value in spec.items():
        if key not in tables and key not in arrays:
            document.add(key, _inline(value))
    for key, table in tables.items():
        section = tomlkit.table()
        for k, v in table.items():
            section.add(k, _inline(v))
        document.add(key, section)
    for key, items in arrays.items():
        array = tomlkit.aot()
        for item in items:
            entry = tomlkit.table()
            for k, v in item.items():
                entry.add(k, _inline(v))
            array.append(entry)
        document.add(key, array)
    return tomlkit.dumps(document)


def _inline(value):
    """A value as tomlkit writes it on one line: lists as arrays, mappings as inline tables."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update({k: _inline(v) for k, v in value.items()})
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_inline(v) for v in value)
        return array
    return value


def spec_format(path) -> str:
    """``yaml``, ``json`` or ``toml``, from the suffix of ``path``; any other suffix is an error."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise SpecError(f"{path}: cannot tell the spec format from {suffix or 'no suffix'!r}: "
                        f"use one of {', '.join(DATA_SUFFIXES)}")
    return DATA_SUFFIXES[suffix]


def save(graph, path) -> Path:
    """Write ``graph.to_spec()`` to ``path`` (.yaml, .yml, .json or .toml) atomically, never over
    a file the graph was loaded from."""
    return atomic_write(path, dump_spec(graph.to_spec(), spec_format(path)), inputs=graph.sources)
