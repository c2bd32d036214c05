"""The layers point one way: no import cycle, the core never imports the renderers or the CLI,
and nothing outside graph.py reads the Graph's private fields.

Imports are read from the source (imports inside functions count too), so a cycle hidden by a
lazy import still fails here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"graphjac": ROOT / "graphjac", "graphjac_cli": ROOT / "cli"}
CORE = ("graphjac.errors", "graphjac.core.ops", "graphjac.core.engine", "graphjac.core.graph", "graphjac.notation.formulas",
        "graphjac.notation.symbols", "graphjac.notation.mathtext", "graphjac.io.spec", "graphjac.io.loaders", "graphjac.options",
        "graphjac.core.gradcheck", "graphjac.core.training", "graphjac.io.gallery", "graphjac.io.savers", "graphjac.io.fileio",
        "graphjac.notation.report", "graphjac.core.records")


def _modules():
    """module name -> source path, for graphjac and the CLI."""
    out = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join((package,) + parts)] = path
    return out


MODULES = _modules()


def _imports(name, path, top_level_only=False):
    """The modules of this project that ``name`` imports anywhere in its source (or outside
    functions only)."""
    is_package = path.name == "__init__.py"
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@functools.cache
def imports_of(name, top_level_only=False):
    """:func:`_imports` of a module, read once (when a test first asks, not at collection)."""
    return _imports(name, MODULES[name], top_level_only)


FACADES = ("graphjac.core.graph",)   # Graph.render, Graph.figure, …: may import the renderers inside a method


def test_the_module_list_is_read():
    assert {"graphjac.core.graph", "graphjac.core.engine", "graphjac.render.model.figure", "graphjac_cli.main"} <= set(MODULES)


def test_no_import_cycle():
    """Depth-first search for a back edge, naming the cycle it closes."""
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(imports_of(module)):
            if state.get(target) == "open":
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(MODULES):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(CORE)))
def test_core_modules_never_import_the_renderers_or_the_cli(module):
    imports = imports_of(module, True) if module in FACADES else imports_of(module)
    wrong = sorted(t for t in imports if t.startswith(("graphjac.render", "graphjac_cli")))
    assert not wrong, f"{module} imports {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(("graphjac.io.spec", "graphjac.notation.formulas",
                                                                              "graphjac.core.gradcheck", "graphjac.render",
                                                                              "graphjac.core.training", "graphjac.notation.report"))))
def test_modules_below_the_graph_receive_one_and_never_import_graph_py(module):
    assert "graphjac.core.graph" not in imports_of(module) and "graphjac" not in imports_of(module)


def _private_fields():
    """The private attributes a Graph sets on itself (``self._x = …`` in graph.py's class Graph)."""
    tree = ast.parse(MODULES["graphjac.core.graph"].read_text(encoding="utf-8"))
    graph = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Graph")
    return {node.attr for node in ast.walk(graph) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr.startswith("_")
            and not node.attr.startswith("__")}


PRIVATE = _private_fields()


def test_the_private_fields_are_found():
    assert {"_records", "_values", "_grads", "_target"} <= PRIVATE


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"graphjac.core.graph"}) + ["benchmarks"])
def test_nothing_outside_graph_py_reads_private_graph_fields(name):
    paths = sorted((ROOT / "benchmarks").glob("*.py")) if name == "benchmarks" else [MODULES[name]]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE and not (
                    isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr} of a Graph")


def test_every_source_compiles_without_a_warning():
    """No invalid escape sequence (a LaTeX backslash in a docstring that is not raw) and nothing
    else the compiler warns about: Python prints such warnings to a user who imports graphjac."""
    import warnings
    for path in list(MODULES.values()) + sorted(ROOT.glob("tests/*.py")) + sorted(ROOT.glob("benchmarks/*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except (SyntaxError, Warning) as err:
                pytest.fail(f"{path.relative_to(ROOT)}: {err}")


# ------------------------------------------------------------------------------ the layout by job

ENGINE_CALLS = {"forward", "backward", "jacobian", "value", "grad", "edge_grad", "edge_grads", "slot_grad",
                "annotate", "set_value", "step", "evaluate", "prepare", "record", "records", "from_spec", "to_spec",
                "node"}


def _render_modules():
    return sorted(m for m in MODULES if m.startswith("graphjac.render"))


def _receiver(node):
    """The name a method is called on: ``graph`` in ``graph.jacobian(…)`` and ``type(graph).from_spec(…)``."""
    target = node.func.value
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "type" and target.args:
        target = target.args[0]
    return target.id if isinstance(target, ast.Name) else ""


@pytest.mark.parametrize("module", _render_modules())
def test_no_engine_call_in_render(module):
    """Writers and the figure model read numbers from the figure (its labels, ``Figure.details``),
    computed before rendering by the notation layer: nothing in render/ asks a graph to compute."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    calls = [f"{MODULES[module].relative_to(ROOT)}:{node.lineno} {_receiver(node)}.{node.func.attr}()"
             for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ENGINE_CALLS and "graph" in _receiver(node)]
    assert not calls, calls


def test_no_registered_writer_receives_the_graph():
    """Every output format's writer takes the figure model and nothing else."""
    import inspect
    from graphjac.render.writers.formats import WRITERS
    for format, writer in WRITERS.items():
        assert list(inspect.signature(writer.write).parameters) == ["figure"], format


def _strings_outside_docs(tree):
    """String constants that are neither docstrings nor a property's ``doc=``."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            docs.add(id(node.body[0].value))
        if isinstance(node, ast.keyword) and node.arg == "doc":
            docs.update(id(n) for n in ast.walk(node.value))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


# the notation layer writes every ∂; an op's own LaTeX lives on the op (graphjac/core/ops), and the
# gallery's descriptions and the options' help are prose about the lecture, not a graph's output
PROSE = ("graphjac.notation", "graphjac.core.ops", "graphjac.io.gallery", "graphjac.options")


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("graphjac") and not m.startswith(PROSE)
                                          and not m.startswith("graphjac_cli")))
def test_no_partial_literal_outside_the_notation_layer(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = [f"{MODULES[module].relative_to(ROOT)}:{n.lineno} {n.value[:40]!r}" for n in _strings_outside_docs(tree)
             if "∂" in n.value or r"\partial" in n.value]
    assert not found, found


def test_at_most_about_ten_modules_a_package():
    folders = {}
    for name, path in MODULES.items():
        if path.name != "__init__.py" and name.startswith("graphjac."):
            folders.setdefault(path.parent.relative_to(ROOT), []).append(path.stem)
    crowded = {str(folder): len(names) for folder, names in folders.items() if len(names) > 12}
    assert not crowded, crowded


def test_the_interactive_script_writes_no_partial_of_its_own():
    """The page's script shows the symbols the notation layer gave it (``grad_of``, ``local``)."""
    script = (ROOT / "graphjac/render/writers/assets/figure.js").read_text(encoding="utf-8")
    assert "∂" not in script and "\\u2202" not in script


def test_every_test_listed_slow_exists():
    """tests/slow.txt names test functions that are there (a renamed test would leave the inner loop)."""
    listed = [line.strip() for line in (ROOT / "tests" / "slow.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    missing = []
    for entry in listed:
        path, _, function = entry.partition("::")
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.FunctionDef) and n.name == function for n in tree.body):
            missing.append(entry)
    assert listed and not missing, missing
