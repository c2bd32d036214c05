r"""Escaping for the two kinds of DOT text a figure holds: quoted strings and HTML-like labels.

Nothing a user writes (node names, titles, fonts) reaches DOT unescaped, so no text can end a
string early, start a new statement or be read as a Graphviz escape.

>>> quote('say "hi" \\ <b>')
'"say \\"hi\\" \\\\&#8203; &lt;b&gt;"'
>>> escape_html('a < b & "c"')
'a &lt; b &amp; &quot;c&quot;'
>>> escape_html("∂J/∂x")
'&#8706;J/&#8706;x'
"""

from __future__ import annotations

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
# Graphviz expands \N, \G, \L, … (node name, graph name, …) in labels and tooltips, even when
# the backslash is written as an entity; a zero-width space after a backslash keeps it literal.
_ZWSP = "&#8203;"
_ASCII_HTML = str.maketrans({**_HTML, "\\": "\\" + _ZWSP})
_ASCII_QUOTED = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': '\\"', "\\": "\\\\" + _ZWSP})


def escape_html(text: str) -> str:
    """Text for an HTML-like label: markup characters and non-ASCII as entities, controls as spaces,
    and a zero-width space after each backslash.

    Non-ASCII as numeric entities keeps DOT files plain ASCII (the same bytes on every system).
    """
    text = str(text)
    if text.isascii() and text.isprintable():
        return text.translate(_ASCII_HTML)
    out = []
    for char in text:
        code = ord(char)
        if char in _HTML:
            out.append(_HTML[char])
        elif char == "\\":
            out.append("\\" + _ZWSP)
        elif code < 32 or code == 127:
            out.append(" ")
        elif 0xD800 <= code <= 0xDFFF:   # a lone surrogate: no character, so its escape as text
            out.append(f"\\{_ZWSP}u{code:04x}")
        elif code > 126:
            out.append(f"&#{code};")
        else:
            out.append(char)
    return "".join(out)


def quote(text: str) -> str:
    """A DOT double-quoted string whose content Graphviz shows literally.

    A backslash is doubled and followed by a zero-width space (so ``\\N`` or ``\\G`` in a
    name is no escape), quotes are escaped,
    a line break becomes Graphviz's ``\\n``, and ``&`` ``<`` ``>`` become entities (Graphviz
    decodes entities in ordinary strings too). A character beyond the Basic Multilingual Plane
    (an emoji, 𝔸) is written as its escape ``\\U0001f600``: Graphviz copies quoted strings into
    SVG attributes as malformed UTF-8 otherwise.
    """
    text = str(text).replace("\r\n", "\n")
    if text.isascii() and text.isprintable():   # the usual case, in one pass
        return '"' + text.translate(_ASCII_QUOTED) + '"'
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\" + _ZWSP)
        elif char == '"':
            out.append('\\"')
        elif char in "\n\r":
            out.append("\\n")
        elif char in "&<>":
            out.append(_HTML[char])
        elif ord(char) < 32 or ord(char) == 127:
            out.append(" ")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\\\{_ZWSP}u{ord(char):04x}")
        elif ord(char) > 0xFFFF:   # Graphviz writes these into SVG attributes as broken UTF-8
            out.append(f"\\\\{_ZWSP}U{ord(char):08x}")
        elif ord(char) > 126:
            out.append(f"&#{ord(char)};")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def html_label(markup: str) -> str:
    """An HTML-like label ``<…>`` around markup built from :func:`escape_html` pieces."""
    return "<" + markup + ">"
