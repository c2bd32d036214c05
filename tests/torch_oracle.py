"""Any graphjac graph computed again by torch, node by node, from each op's declared reference
(``Op.reference``: torch's own function for it), and differentiated by ``torch.autograd``: an
independent check of every value and every ∂J/∂ leaf, in float64."""

from __future__ import annotations

import numpy as np
import torch

from graphjac.core.ops import REGISTRY


def torch_pass(graph):
    """(values by node name, ∂J/∂ every param and input by name) computed by torch."""
    records = graph.records()
    tensors, batch = {}, {}
    leaves = {}
    for r in records:
        batch[r.id] = r.batch
        if r.op is None:
            tensor = torch.tensor(np.asarray(r.value, dtype=float), dtype=torch.float64,
                                  requires_grad=r.kind in ("param", "input"))
            tensors[r.id] = tensor
            if r.kind != "const":
                leaves[r.name] = tensor
            continue
        op = REGISTRY[r.op]
        operands = [tensors[i] for i in r.inputs]
        flags = [records[i].batch for i in r.inputs]
        if not r.batch or op.mixes_samples:
            tensors[r.id] = op.reference(torch, *operands, **_attrs(r))
        else:
            n = next(t.shape[0] for t, b in zip(operands, flags) if b)
            tensors[r.id] = torch.stack([op.reference(torch, *[t[s] if b else t for t, b in zip(operands, flags)],
                                                      **_attrs(r)) for s in range(n)])
    target = tensors[graph.target.id]
    target.backward()
    values = {r.name: tensors[r.id].detach().numpy() for r in records}
    grads = {name: None if t.grad is None else t.grad.numpy() for name, t in leaves.items()}
    return values, grads


def _attrs(record):
    return {k: v for k, v in record.attrs.items() if v is not None}


def assert_matches_torch(graph, rtol=1e-8):
    """Every value and every leaf's gradient of ``graph`` equal torch's (the reference ops')."""
    graph.backward(graph.target)
    values, grads = torch_pass(graph)
    for name, expected in values.items():
        np.testing.assert_allclose(graph.value(name), expected, rtol=rtol, atol=1e-12, err_msg=f"value of {name}")
    for name, expected in grads.items():
        mine = graph.grad(name)
        if mine is None:     # only a loss's target (or a class label) may carry no gradient
            record = graph.record(name)
            uses = [(r.op, k) for r in graph.records() for k, i in enumerate(r.inputs) if i == record.id]
            assert all(not REGISTRY[op].slots[k].differentiable for op, k in uses), f"∂J/∂{name} is None"
            continue
        np.testing.assert_allclose(mine, expected, rtol=rtol, atol=1e-12, err_msg=f"∂J/∂{name}")
