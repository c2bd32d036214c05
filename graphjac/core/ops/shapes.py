r"""Ops that move numbers without changing them: flatten, reshape, permute, concatenation and
stacking, indexing, an embedding's rows, and dropout with a fixed mask.

Every shape and axis is one sample's (the minibatch, where there is one, stays on axis 0).

>>> import graphjac as gj
>>> g = gj.Graph("rows")
>>> E = g.param("E", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
>>> g.embedding(g.input("ids", [2, 0]), E, name="e").value.tolist()
[[5.0, 6.0], [1.0, 2.0]]
"""

from __future__ import annotations

import math

import numpy as np

from graphjac.core.ops.base import Attr, Case, Op, OpError, Slot, first_bad, uniform
from graphjac.core.ops.indexing import key_of

VARIADIC = 16   # concat and stack take up to this many operands


def _numpy_axis(ctx, axis, batch=None):
    """An axis of one sample as an axis of the stored value."""
    batch = ctx.batch if batch is None else batch
    return axis if axis < 0 or not batch else axis + 1


def _same_batch(ctx):
    """Every operand with the minibatch axis (a shared operand repeated for each sample)."""
    if not ctx.batch:
        return list(ctx.args)
    n = next(len(a) for a, b in zip(ctx.args, ctx.arg_batch) if b)
    return [a if b else np.broadcast_to(a, (n,) + a.shape) for a, b in zip(ctx.args, ctx.arg_batch)]


def _own(ctx, i, share):
    """A share back to operand ``i``: summed over the samples where the operand is shared."""
    return share.sum(axis=0) if ctx.batch and not ctx.arg_batch[i] else share


# ---------------------------------------------------------------------------- flatten, reshape, permute


def _flatten_infer(shapes, attrs):
    return (math.prod(shapes[0]),)


def _reshape_infer(shapes, attrs):
    shape, size = tuple(attrs["shape"]), math.prod(shapes[0])
    try:
        return np.empty(size).reshape(shape).shape
    except ValueError:
        raise OpError(f"cannot reshape one sample of shape {shapes[0]} ({size} numbers) into {shape}") from None


def _reshaped(ctx, shape):
    return ctx.args[0].reshape((ctx.args[0].shape[0],) + shape if ctx.batch else shape)


def _flatten(ctx):
    return _reshaped(ctx, (-1,))


def _reshape(ctx):
    return _reshaped(ctx, tuple(ctx.attrs["shape"]))


def _unreshape_vjp(ctx, g):
    return g.reshape(ctx.args[0].shape)


FLATTEN = Op(
    name="flatten", kind="flatten", summary="one sample's numbers as one vector (row by row)",
    forward=_flatten, infer=_flatten_infer, latex=r"$out = \mathrm{vec}($u)",
    slots=(Slot("u", vjp=_unreshape_vjp, local="I", chain=r"\mathrm{reshape}($g)"),),
    torch=("nn.Flatten", "torch.flatten", "Tensor.flatten"), gate=r"\mathrm{vec}",
    domain=uniform((2, 3, 2)), reference=lambda t, u: u.flatten(),
)

RESHAPE = Op(
    name="reshape", kind="reshape", summary="one sample's numbers in another shape (row by row)",
    attrs=(Attr("shape", tuple, help="the shape of one sample; one entry may be -1 (what is left)",
                latex=lambda value: {"shape": r" \times ".join(map(str, value))}),),
    forward=_reshape, infer=_reshape_infer, latex=r"$out = \mathrm{reshape}($u)",
    slots=(Slot("u", vjp=_unreshape_vjp, local="I", chain=r"\mathrm{reshape}($g)"),),
    torch=("Tensor.view", "Tensor.reshape", "torch.reshape", "nn.Unflatten"), gate=r"\mathrm{reshape}",
    domain=uniform((2, 6), attrs={"shape": (3, -1)}), reference=lambda t, u, shape: u.reshape(shape),
)


def _permute_infer(shapes, attrs):
    axes, shape = tuple(attrs["axes"]), shapes[0]
    if sorted(a % len(shape) if -len(shape) <= a < len(shape) else a for a in axes) != list(range(len(shape))):
        raise OpError(f"axes {axes} is no order of the {len(shape)} axes of one sample of shape {shape}")
    return tuple(shape[a] for a in axes)


def _permutation(ctx):
    axes = [a % (ctx.args[0].ndim - ctx.batch) for a in ctx.attrs["axes"]]
    return [0] + [a + 1 for a in axes] if ctx.batch else axes


def _permute(ctx):
    return np.transpose(ctx.args[0], _permutation(ctx))


def _permute_vjp(ctx, g):
    return np.transpose(g, np.argsort(_permutation(ctx)))


PERMUTE = Op(
    name="permute", kind="permute", summary="one sample's axes in another order",
    attrs=(Attr("axes", tuple, help="the new order of one sample's axes",
                latex=lambda value: {"axes": ", ".join(map(str, value))}),),
    forward=_permute, infer=_permute_infer, latex=r"$out = \mathrm{permute}_{$axes}($u)",
    slots=(Slot("u", vjp=_permute_vjp, local=r"\mathrm{perm}", chain=r"\mathrm{permute}^{-1}($g)"),),
    torch=("Tensor.permute", "torch.permute", "Tensor.transpose", "torch.transpose"), gate=r"\mathrm{perm}",
    domain=uniform((2, 3, 4), attrs={"axes": (2, 0, 1)}), reference=lambda t, u, axes: u.permute(*axes),
)

# ---------------------------------------------------------------------------- concat, stack

AXIS = Attr("axis", int, 0, "the axis of one sample")


def _concat_infer(shapes, attrs):
    first, axis = shapes[0], attrs["axis"]
    if not first or not -len(first) <= axis < len(first):
        raise OpError(f"axis {axis} is out of range for one sample of shape {first}")
    axis %= len(first)
    for shape in shapes[1:]:
        if len(shape) != len(first) or shape[:axis] + shape[axis + 1:] != first[:axis] + first[axis + 1:]:
            raise OpError(f"the operands' shapes {', '.join(map(str, shapes))} differ off the axis {axis}")
    return first[:axis] + (sum(s[axis] for s in shapes),) + first[axis + 1:]


def _concat(ctx):
    return np.concatenate(_same_batch(ctx), axis=_numpy_axis(ctx, ctx.attrs["axis"]))


def _segment(ctx, i):
    """Where operand ``i`` lies along the axis of the result: (numpy axis, start, stop)."""
    axis = _numpy_axis(ctx, ctx.attrs["axis"])
    values = _same_batch(ctx)
    start = sum(v.shape[axis] for v in values[:i])
    return axis, start, start + values[i].shape[axis]


def _concat_slot(i):
    def vjp(ctx, g):
        axis, start, stop = _segment(ctx, i)
        return _own(ctx, i, np.take(g, np.arange(start, stop), axis=axis))

    def segment_latex(m):
        shapes = [m.sample_shapes[f"u{j}"] for j in range(1, i + 2)]
        axis = m.attrs_of["axis"] % len(shapes[0])
        start = sum(s[axis] for s in shapes[:-1])
        where = [":"] * len(shapes[0])
        where[axis] = f"{start + 1}:{start + shapes[-1][axis]}" if shapes[-1][axis] > 1 else str(start + 1)
        return "{$g}_{" + ", ".join(where) + "}"

    vjp.__name__ = vjp.__qualname__ = f"concat_vjp_u{i + 1}"
    return Slot(f"u{i + 1}", vjp=vjp, local=r"[\, 0 \;\; I \;\; 0 \,]", chain=segment_latex)


def _listed(m, close=""):
    names = [f"u{j}" for j in range(1, VARIADIC + 1) if f"u{j}" in m]
    return ", ".join("$" + n for n in names)


CONCAT = Op(
    name="concat", kind="concat", summary="the operands one after another along an axis of one sample",
    attrs=(AXIS,), min_arity=1, forward=_concat, infer=_concat_infer,
    latex=lambda m: r"$out = \left[ " + _listed(m) + r" \right]",
    slots=tuple(_concat_slot(i) for i in range(VARIADIC)),
    torch=("torch.cat", "torch.concat"), gate=r"[\cdot, \cdot]",
    domain=lambda rng: [uniform((2, 3), (1, 3), (2, 3), batchable=(0, 1))(rng),
                        uniform((2, 3), (2, 2), attrs={"axis": 1})(rng)],
    reference=lambda t, *us, axis=0: t.cat(us, dim=axis),
)


def _stack_infer(shapes, attrs):
    first, axis = shapes[0], attrs["axis"]
    if not -len(first) - 1 <= axis <= len(first):
        raise OpError(f"axis {axis} is out of range for stacking samples of shape {first}")
    if any(shape != first for shape in shapes[1:]):
        raise OpError(f"stack needs operands of one shape; got {', '.join(map(str, shapes))}")
    axis %= len(first) + 1
    return first[:axis] + (len(shapes),) + first[axis:]


def _stack_axis(ctx):
    axis = ctx.attrs["axis"]
    rank = ctx.args[0].ndim - ctx.arg_batch[0] + 1
    return (axis % rank) + (1 if ctx.batch else 0)


def _stack(ctx):
    return np.stack(_same_batch(ctx), axis=_stack_axis(ctx))


def _stack_slot(i):
    def vjp(ctx, g):
        return _own(ctx, i, np.take(g, i, axis=_stack_axis(ctx)))

    def chain(m):
        rank = len(m.sample_shapes["u1"]) + 1
        where = [":"] * rank
        where[m.attrs_of["axis"] % rank] = str(i + 1)
        return "{$g}_{" + ", ".join(where) + "}"

    vjp.__name__ = vjp.__qualname__ = f"stack_vjp_u{i + 1}"
    return Slot(f"u{i + 1}", vjp=vjp, local=r"[\, 0 \;\; I \;\; 0 \,]", chain=chain)


STACK = Op(
    name="stack", kind="stack", summary="the operands side by side along a new axis of one sample",
    attrs=(AXIS,), min_arity=1, forward=_stack, infer=_stack_infer,
    latex=lambda m: r"$out = \mathrm{stack}(" + _listed(m) + ")",
    slots=tuple(_stack_slot(i) for i in range(VARIADIC)),
    torch=("torch.stack",), gate=r"\mathrm{stack}",
    domain=lambda rng: [uniform((3,), (3,), (3,), batchable=(0, 2))(rng),
                        uniform((2, 3), (2, 3), attrs={"axis": -1})(rng)],
    reference=lambda t, *us, axis=0: t.stack(us, dim=axis),
)

# ---------------------------------------------------------------------------- u[key]


def _index_infer(shapes, attrs):
    try:
        return np.empty(shapes[0])[key_of(attrs["key"])].shape
    except (IndexError, TypeError):
        raise OpError(f"the index [{attrs['key']}] does not fit one sample of shape {shapes[0]}") from None


def _full_key(ctx):
    key = key_of(ctx.attrs["key"])
    key = key if isinstance(key, tuple) else (key,)
    return (slice(None),) + key if ctx.batch else key


def _index(ctx):
    return ctx.args[0][_full_key(ctx)].copy()


def _index_vjp(ctx, g):
    out = np.zeros(ctx.args[0].shape)
    out[_full_key(ctx)] = g       # basic indexing picks each element once: no sum needed
    return out


INDEX = Op(
    name="index", kind="index", summary="u[key]: ints and slices of one sample (basic indexing)",
    attrs=(Attr("key", "key", help="ints and slices of one sample's axes, such as '0, 1:3'",
                latex=lambda value: {"key": value.replace(" ", "")}),),
    forward=_index, infer=_index_infer, latex=r"$out = {$u}_{[$key]}",
    slots=(Slot("u", vjp=_index_vjp, local=r"\mathbb{1}_{[$key]}", chain=r"\mathrm{place}_{[$key]}($g)"),),
    torch=("operator.getitem",), gate=r"[\cdot]",
    domain=lambda rng: [uniform((3, 4), attrs={"key": "1:, ::2"})(rng), uniform((3, 4), attrs={"key": "-1"})(rng),
                        uniform((4,), attrs={"key": "2"})(rng)],
    reference=lambda t, u, key: u[key_of(key)],
)

# ---------------------------------------------------------------------------- embedding


def _embedding_infer(shapes, attrs):
    ids, table = shapes
    if len(table) != 2:
        raise OpError(f"the embedding table must be a matrix (V, d), one row per id; got {table}")
    return tuple(ids) + (table[1],)


def _ids(ctx):
    ids, table = ctx.args
    bad = (ids != np.round(ids)) | (ids < 0) | (ids >= table.shape[-2])
    if bad.any():
        raise OpError(f"ids must be whole numbers in 0…{table.shape[-2] - 1} (rows of the table); got "
                      f"{first_bad(bad, ids)}")
    return ids.astype(int)


def _embedding(ctx):
    return ctx.args[1][_ids(ctx)]


def _embedding_vjp(ctx, g):
    """∂J/∂E = onehot(ids)ᵀ ∂J/∂out: each row's share added where its id occurs."""
    out = np.zeros(ctx.args[1].shape)
    np.add.at(out, _ids(ctx).reshape(-1), g.reshape(-1, out.shape[1]))
    return out


def _embedding_case(rng):
    return Case((rng.integers(0, 5, 4).astype(float), rng.uniform(-1, 1, (5, 3))), integer=(0,))


EMBEDDING = Op(
    name="embedding", kind="embedding", summary="the rows of E (V, d) that integer ids pick (no gradient to the ids)",
    forward=_embedding, infer=_embedding_infer, batch_check=lambda batch, shapes, attrs: (
        "the embedding table is a parameter, shared by the samples: not a minibatch" if batch[1] else None),
    latex=r"$out = {$E}_{$ids, :}",
    slots=(Slot("ids"), Slot("E", vjp=_embedding_vjp, local=r"\mathrm{onehot}($ids)",
                             chain=r"\mathrm{onehot}($ids)^{T} \, $g")),
    torch=("nn.Embedding", "F.embedding"), gate=r"\mathrm{embed}",
    domain=_embedding_case, reference=lambda t, ids, E: t.nn.functional.embedding(ids.long(), E),
)

# ---------------------------------------------------------------------------- dropout with a fixed mask


def _drop_probability(p):
    return None if 0 <= p < 1 else "must lie in [0, 1) (the probability of dropping an element)"


def _dropout_infer(shapes, attrs):
    u, mask = shapes
    try:
        if np.broadcast_shapes(u, mask) != tuple(u):
            raise ValueError
    except ValueError:
        raise OpError(f"the mask must have the shape of one sample {u}; got {mask}") from None
    return u


def _scaled_mask(ctx):
    mask = ctx.args[1]
    if not np.all((mask == 0) | (mask == 1)):
        raise OpError(f"the mask must hold 0 (dropped) and 1 (kept) only; got {first_bad((mask != 0) & (mask != 1), mask)}")
    if ctx.batch and ctx.arg_batch[1] != ctx.arg_batch[0]:
        mask = mask if ctx.arg_batch[1] else np.broadcast_to(mask, ctx.args[0].shape[:1] + mask.shape)
    return mask / (1.0 - ctx.attrs["p"])


def _dropout(ctx):
    return ctx.args[0] * _scaled_mask(ctx)


def _dropout_vjp(ctx, g):
    share = g * _scaled_mask(ctx)
    return share.sum(axis=0) if ctx.batch and not ctx.arg_batch[0] else share


def _dropout_case(rng):
    return Case((rng.uniform(-2, 2, (2, 3)), rng.integers(0, 2, (2, 3)).astype(float)), {"p": 0.25},
                batchable=(0, 1))


DROPOUT = Op(
    name="dropout", kind="dropout", summary="u ⊙ m / (1 − p) for a fixed 0/1 mask m (as training drew it)",
    attrs=(Attr("p", float, help="the probability of dropping an element, in [0, 1)", check=_drop_probability),),
    forward=_dropout, infer=_dropout_infer, elementwise=True,
    latex=r"$out = \frac{$u \odot $mask}{1 - $p}",
    slots=(Slot("u", vjp=_dropout_vjp, local=r"\frac{$mask}{1 - $p}"), Slot("mask")),
    torch=("nn.Dropout", "F.dropout"), gate=r"\mathrm{drop}",
    domain=_dropout_case, reference=lambda t, u, mask, p: u * mask / (1 - p),
)

OPS = (FLATTEN, RESHAPE, PERMUTE, CONCAT, STACK, INDEX, EMBEDDING, DROPOUT)
