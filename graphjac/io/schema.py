"""The JSON Schema of spec files, generated from the same declarations the reader checks (the
op registry, each op's attributes, the render options), so editors complete and check a spec as
it is typed: VS Code's YAML extension reads ``# yaml-language-server: $schema=…`` or its
``yaml.schemas`` setting; ``graphjac schema`` prints it.

>>> schema = spec_schema()
>>> schema["properties"]["nodes"]["items"]["oneOf"][0]["properties"]["kind"]["const"]
'input'
>>> "leaky_relu" in [n["properties"]["kind"]["const"] for n in schema["properties"]["nodes"]["items"]["oneOf"]]
True
"""

from __future__ import annotations

from dataclasses import fields

from graphjac.core.ops import ACTIVATIONS, LOSSES, REGISTRY
from graphjac.core.ops.custom import CUSTOM
from graphjac.io.spec import DISTRIBUTIONS, FAMILIES, LEAF_KINDS, RANDOM_FIELDS, SCHEMA_VERSION, fields_of
from graphjac.options import RenderOptions
from graphjac.version import __version__

SCHEMA_ID = "urn:graphjac:spec:1"

_NUMBERS = {"oneOf": [{"type": "number"}, {"type": "array", "items": {"$ref": "#/$defs/numbers"}}]}
_VALUE = {"description": "a number, nested lists of numbers, or a seeded random draw",
          "oneOf": [{"$ref": "#/$defs/numbers"}, {"$ref": "#/$defs/random"}]}
_RANDOM = {"type": "object", "additionalProperties": False, "required": ["random"],
           "properties": {"random": {"enum": list(DISTRIBUTIONS)},
                          "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 4},
                          "seed": {"type": "integer"}, "mean": {"type": "number"}, "std": {"type": "number"},
                          "low": {"type": "number"}, "high": {"type": "number"}}}
assert set(_RANDOM["properties"]) == set(RANDOM_FIELDS)

_COMMON = {"name": {"type": "string", "description": "the node's name (any text; a figure's symbol)"},
           "group": {"type": "string", "description": "the box the node is drawn in (Model, Model/Layer 1)"},
           "label": {"type": "string", "description": "the symbol drawn for the node, as LaTeX"}}
_INPUTS = {"type": "array", "description": "the operands: node names, or numbers for constants",
           "items": {"oneOf": [{"type": "string"}, {"type": "number"}]}}


def spec_schema() -> dict:
    """The schema of a spec file (JSON Schema draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"graphjac spec (graphjac {__version__})",
        "type": "object", "additionalProperties": False, "required": ["nodes"],
        "properties": {
            "graphjac": {"const": SCHEMA_VERSION, "description": "the spec format's version"},
            "name": {"type": "string", "description": "the figure's title"},
            "target": {"type": "string", "description": "the scalar node J that backward differentiates"},
            "render": _render_schema(),
            "nodes": {"type": "array", "items": {"oneOf": [_node_schema(kind) for kind in _node_kinds()]}},
        },
        "$defs": {"numbers": _NUMBERS, "random": _RANDOM},
    }


def _node_kinds():
    """The built-in node kinds (ops defined by ``define_op`` are the user's, not the format's)."""
    kinds = list(LEAF_KINDS)
    kinds += [op.kind for op in REGISTRY.values()
              if op.kind not in FAMILIES and op.kind not in kinds and op.name not in CUSTOM]
    return kinds + list(FAMILIES) + list(ACTIVATIONS) + list(LOSSES)


def _node_schema(kind) -> dict:
    if kind in LEAF_KINDS:
        op, names = None, fields_of(kind, None)
    elif kind in FAMILIES:
        table = ACTIVATIONS if kind == "activation" else LOSSES
        op, names = None, fields_of(kind, next(iter(table.values())))
    else:
        op = ACTIVATIONS.get(kind) or LOSSES.get(kind) or next(o for o in REGISTRY.values() if o.kind == kind)
        names = fields_of("activation" if kind in ACTIVATIONS else "loss" if kind in LOSSES else kind, op)
    properties = {"kind": {"const": kind, "description": op.summary if op is not None else f"a {kind} node"}}
    for name in names:
        if name in _COMMON:
            properties[name] = _COMMON[name]
        elif name == "value":
            properties[name] = _VALUE
        elif name == "batch":
            properties[name] = {"type": "boolean", "description": "a minibatch: one sample per row"}
        elif name == "inputs":
            properties[name] = _INPUTS
        elif name == "function":
            table = ACTIVATIONS if kind in ("activation",) or kind in ACTIVATIONS else LOSSES
            properties[name] = {"enum": sorted(table)}
    if op is not None:
        for attr in op.attrs:
            properties[attr.name] = {**attr.json_type, "description": attr.help}
            if attr.optional:
                properties[attr.name] = {"oneOf": [properties[attr.name], {"type": "null"}],
                                         "description": attr.help}
    if kind in ACTIVATIONS or kind in LOSSES:
        properties.pop("function", None)
    required = ["name", "kind"] + (["value"] if kind in ("param", "const") else []) \
        + (["inputs"] if kind not in LEAF_KINDS else []) + (["function"] if kind == "loss" else [])
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _render_schema() -> dict:
    properties = {}
    for f in fields(RenderOptions):
        kind, choices, text = f.metadata["kind"], f.metadata["choices"], f.metadata["help"]
        if kind in ("parts",):
            item = {"enum": list(choices)} if choices else {"type": "string"}
            entry = {"oneOf": [{"type": "string"}, {"type": "array", "items": item}]}
        elif kind in ("names", "pairs"):
            entry = {"oneOf": [{"type": "string"}, {"type": "array"}]}
        elif kind == "bool":
            entry = {"type": "boolean"}
        elif kind == "int":
            entry = {"type": "integer"}
        elif kind == "float":
            entry = {"type": "number"}
        elif kind == "text":
            entry = {"type": ["string", "null"]}
        else:
            entry = {"enum": list(choices)} if choices else {"type": "string"}
        properties[f.name] = {**entry, "description": text}
    properties["rankdir"] = {**properties["direction"], "description": "Graphviz's name for direction"}
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "description": "how the figure is drawn (the command line's flags override it)"}
