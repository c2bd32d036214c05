"""Forward + backward: graphjac against hand-written numpy doing the same math, side by side.

    python3 benchmarks/engine.py [--quick]

Each case is timed in one process, the implementations taking turns, and the best (minimum)
time per call of several rounds is kept. The numpy reference computes what graphjac's backward
gives: ∂J/∂ every node on the differentiable path (the inputs X included) and the edge share
p → J₀ of CCE (−y/p, clamped) next to the fused ∂J/∂l = (p − y)/N, with the same stable
sigmoid and softmax and the same PyTorch-like clamps; like graphjac, it keeps the arrays of
its last pass alive (else freeing and re-faulting large arrays makes numpy look slow). BLAS
runs on one thread (set OPENBLAS_NUM_THREADS and friends to change that). autograd (and
PyTorch, when importable) differentiate the same function with respect to the same leaves.
Targets (issue 2): neuron ≤ 2.0× numpy, 784-128-10 model ≤ 1.15× numpy.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # one BLAS thread for all: the ratios measure the engine, not the scheduler

import numpy as np  # noqa: E402  (after the thread settings)

import graphjac as gj  # noqa: E402

LOG_FLOOR, DENOMINATOR_FLOOR = np.exp(-100.0), 1e-12


# ---------------------------------------------------------------------------- case 1: one neuron


def neuron_case(rng):
    """z = Xw + b, a = σ(z), J₀ = BCE(y, a), J = mean J₀ on a 64×3 minibatch."""
    X, y = rng.normal(size=(64, 3)), rng.integers(0, 2, 64).astype(float)
    w, b = rng.normal(size=3), 0.1

    g = gj.Graph("neuron")
    Xn, yn = g.input("X", X, batch=True), g.input("y", y, batch=True)
    wn, bn = g.param("w", w), g.param("b", b)
    J = g.mean(g.loss(g.activation(g.neuron(Xn, wn, bn), "sigmoid"), yn, "bce"))

    def graphjac():
        g.forward()
        g.backward(J)
        return g.grad(wn), g.grad(bn), g.grad(Xn)

    kept = []   # like graphjac, numpy keeps the values and gradients of its last pass

    def numpy():
        z = X @ w + b
        e = np.exp(-np.abs(z))
        r = 1.0 / (1.0 + e)
        a = np.where(z >= 0, r, e * r)
        J0 = -(y * np.log(np.maximum(a, LOG_FLOOR)) + (1.0 - y) * np.log(np.maximum(1.0 - a, LOG_FLOOR)))
        J = J0.mean()
        dJ0 = np.full(64, 1.0 / 64)
        da = dJ0 * (a - y) / np.maximum(a * (1.0 - a), DENOMINATOR_FLOOR)
        dz = da * (a * (1.0 - a))
        dw, db, dX = dz @ X, dz.sum(), dz[:, None] * w
        kept[:] = z, a, J0, J, dJ0, da, dz, dw, db, dX
        return dw, db, dX

    def autograd_loss(anp):
        def loss(params):
            w, b, X = params
            z = anp.dot(X, w) + b
            e = anp.exp(-anp.abs(z))
            a = anp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            return anp.mean(-(y * anp.log(anp.maximum(a, LOG_FLOOR))
                              + (1.0 - y) * anp.log(anp.maximum(1.0 - a, LOG_FLOOR))))
        return loss, (w, np.float64(b), X)

    def torch_loss(torch):
        tw, tb, tX = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w, b, X))
        ty = torch.tensor(y, dtype=torch.float64)

        def step():
            for t in (tw, tb, tX):
                t.grad = None
            loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(tX @ tw + tb), ty)
            loss.backward()
            return tw.grad, tb.grad, tX.grad
        return step

    return "one sigmoid neuron + BCE, 64×3", 2.0, graphjac, numpy, autograd_loss, torch_loss


# ---------------------------------------------------------------------------- case 2: 784-128-10


def mlp_case(rng):
    """H = tanh(XW₁ + B₁), p = softmax(HW₂ + B₂), J₀ = CCE(y, p) with class indices, J = mean J₀."""
    n, h, k, N = 784, 128, 10, 256
    X, labels = rng.normal(size=(N, n)), rng.integers(0, k, N)
    W1, B1 = rng.normal(size=(n, h)) / np.sqrt(n), np.zeros(h)
    W2, B2 = rng.normal(size=(h, k)) / np.sqrt(h), np.zeros(k)

    g = gj.Graph("784-128-10")
    Xn, yn = g.input("X", X, batch=True), g.input("y", labels, batch=True)
    W1n, B1n, W2n, B2n = g.param("W1", W1), g.param("B1", B1), g.param("W2", W2), g.param("B2", B2)
    H = g.activation(g.dense(Xn, W1n, B1n), "tanh")
    p = g.activation(g.dense(H, W2n, B2n), "softmax")
    J = g.mean(g.loss(p, yn, "cce"))

    def graphjac():
        g.forward()
        g.backward(J)
        return g.grad(W1n), g.grad(B1n), g.grad(W2n), g.grad(B2n), g.grad(Xn)

    kept = []   # like graphjac, numpy keeps the values and gradients of its last pass

    def numpy():
        A1 = X @ W1 + B1
        H = np.tanh(A1)
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
        dL = dJ0[:, None] * (P * Y.sum(axis=1, keepdims=True) - Y)  # fused: (p − y)/N
        dW2, dB2, dH = H.T @ dL, dL.sum(axis=0), dL @ W2.T
        dA1 = dH * ((1.0 + H) * (1.0 - H))
        dW1, dB1, dX = X.T @ dA1, dA1.sum(axis=0), dA1 @ W1.T
        kept[:] = A1, H, L, log_p, P, J0, J, dJ0, dP, dL, dW2, dB2, dH, dA1, dW1, dB1, dX
        return dW1, dB1, dW2, dB2, dX

    def autograd_loss(anp):
        Y = np.eye(k)[labels]

        def loss(params):
            W1, B1, W2, B2, X = params
            L = anp.dot(anp.tanh(anp.dot(X, W1) + B1), W2) + B2
            shifted = L - anp.max(L, axis=1, keepdims=True)
            log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
            return anp.mean(-anp.sum(Y * log_p, axis=1))
        return loss, (W1, B1, W2, B2, X)

    def torch_loss(torch):
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W1, B1, W2, B2, X)]
        tl = torch.tensor(labels)

        def step():
            tW1, tB1, tW2, tB2, tX = leaves
            for t in leaves:
                t.grad = None
            logits = torch.tanh(tX @ tW1 + tB1) @ tW2 + tB2
            torch.nn.functional.cross_entropy(logits, tl).backward()
            return [t.grad for t in leaves]
        return step

    return "784-128-10 tanh/softmax/CCE, 256", 1.15, graphjac, numpy, autograd_loss, torch_loss


# ---------------------------------------------------------------------------- timing


def contenders(case):
    """name -> a zero-argument function doing forward + backward, for whatever is installed."""
    title, target, graphjac, numpy, autograd_loss, torch_loss = case
    found = {"numpy": numpy, "graphjac": graphjac}
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        pass
    else:
        loss, params = autograd_loss(anp)
        gradient = autograd.grad(loss)
        found["autograd"] = lambda: gradient(params)
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        found["pytorch"] = torch_loss(torch)
    return title, target, found


def agree(found):
    """The contenders compute the same gradients (else the comparison would mean nothing)."""
    reference = [np.asarray(v) for v in found["numpy"]()]
    for name, run in found.items():
        for mine, ref in zip(run(), reference):
            mine = mine.detach().numpy() if hasattr(mine, "detach") else np.asarray(mine)
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
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a rough figure in a second)")
    args = parser.parse_args()
    rounds, budget = (3, 1.0) if args.quick else (9, 6.0)
    rng = np.random.default_rng(0)
    rows = []
    for case in (neuron_case(rng), mlp_case(rng)):
        title, target, found = contenders(case)
        agree(found)
        best = best_times(found, rounds, budget)
        ratio = best["graphjac"] / best["numpy"]
        row = [title, _us(best["numpy"]), _us(best["graphjac"]), f"{ratio:.2f}×",
               f"≤ {target:.2f}× {'ok' if ratio <= target else 'MISSED'}"]
        for name in [n for n in found if n not in ("numpy", "graphjac")]:
            row += [f"{name} {_us(best[name])}", f"{best[name] / best['numpy']:.2f}×"]
        rows.append(row)
    print(f"numpy {np.__version__}, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}; "
          f"best of {rounds} rounds per forward + backward; ratio = time / numpy time\n")
    header = ["case", "numpy", "graphjac", "ratio", "target"] + ["other", "ratio"] * ((max(map(len, rows)) - 5) // 2)
    widths = [max(len(r[i]) for r in rows + [header] if i < len(r)) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))))


def _us(seconds):
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
