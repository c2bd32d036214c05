"""The nine small models a lecturer already has, as the from_torch tests, benchmarks and the
legibility check build them: (model, example inputs, loss, target), seeded, in float64."""

from __future__ import annotations

import torch
from torch import nn


def _readme_cnn():
    """The CNN the README draws (docs/torch_cnn.py): the tests hold that very model to torch."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "docs" / "torch_cnn.py"
    spec = importlib.util.spec_from_file_location("torch_cnn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CNN


CNN = _readme_cnn()


class Recurrent(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = getattr(nn, kind)(2, 3, batch_first=True)
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4)

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5
        return (torch.softmax(scores, dim=-1) @ v).sum()


class Embedded(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(6, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, ids):
        return self.norm(self.embed(ids)).mean(dim=1)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.bn, self.fc2 = nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Linear(3, 3)

    def forward(self, x):
        return x + self.fc2(torch.relu(self.bn(self.fc1(x))))


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.drop = nn.Linear(3, 3), nn.Dropout(0.5)

    def forward(self, x):
        return self.fc(self.drop(torch.tanh(self.fc(x))))


class Swish(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * (s + x * s * (1 - s))


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return Swish.apply(self.fc(x))


def models():
    """name -> (model, example_inputs, loss, target), each made afresh from seed 0."""
    torch.manual_seed(0)
    made = {}
    made["cnn"] = (CNN(), torch.randn(1, 1, 6, 6), nn.CrossEntropyLoss(), torch.tensor([1]))
    for kind in ("RNN", "LSTM", "GRU"):
        made[kind.lower()] = (Recurrent(kind), torch.randn(2, 3, 2), nn.MSELoss(), torch.randn(2, 1))
    made["transformer"] = (nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
                           torch.randn(2, 3, 4), nn.MSELoss(), torch.randn(2, 3, 4))
    made["attention"] = (Attention(), torch.randn(2, 3, 4), None, None)
    made["embedding"] = (Embedded(), torch.tensor([[1, 3, 5], [0, 2, 2]]), nn.MSELoss(), torch.randn(2, 4))
    made["residual"] = (Residual().train(), torch.randn(4, 3), nn.MSELoss(), torch.randn(4, 3))
    made["shared"] = (Shared().eval(), torch.randn(2, 3), nn.MSELoss(), torch.randn(2, 3))
    made["custom"] = (Custom(), torch.randn(3, 3), nn.MSELoss(), torch.randn(3, 2))
    return made


def torch_gradients(model, inputs, loss, target):
    """J and ∂J/∂ every parameter by torch.autograd, in float64 on a copy of the model."""
    import copy
    model = copy.deepcopy(model).double()
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    inputs = tuple(x.double() if x.is_floating_point() else x for x in inputs)
    out = model(*inputs)
    if loss is not None:
        out = loss(out, target.double() if target.is_floating_point() else target)
    model.zero_grad()
    out.backward()
    return float(out.detach()), {name: p.grad.numpy() for name, p in model.named_parameters()}
