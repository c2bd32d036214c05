"""Figures inside lecture notes: a real Sphinx project (HTML, LaTeX compiled to PDF, MyST
Markdown, MyST-NB notebooks), a real MkDocs site, an executed notebook, the spec schema, the
tables for notes and Python figures in folder builds."""

import base64
import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import graphjac as gj
from graphjac.io.gallery import catalog, spec_path
from graphjac.io.schema import spec_schema
from test_cli import graphjac_command

ROOT = Path(__file__).resolve().parents[1]
BAD_SPEC = """
nodes:
  - {name: x, kind: input, value: 2.0}
  - {name: y, kind: sqaure, inputs: [x]}
"""


def _write(folder, files):
    for name, text in files.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _sphinx(src, builder, out, *extra, env=None):
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", "--no-color", *extra, str(src), str(out)],
                          capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})
    return done


PROJECT = {
    "conf.py": 'extensions = ["graphjac.sphinxext", "myst_parser"]\nnumfig = True\n',
    "index.rst": """Notes
=====

.. toctree::

   markdown

.. graphjac:: figures/neuron.yaml
   :caption: One neuron.
   :name: fig-neuron
   :edge-labels: symbol,value

See :numref:`fig-neuron`.

.. graphjac:: lecture:cs231n_sigmoid
   :theme: print
   :include-source:
   :alt: the sigmoid circuit

.. graphjac::

   nodes:
     - {name: x, kind: input, value: 2.0}
     - {name: y, kind: square, inputs: [x]}
   target: y

.. graphjac::

""" + "\n".join("   " + line for line in BAD_SPEC.strip().splitlines()) + """

.. graphjac:: lecture:neuron
   :legend: maybe

Last paragraph.
""",
    "markdown.md": """# A MyST page

```{graphjac} /figures/neuron.yaml
:caption: From MyST.
:name: fig-md
```

{numref}`fig-md` is numbered too.
""",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sphinx")
    _write(folder, PROJECT)
    _write(folder, {"figures/neuron.yaml": spec_path("neuron").read_text(encoding="utf-8")})
    return folder


@pytest.fixture(scope="module")
def html(project):
    done = _sphinx(project, "html", project / "_build" / "html")
    assert done.returncode == 0, done.stderr
    return done, project / "_build" / "html"


def test_sphinx_html_draws_every_kind_of_spec(html):
    _, out = html
    index = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]*)" src="(_images/[^"]+)"', index)
    assert len(images) == 3 and all(src.endswith(".svg") for _, src in images)
    for _, src in images:
        assert (out / src).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    alts = [alt for alt, _ in images]
    assert alts[0].startswith("z = x⃗ᵀw⃗ + b; a = σ(z)") and alts[1] == "the sigmoid circuit" and alts[2] == "y = x²"
    assert re.search(r"Fig\. \d", index) and 'href="#fig-neuron"' in index   # numbered, and numref links to it
    assert "highlight-yaml" in index and "gate" in index             # :include-source:
    assert "Last paragraph." in index                                # the build went on after the errors
    page = (out / "markdown.html").read_text(encoding="utf-8")
    assert re.search(r"Fig\. \d", page) and page.count("<img") == 1


def test_sphinx_warns_with_the_page_and_line_of_a_bad_spec(html, project):
    done, _ = html
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
    index = str(project / "index.rst")
    lines = PROJECT["index.rst"].splitlines()
    bad_line = next(i for i, line in enumerate(lines, 1) if "sqaure" in line)
    assert any(w.startswith(f"{index}:{bad_line}: WARNING: graphjac:") and "did you mean 'square'" in w
               for w in warnings), warnings
    legend_line = next(i for i, line in enumerate(lines, 1) if ":legend: maybe" in line) - 1
    assert any(w.startswith(f"{index}:{legend_line}: WARNING: graphjac: option legend: expected true or false")
               for w in warnings), warnings
    assert len(warnings) == 2 and "Traceback" not in done.stderr


def test_editing_a_spec_rebuilds_its_pages(html, project):
    before = {src for name in ("index", "markdown")
              for src in re.findall(r'src="(_images/neuron-[^"]+)"', (html[1] / f"{name}.html").read_text())}
    spec = project / "figures" / "neuron.yaml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(original.replace("value: 0.1", "value: 0.25", 1), encoding="utf-8")
        done = _sphinx(project, "html", project / "_build" / "html")
        assert done.returncode == 0, done.stderr
        out = project / "_build" / "html"
        pages = {name: re.findall(r'src="(_images/neuron-[^"]+)"', (out / f"{name}.html").read_text(encoding="utf-8"))
                 for name in ("index", "markdown")}
        for name, sources in pages.items():     # both pages that use the spec show the new figure
            assert sources and all(src not in before for src in sources), name
    finally:
        spec.write_text(original, encoding="utf-8")


def _latexmk(folder):
    done = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "notes.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    return folder / "notes.pdf"


@pytest.mark.parametrize("latex_format", ["pdf", "tikz"])
def test_sphinx_latex_compiles_to_pdf_with_the_figures(project, tmp_path, latex_format):
    src = tmp_path / "src"
    shutil.copytree(project, src, ignore=shutil.ignore_patterns("_build"))
    conf = src / "conf.py"
    conf.write_text(conf.read_text() + f'project = "notes"\ngraphjac_latex_format = "{latex_format}"\n')
    out = tmp_path / "latex"
    done = _sphinx(src, "latex", out)
    assert done.returncode == 0, done.stderr
    tex = (out / "notes.tex").read_text(encoding="utf-8")
    if latex_format == "pdf":
        assert tex.count("sphinxincludegraphics") == 4 and len(list(out.glob("*.pdf"))) >= 3
    else:
        assert tex.count(r"\begin{tikzpicture}") == 4 and r"\usetikzlibrary{arrows.meta}" in tex
        assert tex.count(r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}") == 4
    pdf = _latexmk(out)
    log = (out / "notes.log").read_text(encoding="utf-8", errors="replace")
    too_wide = [float(x) for x in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]
    assert not [x for x in too_wide if x > 20], too_wide      # no figure runs past the page (they did by 81–120 pt)
    pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 2


def test_mkdocs_pages_with_many_figures_have_no_duplicate_id(tmp_path):
    _write(tmp_path, {
        "mkdocs.yml": """site_name: notes
markdown_extensions:
  - attr_list
  - pymdownx.superfences:
      custom_fences:
        - name: graphjac
          class: graphjac
          format: !!python/name:graphjac.mkdocs.fence
          validator: !!python/name:graphjac.mkdocs.validate
""",
        "docs/index.md": "# Figures\n\n```graphjac\nlecture:neuron\n```\n\n"
                         "```{.graphjac theme=print edge-labels=symbol,value}\ndocs/neuron.yaml\n```\n\n"
                         "```graphjac\nlecture:neuron\n```\n\n```graphjac\nlecture:cs231n_sigmoid\n```\n\n"
                         '```{.graphjac #fig-add .wide caption="Adding <x> and y." width="60%" alt="x plus y"}\n'
                         "lecture:add\n```\n\n"
                         "```graphjac\nnodes:\n  - {name: x, kind: input, value: 2.0}\n"
                         "  - {name: y, kind: square, inputs: [x]}\ntarget: y\n```\n",
        "docs/neuron.yaml": spec_path("neuron").read_text(encoding="utf-8"),
        "docs/bad.md": "# Bad\n\n```graphjac\n" + BAD_SPEC.strip() + "\n```\n",
    })
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 6 and page.count('<figure class="graphjac">') == 5
    assert '<figure id="fig-add" class="graphjac wide" style="width: 60%">' in page      # the header's attributes
    assert "<figcaption>Adding &lt;x&gt; and y.</figcaption>" in page and 'aria-label="x plus y"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    duplicates = [k for k, v in collections.Counter(ids).items() if v > 1]
    assert len(ids) > 100 and duplicates == []
    for ref in re.findall(r'href="#([^"]+)"', page):
        assert ref in ids or not ref.startswith("gj")
    bad = (tmp_path / "site" / "bad" / "index.html").read_text(encoding="utf-8")
    assert "graphjac-error" in bad and "did you mean" in bad
    assert re.search(r"bad\.md:6:\d+: .*sqaure", done.stderr), done.stderr   # the page and the line of the error
    strict = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert strict.returncode != 0


@pytest.mark.parametrize("web, printed", [("svg", "pdf"), ("html", "tikz")])
def test_builders_sharing_one_doctree_folder_each_get_their_own_figure(tmp_path, web, printed):
    """``make latexpdf`` after ``make html`` (one doctree folder): the page was read once, and
    each builder still gets its figure — the web page SVG or the interactive figure, the PDF or
    TikZ for LaTeX (the HTML page showed the PDF, and the LaTeX document the interactive HTML's
    nothing), numbered and found by numref in both."""
    _write(tmp_path / "src", {
        "conf.py": f'extensions = ["graphjac.sphinxext"]\nnumfig = True\ngraphjac_html_format = "{web}"\n'
                   f'graphjac_latex_format = "{printed}"\n',
        "index.rst": "Notes\n=====\n\n.. graphjac:: lecture:neuron\n   :caption: One neuron.\n   :name: fig-neuron\n\n"
                     "See :numref:`fig-neuron`.\n"})
    doctrees = ["-d", str(tmp_path / "doctrees")]
    for builder in ("latex", "html", "latex"):
        done = _sphinx(tmp_path / "src", builder, tmp_path / builder, "-W", *doctrees)
        assert done.returncode == 0, done.stderr
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    tex = next((tmp_path / "latex").glob("*.tex")).read_text(encoding="utf-8")
    if web == "svg":
        assert re.search(r'<img [^>]*src="_images/neuron-[0-9a-f]+\.svg"', page) and ".pdf" not in page
        assert re.search(r"sphinxincludegraphics[^\n]*neuron-[0-9a-f]+\}\.pdf", tex)
    else:
        assert page.count('class="graphjac-interactive') == 1 and "<img" not in page
        assert tex.count("\\begin{tikzpicture}") == 1 and "graphjac-interactive" not in tex
    assert "Fig. 1" in page and "\\label{\\detokenize{index:fig-neuron}}" in tex


NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "import graphjac as gj\ng = gj.load('lecture:neuron')\ng"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "g2 = gj.Graph('plain')\nz = g2.mul(g2.input('x', 2.0), g2.param('w', 3.0), name='z')\n"
                   "g2.target = z\ng2"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _execute(path, env=None):
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--inplace", str(path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return json.loads(Path(path).read_text(encoding="utf-8"))


def test_a_notebook_shows_every_graph_as_svg_with_a_pdf_beside_it(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(NOTEBOOK))
    cells = _execute(path)["cells"]
    for cell in cells:
        (output,) = cell["outputs"]
        data = output["data"]
        assert set(data) == {"text/plain", "image/svg+xml", "application/pdf"}
        svg = "".join(data["image/svg+xml"])
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
        assert base64.b64decode(data["application/pdf"]).startswith(b"%PDF")
    assert "STIXTwoMath" in "".join(cells[0]["outputs"][0]["data"]["image/svg+xml"])   # typeset


def test_a_notebook_asked_for_svg_alone_keeps_svg_alone(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(NOTEBOOK))
    cells = _execute(path, env={"GRAPHJAC_NOTEBOOK_FORMATS": "svg"})["cells"]
    assert set(cells[0]["outputs"][0]["data"]) == {"text/plain", "image/svg+xml"}


def test_nbconvert_makes_a_pdf_of_a_notebook_with_static_and_interactive_figures_without_inkscape(tmp_path):
    """nbconvert's LaTeX path converted each SVG with Inkscape ("Inkscape executable not found")
    and printed an interactive figure as <Graph …>: it now takes the PDF beside each."""
    notebook = json.loads(json.dumps(NOTEBOOK))
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                              "source": "from graphjac.integrations import jupyter\n"
                                        "jupyter.display_formats('html')\ng"})
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook))
    cells = _execute(path)["cells"]
    assert set(cells[2]["outputs"][0]["data"]) == {"text/plain", "text/html", "application/pdf"}
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "latex", str(path)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={**os.environ, "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                                                     if not (Path(p) / "inkscape").exists())})
    assert done.returncode == 0, done.stderr[-3000:]
    tex = (tmp_path / "n.tex").read_text(encoding="utf-8")
    assert len(re.findall(r"\{n_files/[^}]+\.pdf\}", tex)) == 3 and "textless{}Graph" not in tex, tex[-3000:]
    done = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "n.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    text = subprocess.run(["pdftotext", tmp_path / "n.pdf", "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    assert text.count("z = x⃗ᵀw⃗ + b = −0.8") == 2        # the figures' words: their PDFs' text layer


def test_a_myst_nb_book_builds_to_pdf_with_the_figure(tmp_path):
    _write(tmp_path, {"conf.py": 'project = "book"\nextensions = ["myst_nb"]\nnb_execution_mode = "force"\n',
                      "index.md": "# Book\n\n```{toctree}\nchapter\n```\n",
                      "chapter.ipynb": json.dumps(NOTEBOOK)})
    out, doctrees = tmp_path / "latex", ["-d", str(tmp_path / "doctrees")]   # the HTML build reads nothing again
    done = _sphinx(tmp_path, "latex", out, *doctrees)
    assert done.returncode == 0, done.stderr
    tex = (out / "book.tex").read_text(encoding="utf-8")
    assert tex.count("sphinxincludegraphics") == 2
    done = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "book.tex"],
                          cwd=out, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    html = tmp_path / "html"
    done = _sphinx(tmp_path, "html", html, *doctrees)
    assert done.returncode == 0, done.stderr
    assert (html / "chapter.html").read_text(encoding="utf-8").count(".svg") >= 2


def test_a_book_with_a_notebook_and_a_directive_builds_to_pdf_when_an_extension_switches_to_xelatex(tmp_path):
    """Jupyter Book starts with pdflatex and an extension switches to xelatex after graphjac set
    its preamble up: the pdflatex-only declarations must not stop xelatex ("Undefined control
    sequence"), and both figures — the notebook's and the directive's — reach the PDF."""
    switch = ("def setup(app):\n"
              "    app.connect('config-inited', lambda app, config: setattr(config, 'latex_engine', 'xelatex'),"
              " priority=900)\n")
    _write(tmp_path, {"conf.py": 'import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\nproject = "book"\n'
                                 'extensions = ["myst_nb", "graphjac.sphinxext", "to_xelatex"]\n'
                                 'nb_execution_mode = "force"\nnumfig = True\n',
                      "to_xelatex.py": switch,
                      "index.md": "# Book\n\n```{toctree}\nchapter\nfigures\n```\n",
                      "chapter.ipynb": json.dumps(NOTEBOOK),
                      "figures.md": "# Figures\n\n```{graphjac} lecture:neuron\n:caption: One neuron.\n:name: fig-n\n```\n\n"
                                    "See {numref}`fig-n`.\n"})
    out = tmp_path / "latex"
    done = _sphinx(tmp_path, "latex", out, "-W", "--keep-going")
    assert done.returncode == 0, done.stderr
    assert "xelatex" in (out / "latexmkrc").read_text(encoding="utf-8")
    done = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "book.tex"],
                          cwd=out, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    text = subprocess.run(["pdftotext", out / "book.pdf", "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    assert re.search(r"Fig\. 1(\.1)?: One neuron\.", text) and re.search(r"See Fig\. 1(\.1)?\.", text)
    assert text.count("z = x⃗ᵀw⃗ + b = −0.8") >= 2      # the notebook's figure and the directive's (text layers)


def test_a_myst_nb_book_of_svg_only_notebooks_builds_to_pdf_with_the_figures(tmp_path):
    """A notebook run with SVG alone: MyST-NB's LaTeX build (Jupyter Book's PDF) draws each
    graphjac figure as the PDF it converts to, with no setting (it printed <Graph 'neuron': … nodes>)."""
    _write(tmp_path, {"conf.py": 'project = "book"\nextensions = ["myst_nb"]\nnb_execution_mode = "force"\n',
                      "index.md": "# Book\n\n```{toctree}\nchapter\n```\n",
                      "chapter.ipynb": json.dumps(NOTEBOOK)})
    out = tmp_path / "latex"
    done = _sphinx(tmp_path, "latex", out, env={"GRAPHJAC_NOTEBOOK_FORMATS": "svg"})
    assert done.returncode == 0, done.stderr
    tex = (out / "book.tex").read_text(encoding="utf-8")
    assert tex.count("sphinxincludegraphics") == 2 and "textless{}Graph" not in tex, tex[-2000:]
    done = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "book.tex"],
                          cwd=out, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    html = tmp_path / "html"
    done = _sphinx(tmp_path, "html", html, env={"GRAPHJAC_NOTEBOOK_FORMATS": "svg"})
    assert done.returncode == 0, done.stderr
    page = (html / "chapter.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="[^"]+\.svg"', page)) == 2 and ".pdf" not in page   # the web page keeps SVG


# ---------------------------------------------------------------------------- the schema, tables, folders

VALIDATOR = jsonschema.Draft202012Validator(spec_schema())


def test_the_schema_is_valid_and_shipped_as_printed():
    gj.define_op("schema_probe", lambda u: u, derivative=lambda u, out: 1.0 + 0 * u, latex="$u",
                 derivative_latex="1")   # a user's op is not part of the file format
    jsonschema.Draft202012Validator.check_schema(spec_schema())
    shipped = json.loads((ROOT / "graphjac" / "spec.schema.json").read_text(encoding="utf-8"))
    printed = subprocess.run([graphjac_command(), "schema"], capture_output=True, text=True, timeout=60)
    assert shipped == spec_schema() == json.loads(printed.stdout)


@pytest.mark.parametrize("name", list(catalog()))
def test_every_gallery_spec_meets_the_schema(name):
    assert list(VALIDATOR.iter_errors(yaml.safe_load(spec_path(name).read_text(encoding="utf-8")))) == []


@pytest.mark.parametrize("spec", [
    {"nodes": [{"name": "x", "kind": "sigmod", "inputs": ["y"]}]},
    {"nodes": [{"name": "x", "kind": "input", "value": 1.0, "valeu": 2}]},
    {"nodes": [{"name": "z", "kind": "leaky_relu", "inputs": ["x"], "slope": "steep"}]},
    {"nodes": [], "render": {"theme": "neon"}},
    {"nodes": [], "rendr": {}},
])
def test_the_schema_refuses_what_the_reader_refuses(spec):
    assert list(VALIDATOR.iter_errors(spec))
    with pytest.raises(gj.GraphjacError):
        gj.Graph.from_spec(spec)


def test_run_writes_markdown_and_latex_tables_for_notes(tmp_path):
    markdown = subprocess.run([graphjac_command(), "run", "lecture:neuron", "--format", "markdown", "--precision", "4"],
                              capture_output=True, text=True, timeout=60).stdout
    lines = markdown.splitlines()
    assert lines[0] == "neuron: $J = 1.171$" and lines[2].startswith("| node | kind | math |")
    assert all(line.count("|") == lines[2].count("|") for line in lines[2:11])
    assert r"| z | neuron | $z = \vec{x}^{T} \vec{w} + b$ | −0.8 | −0.69 |" in lines
    latex = subprocess.run([graphjac_command(), "run", "lecture:neuron", "--format", "latex"],
                           capture_output=True, text=True, timeout=60).stdout
    document = (r"\documentclass{article}\usepackage{amsmath,amssymb,graphicx}\begin{document}" + latex
                + r"\end{document}")
    (tmp_path / "t.tex").write_text(document)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Overfull \\hbox" not in done.stdout         # the wide node table is shrunk to the line
    assert latex.count(r"\rule[-1.3ex]{0pt}{3.8ex}") == 7 + 6 + 2    # every row clear of a fraction's


def test_build_draws_python_figures_that_opt_in_and_nothing_else(tmp_path):
    folder = tmp_path / "notes"
    _write(folder, {
        "sub/model.graph.py": "import graphjac as gj\ng = gj.Graph('py')\n"
                              "g.target = g.mul(g.input('x', 2.0), g.param('w', 3.0), name='z')\n",
        "conf.py": "raise SystemExit('conf.py must never run')\n",
        "helper.py": "raise SystemExit('helpers must never run')\n",
        "neuron.yaml": spec_path("neuron").read_text(encoding="utf-8"),
    })
    done = subprocess.run([graphjac_command(), "build", folder, "-o", tmp_path / "out", "-f", "svg"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.svg")) == \
        ["neuron.svg", "sub/model.svg"]


def test_svg_ids_are_prefixed_by_content_and_repeat_for_the_same_input():
    from graphjac.render import draw
    first = draw(gj.load("lecture:neuron"), "svg")
    again = draw(gj.load("lecture:neuron"), "svg")
    other = draw(gj.load("lecture:add"), "svg")
    ids = re.findall(r'\bid="([^"]+)"', first)
    prefix = ids[0].split("-")[0]
    assert first == again and all(i.startswith(prefix + "-") for i in ids)
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', other))


HELPER = "WEIGHT = {w}\n"
MODEL = """import graphjac as gj
from helper import WEIGHT


def build():
    g = gj.Graph("helped")
    z = g.mul(g.input("x", 2.0), g.param("w", WEIGHT), name="z")
    g.target = g.square(z, name="J")
    return g
"""


def test_editing_a_model_scripts_helper_module_redraws_its_figure(tmp_path):
    """A figure drawn from model.py depends on the modules it imports: after the helper changes,
    an incremental build redraws the figure with the helper's new numbers (it kept J = 1 before)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('extensions = ["graphjac.sphinxext"]\ngraphjac_run_python = True\n')
    (docs / "index.rst").write_text("Notes\n=====\n\n.. graphjac:: model.py:build\n   :node-labels: formula,value\n")
    (docs / "model.py").write_text(MODEL)
    (docs / "helper.py").write_text(HELPER.format(w=0.5))
    out = tmp_path / "html"

    def drawn():
        done = _sphinx(docs, "html", out)
        assert done.returncode == 0, done.stderr
        images = sorted((out / "_images").glob("helped-*.svg"))
        page = (out / "index.html").read_text(encoding="utf-8")
        shown = [image for image in images if image.name in page]
        assert len(shown) == 1, (images, page[:300])
        return shown[0].read_text(encoding="utf-8")

    first = drawn()
    (docs / "helper.py").write_text(HELPER.format(w=1.5))
    second = drawn()
    assert first != second
    assert "J = z² = 9 " in gj_unicode_text(second) and "J = z² = 1 " in gj_unicode_text(first)


def gj_unicode_text(svg: str) -> str:
    """The text an SVG's screen-reader labels say (its aria-labels and titles)."""
    return " ".join(re.findall(r'aria-label="([^"]*)"', svg) + re.findall(r"<title>([^<]*)</title>", svg))


TORCH_MODEL = """import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return torch.tanh(self.lin(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.out = nn.Linear(3, 1)

    def forward(self, x):
        return self.out(self.block(x))


torch.manual_seed(0)
net = Net().double()
example_inputs = torch.randn(2, 3, dtype=torch.float64)
loss, target = nn.MSELoss(), torch.zeros(2, 1, dtype=torch.float64)
"""


def test_the_directive_and_the_fence_draw_a_torch_module_at_a_depth(tmp_path):
    """`:torch:` and `:depth:` (the directive), `torch=true depth=1` (the fence) draw a model.py's
    PyTorch module as `render --torch --depth` does: opened, or its Block one node."""
    import markdown as python_markdown
    from graphjac.integrations.mkdocs import fence_running_python, validate
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "model.py").write_text(TORCH_MODEL)
    (docs / "conf.py").write_text('extensions = ["graphjac.sphinxext"]\ngraphjac_run_python = True\n')
    (docs / "index.rst").write_text("Notes\n=====\n\n.. graphjac:: model.py:net\n   :torch:\n\n"
                                    ".. graphjac:: model.py:net\n   :torch:\n   :depth: 1\n")
    done = _sphinx(docs, "html", tmp_path / "html")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    drawn = [(tmp_path / "html" / src).read_text(encoding="utf-8") for src in re.findall(r'src="([^"]+\.svg)"', page)]
    assert len(drawn) == 2
    opened, collapsed = (gj_unicode_text(svg) for svg in drawn)
    assert "tanh" in opened and "Block" not in opened
    assert "Block" in collapsed and "tanh" not in collapsed

    md, options = python_markdown.Markdown(), {}
    validate("graphjac", {"torch": "true", "depth": "1"}, options, {}, md)
    cwd = os.getcwd()
    os.chdir(docs)
    try:
        svg = fence_running_python("model.py:net", "graphjac", "graphjac", options, md)
    finally:
        os.chdir(cwd)
    assert "Block" in gj_unicode_text(svg) and "tanh" not in gj_unicode_text(svg)
