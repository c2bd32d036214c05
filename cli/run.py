"""``graphjac run``: the forward and backward passes as a table in the terminal."""

from __future__ import annotations

import click

from graphjac.report import report

from .common import load_graph, spec_argument, target_option


@click.command("run", short_help="Print every node's value and ∂J/∂·, and every edge's share.")
@spec_argument
@target_option
@click.option("--precision", "-p", type=click.IntRange(1, 12), default=4, show_default=True,
              help="significant digits of the numbers shown")
def command(spec, target, precision):
    """Run SPEC forward and backward; print every node's value and ∂J/∂node, and
    every edge's share of ∂J/∂·, in the lecture's notation.

    SPEC is a spec file (.yaml, .json, .toml), file.py[:NAME] or lecture:NAME.

    \b
    Examples:
      graphjac run lecture:neuron
      graphjac run model.yaml --target J --precision 6
    """
    click.echo(report(load_graph(spec, target), precision=precision))
