"""Names that try to be markup: ``graphjac run --format markdown`` tables, rendered by the
Markdown engines of MkDocs (Python-Markdown, with and without arithmatex) and MyST
(markdown-it), show the names as text, never as HTML, links or extra rows."""

import html
import re

import markdown as python_markdown
import pytest
from markdown_it import MarkdownIt

import graphjac as gj
from graphjac.notation.tables import markdown

NAMES = ["<img src=x onerror=alert(1)>", "x$<b>bold</b>$", "[click](https://example.org)", "a|b\rc\u202e",
         "<script>s()</script>", "*em* _em_ `code`", "www.example.org", "&amp; &lt;"]


def _graph():
    g = gj.Graph("<script>alert('title')</script> | name")
    leaves = [g.param(name, float(k + 1)) for k, name in enumerate(NAMES)]
    total = leaves[0]
    for k, leaf in enumerate(leaves[1:]):
        total = g.mul(total, leaf, name=f"p{k}|<i>") if k % 2 else g.add(total, leaf, name=f"s{k}")
    g.target = total
    return g


RENDERERS = {
    "mkdocs": lambda text: python_markdown.markdown(text, extensions=["tables"]),
    "mkdocs+arithmatex": lambda text: python_markdown.markdown(
        text, extensions=["tables", "pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {"generic": True}}),
    "myst": lambda text: MarkdownIt("commonmark").enable("table").render(text),
}


@pytest.fixture(scope="module")
def table():
    return markdown(_graph())


@pytest.mark.parametrize("engine", sorted(RENDERERS))
def test_a_rendered_table_holds_no_markup_from_the_names(table, engine):
    page = RENDERERS[engine](table)
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", page))
    assert tags <= {"p", "table", "thead", "tbody", "tr", "th", "td", "br", "span"}, tags
    assert "href" not in page


@pytest.mark.parametrize("engine", sorted(RENDERERS))
def test_every_row_keeps_its_cells(table, engine):
    page = RENDERERS[engine](table)
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<t[dh][^>]*>", row)
        assert len(cells) in (4, 5), row
    rows = re.findall(r"<tr>", page)
    graph = _graph()
    assert len(rows) == 2 + len(graph.nodes) + len(graph.edges)   # two header rows, nothing dropped


def test_the_text_cells_read_as_the_names(table):
    page = RENDERERS["mkdocs"](table)
    first_cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<tr>\s*<td>(.*?)</td>", page, re.S)]
    shown = {name.replace("\r", " ").replace("\u202e", "\\u202e") for name in NAMES}
    assert shown <= set(first_cells), shown - set(first_cells)


def test_no_control_character_reaches_the_page(table):
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", table)
