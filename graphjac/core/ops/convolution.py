r"""Convolution and pooling, one sample at a time as PyTorch's ``torch.nn.functional`` computes
them: a sample is (C, L) for the 1-D ops and (C, H, W) for the 2-D ones; a kernel is
(C_out, C_in, K…), a bias (C_out,). Convolution is cross-correlation, as in PyTorch.

Vectorised over the minibatch and the positions (strided windows and ``tensordot``): the
only Python loops run over a kernel's offsets (9 for a 3 × 3 kernel), never over positions.

>>> import graphjac as gj
>>> g = gj.Graph("conv")
>>> y = g.conv1d(g.input("x", [[1.0, 2.0, 3.0, 4.0]]), g.param("k", [[[1.0, -1.0]]]), name="y")
>>> y.value.tolist()
[[-1.0, -1.0, -1.0]]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from graphjac.core.ops.base import Attr, Case, Op, OpError, Slot


def _per_axis(value, d, name):
    """A stride, padding or size for each of the ``d`` spatial axes (one number: the same for each)."""
    value = tuple(value)
    if len(value) == 1:
        return value * d
    if len(value) != d:
        raise OpError(f"{name} needs one number or {d} (one per spatial axis); got {len(value)}")
    return value


def _positive(value):
    return None if all(v >= 1 for v in value) else "must be at least 1"


def _natural(value):
    return None if all(v >= 0 for v in value) else "must be at least 0"


def _leading(ctx, i):
    """Operand ``i`` with a minibatch axis in front (one of one sample outside a minibatch)."""
    value = ctx.args[i]
    return value if ctx.arg_batch[i] else value[None]


def _strip(ctx, out):
    return out if ctx.batch else out[0]


def _windows(x, size, stride):
    """(N, C, *O, *K): every window of the spatial axes of x (N, C, *S), ``stride`` apart."""
    d = len(size)
    windows = sliding_window_view(x, size, axis=tuple(range(2, 2 + d)))
    return windows[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)]


def _scatter(shape, parts, size, stride):
    """Σ over the kernel's offsets of each part (N, C, *O) added at its offset: the adjoint of
    :func:`_windows` (``parts(offset)`` gives the part for one offset)."""
    total = np.zeros(shape)
    for offset in np.ndindex(*size):
        part = parts(offset)
        where = tuple(slice(o, o + s * n, s) for o, s, n in zip(offset, stride, part.shape[2:]))
        total[(slice(None), slice(None)) + where] += part
    return total


def _spatial_out(sizes, kernel, stride, padding, what):
    out = []
    for n, k, s, p in zip(sizes, kernel, stride, padding):
        if n + 2 * p < k:
            raise OpError(f"the {what} ({k}) is larger than the padded input ({n + 2 * p})")
        out.append((n + 2 * p - k) // s + 1)
    return tuple(out)


# ---------------------------------------------------------------------------- convolution

STRIDE = Attr("stride", tuple, (1,), "the step between windows, one number or one per spatial axis", _positive)
PADDING = Attr("padding", tuple, (0,), "zeros added on each side, one number or one per spatial axis", _natural)


def _conv_infer(d):
    def infer(shapes, attrs):
        x, k = shapes[0], shapes[1]
        if len(x) != d + 1:
            raise OpError(f"conv{d}d needs one sample of shape (C_in, {', '.join('LHW'[:d] if d == 1 else 'HW')}); "
                          f"got {x}")
        if len(k) != d + 2 or k[1] != x[0]:
            raise OpError(f"the kernel must be (C_out, C_in={x[0]}, {', '.join(['K'] * d)}); got {k}")
        if len(shapes) == 3 and shapes[2] != (k[0],):
            raise OpError(f"the bias must have one number per output channel ({k[0]},); got {shapes[2]}")
        stride = _per_axis(attrs["stride"], d, "stride")
        padding = _per_axis(attrs["padding"], d, "padding")
        return (k[0],) + _spatial_out(x[1:], k[2:], stride, padding, "kernel")
    return infer


def _shared_kernel(batch, shapes, attrs):
    if any(batch[1:]):
        return "the kernel and the bias are parameters, shared by the samples: not a minibatch"
    return None


def _conv_parts(ctx):
    d = ctx.args[1].ndim - 2
    return d, _per_axis(ctx.attrs["stride"], d, "stride"), _per_axis(ctx.attrs["padding"], d, "padding")


def _padded(x, padding):
    return np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding]) if any(padding) else x


def _conv(ctx):
    d, stride, padding = _conv_parts(ctx)
    k = ctx.args[1]
    windows = _windows(_padded(_leading(ctx, 0), padding), k.shape[2:], stride)
    out = np.tensordot(windows, k, axes=([1, *range(2 + d, 2 + 2 * d)], [1, *range(2, 2 + d)]))
    out = np.moveaxis(out, -1, 1)
    if len(ctx.args) == 3:
        out = out + ctx.args[2].reshape((-1,) + (1,) * d)
    return _strip(ctx, out)


def _conv_vjp_x(ctx, g):
    """The full correlation of ∂J/∂Y with the flipped kernel: each kernel offset's share added back."""
    d, stride, padding = _conv_parts(ctx)
    k = ctx.args[1]
    g = _lead_g(ctx, g)
    x = _leading(ctx, 0)
    shape = x.shape[:2] + tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    total = _scatter(shape, lambda offset: np.moveaxis(
        np.tensordot(g, k[(slice(None), slice(None)) + offset], axes=([1], [0])), -1, 1), k.shape[2:], stride)
    inner = total[(slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(padding, x.shape[2:]))]
    return inner if ctx.arg_batch[0] else inner[0]


def _lead_g(ctx, g):
    return g if ctx.batch else g[None]


def _conv_vjp_k(ctx, g):
    """X ⋆ ∂J/∂Y: each kernel weight's share, summed over the positions and the samples."""
    d, stride, padding = _conv_parts(ctx)
    k = ctx.args[1]
    windows = _windows(_padded(_leading(ctx, 0), padding), k.shape[2:], stride)
    g = _lead_g(ctx, g)
    return np.tensordot(g, windows, axes=([0, *range(2, 2 + d)], [0, *range(2, 2 + d)]))


def _conv_vjp_b(ctx, g):
    g = _lead_g(ctx, g)
    return g.sum(axis=(0, *range(2, g.ndim)))


def _conv_latex(m):
    return r"$out = $x \star $k + $b" if "b" in m else r"$out = $x \star $k"


def _positions(m):
    return r"\sum_{t}" if len(m.sample_shapes.get("x", ())) == 2 else r"\sum_{h, w}"


def _conv_case(d):
    def domain(rng):
        spatial = (7,) if d == 1 else (5, 6)
        kernel = (3,) if d == 1 else (3, 2)
        return [Case((rng.uniform(-2, 2, (2,) + spatial), rng.uniform(-1, 1, (3, 2) + kernel),
                      rng.uniform(-1, 1, 3))),
                Case((rng.uniform(-2, 2, (2,) + spatial), rng.uniform(-1, 1, (3, 2) + kernel)),
                     {"stride": (2,), "padding": (1,)})]
    return domain


def _conv_reference(d):
    def reference(t, x, k, b=None, stride=(1,), padding=(0,)):
        conv = t.nn.functional.conv1d if d == 1 else t.nn.functional.conv2d
        return conv(x[None], k, b, stride=_per_axis(stride, d, "stride"), padding=_per_axis(padding, d, "padding"))[0]
    return reference


def _conv_op(d):
    return Op(
        name=f"conv{d}d", kind=f"conv{d}d", min_arity=2, attrs=(STRIDE, PADDING),
        summary=f"Y = X ⋆ K + b (cross-correlation over {d} spatial ax{'is' if d == 1 else 'es'}, as PyTorch)",
        forward=_conv, infer=_conv_infer(d), batch_check=_shared_kernel, latex=_conv_latex,
        slots=(Slot("x", vjp=_conv_vjp_x, local=r"\mathrm{flip}($k)",
                    chain=r"\mathrm{full}($g \star \mathrm{flip}($k))"),
               Slot("k", vjp=_conv_vjp_k, local=r"\mathrm{windows}($x)", chain=r"$x \star $g"),
               Slot("b", vjp=_conv_vjp_b, local="1", chain=lambda m: _positions(m) + " $g")),
        torch=(f"nn.Conv{d}d", f"F.conv{d}d", f"torch.conv{d}d"), gate=r"\star",
        domain=_conv_case(d), reference=_conv_reference(d),
    )


CONV1D = _conv_op(1)
CONV2D = _conv_op(2)

# ---------------------------------------------------------------------------- pooling


def _pool_infer(d, kind):
    def infer(shapes, attrs):
        x = shapes[0]
        if len(x) != d + 1:
            raise OpError(f"{kind}_pool{d}d needs one sample of shape (C, {'L' if d == 1 else 'H, W'}); got {x}")
        size = _per_axis(attrs["size"], d, "size")
        stride = _per_axis(attrs["stride"] or size, d, "stride")
        return (x[0],) + _spatial_out(x[1:], size, stride, (0,) * d, "window")
    return infer


def _pool_parts(ctx):
    d = ctx.args[0].ndim - 1 - ctx.arg_batch[0]
    size = _per_axis(ctx.attrs["size"], d, "size")
    return d, size, _per_axis(ctx.attrs["stride"] or size, d, "stride")


def _flat_windows(ctx):
    d, size, stride = _pool_parts(ctx)
    windows = _windows(_leading(ctx, 0), size, stride)
    return windows.reshape(windows.shape[:2 + d] + (-1,)), size, stride


def _max_pool(ctx):
    windows, size, stride = _flat_windows(ctx)
    ctx.extra = windows.argmax(axis=-1)      # the first largest of each window, as PyTorch
    return _strip(ctx, np.take_along_axis(windows, ctx.extra[..., None], axis=-1)[..., 0])


def _max_pool_vjp(ctx, g):
    """∂J/∂Y routed to the arg-max of each window (overlapping windows add up)."""
    _, size, stride = _pool_parts(ctx)
    g, x = _lead_g(ctx, g), _leading(ctx, 0)
    winners = ctx.extra if ctx.extra.ndim == g.ndim else ctx.extra[None]
    offsets = {offset: k for k, offset in enumerate(np.ndindex(*size))}
    total = _scatter(x.shape, lambda offset: g * (winners == offsets[offset]), size, stride)
    return total if ctx.arg_batch[0] else total[0]


def _avg_pool(ctx):
    windows, _, _ = _flat_windows(ctx)
    return _strip(ctx, windows.mean(axis=-1))


def _avg_pool_vjp(ctx, g):
    _, size, stride = _pool_parts(ctx)
    g, x = _lead_g(ctx, g), _leading(ctx, 0)
    share = g / math.prod(size)
    total = _scatter(x.shape, lambda offset: share, size, stride)
    return total if ctx.arg_batch[0] else total[0]


def _size_latex(d):
    def latex(value):
        size = tuple(value) * d if len(value) == 1 else tuple(value)
        return {"size": r" \times ".join(map(str, size)), "area": str(math.prod(size))}
    return latex


def _pool_attrs(d):
    return (Attr("size", tuple, help="the window, one number or one per spatial axis", check=_positive,
                 latex=_size_latex(d)),
            Attr("stride", tuple, None, "the step between windows (default: the window, as PyTorch)", _positive,
                 optional=True, latex=lambda value: {"stride": "" if value is None else ", ".join(map(str, value))}))


def _pool_case(d):
    def domain(rng):
        spatial = (8,) if d == 1 else (4, 6)
        return [Case((rng.uniform(-2, 2, (2,) + spatial),), {"size": (2,)}),
                Case((rng.uniform(-2, 2, (2,) + spatial),), {"size": (3,), "stride": (1,)})]
    return domain


def _pool_reference(d, kind):
    def reference(t, x, size, stride=None):
        pool = getattr(t.nn.functional, f"{kind}_pool{d}d")
        size = _per_axis(size, d, "size")
        return pool(x[None], size, _per_axis(stride or size, d, "stride"))[0]
    return reference


def _pool_op(d, kind):
    largest = kind == "max"
    return Op(
        name=f"{kind}_pool{d}d", kind=f"{kind}_pool{d}d", attrs=_pool_attrs(d),
        summary=("the largest" if largest else "the mean") + " of each window (stride: the window, as PyTorch)",
        forward=_max_pool if largest else _avg_pool, infer=_pool_infer(d, kind),
        latex=rf"$out = \mathrm{{{kind}pool}}_{{$size}}($x)",
        slots=(Slot("x", vjp=_max_pool_vjp if largest else _avg_pool_vjp,
                    local=r"\mathbb{1}[\arg\max]" if largest else r"\frac{1}{$area}",
                    chain=r"\mathrm{route}_{\arg\max}($g)" if largest else r"\mathrm{spread}(\frac{$g}{$area})"),),
        torch=(f"nn.{kind.capitalize()}Pool{d}d", f"F.{kind}_pool{d}d"), gate=rf"\mathrm{{{kind}pool}}",
        domain=_pool_case(d), reference=_pool_reference(d, kind),
    )


MAX_POOL1D, AVG_POOL1D = _pool_op(1, "max"), _pool_op(1, "avg")
MAX_POOL2D, AVG_POOL2D = _pool_op(2, "max"), _pool_op(2, "avg")

OPS = (CONV1D, CONV2D, MAX_POOL1D, MAX_POOL2D, AVG_POOL1D, AVG_POOL2D)
