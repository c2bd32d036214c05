"""``graphjac render``: one figure from one spec."""

from __future__ import annotations

from pathlib import Path

import click

from graphjac.errors import GraphjacError
from graphjac.io.loaders import figure_stem
from graphjac.render import WRITERS, draw, writer_for

from .commands import SUMMARIES
from .common import Choice, chosen, load_graph, render_flags, spec_argument, torch_option, write_output


def _output_path(spec: str, output, fmt) -> str:
    """OUT as given; SPEC's name with the format's suffix when OUT is missing or a folder."""
    if output is not None and not Path(output).is_dir():
        suffix = Path(output).suffix.lower()[1:]
        if output != "-" and not fmt and not suffix:
            raise GraphjacError(f"{output}: cannot tell the format without a suffix; name the file "
                                f"{output}.svg (or .png, .pdf, …) or pass --format")
        if output != "-" and fmt and suffix in WRITERS and suffix != fmt.lower():
            raise GraphjacError(f"{output}: the suffix says {suffix} but --format says {fmt.lower()}; "
                                f"drop one of them")
        return output
    name = f"{figure_stem(spec)}.{(fmt or 'svg').lower()}"
    return str(Path(output) / name) if output is not None else name


@click.command("render", short_help=SUMMARIES["render"])
@spec_argument
@torch_option
@click.option("-o", "--output", metavar="OUT",
              help="the figure file (its suffix picks the format), a folder to put it in, or '-' for "
                   "standard output [default: SPEC's name, with the format as suffix]")
@click.option("-f", "--format", "fmt", type=Choice(sorted(WRITERS), case_sensitive=False),
              help="the output format, when OUT's suffix does not say it [default: svg]")
@render_flags
def command(spec, output, fmt, torch, **flags):
    """Draw SPEC as a figure: SVG, PNG, PDF, DOT or another format the renderers know.

    SPEC is a spec file (.yaml, .json, .toml), file.py[:NAME] or lecture:NAME.
    Flags left out keep the options stored in the spec's `render:` section, then the defaults.

    \b
    Examples:
      graphjac render lecture:neuron -o neuron.svg
      graphjac render model.yaml -o model.pdf --theme print --edge-labels symbol,value
      graphjac render model.yaml -o - --format png > model.png
      graphjac render model.yaml -o model.dot        # the DOT text, for Graphviz's own tools
    """
    output = _output_path(spec, output, fmt)
    writer = writer_for(format=fmt or "svg") if output == "-" else writer_for(output, fmt)
    graph = load_graph(spec, target_flag=False, torch=torch)
    write_output(output, draw(graph, writer.format, **chosen(flags)), inputs=graph.sources)

