"""Names are labels, never DOT: any text renders literally and cannot inject into the DOT."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

import graphjac as gj
from graphjac.render.layout.quoting import escape_html, quote

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = [
    'say "hi"', "a<b>c", "x & y", "back\\slash", "a\\nb", "\\N\\G\\L", "col:on", "node", "graph",
    "subgraph", "strict", "digraph", "edge", "end\\", '"];\nevil [label="pwned', "}", "{", "&amp;",
    "<I>x</I>", "semi;colon", "--", "->", "ünï ∂", "a]b[c", "=",
]


def test_quote_escapes_what_ends_a_string_or_starts_an_escape():
    assert quote('a"b') == '"a\\"b"'
    assert quote("a\\b") == '"a\\\\&#8203;b"'
    assert quote("end\\") == '"end\\\\&#8203;"'
    assert quote("two\nlines") == '"two\\nlines"'
    assert quote("&amp;") == '"&amp;amp;"'
    assert quote("ü") == '"&#252;"'


def test_escape_html_leaves_no_markup_character():
    for text in HOSTILE:
        escaped = escape_html(text)
        assert not set("<>\"'") & set(escaped)
        assert re.fullmatch(r"([^&]|&(amp|lt|gt|quot|#\d+);)*", escaped)


def _hostile_graph():
    g = gj.Graph('title "with" <markup> & \\ "];')
    leaves = [g.input(name, float(k)) for k, name in enumerate(HOSTILE)]
    total = leaves[0]
    for k, leaf in enumerate(leaves[1:]):
        total = g.add(total, leaf, name=f"s{k}")
    g.backward(total)
    return g


def _text(element):
    """The text of an SVG element as a reader sees it (zero-width spaces are invisible)."""
    return "".join(element.itertext()).replace("\u200b", "")


def _svg(dot_text):
    done = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return ET.fromstring(done.stdout)


@pytest.mark.dot
def test_hostile_names_render_literally_and_inject_nothing():
    assert shutil.which("dot"), "Graphviz's dot is needed for this test"
    g = _hostile_graph()
    for options in ({}, {"title": "}\n digraph {"}):
        svg = _svg(g.to_dot(**options))
        groups = [e for e in svg.iter(SVG + "g") if e.get("class") == "node"]
        assert len(groups) == len(g)                       # no node injected, none lost
        titles = {"".join(e.find(SVG + "title").itertext()) for e in groups}
        assert titles == {f"n{i}" for i in range(len(g))}  # ids are ours, never the names
        texts = [_text(t) for t in svg.iter(SVG + "text")]
        for k, name in enumerate(HOSTILE):
            # a label reads "name = k"; a line break inside a name is shown as a space
            assert f"{name.replace(chr(10), ' ')} = {k}" in texts, name
        tooltips = {a.get("{http://www.w3.org/1999/xlink}title").replace("\u200b", "") for a in svg.iter(SVG + "a")}
        assert set(HOSTILE) - {'"];\nevil [label="pwned'} <= tooltips
        assert '"];\nevil [label="pwned' in tooltips


def test_a_font_name_cannot_carry_markup():
    with pytest.raises(gj.GraphjacError, match="render option font"):
        _hostile_graph().to_dot(font='Deja"Vu ]; x [label=y')


@pytest.mark.dot
def test_the_title_renders_literally():
    g = _hostile_graph()
    texts = [_text(t) for t in _svg(g.to_dot()).iter(SVG + "text")]
    assert 'title "with" <markup> & \\ "];' in texts
