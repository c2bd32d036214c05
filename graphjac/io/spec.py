"""The spec schema: a graph as plain data, the same for YAML, JSON and TOML.

A spec is a mapping (here in YAML; JSON and TOML hold the same data)::

    graphjac: 1                 # schema version (optional)
    name: neuron                # the figure's title
    target: J                   # the scalar loss J that backward differentiates (optional)
    render: {direction: BT}     # stored render options, as RenderOptions names them (optional)
    nodes:                      # in any order: an op may name a node defined further down
      - {name: X, kind: input, batch: true, value: {random: normal, shape: [4, 3], seed: 0}}
      - {name: y, kind: input, batch: true, value: [0, 1, 1, 0]}
      - {name: w, kind: param, value: [0.5, -0.3, 0.8], group: Model}
      - {name: b, kind: param, value: 0.1, group: Model}
      - {name: z, kind: neuron, inputs: [X, w, b], group: Model}
      - {name: a, kind: sigmoid, inputs: [z], group: Model}
      - {name: J0, kind: loss, function: bce, inputs: [a, y], label: "J_{0}"}
      - {name: J, kind: mean, inputs: [J0]}

Node fields: ``name`` and ``kind`` always; ``value`` for input/param/const (a number, nested
lists, or a seeded random draw ``{random: normal|uniform|integers, shape, seed, mean/std or
low/high}``); ``batch`` for inputs; ``inputs`` (node names or numbers) for ops; ``function``
for activation and loss; ``group`` ("Dataset/Minibatch" or a list) and
``label`` (a LaTeX symbol) for any node; and the op's own attributes (``exponent`` for pow,
``slope`` for leaky_relu, …), as the op declares them. A kind may also name an activation or a
loss directly (``kind: sigmoid`` is ``kind: activation, function: sigmoid``).
"""

from __future__ import annotations

import graphlib
import heapq
import math
import re
import unicodedata

import numpy as np

from graphjac.core.ops import ACTIVATIONS, LOSSES, REGISTRY, OpError
from graphjac.errors import GraphjacError, SpecError, close_matches
from graphjac.options import RenderOptions

SCHEMA_VERSION = 1
TOP_FIELDS = ("graphjac", "name", "target", "render", "nodes")
LEAF_KINDS = ("input", "param", "const")
FAMILIES = ("activation", "loss")     # kinds whose op is named by 'function'
COMMON_FIELDS = ("name", "kind", "group", "label")
LEAF_FIELDS = {"input": COMMON_FIELDS + ("value", "batch"), "param": COMMON_FIELDS + ("value",),
               "const": COMMON_FIELDS + ("value",)}
RANDOM_FIELDS = ("random", "shape", "seed", "mean", "std", "low", "high")
DISTRIBUTIONS = ("normal", "uniform", "integers")




def op_kinds() -> tuple:
    """The op kinds a spec can name, from the registry (activations and losses as families)."""
    return tuple(dict.fromkeys(op.kind for op in REGISTRY.values()))


def kinds() -> tuple:
    return LEAF_KINDS + op_kinds()


def fields_of(kind, op) -> tuple:
    """The fields a node of ``kind`` (computing ``op``) may have: derived from the op's declaration."""
    if kind in LEAF_FIELDS:
        return LEAF_FIELDS[kind]
    return COMMON_FIELDS + ("inputs",) + (("function",) if kind in FAMILIES else ()) \
        + tuple(attr.name for attr in op.attrs)


# ------------------------------------------------------------------------------- writing

def graph_to_spec(graph) -> dict:
    """The graph as plain JSON-serialisable data (values embedded)."""
    nodes = []
    records = graph.records()
    inline = {r.id for r in records if _inline_number(r, records)}
    for r in records:
        if r.id in inline:
            continue
        entry = {"name": r.name, "kind": r.kind}
        if r.kind in FAMILIES:
            entry["function"] = r.op
        defaults = {a.name: a.default for a in REGISTRY[r.op].attrs} if r.op else {}
        entry.update((k, list(v) if isinstance(v, tuple) else v) for k, v in r.attrs.items()
                     if v is not None and not (k in defaults and _same(v, defaults[k])))
        if r.inputs:
            entry["inputs"] = [float(records[i].value) if i in inline else records[i].name for i in r.inputs]
        if r.value is not None:
            entry["value"] = r.value.tolist()
        if r.batch and r.kind == "input":
            entry["batch"] = True
        if r.group:
            entry["group"] = "/".join(r.group)
        if r.label is not None:
            entry["label"] = r.label
        nodes.append(entry)
    spec = {"graphjac": SCHEMA_VERSION, "name": graph.name}
    if graph.target is not None:
        spec["target"] = graph.target.name
    if graph.render_options:
        spec["render"] = dict(graph.render_options)
    spec["nodes"] = nodes
    return spec


def _same(value, default) -> bool:
    """Whether an attribute holds its default (left out of a spec: ``keepdims: false`` says nothing)."""
    return type(value) is type(default) and value == default


def _inline_number(record, records):
    """A number in an expression (an unnamed scalar constant with one consumer): written as a
    number among its consumer's inputs, as the spec reader takes it."""
    if record.kind != "const" or not record.auto_named or record.shape != () or record.label is not None:
        return False
    return sum(record.id in r.inputs for r in records) == 1


# ------------------------------------------------------------------------------- reading

class _Reader:
    """Validates spec data, raising SpecError with file:line:column where the loader knows them."""

    def __init__(self, source, locate):
        self.source = source
        self.locate = locate

    def where(self, path) -> str:
        """``file:line:column`` of ``path`` (``file`` where the loader cannot tell)."""
        position = self.locate(path) if self.locate else None
        return self.source + (f":{position[0]}:{position[1]}" if position else "")

    def fail(self, path, message):
        where = self.where(path)
        field = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))
        raise SpecError(f"{where}: {field + ': ' if field else ''}{message}")

    def check_fields(self, mapping, allowed, path, what):
        for key in mapping:
            if key not in allowed:
                close = close_matches(str(key), allowed)
                hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
                self.fail(path + (key,), f"unknown field {key!r} for {what}{hint}")


def _kind_of(reader, entry, path):
    """(kind, op name or None for a leaf) of a node entry."""
    kind, known = entry.get("kind"), kinds()
    if not isinstance(kind, str):
        reader.fail(path + ("kind",), f"every node needs a kind ({', '.join(known)})")
    if kind in ACTIVATIONS or kind in LOSSES:
        family = "activation" if kind in ACTIVATIONS else "loss"
        if entry.get("function", kind) != kind:
            reader.fail(path + ("function",), f"kind {kind!r} already names the {family}; "
                        f"drop 'function: {entry['function']}' or write 'kind: {family}'")
        return family, kind
    if kind not in known:
        choices = known + tuple(ACTIVATIONS) + tuple(LOSSES)
        close = close_matches(kind, choices)
        hint = f"; did you mean {close[0]!r}?" if close else f" (expected one of {', '.join(known)})"
        reader.fail(path + ("kind",), f"unknown node kind {kind!r}{hint}")
    if kind in LEAF_KINDS:
        return kind, None
    if kind not in FAMILIES:
        return kind, kind
    return kind, _function(reader, entry, path, kind)


def _function(reader, entry, path, family):
    """The op a family node names with ``function`` (an activation defaults to identity)."""
    table = ACTIVATIONS if family == "activation" else LOSSES
    function = entry.get("function", "identity" if family == "activation" else None)
    if function is None:
        reader.fail(path, f"loss node {entry.get('name')!r} needs a 'function' ({', '.join(LOSSES)})")
    if not isinstance(function, str) or function.lower() not in table:
        close = close_matches(str(function).lower(), table)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        reader.fail(path + ("function",), f"unknown {family} {function!r}: expected one of "
                                          f"{', '.join(sorted(table))}{hint}")
    return function.lower()


def _value(reader, raw, path):
    """A literal value, or a seeded random draw."""
    if isinstance(raw, dict):
        return _random_value(reader, raw, path)
    _check_numbers(reader, raw, path)
    return raw


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_numbers(reader, raw, path):
    """A number or nested lists of numbers, all finite."""
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            _check_numbers(reader, item, path + (i,))
    elif not _is_number(raw):
        reader.fail(path, f"expected a number, a list of numbers or a random draw such as "
                          f"{{random: normal, shape: [3], seed: 0}}; got {raw!r}")
    elif isinstance(raw, int) and abs(raw) > 1e308:
        reader.fail(path, f"a number of {len(str(abs(raw)))} digits is too large for a value (float64)")
    elif not math.isfinite(raw):
        reader.fail(path, f"non-finite number {raw} (NaN and Infinity are not allowed)")


def _random_value(reader, raw, path):
    """A reproducible draw: ``{random: normal|uniform|integers, shape: [...], seed: 0, ...}``."""
    reader.check_fields(raw, RANDOM_FIELDS, path, "a random value")
    dist = raw.get("random", "normal")
    if dist not in DISTRIBUTIONS:
        close = close_matches(str(dist), DISTRIBUTIONS)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        reader.fail(path + ("random",), f"unknown distribution {dist!r}: expected one of "
                                        f"{', '.join(DISTRIBUTIONS)}{hint}")
    shape = raw.get("shape", [])
    if not isinstance(shape, list) or len(shape) > 4 or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape) or math.prod(shape) > 10**7:
        reader.fail(path + ("shape",), f"shape must be a list of at most 4 positive whole numbers, with at most "
                                       f"10⁷ elements in all; got {shape!r}")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        reader.fail(path + ("seed",), f"seed must be a whole number ≥ 0; got {seed!r}")
    defaults = {"normal": {"mean": 0.0, "std": 1.0}, "uniform": {"low": 0.0, "high": 1.0},
                "integers": {"low": 0, "high": 2}}[dist]
    params = {}
    for key, default in defaults.items():
        params[key] = raw.get(key, default)
        if not _is_number(params[key]) or abs(params[key]) > 1e308 or not math.isfinite(params[key]) \
                or dist == "integers" and not isinstance(params[key], int):
            kind = "a whole number" if dist == "integers" else "a finite number"
            reader.fail(path + (key,), f"{key} must be {kind}; got {_brief(params[key])}")
    for key in sorted(set(raw) - set(defaults) - {"random", "shape", "seed"}):
        reader.fail(path + (key,), f"{key!r} does not apply to the {dist} distribution "
                                   f"(it takes {', '.join(defaults)})")
    if "std" in params and params["std"] < 0 or "low" in params and params["low"] >= params["high"]:
        reader.fail(path, f"the {dist} distribution needs " + ("std ≥ 0" if "std" in params else "low < high"))
    rng = np.random.default_rng(seed)
    try:
        if dist == "normal":
            return rng.normal(params["mean"], params["std"], size=shape)
        if dist == "uniform":
            return rng.uniform(params["low"], params["high"], size=shape)
        return rng.integers(params["low"], params["high"], size=shape).astype(float)
    except (ValueError, OverflowError) as exc:
        reader.fail(path, f"numpy cannot draw from the {dist} distribution with these parameters ({exc})")


def _spelled_once(entry):
    """A copy of the entry with its name and the names it refers to in one Unicode spelling (NFC):
    ``é`` typed as e + U+0301 (as macOS writes file names) is the node ``é``."""
    entry = dict(entry)
    entry["name"] = unicodedata.normalize("NFC", entry["name"])
    if isinstance(entry.get("inputs"), list):
        entry["inputs"] = [unicodedata.normalize("NFC", r) if isinstance(r, str) else r for r in entry["inputs"]]
    return entry


def _brief(value):
    """A value for a message: a huge number by its digit count, not its 400 digits."""
    text = repr(value)
    return f"a number of {len(text.lstrip('-'))} digits" if isinstance(value, int) and len(text) > 30 else text


def _describe(data):
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(type(data), repr(data))


def _node_entries(reader, spec):
    if not isinstance(spec, dict):
        reader.fail((), f"a spec must be a mapping with a 'nodes' list; got {_describe(spec)}")
    reader.check_fields(spec, TOP_FIELDS, (), "a spec")
    version = spec.get("graphjac", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        reader.fail(("graphjac",), f"unsupported schema version {version!r} (this graphjac reads {SCHEMA_VERSION})")
    nodes = spec.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        reader.fail(("nodes",), "a spec needs a non-empty list 'nodes'")
    entries, names = [], {}
    for i, entry in enumerate(nodes):
        path = ("nodes", i)
        if not isinstance(entry, dict):
            reader.fail(path, f"a node must be a mapping such as {{name: x, kind: input, value: 1.0}}; "
                              f"got {_describe(entry)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            reader.fail(path + ("name",), "every node needs a non-empty string 'name'")
        entry = _spelled_once(entry)
        name = entry["name"]
        if name in names:
            reader.fail(path + ("name",), f"duplicate node name {name!r} (first at nodes[{names[name]}])")
        names[name] = i
        kind, op_name = _kind_of(reader, entry, path)
        what = op_name if kind in FAMILIES else kind
        reader.check_fields(entry, fields_of(kind, REGISTRY.get(op_name)), path,
                            f"{'an' if what[0] in 'aeiou' else 'a'} {what} node")
        entries.append((path, entry, kind, op_name))
    return entries, names


def _references(reader, entries, names):
    """Each op node's operands: a node name, or a number (a constant)."""
    refs = {}
    for path, entry, kind, function in entries:
        if kind in LEAF_KINDS:
            if "value" not in entry:
                reader.fail(path, f"{kind} node {entry['name']!r} needs a 'value'")
            continue
        op = REGISTRY[function]
        slots = [slot.name for slot in op.slots]
        inputs = entry.get("inputs")
        count = str(len(slots)) if op.fewest == op.arity else f"{op.fewest} to {op.arity}"
        wanted = f"{count} input{'s' if len(slots) > 1 else ''} [{', '.join(slots)}]"
        if not isinstance(inputs, list):
            reader.fail(path + ("inputs",), f"{kind} node {entry['name']!r} needs 'inputs', a list of {wanted}")
        if not op.fewest <= len(inputs) <= op.arity:
            reader.fail(path + ("inputs",), f"{kind} node {entry['name']!r} takes {wanted}; got {len(inputs)}")
        for j, ref in enumerate(inputs):
            if isinstance(ref, str) and ref not in names:
                close = close_matches(ref, names)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                reader.fail(path + ("inputs", j), f"node {entry['name']!r} refers to undefined node {ref!r}{hint}")
            if not isinstance(ref, (str, int, float)) or isinstance(ref, bool):
                reader.fail(path + ("inputs", j), f"an input is a node name or a number; got {ref!r}")
            if isinstance(ref, float) and not math.isfinite(ref):
                reader.fail(path + ("inputs", j), f"non-finite number {ref}")
        refs[entry["name"]] = inputs
    return refs


def _build_order(reader, entries, names, refs):
    """Node entries in an order where operands come first (spec order where free); cycles fail."""
    sorter = graphlib.TopologicalSorter({name: [r for r in refs.get(name, ()) if isinstance(r, str)]
                                         for name in names})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1][::-1]
        reader.fail(entries[names[cycle[0]]][0], "cycle: " + " -> ".join(repr(n) for n in cycle))
    order, ready = [], []
    while sorter.is_active():
        for name in sorter.get_ready():
            heapq.heappush(ready, (names[name], name))
        _, name = heapq.heappop(ready)
        order.append(name)
        sorter.done(name)
    by_name = {entry["name"]: (path, entry, kind, function) for path, entry, kind, function in entries}
    return [by_name[n] for n in order]


def _check_label(reader, label, path):
    """A label is LaTeX math that the figures can set."""
    if not isinstance(label, str):
        reader.fail(path, f"label must be LaTeX math text such as '\\hat{{y}}'; got {label!r}")
    from graphjac.notation.mathtext import parse  # the LaTeX reader loads only for a spec with labels
    try:
        parse(label)
    except GraphjacError as exc:
        reader.fail(path, str(exc))


def _add_node(graph, reader, path, entry, kind, function):
    name, group, label = entry["name"], entry.get("group"), entry.get("label")
    if group is not None and not (isinstance(group, str) or isinstance(group, list)
                                  and all(isinstance(part, str) for part in group)):
        reader.fail(path + ("group",), f"group must be a name like 'Dataset/Minibatch' or a list of names; "
                                       f"got {group!r}")
    if label is not None:
        _check_label(reader, label, path + ("label",))
    kw = {"label": label, "group": group}
    if kind in LEAF_KINDS:
        value = _value(reader, entry["value"], path + ("value",))
        if kind == "input":
            batch = entry.get("batch", False)
            if not isinstance(batch, bool):
                reader.fail(path + ("batch",), f"batch must be true or false; got {batch!r}")
            return graph.input(name, value, batch=batch, **kw)
        if kind == "param":
            return graph.param(name, value, **kw)
        return graph.const(value, name, **kw)
    operands = [graph.node(r) if isinstance(r, str) else r for r in entry["inputs"]]
    return graph.apply(function, *operands, name=name, **kw, **_attributes(reader, path, entry, function))


def _attributes(reader, path, entry, function):
    """The op's attributes given in the entry, each checked where it stands."""
    op, given = REGISTRY[function], {}
    for attr in op.attrs:
        if attr.name in entry:
            try:
                given[attr.name] = attr.validate(entry[attr.name], f"node {entry['name']!r}")
            except OpError as exc:
                reader.fail(path + (attr.name,), str(exc))
        elif attr.required:
            reader.fail(path, f"{function} node {entry['name']!r} needs '{attr.name}' ({attr.help})")
    return given


def graph_from_spec(spec, new_graph, source="<spec>", locate=None):
    """Build a graph from spec data into ``new_graph(name)`` (the Graph class); errors name the
    place in the file."""
    reader = _Reader(source, locate)
    entries, names = _node_entries(reader, spec)
    refs = _references(reader, entries, names)
    name = spec.get("name", "graph")
    if not isinstance(name, str):
        reader.fail(("name",), f"name must be a string; got {name!r}")
    graph = new_graph(name)
    for path, entry, kind, function in _build_order(reader, entries, names, refs):
        try:
            node = _add_node(graph, reader, path, entry, kind, function)
            graph.set_origin(node, reader.where(path))
        except SpecError:
            raise
        except GraphjacError as exc:
            reader.fail(path + ("value" if kind in LEAF_KINDS else "inputs",), str(exc))
    target = spec.get("target")
    if isinstance(target, str):
        target = unicodedata.normalize("NFC", target)
    if target is not None:
        if not isinstance(target, str) or target not in names:
            close = close_matches(str(target), names)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reader.fail(("target",), f"target {target!r} is not a node{hint}")
        try:
            graph.target = target
        except GraphjacError as exc:
            reader.fail(("target",), str(exc))
    graph.render_options = _render_options(reader, spec.get("render", {}))
    _check_render_names(reader, graph)
    return graph


def _check_render_names(reader, graph):
    """The nodes that ``render: tables / jacobians / highlight`` name exist."""
    for key, exc in RenderOptions.from_mapping(graph.render_options).unknown_nodes(graph)[:1]:
        reader.fail(("render", key), str(exc))


def _render_options(reader, render):
    """The stored render options, each checked as :class:`~graphjac.RenderOptions` checks it."""
    if not isinstance(render, dict):
        reader.fail(("render",), f"render must be a mapping of render options such as {{direction: BT}}; "
                                 f"got {_describe(render)}")
    for key, value in render.items():
        try:
            RenderOptions.from_mapping({key: value})
        except GraphjacError as exc:
            reader.fail(("render", key), re.sub(r"^render options?( \w+)?: ", "", str(exc)))
    return dict(render)

