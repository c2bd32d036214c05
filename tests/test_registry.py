"""Every registered op, tested because it is registered.

For each op of ``graphjac.core.ops.REGISTRY`` (and ops of one's own made with ``define_op``), on
operands drawn from the domain the op declares, alone and with a minibatch:

- its value against the reference it declares, computed by torch in float64;
- ∂J/∂ every operand against ``torch.autograd`` (J = Σ out ⊙ R for a random R) and against
  central differences of graphjac's own forward pass;
- its per-sample local Jacobian (declared, or derived from its VJP) against
  ``torch.autograd.functional.jacobian`` of the reference;
- every formula its figure shows parses, reads as Unicode and is typeset;
- the graph round-trips through a spec.

An op added with a wrong derivative fails here with no test edited: see
``test_a_wrong_derivative_is_caught``. So does a figure that *says* a wrong derivative: the local
derivative an elementwise op's figure writes on its edge is read back as numbers
(``tests/latex_numbers.py``) and held to torch's (``test_every_elementwise_figure_says_torchs_derivative``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import graphjac as gj
from graphjac.core.ops import REGISTRY
from graphjac.core.ops.base import Case
from graphjac.core.ops.custom import scoped_ops
from graphjac.notation.mathtext import parse, to_unicode

torch = pytest.importorskip("torch")

SAMPLES = 3
BUILT_IN = sorted(REGISTRY)


def drawn(domain, seed):
    """The cases a domain draws with ``seed`` (a list)."""
    cases = domain(np.random.default_rng(seed))
    return cases if isinstance(cases, list) else [cases]


def batched(domain, seed, index):
    """Case ``index`` with each batchable operand a minibatch of SAMPLES draws."""
    draws = [drawn(domain, seed + k)[index] for k in range(SAMPLES)]
    first = draws[0]
    operands = tuple(np.stack([d.operands[i] for d in draws]) if i in first.batchable else x
                     for i, x in enumerate(first.operands))
    return Case(operands, first.attrs, first.batchable, first.integer)


def build(name, case, batch):
    """The graph out = op(operands), J = Σ out ⊙ R; the operand nodes; R."""
    op = REGISTRY[name]
    g = gj.Graph(name)
    nodes = []
    for i, value in enumerate(case.operands):
        carries = op.slots[i].differentiable and i not in case.integer
        if batch and i in case.batchable:
            nodes.append(g.input(f"x{i}", value, batch=True))
        elif carries:
            nodes.append(g.param(f"x{i}", value))
        else:
            nodes.append(g.input(f"x{i}", value))
    out = g.apply(name, *nodes, name="out", **case.attrs)
    weights = np.random.default_rng(7).normal(size=out.shape)
    J = g.sum(g.mul(out, g.input("R", weights, batch=out.batch)), name="J")
    g.backward(J)
    return g, nodes, out, weights


def torch_values(op, case, batch, tensors):
    """The reference's value for the whole operands: per sample and stacked for a minibatch,
    the whole minibatch at once for an op that reduces it or mixes its samples."""
    whole = not batch or op.mixes_samples or op.reduces(case.attrs)
    if whole:
        return op.reference(torch, *tensors, **case.attrs)
    return torch.stack([op.reference(torch, *[t[s] if batch and i in case.batchable else t
                                              for i, t in enumerate(tensors)], **case.attrs)
                        for s in range(SAMPLES)])


def check_op(name, case, batch):
    """All the checks of one op on one case; an AssertionError says which failed."""
    op = REGISTRY[name]
    g, nodes, out, weights = build(name, case, batch)
    carries = [k for k in range(len(nodes)) if op.slots[k].differentiable and k not in case.integer]

    tensors = [torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64, requires_grad=k in carries)
               for k, x in enumerate(case.operands)]
    expected = torch_values(op, case, batch, tensors)
    np.testing.assert_allclose(g.value(out), expected.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg=f"{name}: value against torch")
    (expected * torch.tensor(weights)).sum().backward()
    for k in carries:
        theirs = tensors[k].grad.numpy()
        scale = np.abs(theirs).max(initial=1.0)
        np.testing.assert_allclose(g.grad(nodes[k]), theirs, rtol=1e-8, atol=1e-12 * scale,
                                   err_msg=f"{name}: ∂J/∂{op.slots[k].name} against torch.autograd")
        _finite_differences(g, nodes[k], name, op.slots[k].name)
        _jacobian(g, op, case, batch, out, nodes, k)
    for k, node in enumerate(nodes):
        if not op.slots[k].differentiable:
            assert g.grad(node) is None, f"{name}: slot {op.slots[k].name} carries no gradient"
    _formulas(g, name)
    _round_trip(g, name)


def _finite_differences(g, node, name, slot, eps=1e-6):
    value = np.array(g.value(node))
    analytic = np.asarray(g.grad(node))
    flat = value.reshape(-1)
    picked = range(flat.size) if flat.size <= 40 else np.random.default_rng(0).choice(flat.size, 40, replace=False)
    for index in picked:
        moved = []
        for delta in (eps, -eps):
            changed = flat.copy()
            changed[index] += delta
            moved.append(float(g.evaluate("J", {node: changed.reshape(value.shape)})))
        numeric = (moved[0] - moved[1]) / (2 * eps)
        exact = analytic.reshape(-1)[index]
        assert abs(numeric - exact) <= 1e-6 + 1e-5 * abs(numeric), \
            f"{name}: ∂J/∂{slot}[{index}] is {exact:.10g}, central differences {numeric:.10g}"


def _jacobian(g, op, case, batch, out, nodes, k):
    """The per-sample local Jacobian ∂out⁽¹⁾/∂operand⁽¹⁾ against torch's, of the reference (for a
    result that is one number for the whole minibatch, ∂out/∂ the whole operand: ∂J/∂J₀⃗ ∈ ℝ¹ˣᴺ)."""
    operand_batch = batch and k in case.batchable and out.batch
    base = [torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64) for x in case.operands]

    def sample_out(v):
        tensors = list(base)
        if operand_batch:
            tensors[k] = torch.cat([v[None], base[k][1:]])
        else:
            tensors[k] = v
        result = torch_values(op, case, batch, tensors)
        return result[0] if out.batch else result

    start = base[k][0] if operand_batch else base[k]
    theirs = torch.autograd.functional.jacobian(sample_out, start).reshape(
        int(np.prod(out.shape[1:] if out.batch else out.shape, dtype=int)), -1).numpy()
    ours = g.jacobian(out, nodes[k], sample=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-12,
                               err_msg=f"{op.name}: local Jacobian for slot {op.slots[k].name} against torch")


def _formulas(g, name):
    """Every formula of the figure reads, as Unicode and typeset, and was filled in whole."""
    from graphjac.render.math.typeset import set_formula

    notes = g.annotate()
    texts = [n.formula for n in notes.nodes if n.formula] + \
            [t for e in notes.edges for t in (e.equation, e.local) if t]
    for text in texts:
        assert "$" not in text, f"{name}: an unfilled template in {text!r}"
        parse(text)
        shown = to_unicode(text)
        for wrong in ("+ −", "− −", "−−", "ᵀᵀ"):
            assert wrong not in shown, f"{name}: {shown!r} has {wrong!r}"
        set_formula(text, 14.0)


def _round_trip(g, name):
    spec = json.loads(json.dumps(g.to_spec()))
    again = gj.Graph.from_spec(spec)
    np.testing.assert_array_equal(again.value("out"), g.value("out"), err_msg=f"{name}: spec round trip")


# ------------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_op_declares_what_it_is_tested_on(name):
    op = REGISTRY[name]
    assert op.domain is not None, f"op {name!r} declares no domain to test it on"
    assert op.reference is not None, f"op {name!r} declares no torch reference"


@pytest.mark.parametrize("batch", [False, True], ids=["one", "minibatch"])
@pytest.mark.parametrize("name", BUILT_IN)
def test_every_op_against_torch_and_finite_differences(name, batch):
    op = REGISTRY[name]
    for index, case in enumerate(drawn(op.domain, 11)):
        if batch and not case.batchable:
            continue
        if not batch and op.mixes_samples:     # batch norm: one sample alone is said, not computed
            with pytest.raises(gj.ShapeError, match="minibatch"):
                build(name, case, batch)
            continue
        check_op(name, batched(op.domain, 11, index) if batch else case, batch)


# ------------------------------------------------------------------------------ ops of one's own

OWN = {
    "cube": (dict(forward=lambda u: u ** 3, derivative=lambda u, out: 3 * u ** 2,
                  latex=r"{$u}^{3}", derivative_latex=r"3 {$u}^{2}"),
             lambda t, u: u ** 3, lambda rng: Case((rng.uniform(-2, 2, (2, 3)),))),
    "sqnorm": (dict(forward=lambda u: (u ** 2).sum(), vjp=lambda g, out, u: (2 * g * u,),
                    latex=r"\|{$u}\|^{2}"),
               lambda t, u: (u ** 2).sum(), lambda rng: Case((rng.uniform(-2, 2, (2, 3)),))),
    "hypot": (dict(forward=lambda u, v: np.sqrt(u ** 2 + v ** 2),
                   vjp=lambda g, out, u, v: (g * u / out, g * v / out),
                   latex=r"\sqrt{{$u}^{2} + {$v}^{2}}", derivative_latex=(r"\frac{$u}{$out}", r"\frac{$v}{$out}")),
              lambda t, u, v: t.sqrt(u ** 2 + v ** 2),
              lambda rng: Case((rng.uniform(0.5, 2, 3), rng.uniform(0.5, 2, 3)), batchable=(0, 1))),
}


def _define(name, definition, reference, domain):
    import dataclasses

    from graphjac.core.ops.custom import define_op
    op = define_op(name, **definition)
    REGISTRY[name] = dataclasses.replace(op, reference=reference, domain=domain)


@pytest.mark.parametrize("batch", [False, True], ids=["one", "minibatch"])
@pytest.mark.parametrize("name", sorted(OWN))
def test_ops_of_ones_own_against_torch_and_finite_differences(name, batch):
    definition, reference, domain = OWN[name]
    with scoped_ops():
        _define(name, definition, reference, domain)
        check_op(name, batched(domain, 5, 0) if batch else drawn(domain, 5)[0], batch)


def test_a_reducing_op_of_ones_own_is_not_broadcast():
    """sqnorm of a 2×3 matrix is one number (J = 14 for 1, 2, 3 twice... here Σ uᵢ²), never six."""
    with scoped_ops():
        _define("sqnorm", *OWN["sqnorm"])
        g = gj.Graph("norm")
        u = g.param("u", [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
        s = g.apply("sqnorm", u, name="s")
        assert s.shape == () and float(s.value) == 14.0


def test_a_wrong_derivative_is_caught():
    """The same checks, on an op whose derivative is off by 10%: they fail."""
    wrong = dict(OWN["cube"][0], derivative=lambda u, out: 3.3 * u ** 2)
    with scoped_ops():
        _define("cube", wrong, OWN["cube"][1], OWN["cube"][2])
        with pytest.raises(AssertionError, match="against torch.autograd"):
            check_op("cube", drawn(OWN["cube"][2], 5)[0], False)


ELEMENTWISE = sorted(name for name, op in REGISTRY.items() if op.elementwise)
SCALAR_NAMES = "uv"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_figure_says_torchs_derivative(name):
    """What the edge of y = op(u, v) says, ∂y/∂u = …, evaluated at the operands' values, is the
    derivative torch.autograd computes, at three points of the op's domain."""
    from latex_numbers import evaluate
    op = REGISTRY[name]
    case = drawn(op.domain, 11)[0]
    flat = [np.asarray(x, dtype=float).reshape(-1) for x in case.operands]
    checked = 0
    for point in range(min(3, min(f.size for f in flat))):
        scalars = [float(f[point]) for f in flat]
        g = gj.Graph(name)
        nodes = [g.input(SCALAR_NAMES[i], x) for i, x in enumerate(scalars)]
        out = g.apply(name, *nodes, name="y", **case.attrs)
        notes = g.annotate()
        names = {note.id: note.name for note in notes.nodes}
        tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in scalars]
        grads = torch.autograd.grad(op.reference(torch, *tensors, **case.attrs), tensors, allow_unused=True)
        values = {**dict(zip(SCALAR_NAMES, scalars)), "y": float(out.value)}
        for edge in notes.edges:
            slot = op.slots[SCALAR_NAMES.index(names[edge.src])]
            if names[edge.dst] != "y" or not slot.differentiable or edge.local is None:
                continue
            said = edge.local.split(" = ", 1)[1]
            expected = grads[SCALAR_NAMES.index(names[edge.src])]
            assert float(evaluate(said, values)) == pytest.approx(float(expected), rel=1e-9, abs=1e-12), \
                f"{name}: the figure says ∂y/∂{names[edge.src]} = {said} at {values}; torch: {float(expected)}"
            checked += 1
    assert checked, f"{name}: no local derivative on its edges to check"


def _said(op, case, slot_index):
    """(what y = op(u, v, …)'s edge from operand ``slot_index`` says ∂y/∂· is, the values of its
    symbols) for one sample of ``case``, or None where the figure writes no local derivative."""
    g = gj.Graph(op.name)
    nodes = [g.input(SCALAR_NAMES[i] if i < 2 else "m", x) for i, x in enumerate(case.operands)]
    out = g.apply(op.name, *nodes, name="y", **case.attrs)
    notes = g.annotate()
    names = {note.id: note.name for note in notes.nodes}
    for edge in notes.edges:
        if names[edge.dst] == "y" and names[edge.src] == nodes[slot_index].name and edge.local:
            values = {node.name: np.asarray(node.value, dtype=float) for node in nodes}
            return edge.local.split(" = ", 1)[1], {**values, "y": np.asarray(out.value, dtype=float)}
    return None


# batch norm's derivative mixes a minibatch's samples (no single sample has one): written with x̂ and
# σ_B, structural, and held to torch through its VJP and Jacobian above
@pytest.mark.parametrize("name", sorted(name for name, op in REGISTRY.items() if not op.elementwise
                                        and not op.mixes_samples))
def test_every_local_derivative_written_as_algebra_is_torchs(name):
    """Every other op's local derivative, where its figure writes it as algebra in the operands
    (v⃗ᵀ, −2(y⃗ − ŷ⃗)ᵀ, yⱼ(δⱼₖ − yₖ), I − 𝟏 softmax(u⃗)ᵀ, (1, …, 1)/6), read back as a matrix and held
    to torch's Jacobian; a constant c to every entry the output depends on (a pooling window's
    1/4, a bias's 1). A derivative written with a structural operator (perm, flip, onehot, the
    windows of a convolution's input, a block [0 I 0], ⊗, a normalised x̂) is shown by name and
    checked by the figures' own tests."""
    from latex_numbers import Structural, evaluate
    op = REGISTRY[name]
    case = drawn(op.domain, 11)[0]
    outcomes = {}
    for k, slot in enumerate(op.slots[:len(case.operands)]):
        if not slot.differentiable or k in case.integer:
            continue
        said = _said(op, case, k)
        if said is None:
            continue
        latex, values = said
        operand = np.asarray(case.operands[k], dtype=float)
        if op.broadcasts and operand.shape != values["y"].shape:
            outcomes[k] = "broadcast"      # the sum over the repeated axes is the chain rule's (Σ), not the local's
            continue
        try:
            said_value = np.asarray(evaluate(latex, values, size=operand.size), dtype=float)
        except Structural:
            outcomes[k] = "structural"
            continue
        tensors = [torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64) for x in case.operands]
        jacobian = torch.autograd.functional.jacobian(
            lambda t: op.reference(torch, *tensors[:k], t, *tensors[k + 1:], **case.attrs), tensors[k])
        expected = jacobian.numpy().reshape(values["y"].size, operand.size)
        if said_value.size == 1:
            touched = expected[expected != 0]
            assert np.allclose(touched, float(said_value), rtol=1e-9), \
                f"{name}: the figure says ∂y/∂{SCALAR_NAMES[k] if k < 2 else 'm'} = {latex}; torch's nonzero entries {touched[:4]}"
        else:
            assert said_value.size == expected.size and np.allclose(said_value.reshape(expected.shape), expected,
                                                                      rtol=1e-9, atol=1e-12), \
                f"{name}: the figure says ∂y/∂{SCALAR_NAMES[k] if k < 2 else 'm'} = {latex} = {said_value}; torch: {expected}"
        outcomes[k] = "checked"
    assert outcomes, f"{name}: its figure writes no local derivative"
