"""YAML specs read once: what :func:`graphjac.io.yaml_reader.read_yaml` made of a spec's text, kept
as an entry of graphjac's cache folder (:mod:`graphjac.io.cache`, its ``specs`` folder), so that
reading the same text again loads no PyYAML (the costliest import of a render).

An entry holds the whole text it was made from, the data and the position of every key and
item; it is used only for the very same text, read by the same graphjac, YAML reader and PyYAML,
and when a digest binds its answer to that question. Only plain data is kept (mappings with
text keys, lists, text, numbers, true/false, null): a spec holding anything else (a date, a
number as a key) is read by PyYAML each time. The data is then checked as any spec's is.

>>> _plain({"nodes": [{"name": "x", "value": 2.0}]}), _plain({1: "one"}), _plain({"x": float("nan")})
(True, False, False)
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Optional

from graphjac.io import cache
from graphjac.version import __version__

FORMAT = 1                # the layout of an entry; bump when it changes
LIMIT = 20 * 2**20        # bytes the folder may hold
KIND = "specs"


@lru_cache(maxsize=1)
def _reader() -> str:
    """graphjac's version and YAML reader, and the PyYAML installed (found, not imported)."""
    from importlib.machinery import PathFinder
    pyyaml = cache.stamp(getattr(PathFinder.find_spec("yaml"), "origin", None))
    code = cache.code_digest(Path(__file__).parent, ["yaml_reader.py"])
    return f"graphjac {__version__} {code}; PyYAML {pyyaml}; format {FORMAT}"


def _question(text: str, max_digits: int) -> dict:
    return {"text": text, "max_digits": max_digits, "reader": _reader()}


def recall(text: str, max_digits: int) -> Optional[tuple]:
    """(data, children) as ``read_yaml`` gave them for ``text``, or None if none is kept."""
    where = cache.folder(KIND)
    if where is None:
        return None
    question = _question(text, max_digits)
    path = cache.entry_path(where, question)
    entry = cache.read_entry(path)
    located = _located(entry["data"], entry["positions"]) if _answers(entry, question) else None
    if located is None:
        return None
    cache.used(path)
    data = entry["data"]
    return data, lambda container, _kept=data: located.get(id(container))


def _answers(entry, question) -> bool:
    """Whether ``entry`` was kept for ``question``, with a digest that binds its answer to it."""
    return isinstance(entry, dict) and set(entry) == {"question", "data", "positions", "digest"} \
        and entry["question"] == question \
        and entry["digest"] == cache.digest([question, entry["data"], entry["positions"]])


def keep(text: str, max_digits: int, data, children) -> None:
    """Keep what ``read_yaml`` made of ``text`` for next time (quietly nothing if it is not plain
    data or the folder cannot be written)."""
    where = cache.folder(KIND)
    if where is None or not _plain(data):
        return
    question = _question(text, max_digits)
    positions = [[list((children(container) or {}).get(key, (0, 0))) for key in _keys(container)]
                 for container in _containers(data)]
    entry = {"question": question, "data": data, "positions": positions,
             "digest": cache.digest([question, data, positions])}
    cache.write_entry(cache.entry_path(where, question), entry, LIMIT)


def _plain(value) -> bool:
    """Whether JSON gives ``value`` back as it is: text-keyed mappings, lists, text, finite
    numbers, booleans and None."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _containers(data) -> list:
    """Every mapping and list in ``data``, parents before their children (a fixed order)."""
    found, stack = [], [data]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            found.append(node)
            stack.extend(reversed(list(node.values() if isinstance(node, dict) else node)))
    return found


def _keys(container) -> list:
    return list(container) if isinstance(container, dict) else list(range(len(container)))


def _located(data, positions) -> Optional[dict]:
    """id(container) -> {key: (line, column)}, or None if ``positions`` does not fit ``data``."""
    containers = _containers(data)
    if not isinstance(positions, list) or len(positions) != len(containers):
        return None
    located = {}
    for container, where in zip(containers, positions):
        keys = _keys(container)
        if not isinstance(where, list) or len(where) != len(keys) or not all(
                isinstance(p, list) and len(p) == 2 and all(type(n) is int for n in p) for p in where):
            return None
        located[id(container)] = {key: tuple(p) for key, p in zip(keys, where) if p != [0, 0]}
    return located
