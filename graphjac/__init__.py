"""graphjac: computational graphs drawn the way a backpropagation lecture draws them.

Build a graph, run the forward and backward passes, and read ∂J/∂· on every node and edge:

>>> import graphjac as gj
>>> g = gj.Graph("neuron")
>>> x = g.input("x", [1.0, 2.0, -1.0])
>>> w = g.param("w", [0.5, -0.3, 0.8])
>>> b = g.param("b", 0.1)
>>> z = g.neuron(x, w, b, name="z")
>>> g.backward(z)
>>> g.grad(w).tolist()            # ∂z/∂w⃗ = x⃗ᵀ
[1.0, 2.0, -1.0]
"""

from graphjac.core.graph import Graph, Node, define_op
from graphjac.errors import GraphjacError, NodeError, RenderError, ShapeError, SpecError, ValueDomainError
from graphjac.io.loaders import load
from graphjac.version import __version__


def from_torch(model, example_inputs, loss=None, target=None, **options):
    """The Graph of a PyTorch model (see :func:`graphjac.integrations.pytorch.from_torch`; torch is imported only here)."""
    from graphjac.integrations.pytorch import from_torch as trace
    return trace(model, example_inputs, loss, target, **options)


__all__ = ["Graph", "GraphjacError", "Node", "NodeError", "RenderError", "ShapeError", "SpecError",
           "ValueDomainError", "define_op", "from_torch", "load", "__version__"]
