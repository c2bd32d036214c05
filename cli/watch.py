"""``graphjac watch``: re-render a figure on every save of its spec, with an optional live preview."""

from __future__ import annotations

import time

import click

from graphjac.errors import GraphjacError
from graphjac.io.fileio import refuse_inputs
from graphjac.io.loaders import inputs_of
from graphjac.io.watching import Sources
from graphjac.render import WRITERS, draw, writer_for

from .commands import SUMMARIES
from .common import Choice, chosen, render_flags, spec_argument, write_output
from .render import _output_path

POLL = 0.03          # seconds between looks at the files
SETTLE = 0.02        # a change is rendered once the files have been still this long


@click.command("watch", short_help=SUMMARIES["watch"])
@spec_argument
@click.option("-o", "--output", metavar="OUT",
              help="the figure file (its suffix picks the format) or a folder [default: SPEC's name, as SVG]")
@click.option("-f", "--format", "fmt", type=Choice(sorted(WRITERS), case_sensitive=False),
              help="the output format, when OUT's suffix does not say it [default: svg]")
@click.option("--serve", "port", type=click.IntRange(0, 65535), default=None, metavar="PORT",
              help="also show the figure at http://localhost:PORT/, reloading itself on every change "
                   "(SVG and PNG; 0 picks a free port)")
@render_flags
def command(spec, output, fmt, port, **flags):
    """Render SPEC to OUT now and again on every save of SPEC (or of a model.py and the modules it
    imports from its folder), until Ctrl-C.

    An error is shown and watching goes on; OUT keeps the last good figure (it is replaced whole,
    never half-written).

    \b
    Examples:
      graphjac watch model.yaml -o model.svg
      graphjac watch model.py -o model.png --serve 8000
    """
    if output == "-":
        raise GraphjacError("watch: -o - is not possible; name the figure file")
    output = _output_path(spec, output, fmt)
    writer = writer_for(output, fmt)
    sources = Sources(spec)
    refuse_inputs(output, inputs_of(spec))
    preview = None
    if port is not None:
        from graphjac_cli.preview import Preview
        preview = Preview(output, writer.format, port)
        click.echo(f"preview at {preview.url}", err=True)
    click.echo(f"watching {', '.join(map(str, sources.files))} → {output} (Ctrl-C to stop)", err=True)
    try:
        _loop(spec, output, writer, sources, preview, chosen(flags))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        if preview is not None:
            preview.close()


def _loop(spec, output, writer, sources, preview, options):
    while True:
        if sources.changed():
            while _still_changing(sources):
                pass
            _render(spec, output, writer, sources, preview, options)
        time.sleep(POLL)


def _still_changing(sources):
    time.sleep(SETTLE)
    return sources.changed()


def _render(spec, output, writer, sources, preview, options):
    """One render: the figure written whole, or the error shown (and the old figure kept)."""
    import graphjac as gj
    start = time.perf_counter()
    stamp = time.strftime("%H:%M:%S")
    before = sources.before_load()
    try:
        graph = gj.load(spec)
        sources.after_load(before)
        data = draw(graph, writer.format, **options)
        write_output(output, data, quiet=True, inputs=graph.sources + tuple(sources.files))
    except GraphjacError as exc:
        click.secho(f"{stamp} error: {exc}", fg="red", err=True)
        if preview is not None:
            preview.failed(str(exc))
        return
    click.echo(f"{stamp} wrote {output} ({time.perf_counter() - start:.2f} s)", err=True)
    if preview is not None:
        preview.updated(data)
