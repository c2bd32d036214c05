"""``graphjac sheet``: a printable worksheet of one or more figures, and its answer key."""

from __future__ import annotations

import os
from pathlib import Path

import click

from graphjac.io.fileio import atomic_write_all, refuse_same
from graphjac.render.writers.worksheet import compiled, worksheet, worksheet_tex

from .commands import SUMMARIES
from .common import load_graph, torch_option


@click.command("sheet", short_help=SUMMARIES["sheet"])
@click.argument("specs", metavar="SPEC...", nargs=-1, required=True)
@click.option("-o", "--output", metavar="SHEET.pdf|.tex", required=True,
              help="the worksheet's PDF, or its LaTeX document")
@click.option("--key", metavar="KEY.pdf|.tex", help="the answer key, written like the sheet [default: SHEET.key.pdf "
                                                     "or SHEET.key.tex beside it]")
@click.option("--title", default="Backpropagation", show_default=True, help="the sheet's title")
@click.option("--text", default="", help="a line of instructions under the title")
@click.option("--precision", "-p", type=click.IntRange(1, 12), default=3, show_default=True,
              help="significant digits of the numbers given and asked for")
@click.option("--tex", is_flag=True, help="make the PDFs with pdflatex, each figure a TikZ picture (needs TeX)")
@torch_option
def command(specs, output, key, title, text, precision, tex, torch):
    """A worksheet of each SPEC's figure, its values and gradients left as numbered rules to
    write on, with numbered questions, on A4 pages (a large figure gets a page of its own, or
    two side by side, and questions that do not fit run on); and its answer key, laid out alike, with the worked
    chain rule of every gradient. No TeX needed; with --tex, the PDFs come from pdflatex and
    TikZ; with -o SHEET.tex, the LaTeX documents themselves, to edit and compile with your
    course's sheets.

    \b
    Examples:
      graphjac sheet lecture:neuron lecture:cs231n_sigmoid -o sheet.pdf
      graphjac sheet model.yaml -o week3.pdf --key week3-answers.pdf --title "Week 3"
      graphjac sheet model.yaml -o week3.tex          # and week3.key.tex, for pdflatex
    """
    suffix = Path(output).suffix.lower()
    if suffix not in (".pdf", ".tex"):
        raise click.BadParameter(f"{output}: the worksheet is a PDF or a LaTeX document; name it "
                                 f"{Path(output).stem}.pdf or {Path(output).stem}.tex", param_hint="-o")
    implicit = key is None
    key = key or str(Path(output).with_suffix(".key" + suffix))
    if implicit and os.path.islink(key):
        raise click.BadParameter(f"{key}: the key's default name is a link to {os.readlink(key)}, which graphjac did "
                                 f"not make; name the key with --key, or remove the link", param_hint="--key")
    if Path(key).suffix.lower() in (".pdf", ".tex") and Path(key).suffix.lower() != suffix:   # a .tex key of a PDF
        raise click.BadParameter(f"{key}: the key is written like the sheet; name it {Path(key).stem}{suffix}",
                                 param_hint="--key")
    refuse_same([output, key])
    graphs = [load_graph(spec, need_target=True, torch=torch) for spec in specs]
    inputs = tuple(source for graph in graphs for source in graph.sources)
    if suffix == ".tex" or tex:
        sources = [worksheet_tex(graphs, title, text, answers=answers, precision=precision) for answers in (False, True)]
        files = sources if suffix == ".tex" else [compiled(source) for source in sources]
    else:
        files = [worksheet(graphs, title, text, answers=answers, precision=precision) for answers in (False, True)]
    atomic_write_all({output: files[0], key: files[1]}, inputs=inputs)
    click.echo(f"wrote {output} and its key {key} ({len(graphs)} figure{'s' if len(graphs) > 1 else ''} each)", err=True)
