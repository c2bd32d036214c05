"""``graphjac frames``: the backward pass step by step, as figures, Beamer overlays and an animation."""

from __future__ import annotations

import click

from graphjac.render.frames import FORMATS, write_frames

from .common import chosen, load_graph, render_flags, spec_argument, target_option


@click.command("frames", short_help="Draw the backward pass step by step into a folder (-o DIR).")
@spec_argument
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="the folder the frames go to (made if missing)")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False), default="svg",
              show_default=True, help="format of the step-NN files")
@target_option
@render_flags
def command(spec, out_dir, fmt, target, **flags):
    """Draw SPEC's backward pass one ∂J/∂· at a time, in the order backpropagation computes them.

    Writes step-00 (the forward pass), step-01, … (each adding the next backward edge, highlighted),
    backprop.tex (one Beamer frame with \\only<k> overlays; --standalone makes it a whole
    document) and backprop-animated.svg (plays the steps in a loop in a browser).

    \b
    Examples:
      graphjac frames lecture:neuron -o neuron-steps
      graphjac frames model.yaml -o steps --format pdf --math typeset --standalone
    """
    graph = load_graph(spec, target, need_target=True)
    paths = write_frames(graph, out_dir, fmt.lower(), **chosen(flags))
    click.echo(f"wrote {len(paths)} files to {out_dir}", err=True)
