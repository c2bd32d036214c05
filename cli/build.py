"""``graphjac build``: every figure of a folder of lecture notes, skipping unchanged ones."""

from __future__ import annotations

from contextlib import closing

import click

from graphjac.io import folders
from graphjac.render import WRITERS, writer_for

from .commands import SUMMARIES
from .common import FailedExit, chosen, progressbar, render_flags


def _formats(ctx, param, value):
    formats = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    try:
        return tuple(writer_for(format=fmt).format for fmt in formats)
    except Exception as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("build", short_help=SUMMARIES["build"])
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), metavar="OUT",
              help="the folder the figures go to (made if missing), mirroring FOLDER's layout")
@click.option("-f", "--format", "formats", default="svg", show_default=True, callback=_formats,
              help=f"output formats, comma separated ({', '.join(sorted(WRITERS))})")
@click.option("--force", is_flag=True, help="render every figure, changed or not")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=folders.default_workers(), show_default=True,
              help="figures rendered at the same time (one process each)")
@render_flags
def command(folder, out_dir, formats, force, jobs, **flags):
    """Render every spec (.yaml, .yml, .json, .toml) under FOLDER into OUT, in parallel,
    skipping the figures whose spec, formats and options (and graphjac itself) did not
    change since the last build.

    Render flags given here apply to every figure, over each spec's own `render:` options.

    \b
    Examples:
      graphjac build examples -o build/figures
      graphjac build notes/figures -o notes/build --format svg,pdf --theme print
    """
    plan = folders.plan(folder, out_dir, formats, chosen(flags), force=force)
    failures, built = [], 0
    results = folders.run(plan, jobs)
    with closing(results), progressbar(f"rendering {len(plan.stale)} figure(s)", length=len(plan.stale)) as bar:
        for result in results:     # closed at once when a signal stops the build: its workers stop too
            if result.status == "unchanged":
                continue
            bar.update(1)
            if result.status == "failed":
                failures.append(result)
            else:
                built += 1
    for path in plan.skipped:
        click.echo(f"skipped {path}: not a graph spec (no 'nodes')", err=True)
    for result in failures:
        click.echo(f"failed  {result.error}", err=True)
    click.echo(f"{built} built, {len(plan.fresh)} unchanged, {len(failures)} failed -> {out_dir}")
    if failures:
        error = FailedExit(f"{len(failures)} figure(s) failed")
        error.exit_code = 2 if any(r.bad_input for r in failures) else 1
        raise error
