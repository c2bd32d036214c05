"""graphjac's documentation: a Sphinx site whose figures are drawn by graphjac's own directive."""

from pathlib import Path

from graphjac import __version__
from graphjac.io.gallery import catalog

project = "graphjac"
release = version = __version__
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx_click", "graphjac.sphinxext"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "figures", "mockups"]
numfig = True
html_theme = "alabaster"
html_title = f"graphjac {__version__}"
autodoc_member_order = "bysource"
suppress_warnings = ["myst.header"]


def write_gallery(app):
    """gallery.md: every built-in figure, drawn by the directive with its spec beside it."""
    lines = ["# Gallery", "", "Every built-in figure (`lecture:NAME`), drawn by the `graphjac` directive from",
             "the spec shown under it.", ""]
    for name, line in catalog().items():
        lines += [f"## {name}", "", line, "", f"```{{graphjac}} lecture:{name}", ":include-source:",
                  f":alt: the figure lecture:{name}", "```", ""]
    text = "\n".join(lines)
    target = Path(app.srcdir) / "gallery.md"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", write_gallery)
