r"""graphjac figures in Sphinx (reStructuredText and MyST Markdown): the ``graphjac`` directive.

In ``conf.py``: ``extensions = ["graphjac.sphinxext"]``. Then, in a page::

    .. graphjac:: figures/neuron.yaml
       :edge-labels: symbol,value
       :caption: One neuron and its gradients.
       :name: fig-neuron

or in MyST Markdown::

    ```{graphjac} lecture:neuron
    :theme: print
    ```

The argument is a spec file, ``model.py[:NAME]`` or ``lecture:NAME``, relative to the page (a
leading ``/`` means the source folder); or the directive's content is a YAML spec (not both).
A page reads only files inside the source folder (links followed), or inside the folders that
``graphjac_spec_folders`` lists (relative to ``conf.py``); it runs a ``model.py`` only when
``conf.py`` says ``graphjac_run_python = True``, since a page may come from anyone who can
send a change to the documentation.
Every render option is an option under its CLI name (``:edge-labels:``, ``:direction:``,
``:theme:``, ``:samples:``, …; booleans as ``:legend: false``), beside the image and figure
options ``:alt:``, ``:align:``, ``:width:``, ``:height:``, ``:scale:``, ``:class:``, ``:name:``,
``:caption:`` and ``:include-source:`` (the spec shown above the figure).

The figure is an ordinary image (or a figure, with a caption: numbered, and ``numref`` finds it
by ``:name:``), so every builder treats it as its own: HTML gets SVG (``graphjac_html_format``:
``"svg"``, ``"png"`` or ``"html"``, the interactive figure), LaTeX gets PDF (``graphjac_latex_format``: ``"pdf"``, ``"png"`` or
``"tikz"``, which writes the figure as TikZ in the document's own fonts and adds the packages it
needs to the preamble). Which one is chosen as each builder writes, so builders that share a
doctree folder (``make html``, then ``make latexpdf``) each get theirs: two files are one image
offering both (``neuron-<hash>.*``), and an interactive or TikZ figure sits beside the other
kind's image in Sphinx's ``only`` nodes. Figures are rendered once per content: files are named by a hash of the
spec's text, the options and graphjac's version. The spec file (and a model.py) is a dependency
of its page, so editing it rebuilds the page. The default alt text is the figure's formulas in
Unicode. Bad input is a warning naming the page and line, and the build goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util import logging

from graphjac.errors import GraphjacError
from graphjac.integrations.embedding import allowed_spec, overrides, render_option_names
from graphjac.render.writers.schemes import for_the_page
from graphjac.io.fileio import atomic_write
from graphjac.notation.latex import PDFLATEX_CHARACTERS
from graphjac.render.writers.formats import formats_for
from graphjac.version import __version__

logger = logging.getLogger(__name__)

IMAGE_OPTIONS = {"alt": directives.unchanged, "align": directives.unchanged, "width": directives.length_or_percentage_or_unitless,
                 "height": directives.length_or_unitless, "scale": directives.percentage,
                 "class": directives.class_option, "name": directives.unchanged,
                 "caption": directives.unchanged, "include-source": directives.flag}
# the writer registry says which formats each kind of page shows; a LaTeX page calls TikZ "tikz"
HTML_FORMATS = formats_for("web")
LATEX_FORMATS = tuple("tikz" if f == "tex" else f for f in formats_for("print"))
TIKZ_PACKAGES = ("tikz", "amsmath", "amssymb")


class GraphjacDirective(Directive):
    """``.. graphjac:: SPEC`` (or a YAML spec as content) → an image or a figure."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {**IMAGE_OPTIONS, **{name: directives.unchanged for name in render_option_names()},
                   "torch": directives.flag, "depth": directives.nonnegative_int}

    def run(self):
        env = self.state.document.settings.env
        try:
            return self._run(env)
        except GraphjacError as exc:
            message, line = _located(str(exc), env.doc2path(env.docname), self.lineno)
            logger.warning(f"graphjac: {message}", location=(env.docname, line), type="graphjac")
            return []

    def _run(self, env):
        from graphjac.io.loaders import load, load_text, source_file
        reference = self.arguments[0].strip() if self.arguments else None
        if reference and "\n" in reference:
            raise GraphjacError("an inline spec goes after a blank line below the directive (its argument "
                                "is the name of a spec file)")
        if reference and self.content:
            raise GraphjacError("give a spec file or an inline spec, not both")
        if not reference and not self.content:
            raise GraphjacError("give a spec file (.. graphjac:: model.yaml) or a YAML spec as the content")
        options = overrides(self.options)
        if reference:
            spec = self._allowed(env, self._resolve(env, reference))
            graph = load(spec, torch="torch" in self.options, depth=self.options.get("depth"))   # as --torch --depth
            path = source_file(spec)
            if not spec.startswith("lecture:"):
                for made_from in (path, *graph.sources):   # a model.py's helper modules too
                    env.note_dependency(str(made_from))
            text, language = path.read_text(encoding="utf-8"), "python" if path.suffix == ".py" else path.suffix[1:]
        else:
            text = "\n".join(self.content)
            source = env.doc2path(env.docname)
            graph = load_text(text, str(source), first_line=self.content_offset + 1)
            language = "yaml"
            if graph.name == "figure" and "title" not in options:
                options["title"] = ""    # an inline spec without a name: no title (a caption says it)
        options = for_the_page(graph, options)
        made = self._for_every_builder(env, graph, options, text)
        if "include-source" in self.options:
            block = nodes.literal_block(text, text, language=language)
            made.insert(0, block)
        return made

    def _resolve(self, env, reference):
        if reference.startswith("lecture:"):
            return reference
        script, colon, name = reference.partition(".py:")
        path = script + ".py" if colon else reference
        if path.startswith("/"):
            full = Path(env.srcdir) / path.lstrip("/")
        else:
            full = Path(env.doc2path(env.docname)).parent / path
        return str(full) + (":" + name if colon else "")

    @staticmethod
    def _allowed(env, spec):
        """``spec`` if the project lets a page read it: inside the source folder (or a folder of
        ``graphjac_spec_folders``), and a Python model only with ``graphjac_run_python = True``."""
        config = env.app.config
        folders = [Path(env.srcdir)] + [Path(env.app.confdir) / folder for folder in config.graphjac_spec_folders]
        return allowed_spec(spec, folders, config.graphjac_run_python,
                            "add its folder to graphjac_spec_folders in conf.py to allow it",
                            "set graphjac_run_python = True in conf.py to run model.py figures")

    @staticmethod
    def _format(config, builder_format):
        if builder_format == "latex":
            format = config.graphjac_latex_format
            if format not in LATEX_FORMATS:
                raise GraphjacError(f"graphjac_latex_format must be one of {', '.join(LATEX_FORMATS)}; got {format!r}")
            return format
        format = config.graphjac_html_format
        if format not in HTML_FORMATS:
            raise GraphjacError(f"graphjac_html_format must be one of {', '.join(HTML_FORMATS)}; got {format!r}")
        return format

    def _for_every_builder(self, env, graph, options, text):
        """The figure as the web page's builders show it (``graphjac_html_format``) and as the
        printed page's do (``graphjac_latex_format``), chosen when each builder writes, not when
        the page is read: builders that share one doctree folder (``make html`` then ``make
        latexpdf``) each get theirs. Two image files are one image with both candidates
        (``figure.*``: Sphinx picks per builder); an interactive or TikZ figure is its builder's
        own, beside the other kind's image."""
        config = env.app.config
        web, printed = self._format(config, "html"), self._format(config, "latex")
        loaded_as = ["torch" in self.options, self.options.get("depth")]
        files = {format: _render(graph, options, text, format, Path(env.app.doctreedir), loaded_as)
                 for format in dict.fromkeys((web, printed)) if format != "html"}
        if web != "html" and printed != "tikz":
            uri = files[web] if web == printed else files[web].with_suffix(".*")
            return self._captioned([self._image(env, graph, options, uri)])
        on_the_web = self._interactive(env, graph, options) if web == "html" else self._image(env, graph, options, files[web])
        printed_node = self._tikz(files[printed]) if printed == "tikz" else self._image(env, graph, options, files[printed])
        return self._captioned([_only("format_html", on_the_web), _only("not format_html", printed_node)])

    def _interactive(self, env, graph, options):
        """The interactive figure, inlined (its script and style inside it)."""
        from graphjac.render import figure_for
        from graphjac.render.writers.interactive import html_fragment
        from graphjac.render.writers.svgids import numbered
        fragment = html_fragment(figure_for(graph, details=True, **options))
        counts = env.temp_data.setdefault("graphjac_figures", {})     # the same figure twice on a page
        key = (env.docname, hash(fragment))
        counts[key] = counts.get(key, 0) + 1
        return nodes.raw("", numbered(fragment, counts[key]), format="html")

    def _tikz(self, figure_file):
        """A TikZ figure at ``:width:`` (or its own width, shrunk to the line)."""
        tikz = figure_file.read_text(encoding="utf-8")
        width = _tikz_width(self.options.get("width"))
        return nodes.raw("", "\\begin{center}\n\\resizebox{" + width + "}{!}{%\n" + tikz + "}\n\\end{center}\n",
                         format="latex")

    def _image(self, env, graph, options, figure_file):
        """An image of the figure's file (``figure.*``: its candidates), with the image options."""
        picture = nodes.image(uri=_uri(env, figure_file), alt=self.options.get("alt") or _alt_text(graph, options))
        for key in ("width", "height", "scale"):
            if key in self.options:
                picture[key] = self.options[key]
        picture["classes"] += self.options.get("class", [])
        if "align" in self.options and "caption" not in self.options:
            picture["align"] = self.options["align"]
        return picture

    def _captioned(self, pictures):
        """``pictures`` as the directive's options say: in a numbered figure under its caption
        (``:caption:``, ``:name:`` for ``numref``), or alone (``:name:`` on the first)."""
        if "caption" not in self.options:
            if "name" in self.options:
                self.add_name(pictures[0])
            return pictures
        figure = nodes.figure("", *pictures)
        if "align" in self.options:
            figure["align"] = self.options["align"]
        caption_text = self.options["caption"]
        parsed, messages = self.state.inline_text(caption_text, self.lineno)
        figure += nodes.caption(caption_text, "", *parsed)
        self.add_name(figure)
        return [figure]


def _only(expression, node):
    """``node`` for the builders whose tags satisfy ``expression`` (Sphinx's ``only``, decided as
    each builder writes)."""
    from sphinx import addnodes
    chosen = addnodes.only(expr=expression)
    chosen += node
    return chosen


def _tikz_width(width) -> str:
    r"""The width a TikZ figure is set at: ``:width:`` as LaTeX (a percentage of the line, a length;
    pixels at 96 per inch, as Sphinx's images), or else its own width, shrunk to the line if wider.

    >>> _tikz_width("60%"), _tikz_width("8cm"), _tikz_width("400px"), _tikz_width("400")
    ('0.6\\linewidth', '8cm', '300bp', '300bp')
    >>> _tikz_width(None)
    '\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi'
    """
    given = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z%]*)\s*", str(width or ""))
    if given is None:
        return r"\ifdim\width>\linewidth\linewidth\else\width\fi"
    number, unit = given.groups()
    if unit == "%":
        return f"{float(number) / 100:.4g}\\linewidth"
    if unit in ("", "px"):
        return f"{float(number) * 0.75:.4g}bp"
    return f"{float(number):g}{unit}"


def _located(message, page, line):
    """A message that starts with the page's own path and a line gives that line to Sphinx
    (which names the page itself)."""
    prefix = f"{page}:"
    if message.startswith(prefix):
        where, _, rest = message[len(prefix):].partition(": ")
        number = where.split(":")[0]
        if number.isdigit():
            return rest, int(number)
    return message, line


def _uri(env, path: Path) -> str:
    """``path`` as an image URI relative to the page (Sphinx copies the file into ``_images``)."""
    return Path(os.path.relpath(path, Path(env.doc2path(env.docname)).parent)).as_posix()


def _render(graph, options, text, format, doctreedir: Path, loaded_as=()) -> Path:
    """The figure's file, rendered unless a file for the same content exists already: the same
    spec text, the same files the graph was made from (a script's helper modules), read the same
    way (``loaded_as``: a torch module's ``:torch:`` and ``:depth:``) and options. Its formats share
    one name (``neuron-<hash>.svg``, ``.pdf``), so that an image can offer them all (``.*``)."""
    from graphjac.render import draw
    made_from = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in graph.sources if Path(p).is_file()]
    key = json.dumps([text, made_from, list(loaded_as), sorted(options.items()), __version__],
                     sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    folder = doctreedir / "graphjac-figures"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", graph.name)[:40] or "figure"
    path = folder / f"{stem}-{digest}.{'tex' if format == 'tikz' else format}"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        data = draw(graph, "tex" if format == "tikz" else format, **options)
        atomic_write(path, data)
    return path


def _alt_text(graph, options) -> str:
    """The figure's formulas in Unicode: z = x⃗ᵀw⃗ + b; a = σ(z); …"""
    from graphjac.notation.mathtext import to_unicode
    notes = graph.annotate()
    formulas = [to_unicode(n.formula) for n in notes.nodes if n.formula]
    return "; ".join(formulas) or graph.name


def _add_latex_setup(app, config):
    """TikZ's packages (with ``graphjac_latex_format = "tikz"``), and, for pdflatex, the math
    characters a spec shown with ``:include-source:`` may hold."""
    elements = dict(config.latex_elements or {})
    preamble = elements.get("preamble", "")
    if config.graphjac_latex_format == "tikz":
        for package in TIKZ_PACKAGES:
            _use_package(app, package)
        if "arrows.meta" not in preamble:
            preamble += "\n\\usetikzlibrary{arrows.meta}\n"
    if config.latex_engine == "pdflatex" and "graphjac: characters" not in preamble:
        _use_package(app, "amssymb")
        # only where the engine reads UTF-8 through inputenc: Jupyter Book switches to xelatex after
        # the extensions are set up, and xelatex knows no \DeclareUnicodeCharacter
        preamble += "\n% graphjac: characters\n\\ifdefined\\DeclareUnicodeCharacter\n" + "".join(
            f"\\DeclareUnicodeCharacter{{{code}}}{{{tex}}}\n" for code, tex in PDFLATEX_CHARACTERS.items()) + "\\fi\n"
    elements["preamble"] = preamble
    config.latex_elements = elements


def _use_package(app, name):
    """``\\usepackage{name}`` once: Sphinx warns (an error under -W) when a package is added twice."""
    if name not in {package for package, _ in getattr(app.registry, "latex_packages", ())}:
        app.add_latex_package(name)


def setup(app):
    app.add_config_value("graphjac_html_format", "svg", "env", [str])
    app.add_config_value("graphjac_latex_format", "pdf", "env", [str])
    app.add_config_value("graphjac_spec_folders", [], "env", [list, tuple])
    app.add_config_value("graphjac_run_python", False, "env", [bool])
    app.add_directive("graphjac", GraphjacDirective)
    app.connect("config-inited", _add_latex_setup)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
