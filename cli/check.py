"""``graphjac check``: backward against central finite differences."""

from __future__ import annotations

import click

from graphjac.core.gradcheck import ATOL, EPS, RTOL
from graphjac.errors import GraphjacError

from .commands import SUMMARIES
from .common import FailedExit, load_graph, spec_argument, target_option, torch_option


@click.command("check", short_help=SUMMARIES["check"])
@spec_argument
@torch_option
@target_option
@click.option("--inputs", is_flag=True, help="check ∂J/∂x for the inputs as well as the params")
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=EPS, show_default=True,
              help="finite-difference step")
@click.option("--atol", type=click.FloatRange(min=0), default=ATOL, show_default=True, help="absolute tolerance")
@click.option("--rtol", type=click.FloatRange(min=0), default=RTOL, show_default=True, help="relative tolerance")
def command(spec, target, inputs, eps, atol, rtol, torch):
    """Check every ∂J/∂param of SPEC against central finite differences.

    Exit code 1, with the worst mismatch, when an element is off by more than
    atol + rtol·abs(finite difference).

    SPEC is a spec file (.yaml, .json, .toml), file.py[:NAME] or lecture:NAME.

    \b
    Examples:
      graphjac check lecture:dense_cce
      graphjac check model.yaml --inputs --rtol 1e-4
    """
    graph = load_graph(spec, target, need_target=True, torch=torch)
    result = graph.gradcheck(inputs=inputs, eps=eps, atol=atol, rtol=rtol)
    if not result.checks:   # bad input, not a failed check: nothing is printed as passed
        hint = "" if inputs else "; pass --inputs to check ∂J/∂ its inputs"
        raise GraphjacError(f"{spec}: nothing to check: J depends on no param{' or input' if inputs else ''}{hint}")
    click.echo(str(result))
    if not result.ok:
        raise FailedExit(f"{spec}: gradient check failed; worst: {result.worst.describe(result.target, mark=False)}")
