"""Random graphs for the tests and benchmarks that must hold for any graph, not only the gallery.

:func:`scalar_graph` joins scalar gates on three inputs and two parameters; :func:`vector_graph`
starts from a neuron on vectors and grows elementwise gates, activations and sums on it, with
fan-out and repeated operands (x·x); :func:`chain_graph` is a long circuit of scalar gates.
All end in one scalar J, so every figure has a backward
pass. The same seed gives the same graph.
"""

from __future__ import annotations

import numpy as np

import graphjac as gj


def scalar_graph(seed: int, size: int = 10) -> gj.Graph:
    """Scalar gates on three inputs and two parameters, joined into one J."""
    rng = np.random.default_rng(seed)
    g = gj.Graph(f"random {seed}")
    nodes = [g.input(f"x{k}", float(rng.normal())) for k in range(3)] + [g.param(f"w{k}", float(rng.normal()))
                                                                          for k in range(2)]
    for k in range(size):
        op = rng.choice(["add", "mul", "sub", "exp", "tanh", "square"])
        a, b = nodes[rng.integers(len(nodes))], nodes[rng.integers(len(nodes))]   # a == b too: x·x
        if op in ("add", "mul", "sub"):
            nodes.append(getattr(g, op)(a, b, name=f"v{k}"))
        elif op == "exp" and abs(float(a.value)) < 5:
            nodes.append(g.exp(a, name=f"v{k}"))
        elif op == "square":
            nodes.append(g.square(a, name=f"v{k}"))
        else:
            nodes.append(g.activation(a, "tanh", name=f"v{k}"))
    return _joined(g)


def vector_graph(seed: int, size: int = 8) -> gj.Graph:
    """A neuron z = xᵀw + b on 2 or 3 features, then elementwise gates and activations on it
    and on what follows, joined into one J."""
    rng = np.random.default_rng(1000 + seed)
    g = gj.Graph(f"vector {seed}")
    n = int(rng.integers(2, 4))
    x, w = g.input("x", rng.normal(size=n).round(2)), g.param("w", rng.normal(size=n).round(2))
    b = g.param("b", round(float(rng.normal()), 2))
    nodes = [x, w, b, g.neuron(x, w, b, name="z")]
    for k in range(size):
        op = rng.choice(["add", "mul", "sub", "exp", "tanh", "square", "sigmoid"])
        a = nodes[-1] if rng.random() < 0.5 else nodes[rng.integers(3, len(nodes))]
        other = nodes[rng.integers(len(nodes))]
        other = other if np.shape(other.value) == np.shape(a.value) else a
        if op in ("add", "mul", "sub"):
            nodes.append(getattr(g, op)(a, other, name=f"v{k}"))
        elif op == "exp" and np.all(np.abs(a.value) < 5):
            nodes.append(g.exp(a, name=f"v{k}"))
        elif op == "square":
            nodes.append(g.square(a, name=f"v{k}"))
        else:
            nodes.append(g.activation(a, "sigmoid" if op == "sigmoid" else "tanh", name=f"v{k}"))
    return _joined(g)


def chain_graph(seed: int, length: int = 12) -> gj.Graph:
    """A long circuit, as CS231n's are: scalar gates one after another, each binary one taking a
    new variable or, now and then, a node of the last few steps (fan-out close by)."""
    rng = np.random.default_rng(2000 + seed)
    g = gj.Graph(f"chain {seed}")
    nodes = [g.input("x0", round(float(rng.normal()), 2))]
    for k in range(length):
        a = nodes[-1]
        op = rng.choice(["add", "mul", "sub", "tanh", "neg", "exp", "square"])
        if op in ("add", "mul", "sub"):
            other = (nodes[-int(rng.integers(2, min(4, len(nodes)) + 1))] if len(nodes) > 2 and rng.random() < 0.3
                     else g.param(f"w{k}", round(float(rng.normal()), 2)))
            nodes.append(getattr(g, op)(a, other, name=f"v{k}"))
        elif op == "exp" and abs(float(a.value)) < 3:
            nodes.append(g.exp(a, name=f"v{k}"))
        elif op == "neg":
            nodes.append(g.neg(a, name=f"v{k}"))
        elif op == "square" and abs(float(a.value)) < 3:
            nodes.append(g.square(a, name=f"v{k}"))
        else:
            nodes.append(g.activation(a, "tanh", name=f"v{k}"))
    return _joined(g)


def _joined(g):
    """``g`` with its sinks (summed first where they are vectors) added up into one scalar J."""
    used = {src.name for src, _, _ in g.edges}
    sinks = [n for n in g.nodes if n.name not in used and g.record(n).op is not None]
    sinks = [s if not np.ndim(s.value) else g.sum(s, name=f"sum{len(g)}") for s in sinks]
    while len(sinks) > 1:
        sinks = [g.add(sinks[0], sinks[1], name=f"s{len(g)}")] + sinks[2:]
    g.target = sinks[0]
    return g
