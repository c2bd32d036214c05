"""The test oracle: any graphjac graph re-evaluated from the lecture's definitions.

Every op is written here once more, per sample, in autograd.numpy, straight from the
lecture (z = x⃗ᵀw⃗ + b, z⃗ = Wᵀx⃗ + b⃗, σ(z) = 1/(1 + e^{−z}), softmax, the per-sample
losses), and differentiated by autograd, never by graphjac's formulas. A minibatch node is
the stack of its samples, each computed from the operands' samples. The checks compare
graphjac's values, ∂J/∂node, per-edge shares and local Jacobians with autograd and with
central finite differences of the same oracle.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

# ------------------------------------------------------------------ the lecture's definitions


def _labels(y, yhat):
    """One-hot targets: as given, or from a class index (a number, not differentiated)."""
    y = getval(y)
    if np.shape(y) == np.shape(yhat):
        return y
    return np.eye(np.shape(yhat)[-1])[int(y)]


def _definitions(xp):
    """The lecture's per-sample definitions written with ``xp``: autograd.numpy, to be
    differentiated, or numpy itself, for finite differences (the same text, without autograd's
    wrappers around every call)."""
    return {
        "add": lambda u, v: u + v,
        "sub": lambda u, v: u - v,
        "mul": lambda u, v: u * v,
        "square": lambda u: u ** 2,
        "pow": lambda u, exponent: u ** exponent,
        "dot": lambda u, v: xp.sum(u * v),
        "neuron": lambda x, w, b: xp.dot(x, w) + b,
        "dense": lambda x, W, B: xp.dot(xp.transpose(W), x) + B,
        "sigmoid": lambda z: 1.0 / (1.0 + xp.exp(-z)),
        "tanh": xp.tanh,
        "relu": lambda z: z * (z >= 0),          # ReLU′(0) = 1, as the lecture writes it
        "leaky_relu": lambda z, slope: xp.where(z >= 0, z, slope * z),
        "softplus": lambda z: xp.log(1.0 + xp.exp(z)),
        # the gates of every backprop lecture
        "neg": lambda u: -u,
        "div": lambda u, v: u / v,
        "exp": xp.exp,
        "log": xp.log,
        "sqrt": xp.sqrt,
        "abs": xp.abs,
        "sin": xp.sin,
        "cos": xp.cos,
        "maximum": xp.maximum,
        "minimum": xp.minimum,
        "matmul": xp.dot,
        "transpose": xp.transpose,
        "sum": lambda u, axis: xp.sum(u, axis=axis),
        "mean": lambda u, axis: xp.mean(u, axis=axis),
        "identity": lambda z: z,
        "softmax": lambda l: xp.exp(l) / xp.sum(xp.exp(l)),
        # losses: the target y is data, no gradient flows into it (getval drops autograd's trace)
        "mse": lambda yhat, y: xp.sum((getval(y) - yhat) ** 2),
        "bce": lambda yhat, y: -xp.sum(getval(y) * xp.log(yhat) + (1 - getval(y)) * xp.log(1 - yhat)),
        "cce": lambda yhat, y: -xp.sum(_labels(y, yhat) * xp.log(yhat)),
    }


PER_SAMPLE, PLAIN = _definitions(anp), _definitions(np)
WHOLE = {"sum": anp.sum, "mean": anp.mean}   # over every element, the minibatch included
WHOLE_PLAIN = {"sum": np.sum, "mean": np.mean}
ATTRIBUTES = {"pow": ("exponent",), "leaky_relu": ("slope",), "sum": ("axis",), "mean": ("axis",)}   # in order


def reduces_all(r):
    """Σ and mean without an axis take every element, the minibatch included."""
    return r.op in WHOLE and r.attrs.get("axis") is None
TARGET_SLOTS = {("mse", 1), ("bce", 1), ("cce", 1)}


def records(g):
    return [g.record(n) for n in g.nodes]


def is_batch(recs, r, batch):
    """Minibatch flags decided here, not read from graphjac: any minibatch operand, except Σ/mean."""
    if r.op is None:
        return r.batch
    return not reduces_all(r) and any(batch[i] for i in r.inputs)


def apply_op(r, args, arg_batch, out_batch, plain=False):
    """The value of op node ``r`` from its operands, sample by sample for a minibatch (with
    ``plain``, by numpy itself: nothing here is differentiated)."""
    attrs = [r.attrs[name] for name in ATTRIBUTES.get(r.op, ())]
    if reduces_all(r):
        return (WHOLE_PLAIN if plain else WHOLE)[r.op](args[0])
    f = PLAIN.get(r.op, PER_SAMPLE[r.op]) if plain else PER_SAMPLE[r.op]   # an op a test adds: autograd's
    if not out_batch:
        return f(*args, *attrs)
    n = next(len(a) for a, b in zip(args, arg_batch) if b)
    return (np if plain else anp).stack([f(*[a[i] if b else a for a, b in zip(args, arg_batch)], *attrs) for i in range(n)])


def evaluate(g, node_deltas=None, edge_deltas=None, leaf_values=None, plain=False, recs=None, base=None):
    """Every node's value; ``node_deltas[id]`` is added to a node's value, ``edge_deltas[(dst, slot)]``
    to one operand as one op sees it (so that d J/d delta is ∂J/∂node or an edge's share). With
    ``plain``, computed by numpy (for finite differences); ``recs``: the graph's records, if read;
    ``base``: the values without deltas, taken as they are where no delta reaches."""
    node_deltas, edge_deltas, leaf_values = node_deltas or {}, edge_deltas or {}, leaf_values or {}
    recs = recs or records(g)
    values, batch, reached = [], [], []
    for r in recs:
        batch.append(is_batch(recs, r, batch))
        reached.append(r.id in node_deltas or r.id in leaf_values
                       or any(reached[i] or (r.id, k) in edge_deltas for k, i in enumerate(r.inputs)))
        if base is not None and not reached[-1]:
            values.append(base[r.id])
            continue
        if r.op is None:
            value = leaf_values.get(r.id, np.array(r.value))
        else:
            args = [values[i] + edge_deltas[(r.id, k)] if (r.id, k) in edge_deltas else values[i]
                    for k, i in enumerate(r.inputs)]
            value = apply_op(r, args, [batch[i] for i in r.inputs], batch[-1], plain)
        values.append(value + node_deltas[r.id] if r.id in node_deltas else value)
    return values, batch


def differentiable_ancestors(g, target):
    """Ids J depends on through slots that carry a gradient (loss targets do not, and nothing
    flows into a constant)."""
    recs = records(g)
    seen, stack = {target}, [target]
    while stack:
        r = recs[stack.pop()]
        for k, i in enumerate(r.inputs):
            if (r.op, k) not in TARGET_SLOTS and i not in seen and recs[i].kind != "const":
                seen.add(i)
                stack.append(i)
    return seen


# ------------------------------------------------------------------ derivatives of the oracle


def oracle_grad(g, target, key, shape, edge=False):
    """∂J/∂node (or ∂J/∂src through one edge slot) by autograd."""
    base = evaluate(g)[0]

    def J(delta):
        deltas = {key: delta}
        return evaluate(g, **{"edge_deltas" if edge else "node_deltas": deltas}, base=base)
    return autograd.grad(lambda d: J(d)[0][target])(np.zeros(shape))


def finite_difference(f, x, eps):
    """Central differences of a scalar function f at x (five-point stencil, error O(eps⁴)),
    with a step per element."""
    x = np.asarray(x, dtype=float)
    out = np.empty(x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[index] = eps[index]
        out[index] = (8 * (f(x + step) - f(x - step)) - (f(x + 2 * step) - f(x - 2 * step))) / (12 * eps[index])
    return out


def fd_grad(g, target, key, shape, edge=False):
    """∂J/∂node (or through one edge slot) by central differences of the oracle.

    The step is 1e−6 scaled down for small values (down to 1e−9), so that −y/p is
    still resolved at probabilities p near 1e−6.
    """
    recs = records(g)
    base, _ = evaluate(g, plain=True, recs=recs)
    at = base[recs[key[0]].inputs[key[1]]] if edge else base[key]
    eps = 1e-6 * np.clip(np.abs(np.broadcast_to(at, shape)), 1e-3, 1.0)

    def J(delta):
        deltas = {key: delta}
        values = evaluate(g, **{"edge_deltas" if edge else "node_deltas": deltas}, plain=True, recs=recs, base=base)[0]
        return float(values[target])
    return finite_difference(J, np.zeros(shape), eps)


# ------------------------------------------------------------------ the checks


def condition(g) -> float:
    """How much rounding the oracle's unfused loss formulas amplify: 1/ŷ(1 − ŷ) of a BCE and 1/ŷ
    of a CCE are large where ŷ nears 0 or 1, where graphjac's fused forms are the more exact
    ones. Gradients are compared with an absolute tolerance scaled by it."""
    worst = 1.0
    for r in records(g):
        if r.op in ("bce", "cce"):
            yhat = np.asarray(g.value(g.records()[r.inputs[0]].name), dtype=float)
            smallest = np.minimum(yhat, 1.0 - yhat) if r.op == "bce" else yhat
            worst = max(worst, 1.0 / max(float(np.min(smallest, initial=1.0)), 1e-300))
    return worst


CONDITION = [1.0]   # the graph under check's condition (set by check_gradients)


def close(actual, expected, rtol=1e-9, atol=1e-12, what=""):
    expected = np.asarray(expected, dtype=float)
    assert actual is not None, f"{what}: graphjac gives None, expected {expected}"
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0))) * CONDITION[0]
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale, err_msg=what)


def check_forward(g):
    """Every node's value and shape against the oracle."""
    expected, batch = evaluate(g)
    for node, value, b in zip(g.nodes, expected, batch):
        close(g.value(node), value, what=f"value of {node.name!r}")
        assert node.batch == b, f"{node.name!r}: batch flag {node.batch}, expected {b}"
        assert node.shape == np.shape(value), f"{node.name!r}: shape {node.shape}, expected {np.shape(value)}"


def _derivatives(g, target, recs):
    """``derivative(way, key, shape)``: :func:`oracle_grad` or :func:`fd_grad` of a node (``key``
    an id) or through an edge slot (``key`` (dst, slot)), each computed once. A node other than J
    that one slot alone reads is perturbed there: adding δ to it or to what that slot sees is the
    same sum, bit for bit, so its derivative is its edge's."""
    readers = {}
    for r in recs:
        for k, src in enumerate(r.inputs):
            readers.setdefault(src, []).append((r.id, k))
    known = {}

    def derivative(way, key, shape):
        alone = key != target and len(readers.get(key, ())) == 1   # J itself is more than what reads it
        slot = key if isinstance(key, tuple) else (readers[key][0] if alone else None)
        memo = (way, slot if slot is not None else key)
        if memo not in known:
            known[memo] = way(g, target, memo[1], shape, edge=slot is not None)
        return known[memo]
    return derivative


def check_gradients(g, J, fd=True):
    """∂J/∂node for every node and ∂J/∂src for every edge slot, vs autograd and finite differences.

    Also: a node's gradient is the sum of its outgoing edges' shares (fan-out), and a node J
    does not depend on through a differentiable path has no gradient (None).
    """
    J = g.node(J)
    g.backward(J)
    CONDITION[0] = condition(g)
    recs = records(g)
    needed = differentiable_ancestors(g, J.id)
    shares = g.edge_grads()
    derivative = _derivatives(g, J.id, recs)
    for node in g.nodes:
        grad = g.grad(node)
        if node.id not in needed:
            assert grad is None, f"∂J/∂{node.name!r} should be None (no differentiable path)"
            continue
        close(grad, derivative(oracle_grad, node.id, node.shape), what=f"∂J/∂{node.name!r} vs autograd")
        if fd:
            close(grad, derivative(fd_grad, node.id, node.shape), rtol=1e-4, atol=1e-5,
                  what=f"∂J/∂{node.name!r} vs finite differences")
        outgoing = [v for (s, d, k), v in shares.items() if s == node.id]
        if node.id != J.id:
            close(sum(outgoing[1:], outgoing[0]), grad, what=f"edge shares out of {node.name!r} sum to its gradient")
    for r in recs:
        for k, src in enumerate(r.inputs):
            key = (src, r.id, k)
            if r.id not in needed or (r.op, k) in TARGET_SLOTS or recs[src].kind == "const":
                assert key not in shares, f"edge {recs[src].name!r} -> {r.name!r} should carry no gradient"
                continue
            what = f"edge {recs[src].name!r} -> {r.name!r} (slot {k})"
            shape = recs[src].shape
            close(shares[key], derivative(oracle_grad, (r.id, k), shape), what=what + " vs autograd")
            if fd:
                close(shares[key], derivative(fd_grad, (r.id, k), shape), rtol=1e-4, atol=1e-5,
                      what=what + " vs finite differences")
        for src in set(r.inputs):
            slots = [k for k, i in enumerate(r.inputs) if i == src and (src, r.id, k) in shares]
            expected = sum(shares[(src, r.id, k)] for k in slots) if slots else None
            actual = g.edge_grad(g.nodes[src], g.nodes[r.id])
            if expected is None:
                assert actual is None
            else:
                close(actual, expected, rtol=0, atol=0, what="edge_grad sums the slots")


def oracle_jacobian(g, dst, src, sample):
    """∂dst/∂src for one sample, by autograd on the per-sample op (summed over src's slots)."""
    values, batch = evaluate(g)
    r = records(g)[dst]
    out_batch = batch[r.id]

    def pick(i):
        return values[i][sample] if out_batch and batch[i] else values[i]

    def f(x):
        args = [x if i == src else pick(i) for i in r.inputs]
        return apply_op(r, args, [batch[i] and not out_batch for i in r.inputs], False)

    x = pick(src)
    out = f(x)
    return np.reshape(autograd.jacobian(f)(np.asarray(x, dtype=float)), (np.size(out), np.size(x)))


def check_jacobians(g):
    """jacobian(dst, src, sample=i) vs autograd, and g·jacobian == the edge's share (vjp) per sample."""
    values, batch = evaluate(g)
    shares = g.edge_grads() if g.has_grads else {}
    nodes = g.nodes
    for r in records(g):
        if r.op is None:
            continue
        n = len(values[r.id]) if batch[r.id] else 1
        for src in sorted(set(r.inputs)):
            slots = [k for k, i in enumerate(r.inputs) if i == src]
            if any((r.op, k) in TARGET_SLOTS for k in slots):
                continue
            for sample in sorted({0, n - 1}):
                jac = g.jacobian(nodes[r.id], nodes[src], sample=sample)
                close(jac, oracle_jacobian(g, r.id, src, sample),
                      what=f"jacobian {r.name!r} / {nodes[src].name!r}, sample {sample}")
            if not all((src, r.id, k) in shares for k in slots):
                continue
            jacs = [g.jacobian(nodes[r.id], nodes[src], sample=i) for i in range(n)]
            upstream = g.grad(nodes[r.id])
            share = sum(shares[(src, r.id, k)] for k in slots)
            if batch[r.id]:
                per_sample = [upstream[i].ravel() @ jacs[i] for i in range(n)]
                expected = np.stack(per_sample) if batch[src] else sum(per_sample)
            else:
                expected = upstream.ravel() @ jacs[0]
            close(share, np.reshape(expected, np.shape(share)), rtol=1e-8, atol=1e-10,
                  what=f"vjp of {r.name!r} / {nodes[src].name!r} vs grad · jacobian")


def check_all(g, J, fd=True):
    check_forward(g)
    check_gradients(g, J, fd=fd)
    check_jacobians(g)


def weighted_sum(g, node, seed=0):
    """J = Σ node ⊙ R for a fixed random R of node's shape: ∂J/∂node = R, any direction at all."""
    node = g.node(node)
    r = np.random.default_rng(seed).normal(size=node.shape)
    R = g.input(f"R({node.name})", r, batch=node.batch)
    return g.sum(g.mul(node, R), name="J")
