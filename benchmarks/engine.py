"""Forward + backward: graphjac against the numpy a user would write, side by side.

    python3 benchmarks/engine.py [--quick]

Each case is timed in one process, the implementations taking turns, and the best (minimum)
time per call of several rounds is kept. Two numpy references:

- **user**: what a user writes for J and ∂J/∂ every parameter: σ or softmax, the loss and its
  fused gradient such as (a − y)/N, no clamps, no input gradients, no edge shares. graphjac
  is timed doing the same job: forward, backward, and reading ∂J/∂ every parameter.
- **everything**: numpy computing all that graphjac's backward offers: ∂J/∂ every node (the
  inputs X included) and every edge share (the clamped −y/p on the edge p → J₀ too), with the
  same stable σ and softmax and the same clamps. graphjac is timed reading every edge share.

Both keep the arrays of their last pass alive, as graphjac does (else freeing and re-faulting
large arrays makes numpy look slow). BLAS runs on one thread (set OPENBLAS_NUM_THREADS and
friends to change that). autograd (and PyTorch, when importable) differentiate the same
function with respect to the parameters.
Targets: against the user's numpy, neuron ≤ 2.0×, 784-128-10 ≤ 1.10×, 1024-1024-10 ≤ 1.10×; the
course's ops (conv2d, max_pool2d, attention) at most 3× PyTorch's forward + backward in float64.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from typing import Callable

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # one BLAS thread for all: the ratios measure the engine, not the scheduler

import numpy as np  # noqa: E402  (after the thread settings)

import graphjac as gj  # noqa: E402

LOG_FLOOR, DENOMINATOR_FLOOR = np.exp(-100.0), 1e-12


# ---------------------------------------------------------------------------- the cases


@dataclass
class Case:
    """One graph and its contenders; each function does forward + backward and returns the
    parameters' gradients (``graphjac_all`` and ``numpy_all`` return everything)."""

    title: str
    target: float
    graphjac: Callable
    numpy_user: Callable
    graphjac_all: Callable
    numpy_all: Callable
    autograd_loss: Callable
    torch_step: Callable


def _graphjac_runs(g, J, params):
    """graphjac doing the user's job (∂J/∂ every parameter), and reading everything."""
    def run():
        g.forward()
        g.backward(J)
        return [g.grad(p) for p in params]

    def run_all():
        g.forward()
        g.backward(J)
        shares = g.edge_grads()
        return [g.grad(p) for p in params] + [shares[key] for key in sorted(shares)]
    return run, run_all


def neuron_case(rng):
    """z = Xw + b, a = σ(z), J₀ = BCE(y, a), J = mean J₀ on a 64×3 minibatch."""
    N = 64
    X, y = rng.normal(size=(N, 3)), rng.integers(0, 2, N).astype(float)
    w, b = rng.normal(size=3), 0.1

    g = gj.Graph("neuron")
    Xn, yn = g.input("X", X, batch=True), g.input("y", y, batch=True)
    wn, bn = g.param("w", w), g.param("b", b)
    zn = g.neuron(Xn, wn, bn)
    an = g.activation(zn, "sigmoid")
    J0n = g.loss(an, yn, "bce")
    Jn = g.mean(J0n)
    run, run_all = _graphjac_runs(g, Jn, [wn, bn])

    kept = []   # like graphjac, numpy keeps the values and gradients of its last pass

    def numpy_user():
        z = X @ w + b
        a = 1.0 / (1.0 + np.exp(-z))
        J = -np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))
        dz = (a - y) / N
        dw, db = X.T @ dz, dz.sum()
        kept[:] = z, a, J, dz, dw, db
        return [dw, db]

    def numpy_all():
        z = X @ w + b
        e = np.exp(-np.abs(z))
        r = 1.0 / (1.0 + e)
        a = np.where(z >= 0, r, e * r)
        J0 = -(y * np.log(np.maximum(a, LOG_FLOOR)) + (1.0 - y) * np.log(np.maximum(1.0 - a, LOG_FLOOR)))
        J = J0.mean()
        dJ0 = np.full(N, 1.0 / N)
        da = dJ0 * (a - y) / np.maximum(a * (1.0 - a), DENOMINATOR_FLOOR)
        dz = dJ0 * (a - y)
        dw, db, dX = dz @ X, dz.sum(), dz[:, None] * w
        kept[:] = z, a, J0, J, dJ0, da, dz, dw, db, dX
        shares = {(Xn.id, zn.id, 0): dX, (wn.id, zn.id, 1): dw, (bn.id, zn.id, 2): db,
                  (zn.id, an.id, 0): dz, (an.id, J0n.id, 0): da, (J0n.id, Jn.id, 0): dJ0}
        return [dw, db] + [shares[key] for key in sorted(shares)]

    def autograd_loss(anp):
        def loss(params):
            w, b = params
            a = 1.0 / (1.0 + anp.exp(-(anp.dot(X, w) + b)))
            return -anp.mean(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a))
        return loss, [w, np.float64(b)]

    def torch_step(torch):
        tw, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w, b))
        tX, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

        def step():
            tw.grad = tb.grad = None
            torch.nn.functional.binary_cross_entropy_with_logits(tX @ tw + tb, ty).backward()
            return [tw.grad, tb.grad]
        return step

    return Case("one sigmoid neuron + BCE, 64×3", 2.0, run, numpy_user, run_all, numpy_all,
                autograd_loss, torch_step)


def mlp_case(rng, n, h, k, N, activation, target):
    """H = g(XW₁ + B₁), p = softmax(HW₂ + B₂), J₀ = CCE(y, p) with class indices, J = mean J₀."""
    X, labels = rng.normal(size=(N, n)), rng.integers(0, k, N)
    W1, B1 = rng.normal(size=(n, h)) / np.sqrt(n), np.zeros(h)
    W2, B2 = rng.normal(size=(h, k)) / np.sqrt(h), np.zeros(k)
    rows = np.arange(N)

    g = gj.Graph(f"{n}-{h}-{k}")
    Xn, yn = g.input("X", X, batch=True), g.input("y", labels, batch=True)
    W1n, B1n, W2n, B2n = g.param("W1", W1), g.param("B1", B1), g.param("W2", W2), g.param("B2", B2)
    A1n = g.dense(Xn, W1n, B1n)
    Hn = g.activation(A1n, activation)
    Ln = g.dense(Hn, W2n, B2n)
    pn = g.activation(Ln, "softmax")
    J0n = g.loss(pn, yn, "cce")
    Jn = g.mean(J0n)
    run, run_all = _graphjac_runs(g, Jn, [W1n, B1n, W2n, B2n])

    def g_forward(A):
        return np.tanh(A) if activation == "tanh" else np.maximum(A, 0.0)

    def g_local(A, H):
        return (1.0 + H) * (1.0 - H) if activation == "tanh" else (A >= 0).astype(float)

    kept = []   # like graphjac, numpy keeps the values and gradients of its last pass

    def numpy_user():
        A = X @ W1 + B1
        H = g_forward(A)
        L = H @ W2 + B2
        L = L - L.max(axis=1, keepdims=True)
        P = np.exp(L)
        P /= P.sum(axis=1, keepdims=True)
        J = -np.log(P[rows, labels]).mean()
        dL = P.copy()
        dL[rows, labels] -= 1.0
        dL /= N
        dW2, dB2 = H.T @ dL, dL.sum(axis=0)
        dA = (dL @ W2.T) * g_local(A, H)
        dW1, dB1 = X.T @ dA, dA.sum(axis=0)
        kept[:] = A, H, L, P, J, dL, dW2, dB2, dA, dW1, dB1
        return [dW1, dB1, dW2, dB2]

    def numpy_all():
        A = X @ W1 + B1
        H = g_forward(A)
        L = H @ W2 + B2
        shifted = L - L.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        log_p = shifted - np.log(s)
        P = e / s
        Y = (np.arange(k) == labels[:, None]).astype(float)
        J0 = -(Y * log_p).sum(axis=1)
        J = J0.mean()
        dJ0 = np.full(N, 1.0 / N)
        dP = dJ0[:, None] * (-Y / np.maximum(P, DENOMINATOR_FLOOR))      # the edge p → J₀
        dL = dJ0[:, None] * (P * Y.sum(axis=1, keepdims=True) - Y)      # fused: (p − y)/N
        dW2, dB2, dH = H.T @ dL, dL.sum(axis=0), dL @ W2.T
        dA = dH * g_local(A, H)
        dW1, dB1, dX = X.T @ dA, dA.sum(axis=0), dA @ W1.T
        kept[:] = A, H, L, log_p, P, J0, J, dJ0, dP, dL, dW2, dB2, dH, dA, dW1, dB1, dX
        shares = {(Xn.id, A1n.id, 0): dX, (W1n.id, A1n.id, 1): dW1, (B1n.id, A1n.id, 2): dB1,
                  (A1n.id, Hn.id, 0): dA, (Hn.id, Ln.id, 0): dH, (W2n.id, Ln.id, 1): dW2,
                  (B2n.id, Ln.id, 2): dB2, (Ln.id, pn.id, 0): dL, (pn.id, J0n.id, 0): dP, (J0n.id, Jn.id, 0): dJ0}
        return [dW1, dB1, dW2, dB2] + [shares[key] for key in sorted(shares)]

    def autograd_loss(anp):
        Y = np.eye(k)[labels]

        def loss(params):
            W1, B1, W2, B2 = params
            A = anp.dot(X, W1) + B1
            H = anp.tanh(A) if activation == "tanh" else anp.maximum(A, 0.0)
            L = anp.dot(H, W2) + B2
            shifted = L - anp.max(L, axis=1, keepdims=True)
            log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
            return anp.mean(-anp.sum(Y * log_p, axis=1))
        return loss, [W1, B1, W2, B2]

    def torch_step(torch):
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W1, B1, W2, B2)]
        tX, tl = torch.tensor(X, dtype=torch.float64), torch.tensor(labels)
        fn = torch.tanh if activation == "tanh" else torch.relu

        def step():
            tW1, tB1, tW2, tB2 = leaves
            for t in leaves:
                t.grad = None
            torch.nn.functional.cross_entropy(fn(tX @ tW1 + tB1) @ tW2 + tB2, tl).backward()
            return [t.grad for t in leaves]
        return step

    title = f"{n}-{h}-{k} {activation}/softmax/CCE, {N}"
    return Case(title, target, run, numpy_user, run_all, numpy_all, autograd_loss, torch_step)


# ---------------------------------------------------------------------------- timing


def contenders(case):
    """name -> a zero-argument function doing forward + backward, for whatever is installed."""
    found = {"numpy": case.numpy_user, "graphjac": case.graphjac,
             "numpy (everything)": case.numpy_all, "graphjac (everything)": case.graphjac_all}
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        pass
    else:
        loss, params = case.autograd_loss(anp)
        gradient = autograd.grad(loss)
        found["autograd"] = lambda: gradient(params)
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        found["pytorch"] = case.torch_step(torch)
    return found


def agree(found):
    """The contenders compute the same gradients (else the comparison would mean nothing)."""
    def arrays(run):
        return [v.detach().numpy() if hasattr(v, "detach") else np.asarray(v) for v in run()]

    pairs = [("numpy", name) for name in found if "everything" not in name]
    pairs.append(("numpy (everything)", "graphjac (everything)"))
    for reference, name in pairs:
        expected, got = arrays(found[reference]), arrays(found[name])
        assert len(expected) == len(got), name
        for mine, ref in zip(got, expected):
            np.testing.assert_allclose(mine, ref, rtol=1e-7, atol=1e-12, err_msg=name)


def best_times(found, rounds, budget):
    """Minimum seconds per call of each contender, the contenders taking turns in every round."""
    calls = {}
    for name, run in found.items():   # as many calls per round as fill the round's share of the budget
        start, count = time.perf_counter(), 0
        while count == 0 or (time.perf_counter() - start < budget / rounds / len(found) and count < 10000):
            run()
            count += 1
        calls[name] = count
    best = dict.fromkeys(found, float("inf"))
    for i in range(rounds):
        for name, run in list(found.items())[::-1 if i % 2 else 1]:   # first place taken in turn
            start = time.perf_counter()
            for _ in range(calls[name]):
                run()
            best[name] = min(best[name], (time.perf_counter() - start) / calls[name])
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller budget (a rough figure)")
    args = parser.parse_args()
    rounds, budget = (3, 1.5) if args.quick else (9, 8.0)
    rng = np.random.default_rng(0)
    cases = [neuron_case(rng), mlp_case(rng, 784, 128, 10, 256, "tanh", 1.10),
             mlp_case(rng, 1024, 1024, 10, 1024, "relu", 1.10)]
    rows = []
    for case in cases:
        found = contenders(case)
        agree(found)
        best = best_times(found, rounds, budget)
        ratio = best["graphjac"] / best["numpy"]
        everything = best["graphjac (everything)"] / best["numpy (everything)"]
        row = [case.title, _us(best["numpy"]), _us(best["graphjac"]), f"{ratio:.2f}×",
               f"≤ {case.target:.2f}× {'ok' if ratio <= case.target else 'MISSED'}",
               _us(best["numpy (everything)"]), _us(best["graphjac (everything)"]), f"{everything:.2f}×"]
        for name in ("autograd", "pytorch"):
            if name in best:
                row += [f"{name} {_us(best[name])}", f"{best[name] / best['numpy']:.2f}×"]
        rows.append(row)
    print(f"numpy {np.__version__}, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}; "
          f"best of {rounds} rounds per forward + backward; ratio = time / numpy time\n"
          "user: J and ∂J/∂ the parameters, as a user writes it; everything: every node's and edge's gradient\n")
    header = ["case", "numpy (user)", "graphjac", "ratio", "target",
              "numpy (everything)", "graphjac (everything)", "ratio"]
    header += ["other", "ratio"] * ((max(map(len, rows)) - len(header)) // 2)
    widths = [max(len(r[i]) for r in rows + [header] if i < len(r)) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))))


# ---------------------------------------------------------------------------- the course's ops against PyTorch

COURSE_TARGET = 3.0   # forward + backward at most 3× PyTorch on the CPU in float64


def course_cases(rng):
    """(title, graphjac run, torch run): conv2d on a 64 × 1 × 28 × 28 minibatch with eight 3 × 3
    kernels, max_pool2d on its output, attention of 64 tokens of width 32; each forward + backward
    to ∂J/∂ the parameters, J = Σ out ⊙ R."""
    import torch

    cases = []
    x = rng.normal(size=(64, 1, 28, 28))
    k = rng.normal(size=(8, 1, 3, 3)) * 0.3
    b = rng.normal(size=8)
    conv_R = rng.normal(size=(64, 8, 26, 26))
    pool_in = rng.normal(size=(64, 8, 26, 26))
    pool_R = rng.normal(size=(64, 8, 13, 13))
    Q, K, V = (rng.normal(size=(64, 32)) for _ in range(3))
    att_R = rng.normal(size=(64, 32))

    def graph_of(build):
        g = gj.Graph("course")
        J = build(g)
        return g, J

    def conv_graph(g):
        y = g.conv2d(g.input("X", x, batch=True), g.param("K", k), g.param("b", b))
        return g.sum(g.mul(y, g.input("R", conv_R, batch=True)))

    def pool_graph(g):
        y = g.max_pool2d(g.param("H", pool_in[0]), 2)
        return g.sum(g.mul(y, g.const(pool_R[0])))

    def pool_batch_graph(g):
        H = g.input("H", pool_in, batch=True)
        y = g.max_pool2d(H, 2)
        return g.sum(g.mul(y, g.input("R", pool_R, batch=True)))

    def attention_graph(g):
        q, kk, v = g.param("Q", Q), g.param("K", K), g.param("V", V)
        A = g.softmax(g.div(g.matmul(q, g.transpose(kk)), float(np.sqrt(32))), axis=-1)
        return g.sum(g.mul(g.matmul(A, v), g.const(att_R)))

    def runner(build, read):
        g, J = graph_of(build)

        def run():
            g.forward()
            g.backward(J)
            return [g.grad(name) for name in read]
        return run

    t = {name: torch.tensor(value, dtype=torch.float64) for name, value in
         dict(x=x, k=k, b=b, conv_R=conv_R, pool_in=pool_in, pool_R=pool_R, Q=Q, K=K, V=V, att_R=att_R).items()}

    def torch_conv():
        kk, bb = t["k"].clone().requires_grad_(), t["b"].clone().requires_grad_()
        (torch.nn.functional.conv2d(t["x"], kk, bb) * t["conv_R"]).sum().backward()
        return [kk.grad, bb.grad]

    def torch_pool():
        h = t["pool_in"].clone().requires_grad_()
        (torch.nn.functional.max_pool2d(h, 2) * t["pool_R"]).sum().backward()
        return [h.grad]

    def torch_attention():
        q, kk, v = (t[n].clone().requires_grad_() for n in ("Q", "K", "V"))
        A = torch.softmax(q @ kk.T / np.sqrt(32), dim=-1)
        ((A @ v) * t["att_R"]).sum().backward()
        return [q.grad, kk.grad, v.grad]

    def pool_input_grad(build):
        g, J = graph_of(build)

        def run():
            g.forward()
            g.backward(J)
            return [g.grad("H")]
        return run

    cases.append(("conv2d 64×1×28×28, 8 kernels 3×3", runner(conv_graph, ("K", "b")), torch_conv))
    cases.append(("max_pool2d 2×2 of its output", pool_input_grad(pool_batch_graph), torch_pool))
    cases.append(("attention, 64 tokens of width 32", runner(attention_graph, ("Q", "K", "V")), torch_attention))
    return cases


def course(rounds):
    """Print graphjac's time against PyTorch's for each course op; check they agree first."""
    try:
        import torch
    except ImportError:
        print("\n(PyTorch is not installed: the course ops' comparison is left out)")
        return
    torch.set_num_threads(1)
    rows = []
    for title, ours, theirs in course_cases(np.random.default_rng(1)):
        for a, b in zip(ours(), theirs()):
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-8, atol=1e-10)
        best = best_times({"graphjac": ours, "pytorch": theirs}, rounds, 4.0)
        ratio = best["graphjac"] / best["pytorch"]
        rows.append((title, _us(best["pytorch"]), _us(best["graphjac"]), f"{ratio:.2f}×",
                     f"≤ {COURSE_TARGET:.1f}× {'ok' if ratio <= COURSE_TARGET else 'MISSED'}"))
    print(f"\nthe course's ops, forward + backward in float64, against PyTorch {torch.__version__} "
          "(one thread each):")
    header = ("case", "pytorch", "graphjac", "ratio", "target")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))))
    course(rounds)


def _us(seconds):
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
