"""``graphjac sheet``: a printable worksheet of one or more figures, and its answer key."""

from __future__ import annotations

from pathlib import Path

import click

from graphjac.fileio import atomic_write_all
from graphjac.render.worksheet import worksheet

from .commands import SUMMARIES
from .common import load_graph, torch_option


@click.command("sheet", short_help=SUMMARIES["sheet"])
@click.argument("specs", metavar="SPEC...", nargs=-1, required=True)
@click.option("-o", "--output", metavar="SHEET.pdf", required=True, help="the worksheet's PDF")
@click.option("--key", metavar="KEY.pdf", help="the answer key's PDF [default: SHEET.key.pdf beside it]")
@click.option("--title", default="Backpropagation", show_default=True, help="the sheet's title")
@click.option("--text", default="", help="a line of instructions under the title")
@click.option("--precision", "-p", type=click.IntRange(1, 12), default=3, show_default=True,
              help="significant digits of the numbers given and asked for")
@torch_option
def command(specs, output, key, title, text, precision, torch):
    """A worksheet of each SPEC's figure, its values and gradients left as numbered rules to
    write on, with numbered questions, one page a figure (A4); and its answer key, laid out
    alike, with the worked chain rule of every gradient. No TeX needed.

    \b
    Examples:
      graphjac sheet lecture:neuron lecture:cs231n_sigmoid -o sheet.pdf
      graphjac sheet model.yaml -o week3.pdf --key week3-answers.pdf --title "Week 3"
    """
    if Path(output).suffix.lower() != ".pdf":
        raise click.BadParameter(f"{output}: the worksheet is a PDF; name it {Path(output).stem}.pdf", param_hint="-o")
    key = key or str(Path(output).with_suffix(".key.pdf"))
    graphs = [load_graph(spec, need_target=True, torch=torch) for spec in specs]
    inputs = tuple(source for graph in graphs for source in graph.sources)
    atomic_write_all({output: worksheet(graphs, title, text, answers=False, precision=precision),
                      key: worksheet(graphs, title, text, answers=True, precision=precision)}, inputs=inputs)
    click.echo(f"wrote {output} and its key {key} ({len(graphs)} page{'s' if len(graphs) > 1 else ''} each)", err=True)
