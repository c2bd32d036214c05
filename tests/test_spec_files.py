"""Spec files: one schema in YAML, JSON and TOML; round trips; every bad input names file:line:column."""

import json
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

import graphjac as gj
from graphjac.io.savers import dump_spec, save

# The same graph in the three formats, written by hand.
NEURON_YAML = """\
name: neuron
target: J
render: {direction: BT, edge_labels: [symbol, formula]}
nodes:
  - {name: X, kind: input, batch: true, value: {random: normal, shape: [4, 3], seed: 7}}
  - {name: y, kind: input, batch: true, value: [0, 1, 1, 0]}
  - {name: w, kind: param, value: [0.5, -0.3, 0.8], group: Model}
  - {name: b, kind: param, value: 0.1, group: Model}
  - {name: z, kind: neuron, inputs: [X, w, b], group: Model}
  - {name: a, kind: sigmoid, inputs: [z], group: Model}
  - {name: J0, kind: loss, function: bce, inputs: [a, y]}
  - {name: J, kind: mean, inputs: [J0]}
"""

NEURON_JSON = """\
{"name": "neuron", "target": "J",
 "render": {"direction": "BT", "edge_labels": ["symbol", "formula"]},
 "nodes": [
  {"name": "X", "kind": "input", "batch": true, "value": {"random": "normal", "shape": [4, 3], "seed": 7}},
  {"name": "y", "kind": "input", "batch": true, "value": [0, 1, 1, 0]},
  {"name": "w", "kind": "param", "value": [0.5, -0.3, 0.8], "group": "Model"},
  {"name": "b", "kind": "param", "value": 0.1, "group": "Model"},
  {"name": "z", "kind": "neuron", "inputs": ["X", "w", "b"], "group": "Model"},
  {"name": "a", "kind": "sigmoid", "inputs": ["z"], "group": "Model"},
  {"name": "J0", "kind": "loss", "function": "bce", "inputs": ["a", "y"]},
  {"name": "J", "kind": "mean", "inputs": ["J0"]}
 ]}
"""

NEURON_TOML = """\
name = "neuron"
target = "J"

[render]
direction = "BT"
edge_labels = ["symbol", "formula"]

[[nodes]]
name = "X"
kind = "input"
batch = true
value = {random = "normal", shape = [4, 3], seed = 7}

[[nodes]]
name = "y"
kind = "input"
batch = true
value = [0, 1, 1, 0]

[[nodes]]
name = "w"
kind = "param"
value = [0.5, -0.3, 0.8]
group = "Model"

[[nodes]]
name = "b"
kind = "param"
value = 0.1
group = "Model"

[[nodes]]
name = "z"
kind = "neuron"
inputs = ["X", "w", "b"]
group = "Model"

[[nodes]]
name = "a"
kind = "sigmoid"
inputs = ["z"]
group = "Model"

[[nodes]]
name = "J0"
kind = "loss"
function = "bce"
inputs = ["a", "y"]

[[nodes]]
name = "J"
kind = "mean"
inputs = ["J0"]
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_schema_three_formats(tmp_path):
    graphs = [gj.load(write(tmp_path, f"neuron.{fmt}", text))
              for fmt, text in (("yaml", NEURON_YAML), ("json", NEURON_JSON), ("toml", NEURON_TOML))]
    specs = [g.to_spec() for g in graphs]
    assert specs[0] == specs[1] == specs[2]
    assert specs[0]["render"] == {"direction": "BT", "edge_labels": ["symbol", "formula"]}
    for g in graphs:
        g.backward()
    # the neuron's gradient, computed by hand: ∂J/∂w = (1/N) Σ (a - y) x
    X = np.random.default_rng(7).normal(0.0, 1.0, size=(4, 3))
    y = np.array([0, 1, 1, 0.0])
    a = 1 / (1 + np.exp(-(X @ [0.5, -0.3, 0.8] + 0.1)))
    for g in graphs:
        np.testing.assert_allclose(g.grad("w"), X.T @ (a - y) / 4, rtol=1e-12)
        np.testing.assert_allclose(g.grad("b"), np.mean(a - y), rtol=1e-12)


def test_random_values_are_numpy_seeded_draws(tmp_path):
    spec = textwrap.dedent("""\
        nodes:
          - {name: n, kind: input, value: {random: normal, shape: [2, 3], seed: 1, mean: 2.0, std: 0.5}}
          - {name: u, kind: input, value: {random: uniform, shape: [5], seed: 2, low: -1, high: 1}}
          - {name: k, kind: input, value: {random: integers, shape: [6], seed: 3, low: 0, high: 4}}
          - {name: s, kind: input, value: {random: normal}}
        """)
    g = gj.load(write(tmp_path, "r.yaml", spec))
    np.testing.assert_array_equal(g.value("n"), np.random.default_rng(1).normal(2.0, 0.5, size=(2, 3)))
    np.testing.assert_array_equal(g.value("u"), np.random.default_rng(2).uniform(-1, 1, size=5))
    np.testing.assert_array_equal(g.value("k"), np.random.default_rng(3).integers(0, 4, size=6))
    assert g.value("s").shape == ()
    again = gj.load(write(tmp_path, "r2.yaml", spec))
    np.testing.assert_array_equal(again.value("n"), g.value("n"))


def _models():
    """Graphs built in Python, covering every kind of node and field the schema has."""
    rng = np.random.default_rng(0)
    g1 = gj.Graph("minibatch")
    with g1.group("Dataset/Minibatch"):
        X = g1.input("X", rng.normal(size=(5, 3)), batch=True)
        y = g1.input("y", [1.0, 0.0, 1.0, 1.0, 0.0], batch=True)
    with g1.group("Model"):
        w = g1.param("w", rng.normal(size=3))
        b = g1.param("b", -0.2, label=r"\beta")
        a = g1.activation(g1.neuron(X, w, b, name="z"), "tanh", name="a")
    J0 = g1.loss((a + 1.0) * 0.5, y, "mse", name="J0")
    g1.mean(J0, name="J")
    g1.target = "J"
    g1.render_options = {"direction": "LR", "samples": 2, "title": None}

    g2 = gj.Graph("dense softmax")
    X = g2.input("X", rng.normal(size=(4, 3)), batch=True)
    labels = g2.input("y", [0.0, 2.0, 1.0, 2.0], batch=True)
    W = g2.param("W", rng.normal(size=(3, 3)))
    B = g2.param("B", np.zeros(3))
    p = g2.activation(g2.dense(X, W, B, name="l"), "softmax", name="p")
    g2.mean(g2.loss(p, labels, "cce", name="J0"), name="J")
    g2.target = "J"

    g3 = gj.Graph("elementary")
    x = g3.input("x", [1.0, 2.0, 3.0])
    v = g3.param("v", [0.5, -1.0, 2.0])
    s = g3.sum(x ** 3 + g3.square(v) - x * v)
    g3.add(g3.dot(x, v), g3.mean(x), name="z") + s
    return [g1, g2, g3]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".toml"])
def test_to_spec_round_trips_through_every_format(tmp_path, suffix):
    for g in _models():
        path = save(g, tmp_path / f"{g.name.replace(' ', '_')}{suffix}")
        back = gj.load(path)
        expected = g.to_spec()
        if suffix == ".toml":  # TOML has no null: a None option is written by leaving it out
            expected["render"] = {k: v for k, v in expected.get("render", {}).items() if v is not None}
            expected = {k: v for k, v in expected.items() if v != {}}
        assert back.to_spec() == expected
        for node in g.nodes:
            np.testing.assert_array_equal(back.value(node.name), g.value(node))


def test_dump_spec_is_plain_data_in_each_format():
    spec = _models()[2].to_spec()
    assert json.loads(dump_spec(spec, "json")) == spec
    import yaml
    import tomllib
    assert yaml.safe_load(dump_spec(spec, "yaml")) == spec
    assert tomllib.loads(dump_spec(spec, "toml")) == spec


def test_save_refuses_an_unknown_suffix_and_leaves_nothing(tmp_path):
    with pytest.raises(gj.SpecError, match=r"graph\.txt: cannot tell the spec format"):
        save(_models()[2], tmp_path / "graph.txt")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ bad input
# (file name, text, "line:column" the message must name, what it must say)

BAD_SPECS = [
    ("kind.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - name: z\n    kind: sqare\n    inputs: [x]\n",
     "4:5", "unknown node kind 'sqare'; did you mean 'square'?"),
    ("field.yaml", "nodes:\n  - {name: x, kind: input, valeu: 1}\n",
     "2:28", "unknown field 'valeu' for an input node; did you mean 'value'?"),
    ("top.yaml", "name: g\nnodez: []\n", "2:1", "unknown field 'nodez' for a spec; did you mean 'nodes'?"),
    ("ref.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: z, kind: add, inputs: [x, xx]}\n",
     "3:38", "node 'z' refers to undefined node 'xx'; did you mean 'x'?"),
    ("cycle.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: u, kind: add, inputs: [x, v]}\n"
                   "  - {name: v, kind: mul, inputs: [u, x]}\n", "3:5", "cycle: 'u' -> 'v' -> 'u'"),
    ("dupkey.yaml", "nodes:\n  - name: x\n    kind: input\n    value: 1\n    kind: param\n",
     "5:5", "duplicate key 'kind'"),
    ("dupname.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: x, kind: param, value: 2}\n",
     "3:6", "duplicate node name 'x'"),
    ("nan.yaml", "nodes:\n  - {name: x, kind: input, value: [1, .nan]}\n", "2:39", "non-finite number nan"),
    ("inf.yaml", "nodes:\n  - {name: x, kind: input, value: -.inf}\n", "2:28", "non-finite number -inf"),
    ("shape.yaml", "nodes:\n  - {name: x, kind: input, value: [1, 2]}\n  - {name: w, kind: param, value: [1, 2, 3]}\n"
                   "  - {name: z, kind: dot, inputs: [x, w]}\n", "4:26", "same length; got shapes (2,) and (3,)"),
    ("malformed.yaml", "nodes:\n  - {name: x, kind: input, value: [1, 2}\n", "2:40", "invalid YAML"),
    ("python.yaml", "nodes: !!python/object/apply:os.system [echo hacked]\n", "1:8",
     "the YAML tag '!!python/object/apply:os.system' is not allowed"),
    ("alias.yaml", "base: &v [1, 2]\nnodes:\n  - {name: x, kind: input, value: *v}\n", "3:35", "aliases"),
    ("tab.yaml", "nodes:\n\t- {name: x, kind: input, value: 1}\n", "2:1", "a tab: YAML indents with spaces"),
    ("control.yaml", "# ∂J/∂é\nnodes: [\x07]\n", "2:9", "the character '\\x07' is not allowed"),
    ("target.yaml", "target: J\nnodes:\n  - {name: x, kind: input, value: [1, 2]}\n", "1:1",
     "target 'J' is not a node"),
    ("nonscalar.yaml", "target: x\nnodes:\n  - {name: x, kind: input, value: [1, 2]}\n", "1:1",
     "must be a scalar; node 'x' has shape (2,)"),
    ("render.yaml", "render:\n  direction: BT\n  theme: prnt\nnodes:\n  - {name: x, kind: input, value: 1}\n",
     "3:3", "render.theme: 'prnt' is not one of lecture, print, dark, auto; did you mean 'print'?"),
    ("random.yaml", "nodes:\n  - {name: x, kind: input, value: {random: gauss, shape: [3]}}\n", "2:36",
     "unknown distribution 'gauss'"),
    ("text.yaml", "nodes:\n  - {name: x, kind: input, value: [1, two]}\n", "2:39", "got 'two'"),
    ("loss.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: y, kind: input, value: 1}\n"
                  "  - {name: J, kind: loss, inputs: [x, y]}\n", "4:5", "loss node 'J' needs a 'function'"),
    ("conflict.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: a, kind: tanh, function: relu, inputs: [x]}\n",
     "3:27", "kind 'tanh' already names the activation"),
    ("arity.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: a, kind: tanh, inputs: [x, x]}\n",
     "3:27", "activation node 'a' takes 1 input [z]; got 2"),
    ("noinputs.yaml", "nodes:\n  - {name: x, kind: input, value: 1}\n  - {name: z, kind: neuron}\n",
     "3:5", "neuron node 'z' needs 'inputs', a list of 3 inputs [x, w, b]"),
    ("label.yaml", 'nodes:\n  - {name: x, kind: input, value: 1, label: "\\\\frac{a"}\n', "2:38",
     "cannot read the LaTeX '\\\\frac{a': a { is never closed"),
    ("empty.yaml", "\n", None, "the file is empty"),
    ("deep.yaml", "nodes: " + "[" * 5000 + "]" * 5000 + "\n", None, "nested too deeply"),
    ("deep.json", '{"nodes": ' + "[" * 50000 + "]" * 50000 + "}\n", None, "nested too deeply"),
    ("huge.yaml", "nodes:\n  - {name: x, kind: input, value: {random: normal, shape: [100000, 100000]}}\n",
     "2:52", "with at most 10⁷ elements in all"),
    ("list.yaml", "- 1\n- 2\n", "1:1", "a spec must be a mapping with a 'nodes' list; got a list"),
    ("kind.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": 1},\n  {"name": "z", "kind": "sqare", '
                  '"inputs": ["x"]}\n]}\n', "3:17", "did you mean 'square'?"),
    ("malformed.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": 1},\n]}\n', "3:1", "invalid JSON"),
    ("nan.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": [1, NaN]}\n]}\n', "2:47",
     "NaN is not allowed"),
    ("inf.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": -Infinity}\n]}\n', "2:43",
     "-Infinity is not allowed"),
    ("dupkey.json", '{"nodes": [\n  {"name": "x", "kind": "input", "value": 1, "value": 2}\n]}\n', "2:46",
     "duplicate key 'value'"),
    ("ref.json", '{"nodes": [\n  {"name": "z", "kind": "square", "inputs": ["q"]}\n]}\n', "2:46",
     "undefined node 'q'"),
    ("kind.toml", 'name = "g"\n\n[[nodes]]\nname = "x"\nkind = "inptu"\nvalue = 1\n', "5:1",
     "did you mean 'input'?"),
    ("malformed.toml", 'name = "g\n', "1:10", "invalid TOML"),
    ("nan.toml", '[[nodes]]\nname = "x"\nkind = "input"\nvalue = [1.0, nan]\n', "4:15", "nan is not allowed"),
    ("dupkey.toml", '[[nodes]]\nname = "x"\nkind = "input"\nkind = "param"\n', "4:15", "invalid TOML"),
    ("render.toml", '[render]\ndirection = "BT"\ntheme = "prnt"\n\n[[nodes]]\nname = "x"\nkind = "input"\nvalue = 1\n',
     "3:1", "render.theme: 'prnt' is not one of lecture, print, dark, auto"),
    ("field.toml", 'nodes = [\n  {name = "x", kind = "input", value = 1, colour = "red"},\n]\n', "2:43",
     "unknown field 'colour'"),
]


@pytest.mark.parametrize("name, text, where, message", BAD_SPECS, ids=[case[0] for case in BAD_SPECS])
def test_bad_spec_names_file_line_column(tmp_path, name, text, where, message):
    path = write(tmp_path, name, text)
    with pytest.raises(gj.SpecError) as info:
        gj.load(path)
    error = str(info.value)
    assert error.startswith(f"{path}:{where}: " if where else f"{path}: "), error
    assert message in error
    assert "\n" not in error


@pytest.fixture
def python_yaml_parser(monkeypatch):
    """The YAML reader as it is where PyYAML has no libyaml: its own pure-Python parser."""
    import importlib

    from graphjac.io import yaml_reader
    monkeypatch.setitem(sys.modules, "yaml.cyaml", None)   # import yaml.cyaml now raises ImportError
    importlib.reload(yaml_reader)
    assert yaml_reader._OFFSETS is None
    yield yaml_reader
    monkeypatch.undo()
    importlib.reload(yaml_reader)


def test_without_libyaml_specs_read_alike(python_yaml_parser):
    from graphjac.io import gallery
    for name in gallery.catalog():
        text = gallery.spec_path(name).read_text(encoding="utf-8")
        assert python_yaml_parser.read_yaml(text, name, 100)[0] == yaml.safe_load(text)
    for name, text, where, message in BAD_SPECS:
        if name.endswith(".yaml") and where and message in ("aliases", "duplicate key 'kind'", "invalid YAML",
                                                            "a tab: YAML indents with spaces"):
            with pytest.raises(gj.SpecError) as info:
                python_yaml_parser.read_yaml(text, name, 100)
            assert str(info.value).startswith(f"{name}:{where}: ") and message in str(info.value)
    with pytest.raises(gj.SpecError, match=r"^c\.yaml:2:9: .*the character '\\x07' is not allowed"):
        python_yaml_parser.read_yaml("# ∂J/∂é\nnodes: [\x07]\n", "c.yaml", 100)


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, "evil.yaml", f"nodes: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(gj.SpecError, match="is not allowed"):
        gj.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.yaml", "no such file"),
    (lambda d: (d / "folder.yaml").mkdir() or d / "folder.yaml", "is a directory, not a spec file"),
    (lambda d: write(d, "graph.txt", "nodes: []"), "unknown spec format '.txt': expected one of .yaml"),
    (lambda d: (d / "latin.yaml").write_bytes(b"name: caf\xe9\n") and d / "latin.yaml", "not UTF-8"),
])
def test_unreadable_files(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(gj.SpecError, match=message) as info:
        gj.load(path)
    assert str(info.value).startswith(f"{path}: ")


def test_python_files(tmp_path):
    write(tmp_path, "two.py", "import graphjac as gj\n\ndef build():\n    g = gj.Graph('b')\n"
                              "    g.square(g.input('x', 3.0), name='z')\n    return g\n\n"
                              "other = gj.Graph('other')\n_hidden = gj.Graph('hidden')\n")
    assert gj.load(tmp_path / "two.py").name == "other"      # the one public Graph
    assert gj.load(f"{tmp_path / 'two.py'}:build").name == "b"
    with pytest.raises(gj.GraphjacError, match=r"two\.py: defines no 'buidl'; did you mean .*two\.py:build\?"):
        gj.load(f"{tmp_path / 'two.py'}:buidl")
    write(tmp_path, "raises.py", "import graphjac as gj\n\ng = gj.Graph('r')\nx = g.input('x', [1.0, 2.0])\n"
                                 "g.dot(x, g.input('y', [1.0, 2.0, 3.0]))\n")
    with pytest.raises(gj.ShapeError, match=r"raises\.py:5: unnamed dot node \(dot of 'x', 'y'\)"):
        gj.load(tmp_path / "raises.py")
    write(tmp_path, "helpers.py", "def value():\n    return 4.0\n")
    write(tmp_path, "neighbour.py", "import graphjac as gj\nimport helpers\n\ng = gj.Graph('n')\n"
                                    "g.square(g.input('x', helpers.value()), name='z')\n")
    assert gj.load(tmp_path / "neighbour.py").value("z") == 16.0
    assert str(tmp_path) not in sys.path
    sys.modules.pop("helpers", None)
    write(tmp_path, "syntax.py", "def build(:\n    pass\n")
    with pytest.raises(gj.GraphjacError, match=r"syntax\.py:1:\d+: invalid Python"):
        gj.load(tmp_path / "syntax.py")
    write(tmp_path, "bug.py", "def build():\n    return 1 / 0\n")
    with pytest.raises(gj.GraphjacError, match=r"bug\.py:2: build\(\) raised ZeroDivisionError"):
        gj.load(tmp_path / "bug.py")


def _readme_section(title):
    text = (Path(__file__).resolve().parent.parent / "docs" / "guide.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_readme_example_in_three_formats(tmp_path):
    section = _readme_section("Spec files")
    blocks = {fmt: re.search(rf"```{fmt}\n(.*?)```", section, re.S).group(1) for fmt in ("yaml", "json", "toml")}
    graphs = [gj.load(write(tmp_path, f"neuron.{fmt}", text)) for fmt, text in blocks.items()]
    assert graphs[0].to_spec() == graphs[1].to_spec() == graphs[2].to_spec()
    X = np.random.default_rng(0).normal(0.0, 1.0, size=(4, 3))
    y = np.array([0, 1, 1, 0.0])
    a = 1 / (1 + np.exp(-(X @ [0.5, -0.3, 0.8] + 0.1)))
    J = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    for g in graphs:
        assert g.value(g.target) == pytest.approx(J, rel=1e-12)
        assert g.render_options == {"direction": "BT", "edge_labels": ["symbol", "formula", "value"]}


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "examples")
                                        .glob("*.py") if p.stem != "__init__"))
def test_every_lecture_script_round_trips_through_the_three_formats(tmp_path, name):
    graph = gj.load(Path(__file__).resolve().parent.parent / "examples" / f"{name}.py")
    graph.backward()
    for suffix in (".yaml", ".json", ".toml"):
        back = gj.load(save(graph, tmp_path / f"{name}{suffix}"))
        assert back.to_spec() == graph.to_spec()
        back.backward()
        for node in graph.nodes:
            np.testing.assert_array_equal(back.value(node.name), graph.value(node))
            if graph.grad(node) is not None:
                np.testing.assert_array_equal(back.grad(node.name), graph.grad(node))


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "nodes:\n  - {name: x, kind: input, value: 2}\n"),
    (".json", '{"nodes": [{"name": "x", "kind": "input", "value": 2}]}'),
    (".toml", '[[nodes]]\nname = "x"\nkind = "input"\nvalue = 2\n'),
])
def test_byte_order_mark_and_the_default_title(tmp_path, suffix, text):
    path = tmp_path / f"my figure{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    graph = gj.load(path)
    assert graph.name == "my figure" and graph.value("x") == 2.0


# ------------------------------------------------------------------ op attributes (leaky_relu's slope)

LEAKY = """\
name: leaky
target: J
nodes:
  - {name: z, kind: param, value: [-2.0, 0.5, 1.5]}
  - {name: a, kind: leaky_relu, slope: 0.2, inputs: [z]}
  - {name: J, kind: sum, inputs: [a]}
"""


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_an_op_attribute_round_trips_through_every_format(tmp_path, suffix):
    from graphjac.io.savers import save
    g = gj.load(write(tmp_path, "leaky.yaml", LEAKY))
    again = gj.load(save(g, tmp_path / f"again{suffix}"))
    assert again.record("a").attrs == {"slope": 0.2} and again.to_spec() == g.to_spec()
    again.backward()
    np.testing.assert_allclose(again.grad("z"), [0.2, 1.0, 1.0])
    assert again.gradcheck().ok


@pytest.mark.parametrize("entry, key, message", [
    ("{name: a, kind: leaky_relu, slope: 2, inputs: [z]}", "slope", "nodes[1].slope: node 'a': slope must lie in [0, 1)"),
    ("{name: a, kind: leaky_relu, slope: steep, inputs: [z]}", "slope", "slope must be a finite number; got 'steep'"),
    ("{name: a, kind: leaky_relu, slpoe: 0.2, inputs: [z]}", "slpoe", "unknown field 'slpoe' for a leaky_relu node; "
                                                                      "did you mean 'slope'?"),
    ("{name: a, kind: activation, function: leaky_relu, slope: -1, inputs: [z]}", "slope", "slope must lie in"),
    ("{name: a, kind: pow, inputs: [z]}", "{", "pow node 'a' needs 'exponent'"),
    ("{name: a, kind: sigmoid, slope: 0.2, inputs: [z]}", "slope", "unknown field 'slope' for a sigmoid node"),
])
def test_a_bad_attribute_is_named_where_it_stands(tmp_path, entry, key, message):
    text = LEAKY.replace("{name: a, kind: leaky_relu, slope: 0.2, inputs: [z]}", entry)
    column = text.splitlines()[4].index(key) + 1   # the key at fault, or the whole entry
    with pytest.raises(gj.SpecError) as info:
        gj.load(write(tmp_path, "bad.yaml", text))
    assert str(info.value).startswith(f"{tmp_path / 'bad.yaml'}:5:{column}: "), str(info.value)
    assert message in str(info.value), str(info.value)
