"""Pages that reach outside the documentation: the Sphinx directive (reST and MyST) and the
MkDocs fence read only files inside the docs' folders, and run a Python figure only where the
project allows it."""

import os
import subprocess
import sys

import markdown as python_markdown
import pytest

from graphjac.integrations.mkdocs import fence, fence_running_python
from graphjac.io.gallery import spec_path

SECRET = spec_path("product").read_text(encoding="utf-8").replace("name: z = xy", "name: secret-figure-text")
EVIL = "open({marker!r}, 'w').write('ran')\nimport graphjac as gj\ng = gj.Graph('evil')\n" \
       "g.target = g.square(g.param('x', 2.0), name='z')\n"
INSIDE = "import graphjac as gj\ng = gj.Graph('inside')\ng.target = g.square(g.param('x', 3.0), name='z')\n"


@pytest.fixture
def tree(tmp_path):
    outside, docs = tmp_path / "outside", tmp_path / "docs"
    outside.mkdir()
    docs.mkdir()
    (outside / "secret.yaml").write_text(SECRET)
    (outside / "evil.py").write_text(EVIL.format(marker=str(tmp_path / "ran")))
    (docs / "link.yaml").symlink_to(outside / "secret.yaml")
    (docs / "model.py").write_text(INSIDE)
    return tmp_path


PAGE = """Notes
=====

.. graphjac:: ../outside/secret.yaml
   :include-source:

.. graphjac:: link.yaml
   :include-source:

.. graphjac:: ../outside/evil.py

.. graphjac:: model.py

.. toctree::

   myst

Last paragraph.
"""
MYST = "# MyST\n\n```{graphjac} ../outside/evil.py\n```\n\n```{graphjac} ../outside/secret.yaml\n:include-source:\n```\n"


def _sphinx(tree, conf):
    docs = tree / "docs"
    (docs / "conf.py").write_text('extensions = ["graphjac.sphinxext", "myst_parser"]\n' + conf)
    (docs / "index.rst").write_text(PAGE)
    (docs / "myst.md").write_text(MYST)
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "--no-color", str(docs),
                           str(tree / "html")], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    pages = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (tree / "html").rglob("*")
                    if p.is_file() and p.suffix in (".html", ".svg", ".txt"))
    return done.stderr, pages


def test_a_page_reads_nothing_outside_the_source_folder_and_runs_no_script(tree):
    warnings, pages = _sphinx(tree, "")
    assert "secret-figure-text" not in pages and not (tree / "ran").exists()
    assert warnings.count("outside the documentation's folder") == 5, warnings      # reST: 2 files and a link; MyST: 2
    assert warnings.count("a page runs no Python figure") == 1 and "graphjac_run_python = True" in warnings
    assert "graphjac_spec_folders" in warnings and "Last paragraph." in pages


def test_conf_py_may_widen_the_folders_and_allow_python(tree):
    warnings, pages = _sphinx(tree, 'graphjac_spec_folders = ["../outside"]\ngraphjac_run_python = True\n')
    assert "outside the documentation" not in warnings and "runs no Python" not in warnings, warnings
    assert "secret-figure-text" in pages and (tree / "ran").exists()


def _fence(text, runner=fence):
    md = python_markdown.Markdown()
    return runner(text, "graphjac", "graphjac", {}, md)


def test_a_fence_reads_nothing_outside_and_runs_no_script_by_default(tree, monkeypatch):
    monkeypatch.chdir(tree / "docs")
    monkeypatch.delenv("GRAPHJAC_SPEC_FOLDERS", raising=False)
    for reference in ("../outside/secret.yaml", "link.yaml", "../outside/evil.py", str(tree / "outside" / "evil.py")):
        page = _fence(reference)
        assert "graphjac-error" in page and "outside the documentation" in page and "secret-figure" not in page
    page = _fence("model.py")
    assert "graphjac-error" in page and "fence_running_python" in page
    assert "<svg" in _fence("model.py", fence_running_python) and not (tree / "ran").exists()
    monkeypatch.setenv("GRAPHJAC_SPEC_FOLDERS", os.pathsep.join(["/nowhere", str(tree / "outside")]))
    assert "<svg" in _fence("../outside/secret.yaml")
