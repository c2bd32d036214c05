"""Entry point of the ``graphjac`` command."""

import click

import graphjac


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graphjac.__version__, prog_name="graphjac")
def main():
    """Build, check and draw backpropagation graphs the way the lecture draws them."""
