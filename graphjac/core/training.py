"""Gradient descent on a graph's params, p := p − α ∂J/∂p, with the loss J after every step.

>>> import graphjac as gj
>>> g = gj.Graph("parabola")
>>> x = g.param("x", 3.0)
>>> g.target = g.square(x, name="J")
>>> [round(J, 4) for J in train(g, lr=0.25, steps=3)]      # x halves each step: J = 9, 2.25, …
[9.0, 2.25, 0.5625, 0.1406]
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from graphjac.errors import GraphjacError, TrainingDiverged


def gradient_steps(graph, lr: float, count: int, ascent: bool = False) -> Iterator[float]:
    """Run ``count`` gradient steps on ``graph`` (descent, or ascent p := p + α ∂J/∂p), yielding J
    after each; a J that stops being a finite number raises :class:`TrainingDiverged`."""
    target = graph.target
    if target is None:
        raise GraphjacError("training needs a loss J: set g.target or give the spec a 'target'")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise GraphjacError(f"training needs a whole number of steps ≥ 0; got {count!r}")
    with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported once, below
        for step in range(1, count + 1):
            graph.backward(target)
            J = graph.step(lr, ascent=ascent)
            if not math.isfinite(J):
                raise TrainingDiverged(f"J became {J} at step {step}; try a smaller learning rate than {lr:g}",
                                       step=step, value=J)
            yield J


def train(graph, lr: float, steps: int, ascent: bool = False) -> list:
    """J before training, then after each of ``steps`` gradient steps."""
    start = float(graph.prepare().value(graph.target)) if graph.target is not None else None
    return [start] + list(gradient_steps(graph, lr, steps, ascent))


def descent_previews(graph, names, rates) -> dict:
    """For each parameter of ``names``: ``[(η, J after p ← p − η ∂J/∂p)]`` for each rate η, the
    other parameters as they are. The steps are tried on one copy of the graph (the graph itself is
    left as it was); a J that is no finite number is ``None``.

    >>> import graphjac as gj
    >>> g = gj.Graph("parabola")
    >>> x = g.param("x", 3.0)
    >>> g.target = g.square(x, name="J")
    >>> descent_previews(g, ["x"], (0.25, 0.5)), float(g.value("x"))
    ({'x': [[0.25, 2.25], [0.5, 0.0]]}, 3.0)
    """
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    graph.backward(graph.target)
    trial = type(graph).from_spec(graph.to_spec())
    out = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name in names:
            start, grad = graph.value(name), graph.grad(name)
            out[name] = []
            for rate in rates:
                trial.set_value(name, start - rate * grad)
                trial.forward()
                J = float(trial.value(trial.target))
                out[name].append([rate, J if math.isfinite(J) else None])
            trial.set_value(name, start)      # back as it was, for the next parameter's steps
    return out
