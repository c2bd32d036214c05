"""Forward and backward passes over one cached topological order, vectorised with numpy.

The engine knows nothing about names or figures: it takes a :class:`Plan` (what to compute,
in which order) and leaf values, and returns values, per-node gradients and per-edge shares.
"""

from __future__ import annotations

import numpy as np

from graphjac.core.ops import FUSED_FORWARDS, FUSED_VJPS, Ctx, OpError
from graphjac.core.ops.base import derived_jacobian
from graphjac.errors import GraphjacError, ValueDomainError

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
        self.fused_from = None  # id of the producer (softmax, σ) whose output this loss reads


class Plan:
    """The topological order and per-node steps of a graph, rebuilt when its structure changes.

    Build order is a topological order already: an op's operands exist before the op does.
    """

    def __init__(self, records, ops):
        self.size = len(records)
        self.names = [r.name for r in records]
        self.kinds = [r.kind for r in records]
        self.leaves = [r.id for r in records if r.kind in LEAF_KINDS]
        self.origins = [r.origin for r in records]
        self.order = [r.id for r in records]
        self.consumers = {r.id: [] for r in records}
        self.edges = []          # (src, dst, slot), numbered in build order
        for r in records:
            for slot, src in enumerate(r.inputs):
                self.consumers[src].append((r.id, slot))
                self.edges.append((src, r.id, slot))
        self.edge_number = {edge: i for i, edge in enumerate(self.edges)}
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
        # the forward pass as flat tuples: (id, forward, operand ids, their batch flags, batch, attrs, fused from)
        self.forward_plan = [(s.id, self._forward_of(s), s.inputs, s.arg_batch, s.batch, s.attrs, s.fused_from)
                             for s in self.forward_steps]
        self._schedules = {}

    def _forward_of(self, step):
        if step.fused_from is None:
            return step.op.forward
        return FUSED_FORWARDS.get((step.op.name, self.steps[step.fused_from].op.name), step.op.forward)

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
        """The :class:`BackwardPass` for J = ``target``, cached."""
        if target not in self._schedules:
            self._schedules[target] = BackwardPass(self, target)
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
    for i, op_forward, inputs, arg_batch, batch, attrs, fused_from in plan.forward_plan:
        ctx = Ctx(tuple([values[j] for j in inputs]), arg_batch, batch, attrs)
        if fused_from is not None:
            ctx.extra = ctxs[fused_from].extra
        try:
            out = op_forward(ctx)
        except OpError as exc:
            raise _op_failure(plan, plan.steps[i], exc) from None
        if type(out) is not np.ndarray:
            out = np.asarray(out, dtype=float)
        ctx.out = out
        values[i] = out
        ctxs[i] = ctx
    return values, ctxs


def backward(plan, ctxs, values, target):
    """The gradients of J = ``target``: what the parameters need at once, the rest when read.

    Returns a :class:`Gradients`. Everything that can raise (a scalar J, the VJPs of ops that
    check their operands, custom ops) runs here, so laziness never delays an error.
    """
    if values[target].shape != ():
        raise GraphjacError(
            f"backward needs a scalar J; node {plan.names[target]!r} has shape {values[target].shape} "
            f"(take g.mean(...) or g.sum(...) of it first)")
    pass_ = plan.schedule(target)
    gradients = Gradients(plan, pass_, ctxs, values)
    gradients.run(pass_.eager)
    for node in pass_.params:
        gradients.sum(node)
    return gradients


def frozen(value):
    """``value`` as a read-only array: what the graph hands out is shared, never changed in
    place (and numpy turns 0-d results into numpy scalars)."""
    array = value if type(value) is np.ndarray else np.asarray(value, dtype=float)
    array.setflags(write=False)
    return array


SEED = frozen(np.ones(()))   # ∂J/∂J = 1


class Gradients:
    """∂J/∂node and ∂J/∂src per edge (``(src, dst, slot)``) of one backward pass, each computed
    once, when backward needs it or when it is first read.

    A node's gradient is the sum of the shares of its outgoing edges, so fan-out edges are kept
    apart and add up to the node's gradient.
    """

    def __init__(self, plan, pass_, ctxs, values):
        self.plan, self.pass_, self.ctxs, self.values = plan, pass_, ctxs, values
        self.grads = [None] * plan.size
        self.grads[pass_.target] = SEED
        self.shares = [None] * len(plan.edges)

    def grad(self, node):
        """∂J/∂node, or None where J does not depend on it."""
        if self.grads[node] is None and node in self.pass_.needed:
            uses = self.pass_.uses[node]
            for e in uses:
                if self.shares[e] is None:
                    self.run(self.pass_.tasks_for(uses, self.shares))
                    break
            self.sum(node)
        return self.grads[node]

    def share(self, edge):
        """∂J/∂src through edge number ``edge`` of the plan, or None."""
        if self.shares[edge] is None and edge in self.pass_.task_of:
            self.run(self.pass_.tasks_for([edge], self.shares))
        return self.shares[edge]

    def all_shares(self) -> dict:
        """(src, dst, slot) -> share, for every edge with a gradient."""
        pending = [e for e in self.pass_.task_of if self.shares[e] is None]
        if pending:
            self.run(self.pass_.tasks_for(pending, self.shares))
        return {self.plan.edges[e]: self.shares[e] for e in self.pass_.task_of}

    def sum(self, node):
        """∂J/∂node from the shares of its edges (all computed)."""
        uses = self.pass_.uses[node]
        total = self.shares[uses[0]]
        for e in uses[1:]:
            total = total + self.shares[e]
        self.grads[node] = total
        return total

    def run(self, tasks):
        """Compute shares in the given order (each after everything it reads)."""
        grads, shares, ctxs = self.grads, self.shares, self.ctxs
        for edge, src, dst, step, slot, vjp, fused in tasks:
            try:
                if fused is None:
                    g = grads[dst]
                    if g is None:
                        g = self.sum(dst)
                    share = vjp(ctxs[dst], g)
                else:
                    share = self._fused_share(step, fused)
            except OpError as exc:
                raise _op_failure(self.plan, step, exc) from None
            if type(share) is not np.ndarray:
                share = np.asarray(share, dtype=float)
            if share.shape != self.values[src].shape:
                raise _wrong_shape(self.plan, step, slot, src, share, self.values)
            shares[edge] = share

    def _fused_share(self, step, fused):
        """∂J/∂l for a softmax (or σ) some of whose consumers are CCE (or BCE) losses: no division."""
        other_edges, fused_consumers = fused
        rest = None
        for e in other_edges:
            rest = self.shares[e] if rest is None else rest + self.shares[e]
        total = step.op.slots[0].vjp(self.ctxs[step.id], rest) if rest is not None else 0.0
        for consumer, vjp in fused_consumers:
            g = self.grads[consumer]
            if g is None:
                g = self.sum(consumer)
            total = total + vjp(self.ctxs[consumer], g)
        return total


class BackwardPass:
    """What backward computes for one target J, planned once per graph structure.

    ``needed``: the nodes J depends on; ``uses[n]``: the edges (numbers) whose shares add up to
    ∂J/∂n; ``eager``: the tasks backward runs at once, in order: every share on the way to a
    parameter, and every share whose VJP may raise. The rest (∂J/∂ data inputs, the shares a
    fused softmax–CCE skips) waits until read.
    """

    def __init__(self, plan, target):
        self.plan, self.target = plan, target
        self.needed = plan.grad_set(target)
        self.uses = {n: [] for n in self.needed}
        self.task_of = {}   # edge number -> task
        for step in reversed(plan.forward_steps):
            if step.id not in self.needed:
                continue
            fused = self._fused(step)
            for slot, src in enumerate(step.inputs):
                if src in self.needed and step.op.slots[slot].differentiable:
                    edge = plan.edge_number[(src, step.id, slot)]
                    self.uses[src].append(edge)
                    self.task_of[edge] = (edge, src, step.id, step, slot, step.op.slots[slot].vjp,
                                          fused if slot == 0 else None)
        self.order = {edge: i for i, edge in enumerate(self.task_of)}   # reverse topological
        seeds = [e for e, t in self.task_of.items()
                 if plan.kinds[t[1]] == "param" or t[3].op.slots[t[4]].may_raise]
        self.params = [n for n in plan.order if plan.kinds[n] == "param" and self.uses.get(n)]
        self.eager = self.tasks_for(seeds, None)

    def _fused(self, step):
        """(edges of the other consumers, [(loss id, fused vjp)]) if ``step`` feeds fused losses."""
        fused = [(c, vjp) for c, vjp in self.plan.fused_consumers.get(step.id, ()) if c in self.needed]
        if not fused:
            return None
        fused_ids = {c for c, _ in fused}
        others = [self.plan.edge_number[(step.id, d, k)] for d, k in self.plan.consumers[step.id]
                  if d in self.needed and d not in fused_ids and self.plan.steps[d].op.slots[k].differentiable]
        return others, fused

    def requires(self, edge):
        """The edges whose shares the task of ``edge`` reads."""
        _, _, dst, step, _, _, fused = self.task_of[edge]
        if fused is None:
            return self.uses.get(dst, ()) if dst != self.target else ()
        others, consumers = fused
        return list(others) + [e for c, _ in consumers if c != self.target for e in self.uses[c]]

    def tasks_for(self, edges, done):
        """The tasks computing ``edges`` and everything they read that is not ``done`` yet, in order."""
        wanted, stack = set(), [e for e in edges if done is None or done[e] is None]
        while stack:
            edge = stack.pop()
            if edge in wanted:
                continue
            wanted.add(edge)
            stack.extend(e for e in self.requires(edge) if e not in wanted and (done is None or done[e] is None))
        return [self.task_of[e] for e in sorted(wanted, key=self.order.__getitem__)]


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
    if isinstance(ctx.extra, tuple):   # several arrays (a sigmoid's z and e^{−z})
        one.extra = tuple(None if x is None else x[sample] for x in ctx.extra)
    elif ctx.extra is not None:
        one.extra = ctx.extra[sample]
    return one


def local_jacobian(plan, ctxs, dst, src, sample=0):
    """∂dst/∂src as a 2-D matrix (dst.size × src.size, per sample), summed over the slots src feeds."""
    step = plan.steps.get(dst)
    slots = [] if step is None else [k for k, i in enumerate(step.inputs) if i == src]
    if not slots:
        raise GraphjacError(f"there is no edge {plan.names[src]!r} -> {plan.names[dst]!r}")
    if step.batch and not -ctxs[dst].out.shape[0] <= sample < ctxs[dst].out.shape[0]:
        raise GraphjacError(f"sample {sample} is out of range for a minibatch of {ctxs[dst].out.shape[0]}")
    total = None
    for k in slots:
        slot = step.op.slots[k]
        if slot.vjp is None:
            raise GraphjacError(
                f"no gradient flows from {plan.names[src]!r} into {plan.names[dst]!r} "
                f"(slot {slot.name!r} of {step.op.name} is not differentiable)")
        try:
            if slot.jacobian is not None and not step.op.mixes_samples:
                jac = np.asarray(slot.jacobian(sample_ctx(ctxs[dst], sample)), dtype=float)
            else:
                jac = derived_jacobian(ctxs[dst], k, slot.vjp, sample)
        except OpError as exc:
            raise _op_failure(plan, step, exc) from None
        total = jac if total is None else total + jac
    return total
