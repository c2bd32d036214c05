"""What the commands share: the SPEC argument, render flags mirrored from RenderOptions, output."""

from __future__ import annotations

import sys

import click

import graphjac as gj
from graphjac.errors import RenderError, close_matches
from graphjac.io.fileio import atomic_write
from graphjac.render import option_help


class Choice(click.Choice):
    """click's Choice that suggests the nearest choice: "'darkk' is not one of …; did you mean 'dark'?"."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            wanted = str(value).lower() if not self.case_sensitive else str(value)
            choices = [str(c).lower() if not self.case_sensitive else str(c) for c in self.choices]
            close = close_matches(wanted, choices)
            if not close:
                raise
            self.fail(f"{error.message.rstrip('.')}; did you mean {close[0]!r}?", param, ctx)


class FailedExit(click.ClickException):
    """A check (or a figure) that failed: exit code 1."""

    exit_code = 1


def _complete_spec(ctx, param, incomplete):
    """Shell completion for SPEC: files, plus lecture:NAME for the built-in figures."""
    from click.shell_completion import CompletionItem
    from graphjac.io.gallery import catalog

    lectures = [CompletionItem(f"lecture:{name}", help=line) for name, line in catalog().items()
                if f"lecture:{name}".startswith(incomplete)]
    return lectures + [CompletionItem(incomplete, type="file")]


def spec_argument(command):
    """The SPEC argument every command takes."""
    return click.argument("spec", metavar="SPEC", shell_complete=_complete_spec)(command)


def target_option(command):
    """--target: which scalar node is J (default: the spec's ``target``)."""
    return click.option("--target", "-t", metavar="NODE",
                        help="the scalar loss J to differentiate (default: the spec's 'target')")(command)


def torch_option(command):
    """--torch: SPEC's PyTorch module (model.py:NAME) rather than a Graph it defines; --depth: its
    submodules deeper than this kept whole (one node each)."""
    command = click.option("--depth", type=click.IntRange(0), default=None, expose_value=False,
                           callback=_remember_depth, help="with --torch: keep submodules deeper than this whole, "
                                                          "one node each (as torchview's depth)")(command)
    return click.option("--torch", "torch", is_flag=True,
                        help="SPEC is a PyTorch model: model.py[:NAME] defining the nn.Module, example_inputs, "
                             "and loss and target for a loss J")(command)


def _remember_depth(ctx, param, value):
    ctx.meta["graphjac.depth"] = value
    return value


def load_graph(spec: str, target=None, need_target=False, target_flag=True, torch=False):
    """The graph named by SPEC, with its loss target J set (or checked when ``need_target``)."""
    context = click.get_current_context(silent=True)
    depth = context.meta.get("graphjac.depth") if context is not None else None
    graph = gj.load(spec, torch=torch, depth=depth)
    if target is not None:
        try:
            graph.target = target
        except gj.GraphjacError as exc:
            raise gj.GraphjacError(f"--target {target}: {exc}") from None
    if graph.target is None:
        candidates = [n.name for n in graph.target_candidates()]
        if len(candidates) == 1:
            graph.target = candidates[0]
        elif need_target:
            found = (f"; its scalar results {', '.join(map(repr, candidates))} could each be J"
                     if candidates else " and it has no scalar result that could be J")
            raise gj.GraphjacError(f"{spec}: no loss J to differentiate{found}; add 'target: NAME' to the spec "
                                   f"or pass --target NAME")
        else:
            why = (f"its scalar results {', '.join(map(repr, candidates))} could each be J" if candidates
                   else "it has no scalar result that could be J")
            click.echo(f"note: no gradients shown: {spec} has no 'target' and {why}; add 'target: NAME' "
                       f"to the spec" + (" or pass --target NAME" if target_flag else ""), err=True)
    return graph


def _flag(name, default, help, choices, kind):
    """One click option mirroring one render option; its default None means 'as the spec says'."""
    flag = "--" + name.replace("_", "-")
    shown = {True: "yes", False: "no", None: "none", (): "none"}.get(default, default) \
        if not isinstance(default, tuple) or not default else ",".join(default)
    text = help if "default" in help else f"{help} [default: {shown}]"
    if kind == "bool":
        return click.option(f"{flag}/--no-{flag[2:]}", name, default=None, help=text)
    types = {"str": Choice(choices) if choices else str, "int": int, "float": float}
    metavar = {"parts": "A,B", "names": "NAMES", "pairs": "A:B,…", "text": "TEXT", "words": "KEY=TEXT;…"}.get(kind)
    return click.option(flag, name, type=types.get(kind, str), default=None, metavar=metavar, help=text)


def render_flags(command):
    """Add a flag for every render option (``graphjac.render.RenderOptions``) to ``command``."""
    for name, spec in reversed(list(option_help().items())):
        command = _flag(name, *spec)(command)
    return command


def chosen(flags: dict) -> dict:
    """The render flags the user gave (the others keep the spec's stored options or the defaults)."""
    names = option_help()
    return {k: v for k, v in flags.items() if k in names and v is not None}


def progressbar(label, **kwargs):
    """click's progress bar on standard error, shown only when that is a terminal."""
    stream = click.get_text_stream("stderr")
    return click.progressbar(label=label, file=stream, hidden=not stream.isatty(), **kwargs)


def write_output(path: str, data, quiet: bool = False, inputs=()) -> None:
    """``data`` (str or bytes) to ``path`` atomically, or to standard output for ``-``; never over
    one of ``inputs`` (the files the figure was made from)."""
    if path == "-":
        if sys.stdout is None:   # the command was started with its standard output closed (>&-)
            raise RenderError("-o -: standard output is closed; name a file with -o")
        if isinstance(data, bytes) and sys.stdout.isatty():
            raise gj.GraphjacError("-o -: not writing binary figure data to a terminal; redirect it "
                                   "(> figure.png) or name a file with -o")
        stream = sys.stdout.buffer if isinstance(data, bytes) else sys.stdout
        stream.write(data)
        stream.flush()
        return
    atomic_write(path, data, inputs=inputs)
    if not quiet:
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        click.echo(f"wrote {path} ({size / 1024:.1f} kB)", err=True)
