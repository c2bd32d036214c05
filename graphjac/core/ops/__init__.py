"""The op registry: one entry per operation, looked up by name.

>>> sorted(ACTIVATIONS)
['identity', 'leaky_relu', 'log_softmax', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh']
>>> sorted(LOSSES)
['bce', 'cce', 'mse']
"""

from graphjac.core.ops import activations, convolution, elementary, gates, losses, neurons, normalisation, shapes
from graphjac.core.ops.base import Attr, Ctx, Op, OpError, Slot

REGISTRY = {op.name: op for module in (elementary, gates, neurons, activations, losses, convolution, shapes, normalisation) for op in module.OPS}
ACTIVATIONS = {op.name: op for op in activations.OPS}
LOSSES = {op.name: op for op in losses.OPS}

# Fused backward passes: (consumer op, producer op) -> vjp of the consumer w.r.t. the
# producer's *input*, used instead of chaining through the producer (no division by p). The
# shares they skip (∂J/∂p on the edge p → J₀) are computed when read.
FUSED_VJPS = {("cce", "softmax"): losses.softmax_cce_vjp, ("bce", "sigmoid"): losses.sigmoid_bce_vjp}
# Forward passes that trust their producer: a sigmoid's output is a probability, unchecked.
FUSED_FORWARDS = {("bce", "sigmoid"): losses.bce_of_logits}

__all__ = ["ACTIVATIONS", "Attr", "Ctx", "FUSED_FORWARDS", "FUSED_VJPS", "LOSSES", "Op", "OpError", "REGISTRY", "Slot"]
