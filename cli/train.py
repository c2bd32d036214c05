"""``graphjac train``: gradient descent on the params, p := p − α ∂J/∂p."""

from __future__ import annotations

import click

from graphjac.core.training import gradient_steps
from graphjac.errors import TrainingDiverged
from graphjac.io.fileio import refuse_inputs
from graphjac.io.savers import save, spec_format
from graphjac.notation.report import number_text, table

from .commands import SUMMARIES
from .common import FailedExit, load_graph, progressbar, spec_argument, target_option


@click.command("train", short_help=SUMMARIES["train"])
@spec_argument
@target_option
@click.option("--lr", "-a", "lr", type=click.FloatRange(min=0, min_open=True), default=0.1, show_default=True,
              help="the learning rate α")
@click.option("--steps", "-n", type=click.IntRange(1, 10_000_000), default=100, show_default=True,
              help="how many gradient steps")
@click.option("--ascent", is_flag=True, help="climb instead: p := p + α ∂J/∂p")
@click.option("--every", type=click.IntRange(min=1), metavar="K",
              help="print J every K steps [default: about ten lines]")
@click.option("--output", "-o", metavar="FILE",
              help="write the trained graph as a spec (.yaml, .json or .toml, by the suffix)")
def command(spec, target, lr, steps, ascent, every, output):
    """Train the params of SPEC by gradient descent and print the loss J per step.

    SPEC is a spec file (.yaml, .json, .toml), file.py[:NAME] or lecture:NAME.

    \b
    Examples:
      graphjac train lecture:minibatch_bce --lr 0.5 --steps 200
      graphjac train model.yaml --steps 1000 --every 100 --output trained.yaml
    """
    graph = load_graph(spec, target, need_target=True)
    if output:
        spec_format(output)   # a bad suffix, or the spec itself, is said before training, not after
        refuse_inputs(output, graph.sources)
    every = every or max(1, steps // 10)
    losses = [float(graph.value(graph.target))]
    with progressbar("training", iterable=gradient_steps(graph, lr, steps, ascent), length=steps,
                     item_show_func=lambda J: None if J is None else f"J = {J:.6g}") as bar:
        try:
            losses.extend(bar)
        except TrainingDiverged as exc:
            raise FailedExit(f"{spec}: J became {exc.value} at step {exc.step}; try a smaller --lr than {lr:g}") from None
    shown = [k for k in range(steps + 1) if k % every == 0 or k == steps]
    click.echo(table(("step", graph.target.name), [(str(k), number_text(losses[k], 8)) for k in shown]))
    if output:
        save(graph, output)
        click.echo(f"wrote {output}", err=True)
