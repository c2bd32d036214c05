"""Reading YAML spec files: PyYAML's safe loader with duplicate keys, aliases and tags refused,
YAML 1.2 numbers, and the position of every key and item (for messages naming a line)."""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from graphjac.errors import SpecError, line_column

try:   # libyaml's scanner and parser, when PyYAML was built with it: several times faster
    from yaml.cyaml import CParser as _Parser
    _OFFSETS = "utf-8"    # libyaml reports where a bad character is in the UTF-8 bytes
except ImportError:       # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner
    _OFFSETS = None

    class _Parser(Reader, Scanner, Parser):
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class _SpecYamlLoader(Composer, _Parser, SafeConstructor, Resolver):
    """safe_load plus errors for duplicate keys and aliases, and the position of every key and item.

    The nodes are composed in Python (from libyaml's events where it is there), so that an alias
    is refused where it stands.
    """

    def __init__(self, stream):
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise SpecError(f"{self.spec_source}:{mark.line + 1}:{mark.column + 1}: YAML aliases (*name) are "
                            f"not supported in spec files; write the value out")
        return super().compose_node(parent, index)


def _mark(node):
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping, where = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            line, column = _mark(key_node)
            raise SpecError(f"{loader.spec_source}:{line}:{column}: a key must be a plain name; got {key!r}")
        if key in mapping:
            line, column = _mark(key_node)
            raise SpecError(f"{loader.spec_source}:{line}:{column}: duplicate key {key!r}")
        mapping[key] = loader.construct_object(value_node, deep=True)
        where[key] = _mark(key_node)
    loader.children[id(mapping)] = where
    loader.keep.append(mapping)
    return mapping


def _construct_sequence(loader, node):
    items = [loader.construct_object(child, deep=True) for child in node.value]
    loader.children[id(items)] = {i: _mark(child) for i, child in enumerate(node.value)}
    loader.keep.append(items)
    return items


def _refuse_tag(loader, tag_suffix, node):
    line, column = _mark(node)
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise SpecError(f"{loader.spec_source}:{line}:{column}: the YAML tag {tag!r} is not allowed: spec "
                    f"files hold plain data (numbers, text, lists, mappings), and tags that would run "
                    f"code are never executed")


# numbers as YAML 1.2 (and every user) reads them: 1e-3 and 2E5 are floats, not text
_SpecYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)$"),
    list("-+0123456789."))
def _construct_int(loader, node):
    digits = len(node.value.lstrip("+-"))
    if digits > loader.max_digits:
        line, column = _mark(node)
        raise SpecError(f"{loader.spec_source}:{line}:{column}: a whole number of {digits} digits is too large")
    return SafeConstructor.construct_yaml_int(loader, node)


_SpecYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_SpecYamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_SpecYamlLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_SpecYamlLoader.add_multi_constructor("", _refuse_tag)


def read_yaml(text, source, max_digits):
    """(data, children) of a YAML spec: ``children(container)`` maps each key or index of a
    mapping or list to its (line, column)."""
    loader = None
    try:
        loader = _SpecYamlLoader(text)
        loader.spec_source, loader.children, loader.keep, loader.max_digits = source, {}, [], max_digits
        data = loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        line, column = line_column(text, _character_index(text, exc.position))
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise SpecError(f"{source}:{line}:{column}: invalid YAML: the character {character!r} is not "
                        f"allowed in a YAML file") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"{where}: invalid YAML: {problem}{_tab_hint(text, mark)}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lambda container: loader.children.get(id(container))


def _tab_hint(text, mark):
    """What to do about a tab where YAML expected indentation (libyaml does not name the character)."""
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines) or lines[mark.line][mark.column:mark.column + 1] != "\t":
        return ""
    return " (a tab: YAML indents with spaces)"


def _character_index(text, position):
    """The index in ``text`` of a reader error's ``position`` (libyaml counts UTF-8 bytes)."""
    if _OFFSETS is None:
        return position
    return len(text.encode(_OFFSETS)[:position].decode(_OFFSETS, errors="ignore"))
