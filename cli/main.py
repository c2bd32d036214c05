"""Entry point of the ``graphjac`` command: the group, its error boundary and the commands."""

from __future__ import annotations

import errno
import importlib
import os
import signal
import sys
import threading
import warnings

import click

import graphjac
from graphjac.errors import CheckFailed, GraphjacError, RenderError, close_matches

from .commands import SUMMARIES


class Application(click.Group):
    """The command group: turns graphjac's errors into one line and an exit code, never a traceback.

    Exit codes: 0 success, 1 a check or a figure that failed, 2 bad usage or bad input.
    Each command's module is imported only when that command runs (or its help is asked for).
    """

    def list_commands(self, ctx):
        return sorted(SUMMARIES)

    def get_command(self, ctx, name):
        return importlib.import_module(f"{__package__}.{name}").command if name in SUMMARIES else None

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name not in SUMMARIES and not name.startswith("-") and not ctx.resilient_parsing:
            close = close_matches(name, SUMMARIES)
            if close:
                ctx.fail(f"No such command {name!r}; did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter):
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES[name]) for name in self.list_commands(ctx)])

    def shell_complete(self, ctx, incomplete):
        from click.shell_completion import CompletionItem
        commands = [CompletionItem(name, help=SUMMARIES[name])
                    for name in self.list_commands(ctx) if name.startswith(incomplete)]
        return commands + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx):
        debug, shown = ctx.params.get("debug"), warnings.showwarning
        if not debug:
            warnings.showwarning = _one_line_warning
        _stop_cleanly_on_sigterm()
        try:
            if _on_a_terminal(sys.stderr):   # a long fit says how it is getting on
                from graphjac.progress import watched

                from .progress import FitProgress
                ctx.with_resource(watched(FitProgress(sys.stderr)))
            result = super().invoke(ctx)
            if sys.stdout is not None:   # None when started with it closed: what was echoed went nowhere
                sys.stdout.flush()
            return result
        except Terminated as stopped:   # `kill`, a closed terminal, a CI's time limit: cleaned up on the way
            raise click.exceptions.Exit(128 + stopped.signum) from None
        except BrokenPipeError:   # `graphjac run … | head -1`: stop quietly, as Unix tools do
            _silence_stdout()
            raise click.exceptions.Exit(141) from None
        except OSError as exc:
            if exc.errno != errno.ENOSPC or exc.filename is not None:
                raise _as_click_error(exc) from None
            _silence_stdout()
            error = click.ClickException(f"standard output: {exc.strerror}")
            error.exit_code = 1
            raise error from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if debug:
                raise
            raise _as_click_error(exc) from None
        finally:
            warnings.showwarning = shown


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: raised where the program is, so that every ``finally`` runs
    (typesetting workers are stopped, temporary folders removed, the preview server closed), as
    for Ctrl-C. A BaseException, so that no ``except Exception`` (a model script's errors) takes
    it for something else."""

    def __init__(self, signum=signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


STOPPING = (signal.SIGTERM, signal.SIGHUP)


def _stop_cleanly_on_sigterm():
    if threading.current_thread() is threading.main_thread():
        for signum in STOPPING:
            signal.signal(signum, _terminated)


def _terminated(signum, frame):
    for each in STOPPING:
        signal.signal(each, signal.SIG_DFL)   # a second signal ends the process at once
    raise Terminated(signum)


def _on_a_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _silence_stdout():
    """Standard output is gone (a closed pipe, a full disk): point it at /dev/null, so that the
    interpreter's last flush at exit fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """A warning (numpy's overflow, say) as one line, without the source line it came from."""
    click.echo(f"Warning: {message}", err=True)


def _as_click_error(exc):
    """``exc`` as one line with its exit code: 1 for a figure that failed, 2 for bad input."""
    if isinstance(exc, GraphjacError):
        message, code = str(exc), 1 if isinstance(exc, (RenderError, CheckFailed)) else 2
    elif isinstance(exc, OSError) and exc.filename:
        message, code = f"{exc.filename}: {exc.strerror}", 2
    elif isinstance(exc, OSError) and exc.strerror:   # the system refused (no memory, too many files)
        message, code = f"the system refused: {exc.strerror}", 1
    else:
        message, code = (f"internal error {type(exc).__name__}: {exc} (run `graphjac --debug …` to see the "
                         f"traceback, and please report it)"), 1
    error = click.ClickException(message)
    error.exit_code = code
    return error


@click.group(cls=Application, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graphjac.__version__, "-V", "--version", prog_name="graphjac")
@click.option("--debug", is_flag=True, envvar="GRAPHJAC_DEBUG",
              help="show the full traceback of an error (also: GRAPHJAC_DEBUG=1)")
def main(debug):
    """Build, check and draw backpropagation graphs the way the lecture draws them.

    SPEC is a spec file (.yaml, .yml, .json, .toml), a Python file (file.py or
    file.py:NAME holding a Graph or a function returning one) or a built-in lecture
    figure (lecture:NAME; `graphjac examples` lists them).

    \b
    Examples:
      graphjac examples
      graphjac render lecture:neuron -o neuron.svg
      graphjac run lecture:minibatch_bce
      graphjac check my_model.yaml
      graphjac train my_model.yaml --lr 0.5 --steps 200 --output trained.yaml
      graphjac build notes/figures -o notes/build

    Exit codes: 0 success, 1 a failed check or figure, 2 bad usage or bad input.
    """

