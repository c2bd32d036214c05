"""``graphjac schema``: the JSON Schema of spec files, for editors that check as you type."""

from __future__ import annotations

import json

import click

from graphjac.io.schema import spec_schema

from .commands import SUMMARIES


@click.command("schema", short_help=SUMMARIES["schema"])
def command():
    """Print the JSON Schema of spec files. Editors complete and check specs with it: save it
    (graphjac schema > graphjac.schema.json) and name it in a spec's first line,

    \b
      # yaml-language-server: $schema=graphjac.schema.json

    or map it to your spec files in VS Code's setting yaml.schemas.
    """
    click.echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))
