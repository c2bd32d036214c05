"""Reading graphs from files: YAML, JSON and TOML specs (with line numbers) and Python scripts.

Every error names the file and, where the format allows, the line and column at fault:

>>> import json, tempfile, os
>>> spec = {"name": "sum", "nodes": [{"name": "x", "kind": "input", "value": 1.0},
...                                   {"name": "z", "kind": "squar", "inputs": ["x"]}]}
>>> path = os.path.join(tempfile.mkdtemp(), "sum.json")
>>> _ = open(path, "w").write(json.dumps(spec))
>>> try:
...     load(path)
... except SpecError as error:
...     print(str(error).replace(path, "sum.json"))
sum.json:1:87: nodes[1].kind: unknown node kind 'squar'; did you mean 'square'?
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import contextlib
import os
import re
import runpy
import sys
import traceback
from pathlib import Path


from graphjac.core.graph import Graph
from graphjac.errors import GraphjacError, SpecError, close_matches, line_column
from graphjac.io.gallery import PREFIX, catalog, spec_path

DATA_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
MAX_SPEC_BYTES = 64 << 20
MAX_DIGITS = 400          # an integer literal longer than this is no value a graph can hold
SUFFIXES = tuple(DATA_SUFFIXES) + (".py",)


def load(path, torch: bool = False, depth=None):
    """A Graph from a spec file (.yaml/.yml/.json/.toml), a Python file (``graph.py[:name]``: a
    Graph, a function returning one, or a PyTorch module) or a built-in lecture figure
    (``lecture:neuron``); ``torch``: the Python file's PyTorch module rather than its Graph;
    ``depth``: its submodules deeper than this kept whole (as ``from_torch``'s)."""
    kind, path, attribute = _parts(str(path))
    if kind == "lecture":
        return load_example(path)
    if kind == "python":
        return load_python(path, attribute, torch, depth)
    data, locate = read_spec(path)
    if isinstance(data, dict) and "name" not in data:
        data["name"] = Path(path).stem   # the figure's title: the file's name, unless the spec gives one
    graph = Graph.from_spec(data, source=path, locate=locate)
    graph.sources = (Path(path),)
    return graph


def load_text(text: str, source: str, format: str = "yaml", first_line: int = 1):
    """A Graph from a spec's text (an inline spec in a page): errors name ``source`` and the
    line, counting from ``first_line``."""
    if format not in ("yaml", "json", "toml"):
        raise GraphjacError(f"{source}: unknown spec format {format!r}: expected yaml, json or toml")
    padded = "\n" * max(first_line - 1, 0) + text
    data, locate = {"yaml": _read_yaml, "json": _read_json, "toml": _read_toml}[format](padded, source)
    if isinstance(data, dict) and "name" not in data:
        data["name"] = "figure"
    return Graph.from_spec(data, source=source, locate=locate)


def source_file(spec) -> Path:
    """The file SPEC is read from (the installed YAML of ``lecture:NAME``, the script of
    ``model.py:NAME``)."""
    kind, path, _ = _parts(str(spec))
    return spec_path(path) if kind == "lecture" else Path(path)


def inputs_of(spec) -> tuple:
    """The files a figure of SPEC is made from, as far as they are known before it is loaded: the
    spec file, or a script and the Python files beside it that it may import."""
    main = source_file(spec)
    return (main,) + _modules_from(str(main.resolve().parent)) if main.suffix.lower() == ".py" else (main,)


def spec_kind(spec) -> str:
    """``lecture``, ``python`` or ``data``: what SPEC names.

    >>> spec_kind("lecture:neuron"), spec_kind("nets/Model.PY:big"), spec_kind("m.yaml")
    ('lecture', 'python', 'data')
    """
    return _parts(str(spec))[0]


def _parts(spec: str):
    """(kind, path, attribute) of a SPEC: ``lecture``, ``python`` or ``data``."""
    if spec.startswith(PREFIX):
        return "lecture", spec[len(PREFIX):], None
    cut = spec.lower().find(".py:")
    if cut >= 0 and spec[cut + 4:]:
        return "python", spec[:cut + 3], spec[cut + 4:]
    if spec.lower().endswith(".py"):     # model.PY is a script as model.py is, everywhere
        return "python", spec, None
    return "data", spec, None


def figure_stem(spec) -> str:
    """The name a figure of SPEC gets by default: ``lecture:neuron`` → neuron, ``nets/model.py:big`` → model.

    >>> figure_stem("lecture:neuron"), figure_stem("nets/model.py:big"), figure_stem("a/spec.yaml")
    ('neuron', 'model', 'spec')
    """
    kind, path, _ = _parts(str(spec))
    return path if kind == "lecture" else Path(path).stem


def load_example(name: str):
    """The built-in lecture figure ``name`` as a :class:`~graphjac.Graph` (a fresh copy each time).

    >>> g = load_example("dot")
    >>> g.backward(g.target)
    >>> g.grad("u").tolist()          # v⃗ᵀ
    [4.0, -5.0, 6.0]
    """
    return load(spec_path(name))


def _read_text(path):
    p = Path(path)
    if p.is_dir():
        raise SpecError(f"{path}: is a directory, not a spec file")
    if not p.exists():
        raise SpecError(f"{path}: no such file{_built_in_hint(path)}")
    if p.suffix.lower() not in SUFFIXES:
        raise SpecError(f"{path}: unknown spec format {p.suffix or '(no suffix)'!r}: "
                        f"expected one of {', '.join(SUFFIXES)}")
    try:
        with open(p, "rb") as handle:    # at most MAX_SPEC_BYTES: /dev/zero is no spec
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"{path}: larger than {MAX_SPEC_BYTES >> 20} MiB; a spec is a small text file")
    try:
        return data.decode("utf-8-sig")   # a byte-order mark, as some editors write, is dropped
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _built_in_hint(path) -> str:
    """For a missing file named like a built-in figure (``micrograd``, ``neuron.yaml``), the
    spelling that loads it.

    >>> _built_in_hint("micrograd"), _built_in_hint("notes/neuron.yaml"), _built_in_hint("model.yaml")
    ('; did you mean lecture:micrograd?', '', '')
    """
    text = str(path)
    stem = text[:-len(Path(text).suffix)] if Path(text).suffix.lower() in SUFFIXES else text
    close = close_matches(stem, catalog()) if "/" not in stem and os.sep not in stem else []
    return f"; did you mean {PREFIX}{close[0]}?" if close else ""


def read_spec(path):
    """(data, locate) of a spec file; ``locate(path_tuple)`` gives (line, column) or None."""
    text = _read_text(path)
    if not text.strip():
        raise SpecError(f"{path}: the file is empty; a spec is a mapping with a 'nodes' list")
    fmt = DATA_SUFFIXES[Path(path).suffix.lower()]
    try:
        return {"yaml": _read_yaml, "json": _read_json, "toml": _read_toml}[fmt](text, str(path))
    except RecursionError:
        raise SpecError(f"{path}: lists or mappings nested too deeply to be a spec") from None


def _locator(data, root, children):
    """locate(path): the position of the deepest key or item on ``path`` that has one.

    ``children(container)`` maps a container's keys (or list indices) to their positions.
    """
    def locate(path):
        node, best = data, root
        for key in path:
            if not isinstance(node, (dict, list)):
                break
            members = children(node)
            if members and key in members:
                best = members[key]
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        return best
    return locate


# ------------------------------------------------------------------------------- YAML

def _read_yaml(text, source):
    from graphjac.io import yaml_cache
    found = yaml_cache.recall(text, MAX_DIGITS)
    if found is None:
        from graphjac.io.yaml_reader import read_yaml  # PyYAML is loaded only for YAML files not read before
        found = read_yaml(text, source, MAX_DIGITS)
        yaml_cache.keep(text, MAX_DIGITS, *found)
    data, children = found
    return data, _locator(data, (1, 1), children)


# ------------------------------------------------------------------------------- JSON

class _DuplicateKey(ValueError):
    pass


class _NonFinite(ValueError):
    pass


def _no_duplicates(pairs):
    mapping = {}
    for key, value in pairs:
        if key in mapping:
            raise _DuplicateKey(key)
        mapping[key] = value
    return mapping


def _reject_constant(name):
    raise _NonFinite(name)


class _TooLarge(ValueError):
    pass


def _bounded_int(literal):
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise _TooLarge(literal)
    return int(literal)


class _LocatingDecoder(json.JSONDecoder):
    """json's pure-Python scanner, recording where every object and array starts."""

    def __init__(self):
        super().__init__(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_int=_bounded_int)
        self.starts = {}
        self.keep = []
        parse_object, parse_array = self.parse_object, self.parse_array

        def located_object(s_and_end, *args, **kwargs):
            start = s_and_end[1] - 1
            try:
                obj, end = parse_object(s_and_end, *args, **kwargs)
            except _DuplicateKey as exc:
                text, key = s_and_end[0], exc.args[0]
                second = [offset for k, offset in _json_members(text, start) if k == key][1]
                raise json.JSONDecodeError(f"duplicate key {key!r}", text, second) from None
            self.starts[id(obj)] = start
            self.keep.append(obj)
            return obj, end

        def located_array(s_and_end, *args, **kwargs):
            obj, end = parse_array(s_and_end, *args, **kwargs)
            self.starts[id(obj)] = s_and_end[1] - 1
            self.keep.append(obj)
            return obj, end

        self.parse_object, self.parse_array = located_object, located_array
        self.scan_once = json.scanner.py_make_scanner(self)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


def _json_members(text, start):
    """[(key or index, offset)] of the direct members of the JSON object or array at ``start``."""
    members, depth, index, pending = [], 0, 0, True
    is_object = text[start] == "{"
    for m in _JSON_TOKEN.finditer(text, start):
        token = m.group()
        if depth == 1 and pending and token not in ",:}]":
            members.append((json.loads(token) if is_object else index, m.start()))
            pending = False
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                break
        elif token == "," and depth == 1:
            index, pending = index + 1, True
    return members


def _first_non_finite(text):
    """Offset of the first NaN/Infinity outside a JSON string."""
    for m in _JSON_TOKEN.finditer(text):
        if m.group() in ("NaN", "Infinity", "-Infinity"):
            return m.start()
    return 0


def _read_json(text, source):
    decoder = _LocatingDecoder()
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except _NonFinite as exc:
        line, column = line_column(text, _first_non_finite(text))
        raise SpecError(f"{source}:{line}:{column}: {exc.args[0]} is not allowed: numbers must be finite") from None
    except _TooLarge as exc:
        line, column = line_column(text, text.find(exc.args[0]))
        raise SpecError(f"{source}:{line}:{column}: a whole number of {len(exc.args[0])} digits is too large") from None

    position = _Positions(text)
    found = {}      # id of a container -> its members' positions, each container scanned once

    def children(container):
        start = decoder.starts.get(id(container))
        if start is None:
            return None
        if start not in found:
            found[start] = {key: position(offset) for key, offset in _json_members(text, start)}
        return found[start]
    return data, _locator(data, (1, 1), children)


class _Positions:
    """(line, column) of an offset in ``text``, both from 1, found in the table of line starts
    (``errors.line_column`` counts from the start each time: a spec of many nodes took minutes)."""

    def __init__(self, text):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset):
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


# ------------------------------------------------------------------------------- TOML

_TOML_NON_FINITE = re.compile(r"(?<![\w.])[+-]?(nan|inf)(?![\w.])")
_TOML_STRING_OR_COMMENT = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|#.*")


def _toml_non_finite_line(text):
    """(line, column) of the first nan/inf outside strings and comments (multi-line strings aside)."""
    for number, line in enumerate(text.splitlines(), 1):
        blanked = _TOML_STRING_OR_COMMENT.sub(lambda m: " " * len(m.group()), line)
        m = _TOML_NON_FINITE.search(blanked)
        if m:
            return number, m.start() + 1
    return None


def _toml_locator(text, data):
    """locate(path) for TOML: the node's ``[[nodes]]`` header (or its ``name = …``) and the key's line."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if line.strip().startswith("[[nodes]]")]

    def find(pattern, first, last):
        for i in range(first, last):
            m = re.search(pattern, lines[i])
            if m:
                return i, m.start() + 1
        return None

    def locate(path):
        if not path:
            return None
        if path[0] != "nodes" or len(path) < 2:
            key = re.escape(str(path[0]))
            tables = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")]
            table = find(rf"^\s*\[{key}\]", 0, len(lines))
            found = table or find(rf"^\s*{key}\s*=", 0, (tables or [len(lines)])[0])
            if table and len(path) > 1:
                end = next((i for i in tables if i > table[0]), len(lines))
                found = find(rf"^\s*{re.escape(str(path[1]))}\s*=", table[0], end) or table
            return None if found is None else (found[0] + 1, found[1])
        nodes, i = data.get("nodes"), path[1]
        if not isinstance(nodes, list) or not isinstance(i, int) or i >= len(nodes):
            return None
        if len(headers) == len(nodes):
            first, last, here = headers[i], (headers + [len(lines)])[i + 1], (headers[i], 1)
        else:
            name = nodes[i].get("name") if isinstance(nodes[i], dict) else None
            here = find(rf"\bname\s*=\s*[\"']{re.escape(str(name))}[\"']", 0, len(lines)) if name else None
            if here is None:
                return None
            first, last = here[0], here[0] + 1
        if len(path) > 2:
            here = find(rf"(?:^|(?<=[{{,\s])){re.escape(str(path[2]))}\s*=", first, last) or here
        return here[0] + 1, here[1]
    return locate


def _read_toml(text, source):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib

    def parse_float(literal):
        if literal.lstrip("+-") in ("nan", "inf"):
            raise _NonFinite(literal)
        return float(literal)

    try:
        data = tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if m:
            message = message[:m.start()].strip()
            raise SpecError(f"{source}:{m.group(1)}:{m.group(2)}: invalid TOML: {message}") from None
        raise SpecError(f"{source}: invalid TOML: {message}") from None
    except _NonFinite as exc:
        position = _toml_non_finite_line(text)
        where = f"{source}:{position[0]}:{position[1]}" if position else source
        raise SpecError(f"{where}: {exc.args[0]} is not allowed: numbers must be finite") from None
    except ValueError:   # tomllib's own int(), past Python's digit limit
        raise SpecError(f"{source}: invalid TOML: a whole number is too large (over 4,300 digits)") from None
    return data, _toml_locator(text, data)


# ------------------------------------------------------------------------------- Python

def _script_line(path, exc):
    """``path:line`` of the innermost frame of ``exc`` that ran in the script ``path``."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"{path}:{exc.lineno}:{exc.offset or 1}"
    script = str(Path(path).resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if str(Path(f.filename).resolve()) == script]
    return f"{path}:{frames[-1].lineno}" if frames else path


def load_python(path, attribute=None, torch=False, depth=None):
    """Run a Python file and take its graph: ``attribute`` (a Graph, a function returning one, or
    a PyTorch module), else the one Graph among its globals (the one module, with ``torch``),
    else its function ``build()``. A module is drawn by :func:`graphjac.from_torch` on the
    script's ``example_inputs``, with its ``loss`` and ``target`` when it defines them."""
    _read_text(path)  # the same missing-file / directory errors as for specs
    with contained():
        return _load_python(path, attribute, torch, depth)


class ScriptExit(SystemExit):
    """A script called ``os._exit``: its exit is the script's error, never graphjac's end."""


@contextlib.contextmanager
def contained():
    """While a script (or a model's forward) runs: what it prints goes to standard error, never
    into a figure written to standard output or a table piped into notes; ``os._exit`` raises
    :class:`ScriptExit` instead of ending graphjac without a word (``sys.exit`` already raises)."""
    real_exit = os._exit

    def refused_exit(code=0):
        raise ScriptExit(f"os._exit({code}) was called; a script that draws a figure must not end the program")

    os._exit = refused_exit
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os._exit = real_exit


def _load_python(path, attribute, torch, depth=None):
    folder, here = str(Path(path).resolve().parent), os.getcwd()
    sys.path.insert(0, folder)   # as `python file.py` does: the script may import its neighbours
    try:
        namespace = runpy.run_path(path, run_name="__graphjac__")
    except GraphjacError as exc:
        raise type(exc)(f"{_script_line(path, exc)}: {exc}") from exc
    except SyntaxError as exc:
        raise GraphjacError(f"{_script_line(path, exc)}: invalid Python: {exc.msg}") from exc
    except (Exception, SystemExit, GeneratorExit) as exc:   # everything but Ctrl-C is the script's error
        raise GraphjacError(f"{_script_line(path, exc)}: the script raised {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.remove(folder)
        os.chdir(here)           # a script's os.chdir does not move the outputs named after it
    if attribute is not None:
        if attribute not in namespace:
            close = close_matches(attribute, [k for k in namespace if not k.startswith("_")])
            hint = f"; did you mean {path}:{close[0]}?" if close else ""
            raise GraphjacError(f"{path}: defines no {attribute!r}{hint}")
        found = namespace[attribute]
    else:
        found = _the_graph(path, namespace, torch)
    if _is_torch_module(found):
        found = _torch_graph(path, namespace, found, attribute, depth)
    if callable(found) and not isinstance(found, Graph):
        try:
            found = found()
        except (Exception, SystemExit, GeneratorExit) as exc:
            raise GraphjacError(f"{_script_line(path, exc)}: {getattr(found, '__name__', 'the function')}() "
                                f"raised {type(exc).__name__}: {exc}") from exc
        finally:
            os.chdir(here)
    if not isinstance(found, Graph):
        raise GraphjacError(f"{path}: {attribute or 'build()'} is a {type(found).__name__}, not a graphjac.Graph")
    found.sources = (Path(path),) + _modules_from(folder)
    return found


def _the_graph(path, namespace, torch):
    """The one Graph among a script's globals (the one PyTorch module, with ``torch``), else build()."""
    def model(value):   # a PyTorch module that is not the script's loss
        return _is_torch_module(value) and value is not namespace.get("loss")

    wanted, what = (model, "PyTorch module") if torch else (lambda v: isinstance(v, Graph), "Graph")
    found = [v for k, v in namespace.items() if wanted(v) and not k.startswith("_")]
    if not torch and not found:   # a script with a model and no Graph: the model
        found, what = [v for k, v in namespace.items() if model(v) and not k.startswith("_")], "PyTorch module"
    if len(found) == 1:
        return found[0]
    if callable(namespace.get("build")) and not torch:
        return namespace["build"]
    many = f"several {what}s" if found else (f"no {what}" if torch else "no Graph and no build() function")
    raise GraphjacError(f"{path}: defines {many}; name one as {path}:NAME")


def _is_torch_module(value) -> bool:
    """Whether ``value`` is a ``torch.nn.Module`` (told without importing torch)."""
    return any(f"{c.__module__}.{c.__qualname__}" == "torch.nn.modules.module.Module" for c in type(value).__mro__)


def _torch_graph(path, namespace, module, attribute, depth=None):
    from graphjac.integrations.pytorch import from_torch
    if "example_inputs" not in namespace:
        raise GraphjacError(f"{path}: {attribute or 'the module'} is a PyTorch module; the script must also define "
                            f"example_inputs (a tensor, or a tuple of tensors), and loss and target for a loss J")
    graph = from_torch(module, namespace["example_inputs"], namespace.get("loss"), namespace.get("target"),
                       expand=namespace.get("expand", False), name=namespace.get("name"),
                       depth=depth if depth is not None else namespace.get("depth"))
    render = namespace.get("render_options")
    if render is not None:
        graph.render_options = render
    return graph


def _modules_from(folder: str) -> tuple:
    """The Python files a script in ``folder`` may import: its neighbours and the modules loaded
    from there."""
    files = set(Path(folder).glob("*.py")) | set(Path(folder).glob("*.PY"))
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if name and os.path.dirname(os.path.realpath(name)) == folder:
            files.add(Path(name))
    return tuple(sorted(files))
