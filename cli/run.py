"""``graphjac run``: the forward and backward passes as a table in the terminal."""

from __future__ import annotations

import click

from graphjac.notation.report import report

from .commands import SUMMARIES
from .common import Choice, load_graph, spec_argument, target_option, torch_option


@click.command("run", short_help=SUMMARIES["run"])
@spec_argument
@torch_option
@target_option
@click.option("--precision", "-p", type=click.IntRange(1, 12), default=None,
              help="significant digits of the numbers shown [default: the spec's render precision, else 3, "
                   "as in its figures]")
@click.option("--format", "-f", "fmt", type=Choice(["text", "markdown", "latex"]), default="text",
              show_default=True, help="text for the terminal, markdown (math as $…$) or latex (tabulars) for notes")
def command(spec, target, precision, fmt, torch):
    """Run SPEC forward and backward; print every node's value and ∂J/∂node, and
    every edge's share of ∂J/∂·, in the lecture's notation.

    SPEC is a spec file (.yaml, .json, .toml), file.py[:NAME] or lecture:NAME.

    \b
    Examples:
      graphjac run lecture:neuron
      graphjac run model.yaml --target J --precision 6
      graphjac run lecture:neuron --format markdown >> notes.md
    """
    graph = load_graph(spec, target, torch=torch)
    if fmt == "text":
        click.echo(report(graph, precision=precision))
        return
    from graphjac.notation import tables
    click.echo((tables.markdown if fmt == "markdown" else tables.latex)(graph, precision=precision), nl=False)
