"""Reading graphs from files: YAML, JSON and TOML specs (with line numbers) and Python scripts.

>>> import json, tempfile, os
>>> spec = {"name": "sum", "nodes": [{"name": "x", "kind": "input", "value": 1.0},
...                                   {"name": "z", "kind": "square", "inputs": ["x"]}]}
>>> path = os.path.join(tempfile.mkdtemp(), "sum.json")
>>> _ = open(path, "w").write(json.dumps(spec))
>>> load(path).node("z").value.item()
1.0
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
import runpy
from pathlib import Path

import yaml

from .errors import GraphjacError, SpecError

DATA_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
SUFFIXES = tuple(DATA_SUFFIXES) + (".py",)


def load(path):
    """A Graph from a spec file (.yaml/.yml/.json/.toml), a Python file (``graph.py[:name]``)
    or a built-in lecture figure (``lecture:neuron``)."""
    path = str(path)
    if path.startswith("lecture:"):
        from .examples import load_example
        return load_example(path[len("lecture:"):])
    script, _, attribute = path.partition(".py:")
    if attribute or path.endswith(".py"):
        return load_python(script + ".py" if attribute else path, attribute or None)
    from .graph import Graph
    data, locate = read_spec(path)
    return Graph.from_spec(data, source=path, locate=locate)


def _read_text(path):
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise SpecError(f"{path}: unknown spec format {p.suffix or '(no suffix)'!r}: "
                        f"expected one of {', '.join(SUFFIXES)}")
    if p.is_dir():
        raise SpecError(f"{path}: is a directory, not a spec file")
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read it ({exc.strerror})") from None


def read_spec(path):
    """(data, locate) of a spec file; ``locate(path_tuple)`` gives (line, column) or None."""
    text = _read_text(path)
    fmt = DATA_SUFFIXES[Path(path).suffix.lower()]
    return {"yaml": _read_yaml, "json": _read_json, "toml": _read_toml}[fmt](text, str(path))


def _locator(positions, data, resolve):
    """locate(path): the position of the innermost container on ``path`` that has one."""
    def locate(path):
        node, best = data, positions.get(id(data))
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
            if id(node) in positions:
                best = positions[id(node)]
        return None if best is None else resolve(best)
    return locate


# ------------------------------------------------------------------------------- YAML

class _SpecYamlLoader(yaml.SafeLoader):
    """safe_load plus duplicate-key errors and the position of every mapping and list."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            mark = key_node.start_mark
            raise SpecError(f"{loader.spec_source}:{mark.line + 1}:{mark.column + 1}: duplicate key {key!r}")
        mapping[key] = loader.construct_object(value_node, deep=True)
    loader.positions[id(mapping)] = (node.start_mark.line + 1, node.start_mark.column + 1)
    return mapping


def _construct_sequence(loader, node):
    items = [loader.construct_object(child, deep=True) for child in node.value]
    loader.positions[id(items)] = (node.start_mark.line + 1, node.start_mark.column + 1)
    return items


_SpecYamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_SpecYamlLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _read_yaml(text, source):
    loader = _SpecYamlLoader(text)
    loader.spec_source, loader.positions = source, {}
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, _locator(loader.positions, data, lambda p: p)


# ------------------------------------------------------------------------------- JSON

class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    mapping = {}
    for key, value in pairs:
        if key in mapping:
            raise _DuplicateKey(key)
        mapping[key] = value
    return mapping


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


class _LocatingDecoder(json.JSONDecoder):
    """json's pure-Python scanner, recording where every object and array starts."""

    def __init__(self):
        super().__init__(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        self.positions = {}
        self.keep = []
        parse_object, parse_array = self.parse_object, self.parse_array

        def located_object(s_and_end, *args, **kwargs):
            start = s_and_end[1] - 1
            try:
                obj, end = parse_object(s_and_end, *args, **kwargs)
            except _DuplicateKey as exc:
                raise json.JSONDecodeError(f"duplicate key {exc.args[0]!r}", s_and_end[0], start) from None
            self.positions[id(obj)] = start
            self.keep.append(obj)
            return obj, end

        def located_array(s_and_end, *args, **kwargs):
            obj, end = parse_array(s_and_end, *args, **kwargs)
            self.positions[id(obj)] = s_and_end[1] - 1
            self.keep.append(obj)
            return obj, end

        self.parse_object, self.parse_array = located_object, located_array
        self.scan_once = json.scanner.py_make_scanner(self)


def _line_column(text, index):
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _read_json(text, source):
    decoder = _LocatingDecoder()
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{source}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    except ValueError as exc:  # NaN / Infinity
        raise SpecError(f"{source}: {exc}") from None
    return data, _locator(decoder.positions, data, lambda i: _line_column(text, i))


# ------------------------------------------------------------------------------- TOML

def _read_toml(text, source):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib

    def parse_float(literal):
        if literal.lstrip("+-") in ("nan", "inf"):
            raise ValueError(f"{literal} is not allowed (numbers must be finite)")
        return float(literal)

    try:
        data = tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if m:
            message = message[:m.start()].strip()
            raise SpecError(f"{source}:{m.group(1)}:{m.group(2)}: {message}") from None
        raise SpecError(f"{source}: {message}") from None
    except ValueError as exc:
        raise SpecError(f"{source}: {exc}") from None
    headers = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip().startswith("[[nodes]]")]

    def locate(path):
        if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int) and path[1] < len(headers):
            return headers[path[1]], 1
        return None
    return data, locate


# ------------------------------------------------------------------------------- Python

def load_python(path, attribute=None):
    """Run a Python file and take its graph: ``attribute`` (a Graph or a function returning one),
    else the one Graph among its globals, else its function ``build()``."""
    from .graph import Graph

    _read_text(path)  # the same missing-file / directory errors as for specs
    try:
        namespace = runpy.run_path(path, run_name="__graphjac__")
    except GraphjacError as exc:
        raise GraphjacError(f"{path}: {exc}") from exc
    except Exception as exc:
        raise GraphjacError(f"{path}: the script raised {type(exc).__name__}: {exc}") from exc
    if attribute is not None:
        if attribute not in namespace:
            raise GraphjacError(f"{path}: defines no {attribute!r}")
        found = namespace[attribute]
    else:
        graphs = [v for k, v in namespace.items() if isinstance(v, Graph) and not k.startswith("_")]
        if len(graphs) == 1:
            found = graphs[0]
        elif callable(namespace.get("build")):
            found = namespace["build"]
        else:
            what = "several Graphs" if graphs else "no Graph and no build() function"
            raise GraphjacError(f"{path}: defines {what}; name one as {path}:NAME")
    if callable(found) and not isinstance(found, Graph):
        try:
            found = found()
        except Exception as exc:
            raise GraphjacError(f"{path}: {getattr(found, '__name__', 'the function')}() raised "
                                f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(found, Graph):
        raise GraphjacError(f"{path}: {attribute or 'build()'} is a {type(found).__name__}, not a graphjac.Graph")
    return found
