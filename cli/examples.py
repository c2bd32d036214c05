"""``graphjac examples``: the built-in lecture figures."""

from __future__ import annotations

import click

from graphjac.io.gallery import PREFIX, catalog
from graphjac.notation.report import table

from .commands import SUMMARIES


@click.command("examples", short_help=SUMMARIES["examples"])
def command():
    """List the built-in lecture figures, one line each; use them as SPEC (lecture:NAME).

    \b
    Examples:
      graphjac examples
      graphjac render lecture:softmax_jacobian -o softmax.svg
    """
    click.echo(table(("SPEC", "figure"), [(PREFIX + name, line) for name, line in catalog().items()]))
