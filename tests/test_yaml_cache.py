"""YAML specs read once: a spec read again gives PyYAML's data and positions without loading
PyYAML, and no entry is used that does not check out."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphjac.errors import SpecError
from graphjac.io import cache as cache_folder
from graphjac.io import loaders, yaml_cache
from graphjac.io.gallery import catalog, spec_path
from graphjac.io.yaml_reader import read_yaml
from test_cli import installed, write

DIGITS = loaders.MAX_DIGITS


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHJAC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GRAPHJAC_NO_CACHE", raising=False)
    yield tmp_path / "cache" / "specs"


def _positions(data, children, path=()):
    """{path of every key and item: its (line, column)} as ``children`` tells them."""
    found = {}
    if isinstance(data, (dict, list)):
        where = children(data) or {}
        for key in (data if isinstance(data, dict) else range(len(data))):
            found[path + (key,)] = where.get(key)
            found.update(_positions(data[key], children, path + (key,)))
    return found


def _same(kept, fresh):
    """The same data (types too: 1 is not 1.0 nor true) and the same position everywhere."""
    assert json.dumps(kept[0]) == json.dumps(fresh[0]) and kept[0] == fresh[0]
    assert _positions(*kept) == _positions(*fresh)


@pytest.mark.parametrize("name", catalog())
def test_a_lecture_spec_read_again_gives_pyyamls_data_and_positions(cache, name):
    text = spec_path(name).read_text(encoding="utf-8")
    assert yaml_cache.recall(text, DIGITS) is None
    loaders.read_spec(spec_path(name))
    _same(yaml_cache.recall(text, DIGITS), read_yaml(text, name, DIGITS))


_KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6)
_SCALARS = st.none() | st.booleans() | st.integers(-10**12, 10**12) \
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
_DOCUMENTS = st.dictionaries(_KEYS, st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                                                 | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12),
                             min_size=1, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_DOCUMENTS, flow=st.booleans())
def test_any_plain_document_read_again_is_what_pyyaml_reads(cache, document, flow):
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    fresh = read_yaml(text, "doc.yaml", DIGITS)
    yaml_cache.keep(text, DIGITS, *fresh)
    kept = yaml_cache.recall(text, DIGITS)
    if _json_gives_back(fresh[0]):
        _same(kept, fresh)
    else:   # graphjac reads YAML 1.2's numbers: PyYAML's writer leaves a key like 0E0 unquoted
        assert kept is None


def _json_gives_back(data):
    try:
        return repr(json.loads(json.dumps(data))) == repr(data)
    except (TypeError, ValueError):
        return False


def test_a_second_read_loads_no_pyyaml_and_names_the_same_line(tmp_path):
    spec = write(tmp_path, "model.yaml", "name: m\nnodes:\n  - {name: x, kind: input, value: 1.0}\n"
                                          "  - {name: y, kind: sigmod, inputs: [x]}\n")
    env = {"GRAPHJAC_CACHE_DIR": str(tmp_path / "cache")}
    first, second = (installed("render", spec, "-o", tmp_path / "m.svg", env=env) for _ in range(2))
    assert first == second and first[0] == 2 and "model.yaml:4:" in first[2] and "sigmoid" in first[2]
    code = (f"import sys, graphjac as gj\ntry:\n    gj.load({str(spec)!r})\nexcept gj.GraphjacError:\n    pass\n"
            f"print('yaml' in sys.modules)")
    seen = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert seen.stdout.strip() == "False", seen.stderr


def _kept(cache, text="name: f\nnodes:\n  - {name: x, kind: input, value: 2.0}\n"):
    loaders._read_yaml(text, "f.yaml")
    (path,) = [p for p in cache.rglob("*.json") if not p.name.startswith(".tmp-")]
    return text, path


@pytest.mark.parametrize("edit", ["data", "positions", "question", "shape"])
def test_an_entry_that_does_not_check_out_is_not_used(cache, edit):
    text, path = _kept(cache)
    entry = json.loads(path.read_text())
    if edit == "data":        # the answer changed, its digest not
        entry["data"]["nodes"][0]["value"] = 3.0
    elif edit == "positions":
        entry["positions"][0][0] = [7, 7]
    elif edit == "question":  # an entry of another text, digest and all, put in this one's place
        other = dict(entry["question"], text=text + "# more\n")
        entry = dict(entry, question=other, digest=cache_folder.digest([other, entry["data"], entry["positions"]]))
    else:                     # positions that do not fit the data, with a digest that binds them
        entry["positions"] = entry["positions"][:-1]
        entry["digest"] = cache_folder.digest([entry["question"], entry["data"], entry["positions"]])
    path.write_text(json.dumps(entry))
    assert yaml_cache.recall(text, DIGITS) is None
    data, locate = loaders._read_yaml(text, "f.yaml")        # read by PyYAML again, and kept again
    assert data["nodes"][0]["value"] == 2.0 and locate(("nodes", 0, "value")) == (3, 28)
    assert yaml_cache.recall(text, DIGITS) is not None


@pytest.mark.parametrize("text", ["when: 2024-01-01\n", "1: one\n", "x: .nan\n", "x: !!binary aGk=\n"])
def test_what_json_would_not_give_back_is_not_kept(cache, text):
    try:
        loaders._read_yaml(text, "f.yaml")
    except SpecError:
        pass
    assert yaml_cache.recall(text, DIGITS) is None and not list(cache.rglob("*.json"))


def test_a_file_pyyaml_refuses_is_not_kept(cache):
    with pytest.raises(SpecError, match="f.yaml:2"):
        loaders._read_yaml("a: 1\na: 2\n", "f.yaml")
    assert not list(cache.rglob("*.json")) if cache.exists() else True


def test_another_yaml_reader_reads_afresh(cache, monkeypatch):
    text, _ = _kept(cache)
    monkeypatch.setattr(yaml_cache, "_reader", lambda: "graphjac 0; another reader")
    assert yaml_cache.recall(text, DIGITS) is None


def test_no_cache_keeps_nothing(cache, monkeypatch):
    monkeypatch.setenv("GRAPHJAC_NO_CACHE", "1")
    loaders._read_yaml("name: f\n", "f.yaml")
    assert yaml_cache.recall("name: f\n", DIGITS) is None and not cache.exists()
