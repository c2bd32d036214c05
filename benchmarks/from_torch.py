"""gj.from_torch on a 20-layer Sequential against what a PyTorch user pays to get the same
numbers: torch.fx's own trace of the model plus one forward and backward pass in float64.

    python3 benchmarks/from_torch.py [--layers 20] [--width 16] [--batch 32] [--repeat 7]

Both run in turns, each keeping its best time; graphjac's side is ``from_torch`` followed by
its own forward and backward pass (every value and ∂J/∂· a figure shows). Target: ≤ 2×.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
from torch import fx, nn

import graphjac as gj


def model(layers: int, width: int) -> nn.Sequential:
    parts = []
    for k in range(layers):
        parts += [nn.Linear(width, width), nn.Tanh() if k % 2 else nn.ReLU()]
    return nn.Sequential(*parts, nn.Linear(width, 1), nn.Sigmoid()).double()


def torch_side(net, X, y, loss):
    traced = fx.symbolic_trace(net)
    net.zero_grad()
    loss(traced(X), y).backward()


def graphjac_side(net, X, y, loss):
    graph = gj.from_torch(net, X, loss, y)
    graph.backward(graph.target)


def best(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=20)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    torch.manual_seed(0)
    net = model(args.layers, args.width)
    X = torch.randn(args.batch, args.width, dtype=torch.float64)
    y = torch.rand(args.batch, 1, dtype=torch.float64)
    loss = nn.BCELoss()
    graphjac_side(net, X, y, loss)         # imports and first calls, not counted
    torch_side(net, X, y, loss)
    ours, theirs = [], []
    for _ in range(args.repeat):
        ours.append(best(graphjac_side, net, X, y, loss))
        theirs.append(best(torch_side, net, X, y, loss))
    ratio = min(ours) / min(theirs)
    print(f"{args.layers}-layer Sequential ({args.width} wide, batch {args.batch}), best of {args.repeat}:")
    print(f"  torch.fx trace + forward + backward: {min(theirs) * 1e3:8.2f} ms")
    print(f"  gj.from_torch + forward + backward:  {min(ours) * 1e3:8.2f} ms")
    print(f"  ratio {ratio:.2f}× (target ≤ 2)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
