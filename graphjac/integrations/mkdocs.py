r"""graphjac figures in MkDocs (and any Markdown read by pymdownx SuperFences): a custom fence.

In ``mkdocs.yml``::

    markdown_extensions:
      - attr_list
      - pymdownx.superfences:
          custom_fences:
            - name: graphjac
              class: graphjac
              format: !!python/name:graphjac.mkdocs.fence
              validator: !!python/name:graphjac.mkdocs.validate

Then, in a page, a fence holding a YAML spec, or one line naming a spec file (relative to the
folder mkdocs runs in), ``model.py[:NAME]`` or ``lecture:NAME``; render options go in the
fence's header under their CLI names::

    ```{.graphjac theme=print edge-labels=symbol,value}
    lecture:neuron
    ```

``interactive=true`` in the header inlines the interactive figure instead (step through the
passes, every number in full; its script and style travel with it).

A fence reads only files inside the folder mkdocs runs in (links followed) or inside the
folders that ``GRAPHJAC_SPEC_FOLDERS`` lists (separated as in ``PATH``), and runs no
``model.py``: a page may come from anyone who can send a change to the documentation. To run
Python figures, name ``graphjac.mkdocs.fence_running_python`` as the fence's ``format`` instead.

The figure is inlined as SVG in a ``<figure class="graphjac">``; the header's ``#id``,
``.classes``, ``caption="…"``, ``width="60%"`` and ``alt="…"`` go on it (with ``attr_list``:
```` ```{.graphjac #fig-neuron caption="One neuron." width="60%"} ````). Its ids carry a prefix made
from its content, and a second copy of the same figure on one page is numbered, so no two
elements of a page share an id. A bad spec or option shows its message in the page (and is
logged as a warning, which ``mkdocs build --strict`` turns into a failure).
"""

from __future__ import annotations

import html
import logging
import os
import re

from graphjac.errors import GraphjacError

log = logging.getLogger("mkdocs.graphjac")
REFERENCE = re.compile(r"(lecture:[\w-]+|\S+\.(?:ya?ml|json|toml)|\S+\.py(?::\w+)?)")


def validate(language, inputs, options, attrs, md) -> bool:
    """Take the header's render options (``theme=print``) as the fence's options."""
    from graphjac.integrations.embedding import is_render_option
    for key in list(inputs):
        if is_render_option(key) or key in ("interactive", "torch", "depth"):
            options[key] = inputs.pop(key)
    attrs.update(inputs)
    return True


def fence(source, language, class_name, options, md, run_python=False, **kwargs) -> str:
    """The fence's figure as inline SVG (or the error, in the page), in a ``<figure>`` that carries
    the header's ``#id`` and classes, ``caption="…"`` (a ``<figcaption>``), ``width="60%"`` and
    ``alt="…"`` (what a screen reader says for the drawing); another attribute is a warning."""
    page, line = _where(md, source)
    attrs = dict(kwargs.get("attrs") or {})
    caption, width, alt = attrs.pop("caption", None), attrs.pop("width", None), attrs.pop("alt", None)
    problems = [f"unknown fence option(s) {', '.join(sorted(attrs))} (besides render options: caption, width, torch, depth, "
                f"alt, interactive, #id and .classes)"] if attrs else []
    if width is not None and not CSS_LENGTH.fullmatch(str(width)):
        problems.append(f"width={width!r} is not a length (60%, 400px, 20em)")
        width = None
    for problem in problems:
        log.warning(f"graphjac fence: {page}:{line}: {problem}")
    try:
        svg = _svg(source, options, run_python, page, line)
    except GraphjacError as exc:
        located = str(exc) if str(exc).startswith(page) else f"{page}:{line}: {exc}"
        log.warning(f"graphjac fence: {located}")
        return f'<pre class="graphjac-error">graphjac: {html.escape(str(exc))}</pre>'
    counts = md.__dict__.setdefault("graphjac_figures", {})    # one Markdown instance per page
    counts[svg] = counts.get(svg, 0) + 1
    from graphjac.render.writers.svgids import numbered
    if svg.startswith('<div class="graphjac-interactive'):
        body = numbered(svg, counts[svg])
    else:
        body = numbered(svg[svg.index("<svg"):], counts[svg])
        body = body.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)   # fits the page's column
        if alt is not None:
            body = _spoken(body, str(alt))
    classes = " ".join(html.escape(c) for c in [class_name or "graphjac", *kwargs.get("classes", ())] if c)
    where = f' id="{html.escape(kwargs["id_value"])}"' if kwargs.get("id_value") else ""
    style = f' style="width: {html.escape(str(width))}"' if width else ""
    below = f"<figcaption>{html.escape(str(caption))}</figcaption>" if caption else ""
    return f'<figure{where} class="{classes}"{style}>{body}{below}</figure>'


CSS_LENGTH = re.compile(r"\s*[0-9]*\.?[0-9]+\s*(%|px|em|rem|ex|ch|vw|cm|mm|in|pt|pc)?\s*")


def _spoken(svg: str, alt: str) -> str:
    """The SVG as a screen reader reads it: ``alt`` as the drawing's label (its own title stays)."""
    head_end = svg.index(">")
    head = re.sub(r'\s(aria-label|role)="[^"]*"', "", svg[:head_end])
    return head + f' role="img" aria-label="{html.escape(alt, quote=True)}"' + svg[head_end:]


def fence_running_python(source, language, class_name, options, md, **kwargs) -> str:
    """:func:`fence` that also draws ``model.py[:NAME]`` figures (it runs them)."""
    return fence(source, language, class_name, options, md, run_python=True, **kwargs)


def _where(md, source) -> tuple:
    """(the page's path in the docs folder, the line of the fence's first line of text), read from
    the file MkDocs registered with this page's Markdown converter; ("graphjac fence", 1) outside
    MkDocs."""
    file = next((getattr(p, "file", None) for p in getattr(md, "treeprocessors", ()) if getattr(p, "file", None)),
                None)
    if file is None:
        return "graphjac fence", 1
    page = getattr(file, "src_uri", None) or getattr(file, "src_path", "the page")
    try:
        text = file.content_string
    except (OSError, AttributeError, UnicodeDecodeError):
        return page, 1
    start = text.find(source.strip("\n"))
    return page, (text.count("\n", 0, start) + 1 if start >= 0 else 1)


def _svg(source, options, run_python, page="graphjac fence", line=1) -> str:
    from graphjac.integrations.embedding import allowed_spec, overrides
    from graphjac.render.writers.schemes import for_the_page
    from graphjac.io.loaders import load, load_text
    from graphjac.render import draw
    lines = [line for line in source.strip().splitlines() if line.strip()]
    if len(lines) == 1 and REFERENCE.fullmatch(lines[0].strip()):
        folders = [os.getcwd()] + [f for f in os.environ.get("GRAPHJAC_SPEC_FOLDERS", "").split(os.pathsep) if f]
        graph = load(allowed_spec(lines[0].strip(), folders, run_python,
                                  "list its folder in GRAPHJAC_SPEC_FOLDERS to allow it",
                                  "name graphjac.mkdocs.fence_running_python as the fence's format in "
                                  "mkdocs.yml to run model.py figures"),
                     torch=_yes(options.get("torch")), depth=_depth(options.get("depth")))
    else:
        graph = load_text(source.strip("\n"), page, first_line=line)
    chosen = for_the_page(graph, overrides({key: value for key, value in options.items()
                                            if key not in ("interactive", "torch", "depth")}))
    if _yes(options.get("interactive")):
        from graphjac.render import figure_for
        from graphjac.render.writers.interactive import html_fragment
        return html_fragment(figure_for(graph, details=True, **chosen))
    return draw(graph, "svg", **chosen)


def _yes(value) -> bool:
    return str(value if value is not None else "false").lower() in ("true", "yes", "1")


def _depth(value):
    """``depth=2`` in a fence's header, as ``--depth``: a whole number ≥ 0, or None."""
    if value is None:
        return None
    if not str(value).isdigit():
        raise GraphjacError(f"depth={value!r}: give a whole number ≥ 0 (submodules deeper than it are one node each)")
    return int(value)

