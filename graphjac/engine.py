"""Forward and backward passes over one cached topological order, vectorised with numpy.

The engine knows nothing about names or figures: it takes a :class:`Plan` (what to compute,
in which order) and leaf values, and returns values, per-node gradients and per-edge shares.
"""

from __future__ import annotations

import numpy as np

from .errors import GraphjacError, ValueDomainError
from .ops import FUSED_VJPS, Ctx, OpError

LEAF_KINDS = ("input", "param", "const")


class Step:
    """One op application in the plan."""

    __slots__ = ("id", "op", "inputs", "arg_batch", "batch", "attrs", "fused_from")

    def __init__(self, record, op, arg_batch):
        self.id = record.id
        self.op = op
        self.inputs = record.inputs
        self.arg_batch = arg_batch
        self.batch = record.batch
        self.attrs = record.attrs
        self.fused_from = None  # id of the softmax whose log p this CCE reads


class Plan:
    """The topological order and per-node steps of a graph, rebuilt when its structure changes.

    Build order is a topological order already: an op's operands exist before the op does.
    """

    def __init__(self, records, ops):
        self.size = len(records)
        self.names = [r.name for r in records]
        self.kinds = [r.kind for r in records]
        self.origins = [r.origin for r in records]
        self.order = [r.id for r in records]
        self.consumers = {r.id: [] for r in records}
        for r in records:
            for slot, src in enumerate(r.inputs):
                self.consumers[src].append((r.id, slot))
        self.steps = {}
        for r in records:
            if r.kind not in LEAF_KINDS:
                self.steps[r.id] = Step(r, ops[r.id], tuple(records[i].batch for i in r.inputs))
        self.fused_consumers = {}  # softmax id -> [(cce id, fused vjp)]
        for step in self.steps.values():
            producer = self.steps.get(step.inputs[0]) if step.inputs else None
            fused = producer is not None and FUSED_VJPS.get((step.op.name, producer.op.name))
            if fused:
                step.fused_from = producer.id
                self.fused_consumers.setdefault(producer.id, []).append((step.id, fused))
        self.forward_steps = [self.steps[i] for i in self.order if i in self.steps]
        self._schedules = {}

    def grad_set(self, target):
        """Ids of the nodes that ``target`` depends on through differentiable slots (constants
        have no gradient: no backward edge leads into one)."""
        seen, stack = {target}, [target]
        while stack:
            step = self.steps.get(stack.pop())
            if step is None:
                continue
            for slot, src in enumerate(step.inputs):
                if step.op.slots[slot].differentiable and src not in seen and self.kinds[src] != "const":
                    seen.add(src)
                    stack.append(src)
        return seen

    def schedule(self, target):
        """The backward pass for J = ``target``, cached: (step, fused, [(slot, src, vjp)]) in reverse
        topological order, only the steps and slots through which J depends on something."""
        if target not in self._schedules:
            needed = self.grad_set(target)
            self._schedules[target] = [
                (step, self.fused_consumers.get(step.id),
                 [(slot, src, step.op.slots[slot].vjp) for slot, src in enumerate(step.inputs)
                  if src in needed and step.op.slots[slot].differentiable])
                for step in reversed(self.forward_steps) if step.id in needed]
        return self._schedules[target]


def _op_failure(plan, step, exc):
    """The op's error, naming the node, its operands and (for a spec file) where the node stands."""
    inputs = ", ".join(repr(plan.names[i]) for i in step.inputs)
    origin = plan.origins[step.id]
    return ValueDomainError(f"{origin + ': ' if origin else ''}node {plan.names[step.id]!r} "
                            f"({step.op.name} of {inputs}): {exc}")


def _wrong_shape(plan, step, slot, src, share, values):
    """A VJP whose result is not shaped like its operand: a bug in the op, never broadcast silently."""
    return GraphjacError(
        f"the VJP of op {step.op.name!r} for its slot {step.op.slots[slot].name!r} (node {plan.names[step.id]!r}, "
        f"operand {plan.names[src]!r}) returned shape {share.shape}; the operand has shape {values[src].shape}")


def forward(plan, leaf_values):
    """Values of every node and the op contexts backward reuses.

    ``leaf_values`` maps leaf id -> array; the result lists are indexed by node id.
    """
    values = [None] * plan.size
    ctxs = [None] * plan.size
    for i, v in leaf_values.items():
        values[i] = v
    for step in plan.forward_steps:
        i = step.id
        ctx = Ctx(tuple([values[j] for j in step.inputs]), step.arg_batch, step.batch, step.attrs)
        if step.fused_from is not None:
            ctx.extra = ctxs[step.fused_from].extra
        try:
            out = step.op.forward(ctx)
        except OpError as exc:
            raise _op_failure(plan, step, exc) from None
        out = frozen(out)
        ctx.out = out
        values[i] = out
        ctxs[i] = ctx
    return values, ctxs


def backward(plan, ctxs, values, target):
    """∂J/∂node for every node (None where J does not depend on it) and ∂J/∂src per edge.

    Edge shares are keyed by (src, dst, slot); a node's gradient is the sum of the shares of
    its outgoing edges, so fan-out edges are kept apart and add up to the node's gradient.
    """
    if values[target].shape != ():
        raise GraphjacError(
            f"backward needs a scalar J; node {plan.names[target]!r} has shape {values[target].shape} "
            f"(take g.mean(...) or g.sum(...) of it first)")
    grads = [None] * plan.size
    grads[target] = SEED
    edges = {}
    for step, fused, slots in plan.schedule(target):
        g, ctx = grads[step.id], ctxs[step.id]
        for slot, src, vjp in slots:
            try:
                share = _fused_share(plan, step, ctx, grads, edges, ctxs, fused) if fused else vjp(ctx, g)
            except OpError as exc:
                raise _op_failure(plan, step, exc) from None
            share = edges[(src, step.id, slot)] = frozen(share)
            if share.shape != values[src].shape:
                raise _wrong_shape(plan, step, slot, src, share, values)
            grads[src] = share if grads[src] is None else frozen(grads[src] + share)
    return grads, edges


def frozen(value):
    """``value`` as a read-only array: values and gradients are shared, never changed in place
    (and numpy turns 0-d results into numpy scalars)."""
    array = value if type(value) is np.ndarray else np.asarray(value, dtype=float)
    array.setflags(write=False)
    return array


SEED = frozen(np.ones(()))   # ∂J/∂J = 1


def _fused_share(plan, step, ctx, grads, edges, ctxs, fused):
    """∂J/∂l for a softmax some of whose consumers are CCE losses: no division by p."""
    fused_ids = {c for c, _ in fused}
    rest = None
    for dst, slot in plan.consumers[step.id]:
        share = edges.get((step.id, dst, slot))
        if share is not None and dst not in fused_ids:
            rest = share if rest is None else rest + share
    total = step.op.slots[0].vjp(ctx, rest) if rest is not None else 0.0
    for consumer, vjp in fused:
        if grads[consumer] is not None:
            total = total + vjp(ctxs[consumer], grads[consumer])
    return total


def sample_ctx(ctx, sample):
    """The context of sample ``sample`` alone (the whole context if the result is not a minibatch)."""
    if not ctx.batch:
        return ctx
    n = ctx.out.shape[0]
    if not -n <= sample < n:
        raise GraphjacError(f"sample {sample} is out of range for a minibatch of {n}")
    args = tuple(a[sample] if b else a for a, b in zip(ctx.args, ctx.arg_batch))
    one = Ctx(args, (False,) * len(args), False, ctx.attrs)
    one.out = ctx.out[sample]
    if ctx.extra is not None:
        one.extra = ctx.extra[sample]
    return one


def local_jacobian(plan, ctxs, dst, src, sample=0):
    """∂dst/∂src as a 2-D matrix (dst.size × src.size, per sample), summed over the slots src feeds."""
    step = plan.steps.get(dst)
    slots = [] if step is None else [k for k, i in enumerate(step.inputs) if i == src]
    if not slots:
        raise GraphjacError(f"there is no edge {plan.names[src]!r} -> {plan.names[dst]!r}")
    one = sample_ctx(ctxs[dst], sample)
    total = None
    for k in slots:
        slot = step.op.slots[k]
        if slot.jacobian is None:
            raise GraphjacError(
                f"no gradient flows from {plan.names[src]!r} into {plan.names[dst]!r} "
                f"(slot {slot.name!r} of {step.op.name} is not differentiable)")
        try:
            jac = np.asarray(slot.jacobian(one), dtype=float)
        except OpError as exc:
            raise _op_failure(plan, step, exc) from None
        total = jac if total is None else total + jac
    return total
