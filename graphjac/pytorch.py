"""A PyTorch model as a graphjac Graph: ``gj.from_torch(model, example_inputs, loss=…, target=…)``.

The model is traced with ``torch.fx`` and every traced call becomes the graphjac op that
computes the same thing, so the figure reads like the lecture (a Linear is one dense node
``L = XW + B``, or its matmul and add gates with ``expand=True``), not like autograd's
``AccumulateGrad`` boxes. Values are taken from the model in float64; forward values and ∂J/∂·
equal ``torch.autograd``'s on the same inputs.

- A model's input ``x`` of shape (N, …) is a minibatch (axis 0 the samples), drawn as X.
- A parameter is a param node named after its module path (``0.weight``), drawn with the
  lecture's symbols (W₁, B₁ for the first Linear). A Linear's node holds W = weightᵀ (one
  neuron's w⃗ per column, as the lecture writes it), so ∂J/∂W = (∂J/∂weight)ᵀ.
- ``loss``: ``nn.MSELoss``, ``nn.BCELoss``, ``nn.BCEWithLogitsLoss``, ``nn.CrossEntropyLoss``
  (class indices or probabilities), with ``reduction`` "mean" or "sum"; or None, when the
  model's output is the scalar J.
- A module or function graphjac has no op for is an error naming it and its place
  (``torch.nn.Conv2d at layer '3': no graphjac op; …``), never a silent wrong graph. An op of
  your own (:func:`graphjac.define_op`) stands for a torch function through ``ops=``.

torch is an optional extra (``pip install graphjac[torch]``); importing graphjac never imports it.
"""

from __future__ import annotations

import operator
from functools import lru_cache
from typing import Optional

import numpy as np

from .errors import GraphjacError

ACTIVATION_MODULES = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softplus": "softplus",
                      "LeakyReLU": "leaky_relu", "Identity": None}
LOSS_MODULES = ("MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss")


def from_torch(model, example_inputs, loss=None, target=None, *, expand: bool = False, ops: Optional[dict] = None,
               name: Optional[str] = None, names: Optional[dict] = None, labels: Optional[dict] = None,
               groups: Optional[dict] = None, render_options: Optional[dict] = None):
    """The Graph of ``model`` run on ``example_inputs`` (a tensor or a tuple of them), with the
    loss J = ``loss(model(*inputs), target)`` as its target (``loss=None``: the output is J).

    ``expand``: a Linear as its matmul and add gates instead of one dense node. ``ops``: torch
    functions mapped to ops defined with :func:`graphjac.define_op` (``{torch.sinh: "sinh"}``).
    ``names`` renames nodes (``{"0.weight": "W1"}``), ``labels`` sets their LaTeX (None: drawn
    from the name), ``groups`` puts them in boxes (``{"W1": "Model"}``), all keyed by the names
    the graph would otherwise have; ``render_options`` are stored as a spec's ``render:``.
    """
    torch = _torch()
    from torch import fx
    from .graph import Graph

    inputs = example_inputs if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    try:
        traced = fx.symbolic_trace(model)
    except Exception as exc:   # fx raises TraceError, TypeError, … for control flow on values
        raise GraphjacError(f"from_torch: torch.fx cannot trace {type(model).__name__} ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}); write forward without "
                            f"Python control flow on tensor values") from None
    graph = Graph(name or type(model).__name__)
    builder = _Builder(graph, traced, torch, expand, dict(ops or {}))
    builder.inputs([node for node in traced.graph.nodes if node.op == "placeholder"], inputs)
    if loss is not None:
        if target is None:
            raise GraphjacError("from_torch: a loss needs its target (the labels y)")
        builder.target = builder.leaf("y", target, kind="input")
    builder.parameters()
    output = builder.run(predicts=type(loss).__name__ in ("MSELoss", "BCELoss"))   # else J's softmax or σ is ŷ
    if loss is not None:
        output = builder.loss(loss, output)
    elif graph.record(output).shape != ():
        raise GraphjacError(f"from_torch: the model's output has shape {tuple(graph.record(output).shape)}; give "
                            f"loss= and target= (an nn.MSELoss, …) or a model whose output is the scalar J")
    graph.target = output
    if render_options is not None:
        graph.render_options = render_options
    return _dressed(graph, names or {}, labels or {}, groups or {}) if names or labels or groups else graph


def _dressed(graph, names, labels, groups):
    """``graph`` with nodes renamed, relabelled and grouped: its spec (plain data) changed and read back."""
    spec = graph.to_spec()
    unknown = (set(names) | set(labels) | set(groups)) - {node["name"] for node in spec["nodes"]}
    if unknown:
        raise GraphjacError(f"from_torch: no node named {', '.join(map(repr, sorted(unknown)))} (the nodes: "
                            f"{', '.join(node['name'] for node in spec['nodes'])})")
    for node in spec["nodes"]:
        old = node["name"]
        if old in labels:
            node.pop("label", None)
            if labels[old] is not None:
                node["label"] = labels[old]
        if old in groups:
            node["group"] = groups[old]
        node["name"] = names.get(old, old)
        if "inputs" in node:
            node["inputs"] = [names.get(source, source) for source in node["inputs"]]
    spec["target"] = names.get(spec["target"], spec["target"])
    return type(graph).from_spec(spec)


@lru_cache(maxsize=1)
def _calls(torch) -> dict:
    """Torch function or tensor method (by name) -> (kind, graphjac op): what each call becomes."""
    calls = {}
    for kind, pairs in {
        "binary": [(operator.add, "add"), (operator.sub, "sub"), (operator.mul, "mul"), (operator.truediv, "div"),
                   (operator.matmul, "matmul"), (torch.add, "add"), (torch.sub, "sub"), (torch.mul, "mul"),
                   (torch.div, "div"), (torch.matmul, "matmul"), (torch.maximum, "maximum"),
                   (torch.minimum, "minimum")],
        "unary": [(operator.neg, "neg"), (torch.neg, "neg"), (torch.exp, "exp"), (torch.log, "log"),
                  (torch.sqrt, "sqrt"), (torch.abs, "abs"), (torch.sin, "sin"), (torch.cos, "cos")],
        "activation": [(torch.tanh, "tanh"), (torch.sigmoid, "sigmoid"), (torch.relu, "relu")],
        "pow": [(operator.pow, "pow"), (torch.pow, "pow")],
        "reduce": [(torch.sum, "sum"), (torch.mean, "mean")],
        "transpose": [(torch.transpose, "transpose"), (torch.t, "transpose")],
        "softmax": [(torch.softmax, "softmax"), (torch.nn.functional.softmax, "softmax")],
    }.items():
        for target, op in pairs:
            calls[target] = (kind, op)
            calls.setdefault(getattr(target, "__name__", op), (kind, op))   # the tensor method x.exp()
    calls.update({"add": ("binary", "add"), "sub": ("binary", "sub"), "mul": ("binary", "mul"),
                  "div": ("binary", "div"), "matmul": ("binary", "matmul"), "t": ("transpose", "transpose")})
    return calls


def _hashable(target) -> bool:
    try:
        hash(target)
        return True
    except TypeError:
        return False


def _torch():
    try:
        import torch
    except ImportError:
        raise GraphjacError("from_torch needs PyTorch: pip install 'graphjac[torch]' (or pip install torch)") from None
    return torch


class _Builder:
    """Walks the traced graph once, adding a graphjac node per traced call."""

    def __init__(self, graph, traced, torch, expand, ops):
        self.graph, self.traced, self.torch, self.expand, self.ops = graph, traced, torch, expand, ops
        self.nodes = {}          # fx node -> graphjac node
        self.batch = False
        self.linears = [name for name, module in traced.named_modules() if type(module).__name__ == "Linear"]
        self.params = {}         # torch parameter name -> graphjac node
        self.target = None
        self.counts = {}

    # leaves ------------------------------------------------------------------------------

    def array(self, tensor, what):
        if not isinstance(tensor, self.torch.Tensor):
            raise GraphjacError(f"from_torch: {what} must be a tensor; got {type(tensor).__name__}")
        if tensor.is_complex():
            raise GraphjacError(f"from_torch: {what} holds complex numbers")
        return tensor.detach().to(self.torch.float64).cpu().numpy()

    def leaf(self, name, tensor, kind):
        array = self.array(tensor, f"{kind} {name!r}")
        if kind == "input":
            batch = array.ndim >= 2 or (name == "y" and self.batch and array.ndim == 1)
            self.batch = self.batch or batch
            return self.graph.input(name, array, batch=batch)
        return self.graph.param(name, array, label=self.symbol(name))

    def inputs(self, placeholders, tensors):
        if len(placeholders) != len(tensors):
            raise GraphjacError(f"from_torch: the model takes {len(placeholders)} input(s); "
                                f"example_inputs holds {len(tensors)}")
        names = ["X"] if len(placeholders) == 1 and tensors[0].ndim >= 2 else [p.name for p in placeholders]
        for placeholder, name, tensor in zip(placeholders, names, tensors):
            self.nodes[placeholder] = self.leaf(name, tensor, "input")

    def parameters(self):
        """Every parameter, in module order (W₁, B₁, W₂, …), before any op: the lecture's order."""
        for name, parameter in self.traced.named_parameters():
            module_path, _, kind = name.rpartition(".")
            if module_path in self.linears and kind == "weight":
                self.params[name] = self.graph.param(name, self.array(parameter, name).T.copy(),
                                                     label=self.symbol(name))
            else:
                self.params[name] = self.leaf(name, parameter, "param")

    def symbol(self, name):
        """The lecture's symbol of a parameter: W_{k}, B_{k} for the k-th Linear (W, B for one)."""
        module_path, _, kind = name.rpartition(".")
        if module_path in self.linears and kind in ("weight", "bias"):
            letter = "W" if kind == "weight" else "B"
            return letter if len(self.linears) == 1 else f"{letter}_{{{self.linears.index(module_path) + 1}}}"
        return None

    # ops ---------------------------------------------------------------------------------

    def run(self, predicts=False):
        """The graphjac node of the model's output (named ŷ when ``predicts``: the loss compares it with y)."""
        output = None
        last = next(node.args[0] for node in self.traced.graph.nodes if node.op == "output")
        self.prediction = last if predicts and isinstance(last, self.torch.fx.Node) else None
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                continue
            if node.op == "output":
                output = self.value(node.args[0])
                continue
            self.nodes[node] = self.call(node)
        return output

    def value(self, argument):
        if isinstance(argument, self.torch.fx.Node):
            return self.nodes[argument]
        if isinstance(argument, (int, float)) and not isinstance(argument, bool):
            return argument
        if isinstance(argument, (str, tuple, type(None))):   # an attribute's name (x.T), dims, None
            return argument
        raise GraphjacError(f"from_torch: an argument {argument!r} that is neither a tensor nor a number")

    def fresh(self, base):
        self.counts[base] = self.counts.get(base, 0) + 1
        return f"{base}{self.counts[base]}"

    def named(self, node, base, symbol, count=None):
        """(name, label) of a layer's result: the lecture's symbol (l⃗₁, h⃗₁), ŷ for the prediction."""
        if node is self.prediction:
            return "y_hat", r"\hat{y}"
        k = self.fresh(base)[len(base):] if count is None else str(count)
        single = count is not None and len(self.linears) == 1
        return (base, rf"\vec{{{symbol}}}") if single else (f"{base}{k}", rf"\vec{{{symbol}}}_{{{k}}}")

    def call(self, node):
        if node.op == "get_attr":
            name = node.target
            if name in self.params:
                return self.params[name]
            return self.graph.const(self.array(self.traced.get_buffer(name) if name in dict(self.traced.named_buffers())
                                               else getattr(self.traced, name), name), name=name)
        if node.op == "call_module":
            return self.module(node, self.traced.get_submodule(node.target))
        if node.op == "call_function":
            return self.function(node, node.target, f"torch function {getattr(node.target, '__name__', node.target)}")
        if node.op == "call_method":
            return self.function(node, node.target, f"tensor method .{node.target}()")
        raise GraphjacError(f"from_torch: a traced {node.op} at {node.name!r} has no graphjac op")

    def module(self, node, module):
        kind = type(module).__name__
        (x,) = [self.value(a) for a in node.args]
        g = self.graph
        if kind == "Linear":
            prefix = node.target
            W, B = self.params[f"{prefix}.weight"], self.params.get(f"{prefix}.bias")
            k = self.linears.index(prefix) + 1
            name, label = self.named(node, "l", "l", count=k)
            if B is None:
                return g.matmul(x, W, name=name, label=label)
            if self.expand:
                return g.add(g.matmul(x, W, name=f"xW{k}"), B, name=name, label=label)
            return g.dense(x, W, B, name=name, label=label)
        if kind in ACTIVATION_MODULES:
            function = ACTIVATION_MODULES[kind]
            if function is None:
                return x
            attrs = {"slope": module.negative_slope} if kind == "LeakyReLU" else {}
            if kind == "Softplus" and (module.beta != 1):
                raise GraphjacError(f"from_torch: torch.nn.Softplus at layer {node.target!r}: beta={module.beta} "
                                    f"has no graphjac op (only beta=1)")
            name, label = self.named(node, "h", "h")
            return g.activation(x, function, name=name, label=label, **attrs)
        if kind in ("Softmax", "LogSoftmax"):
            self.last_axis(node, module.dim, x, f"torch.nn.{kind}")
            if kind == "LogSoftmax":
                return g.log(g.activation(x, "softmax", name=self.fresh("p")), name=self.fresh("log_p"))
            name, label = self.named(node, "p", "p")
            return g.activation(x, "softmax", name=name, label=label)
        if kind == "Flatten":
            if len(g.record(x).sample_shape) <= 1:
                return x
            raise GraphjacError(f"from_torch: torch.nn.Flatten at layer {node.target!r}: graphjac has no reshape op "
                                f"for samples of shape {g.record(x).sample_shape}")
        raise GraphjacError(f"from_torch: torch.nn.{kind} at layer {node.target!r}: no graphjac op; use gj.define_op "
                            f"for it (and ops={{...}}), or expand=False")

    def last_axis(self, node, dim, x, what):
        rank = len(self.graph.record(x).shape)
        if dim is None or dim not in (-1, rank - 1):
            raise GraphjacError(f"from_torch: {what} at {node.target!r} over dim={dim}: graphjac's softmax is over a "
                                f"sample's last axis (dim=-1)")

    def function(self, node, target, what):
        """A torch function or tensor method: the graphjac op that computes the same."""
        args, kwargs = [self.value(a) for a in node.args], dict(node.kwargs)
        if target in self.ops:
            return self.graph.apply(self.ops[target], *args)
        kind, op = _calls(self.torch).get(target, (None, None)) if _hashable(target) else (None, None)
        if target is getattr and args[1:] == ["T"]:
            kind = "transpose"
        try:
            made = self.made(node, kind, op, args, kwargs, what)
        except GraphjacError as exc:
            raise GraphjacError(f"from_torch: {what} at {node.name!r}: {exc}") from None
        if made is None:
            name = getattr(target, "__name__", str(target))
            raise GraphjacError(f"from_torch: {what} at {node.name!r}: no graphjac op; use gj.define_op for it "
                                f"and pass ops={{{name}: 'your_op'}}")
        return made

    def made(self, node, kind, op, args, kwargs, what):
        """The node for a call of ``kind`` (see :func:`_calls`), or None if graphjac has no op for it."""
        g, plain = self.graph, not kwargs
        if kind == "activation" and len(args) == 1 and plain:
            return g.activation(args[0], op)
        if kind in ("binary", "unary") and len(args) == (2 if kind == "binary" else 1) and plain:
            return getattr(g, op)(*args)
        if kind == "pow" and len(args) == 2 and isinstance(args[1], (int, float)):
            return g.pow(args[0], args[1])
        if kind == "reduce":
            return self.reduce(node, op, args, kwargs)
        if kind == "transpose":
            return self.transposed(node, args[:1] if args[1:] == ["T"] else args, kwargs)
        if kind == "softmax":
            self.last_axis(node, kwargs.get("dim", args[1] if len(args) > 1 else None), args[0], what)
            return g.activation(args[0], "softmax")
        return None

    def reduce(self, node, kind, args, kwargs):
        x = args[0]
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        if kwargs.get("keepdim") or (len(args) > 2 and args[2]):
            raise GraphjacError("keepdim=True has no graphjac op")
        reduce = self.graph.sum if kind == "sum" else self.graph.mean
        if dim is None:
            return reduce(x)
        if isinstance(dim, (tuple, list)):
            if len(dim) != 1:
                raise GraphjacError(f"{kind} over several dims {tuple(dim)} has no graphjac op")
            dim = dim[0]
        record = self.graph.record(x)
        rank = len(record.shape)
        dim = dim % rank if rank else dim
        if record.batch:
            if dim == 0:
                raise GraphjacError(f"{kind}(dim=0) over the minibatch alone has no graphjac op (a {kind} over "
                                    f"every element has)")
            dim -= 1
        return reduce(x, axis=dim)

    def transposed(self, node, args, kwargs):
        x = args[0]
        record = self.graph.record(x)
        if record.batch:
            raise GraphjacError("transposing a minibatch (its sample axis) has no graphjac op")
        dims = [a for a in args[1:] if isinstance(a, int)]
        if dims and sorted(d % max(len(record.shape), 1) for d in dims) != [0, 1]:
            raise GraphjacError(f"transpose of dims {dims} has no graphjac op (only a matrix's two axes)")
        return self.graph.transpose(x)

    # the loss ----------------------------------------------------------------------------

    def loss(self, loss, output):
        g, kind = self.graph, type(loss).__name__
        if kind not in LOSS_MODULES:
            raise GraphjacError(f"from_torch: the loss {kind} has no graphjac op (known: {', '.join(LOSS_MODULES)})")
        reduction = getattr(loss, "reduction", "mean")
        if reduction not in ("mean", "sum"):
            raise GraphjacError(f"from_torch: {kind}(reduction={reduction!r}) gives no scalar J; use 'mean' or 'sum'")
        if getattr(loss, "weight", None) is not None or getattr(loss, "pos_weight", None) is not None:
            raise GraphjacError(f"from_torch: {kind} with weights has no graphjac op")
        if kind == "CrossEntropyLoss" and (loss.label_smoothing or loss.ignore_index != -100
                                           and self.target_has(loss.ignore_index)):
            raise GraphjacError("from_torch: CrossEntropyLoss with label_smoothing or ignore_index has no graphjac op")
        y = self.target
        shape, target_shape = g.record(output).shape, g.record(y).shape
        if kind in ("MSELoss", "BCELoss", "BCEWithLogitsLoss") and shape != target_shape:
            raise GraphjacError(f"from_torch: {kind}: the output's shape {shape} and the target's {target_shape} differ")
        if kind == "BCEWithLogitsLoss":
            output = g.activation(output, "sigmoid", name="y_hat")
        elif kind == "CrossEntropyLoss":
            output = g.activation(output, "softmax", name="y_hat")
        function = {"MSELoss": "mse", "BCELoss": "bce", "BCEWithLogitsLoss": "bce", "CrossEntropyLoss": "cce"}[kind]
        J0 = g.loss(output, y, function, name="J0")
        if reduction == "sum":
            return g.sum(J0, name="J")
        components = int(np.prod(g.record(output).sample_shape)) if kind != "CrossEntropyLoss" else 1
        if components == 1:
            return g.mean(J0, name="J")
        # graphjac's J₀ sums a sample's K components; torch averages over every element
        return g.div(g.mean(J0, name="mean_J0"), float(components), name="J")

    def target_has(self, index):
        return bool(np.any(self.graph.value(self.target) == index))
