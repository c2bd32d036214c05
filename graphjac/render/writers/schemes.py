"""Figures that follow the page's light or dark scheme (``theme: auto``).

An ``auto`` figure is drawn in the lecture theme's colours and carries a small style sheet that
turns each of them into the dark theme's: when the reader's system asks for dark
(``prefers-color-scheme``, also inside an ``<img>``), unless the page says it is light; and when
a page inlines the figure and says by its own theme switch that it is dark (Material's slate,
Furo's and PyData's ``data-theme``, Bootstrap's ``data-bs-theme``, JupyterLab's and nbconvert's
dark theme). CSS outranks the SVG's colour attributes, so nothing else in the figure changes; PNG,
PDF and TikZ keep the lecture colours (cairo and LaTeX have no page to follow).

>>> css = scheme_css()
>>> '[fill="#e8f1fb" i]' in css and "--gj-c0" in css
True
"""

from __future__ import annotations

import re

from graphjac.render.model.themes import THEMES

AUTO = "auto"
LIGHT, DARK = "lecture", "dark"
DARK_PAGES = ('[data-md-color-scheme="slate"]', '[data-theme="dark"]', '[data-bs-theme="dark"]',
              '[data-jp-theme-light="false"]')
LIGHT_PAGES = ('[data-md-color-scheme="default"]', '[data-theme="light"]', '[data-bs-theme="light"]',
               '[data-jp-theme-light="true"]')
CLASS = "gj-auto"


def colour_pairs(light: str = LIGHT, dark: str = DARK) -> dict:
    """Each colour of theme ``light`` -> the colour the same token has in theme ``dark`` (the
    first token wins where two share a light colour)."""
    a, b = THEMES[light], THEMES[dark]
    pairs = {}
    tokens = ("background", "text", "border", "forward", "backward", "group_border", "emphasis", "good", "bad",
              "wire_value")
    for mine, theirs in [(getattr(a, t), getattr(b, t)) for t in tokens] + \
            [(a.fills[role], b.fills[role]) for role in a.fills]:
        pairs.setdefault(mine.lower(), theirs)
    if "white" in pairs:
        pairs.setdefault("#ffffff", pairs["white"])
    return pairs


def in_dark(scope: str, declarations: str) -> str:
    """CSS giving ``scope`` the ``declarations`` wherever it is dark: the reader's system asks for
    dark and the page does not say it is light, or the page says it is dark."""
    follows_system = f"{scope}:not(:is({', '.join(LIGHT_PAGES)}) *)"
    says_dark = ", ".join(f"{page} {scope}" for page in DARK_PAGES)
    return (f"@media (prefers-color-scheme: dark) {{ {follows_system} {{ {declarations} }} }}\n"
            f"{says_dark} {{ {declarations} }}\n")


def scheme_css(scope: str = f"svg.{CLASS}") -> str:
    """The style sheet an ``auto`` figure carries: one rule per colour attribute, reading a
    variable that the dark contexts set (and that defaults to the light colour)."""
    pairs = colour_pairs()
    names = {light: f"--gj-c{k}" for k, light in enumerate(pairs)}
    rules = [f'{scope} [{attribute}="{light}" i] {{ {attribute}: var({names[light]}, {light}); }}'
             for light in pairs for attribute in ("fill", "stroke")]
    return "\n".join(rules) + "\n" + in_dark(scope, " ".join(f"{names[light]}: {colour};"
                                                              for light, colour in pairs.items()))


def for_the_page(graph, options: dict) -> dict:
    """``options`` with the theme ``auto`` where neither they nor the graph's spec choose one: a
    figure in notes (Sphinx, MkDocs, notebooks) follows the page's light or dark scheme.

    >>> import graphjac as gj
    >>> for_the_page(gj.Graph("g"), {}), for_the_page(gj.Graph("g"), {"theme": "print"})
    ({'theme': 'auto'}, {'theme': 'print'})
    """
    if "theme" in options or "theme" in graph.render_options:
        return options
    return {**options, "theme": AUTO}


_ROOT = re.compile(r"<svg\b[^>]*>")


def following_the_page(svg_text: str) -> str:
    """``svg_text`` (an ``auto`` figure's SVG) with the class and style sheet that make it follow
    the page's scheme."""
    root = _ROOT.search(svg_text)
    if root is None:
        return svg_text
    tag = root.group(0)
    if re.search(r'\bclass="', tag):
        tag = re.sub(r'\bclass="', f'class="{CLASS} ', tag, count=1)
    else:
        tag = tag[:-1].rstrip("/") + f' class="{CLASS}">'
    style = f'<style type="text/css">{scheme_css()}</style>'
    return svg_text[:root.start()] + tag + style + svg_text[root.end():]
