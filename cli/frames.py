"""``graphjac frames``: the backward pass step by step, as figures, Beamer overlays and an animation."""

from __future__ import annotations

import click

from graphjac.render.writers.frames import CHOICES, PASSES, REVEAL_URL, write_frames

from .commands import SUMMARIES
from .common import Choice, chosen, load_graph, render_flags, spec_argument, target_option, torch_option


@click.command("frames", short_help=SUMMARIES["frames"])
@spec_argument
@torch_option
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="the folder the frames go to (made if missing)")
@click.option("-f", "--format", "fmt", type=Choice(CHOICES, case_sensitive=False), default="svg",
              show_default=True, help="format of the step-NN files; revealjs: SVG steps and backprop-reveal.html, "
                                      "a reveal.js slide that steps through them")
@click.option("--reveal-url", default=REVEAL_URL, show_default=True, metavar="URL",
              help="where backprop-reveal.html loads reveal.js from (a CDN, or your own copy's folder)")
@click.option("--passes", type=Choice(("both", *PASSES), case_sensitive=False), default="both",
              show_default=True, help="the passes stepped through: with backward alone, step-00 shows the forward pass whole; "
                   "with forward alone, no gradient is drawn")
@target_option
@render_flags
def command(spec, out_dir, fmt, passes, target, torch, reveal_url, **flags):
    """Draw SPEC's passes one step at a time, in the order backpropagation computes them.

    Writes step-00 (what is given: the leaves' values, every op's formula), then one frame a
    step, the newest highlighted: each op's value in forward order (in --style circuit, the
    values on its output wires), then each ∂J/∂· (each backward edge, or each wire's gradient).
    Also backprop.tex (one Beamer frame with overlays, a slide a step; --standalone makes it a
    whole document) and backprop-animated.svg (plays the steps in a loop in a browser). With
    --format revealjs, also backprop-reveal.html: a reveal.js slide on which → (or a clicker)
    steps through the passes, to open as it is or to paste into your deck.

    \b
    Examples:
      graphjac frames lecture:neuron -o neuron-steps
      graphjac frames lecture:cs231n_sigmoid -o steps --style circuit --format png
      graphjac frames model.yaml -o steps --format pdf --passes backward --standalone
      graphjac frames lecture:neuron -o slides --format revealjs --fit 4:3
    """
    chosen_passes = PASSES if passes.lower() == "both" else (passes.lower(),)
    graph = load_graph(spec, target, need_target="backward" in chosen_passes, torch=torch)
    paths = write_frames(graph, out_dir, fmt.lower(), passes=chosen_passes, reveal_url=reveal_url, **chosen(flags))
    click.echo(f"wrote {len(paths)} files to {out_dir}", err=True)
