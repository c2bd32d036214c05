"""A PyTorch model as a graphjac Graph: ``gj.from_torch(model, example_inputs, loss=…, target=…)``.

The model is captured with ``torch.fx`` (a submodule fx cannot trace is kept whole) and run once
in float64 by fx's interpreter; every call becomes the graphjac op that computes the same
thing, so the figure reads like the lecture (a Linear is one dense node ``L = XW + B``; a
convolution ``Y = X ⋆ K + b``; nn.RNN, nn.LSTM and nn.GRU unrolled over the example's time steps
with their gates; nn.MultiheadAttention and nn.TransformerEncoderLayer as their matmuls, softmax
and norms). Values and ∂J/∂· equal ``torch.autograd``'s on the same inputs.

- Anything graphjac has no op for (a module, a function, a custom ``torch.autograd.Function``)
  is one opaque node named after it, whose value and vector-Jacobian products torch computes:
  still checked, still drawn with its shapes, never refused.
- ``depth=k`` keeps every submodule deeper than k whole (one node each, as torchview's depth);
  ``expand=["name", …]`` opens those submodules again; ``expand=True`` draws a Linear as its
  matmul and add gates.
- A model's input ``x`` of shape (N, …) is a minibatch (axis 0 the samples), drawn as X.
- A parameter is a param node named after its module path (``0.weight``), drawn with the
  lecture's symbols (W₁, B₁ for the first Linear). A Linear's node holds W = weightᵀ (one
  neuron's w⃗ per column, as the lecture writes it), so ∂J/∂W = (∂J/∂weight)ᵀ; every other
  parameter (a kernel, a recurrent layer's weight_ih_l0) is held as torch holds it. A module
  used twice is one set of parameter nodes with an edge per use.
- ``loss``: ``nn.MSELoss``, ``nn.BCELoss``, ``nn.BCEWithLogitsLoss``, ``nn.CrossEntropyLoss``
  (class indices or probabilities), with ``reduction`` "mean" or "sum"; or None, when the
  model's output is the scalar J.

torch is an optional extra (``pip install graphjac[torch]``); importing graphjac never imports it.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import math
import operator
import re
from typing import Optional

import numpy as np

from graphjac.errors import GraphjacError

LOSS_MODULES = ("MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss")
COMPOSITE = ("RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer")   # drawn as many nodes
GATES = {"RNN": "", "LSTM": "ifgo", "GRU": "rzn"}   # the gates whose weights a recurrent layer stacks, in order
_OPAQUE = itertools.count(1)


class Unmapped(Exception):
    """A call graphjac's ops do not cover as it is made: it becomes an opaque node."""


def from_torch(model, example_inputs, loss=None, target=None, *, expand=False, ops: Optional[dict] = None,
               depth: Optional[int] = None, name: Optional[str] = None, names: Optional[dict] = None,
               labels: Optional[dict] = None, groups: Optional[dict] = None, render_options: Optional[dict] = None):
    """The Graph of ``model`` run on ``example_inputs`` (a tensor or a tuple of them), with the
    loss J = ``loss(model(*inputs), target)`` as its target (``loss=None``: the output is J).

    ``depth``: submodules deeper than this are one node each (their numbers from torch);
    ``expand``: True draws a Linear as its matmul and add gates, a list of submodule names opens
    those below ``depth``. ``ops`` maps torch functions or module classes to ops defined with
    :func:`graphjac.define_op` (``{torch.sinh: "sinh"}``). ``names`` renames nodes
    (``{"0.weight": "W1"}``), ``labels`` sets their LaTeX (None: drawn from the name),
    ``groups`` puts them in boxes (``{"W1": "Model"}``), all keyed by the names the graph would
    otherwise have; ``render_options`` are stored as a spec's ``render:``.
    """
    torch = _torch()
    from graphjac.core.graph import Graph

    if not isinstance(model, torch.nn.Module):
        raise GraphjacError(f"from_torch: the model must be a torch.nn.Module; got {type(model).__name__}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise GraphjacError(f"from_torch: depth must be a whole number ≥ 0 (how deep submodules are opened); got {depth!r}")
    opened = set() if isinstance(expand, bool) else set([expand] if isinstance(expand, str) else expand)
    inputs = example_inputs if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    model64 = _float64(torch, model)
    root, prefix = _rooted(torch, model64, len(inputs))
    traced = _capture(torch, root, depth, opened, prefix)
    values = _run(torch, traced, root, [_tensor64(torch, x, f"example input {k}") for k, x in enumerate(inputs)])
    graph = Graph(name or type(model).__name__)
    builder = _Builder(graph, traced, torch, expand is True, dict(ops or {}), values, prefix)
    builder.depth, builder.opened = depth, opened
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


# ------------------------------------------------------------------------------------ capture


def _torch():
    try:
        import torch
    except ImportError:
        raise GraphjacError("from_torch needs PyTorch: pip install 'graphjac[torch]' (or pip install torch)") from None
    return torch


def _float64(torch, model):
    """A float64 copy of the model (the user's model is left as it is)."""
    try:
        copied = copy.deepcopy(model)
    except Exception as exc:
        raise GraphjacError(f"from_torch: cannot copy {type(model).__name__} to compute in float64 "
                            f"({type(exc).__name__}: {exc})") from None
    if any(p.device.type == "meta" for p in itertools.chain(copied.parameters(), copied.buffers())):
        raise GraphjacError(f"from_torch: {type(model).__name__} is on the meta device (it holds no numbers); "
                            f"make it with real parameters (e.g. .to_empty(device='cpu') and initialise them)")
    return copied.to(torch.float64).cpu()


def _tensor64(torch, tensor, what):
    if not isinstance(tensor, torch.Tensor):
        raise GraphjacError(f"from_torch: {what} must be a tensor; got {type(tensor).__name__}")
    if tensor.is_complex():
        raise GraphjacError(f"from_torch: {what} holds complex numbers")
    if tensor.device.type == "meta":
        raise GraphjacError(f"from_torch: {what} is on the meta device (it holds no numbers)")
    return tensor.detach().cpu().to(torch.float64) if tensor.is_floating_point() else tensor.detach().cpu()


def _rooted(torch, model, count):
    """(module to trace, prefix of its parameter names): a torch.nn module itself (an nn.LSTM)
    is traced as the one call of a root around it, its parameters keeping their own names."""
    if not type(model).__module__.startswith("torch.nn"):
        return model, ""
    title = type(model).__name__
    names = ", ".join(f"x{k}" for k in range(count))
    scope = {}
    exec(f"def forward(self, {names}):\n    return getattr(self, {title!r})({names})\n", scope)   # fx needs named inputs

    class Root(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.add_module(title, inner)

        forward = scope["forward"]

    return Root(model), title + "."


def _capture(torch, model, depth, opened, prefix):
    """The fx GraphModule of ``model``: torch.nn modules, submodules deeper than ``depth`` and
    submodules fx cannot trace kept whole; a custom autograd Function kept as one call."""
    from torch import fx

    kept = set()

    class Tracer(fx.Tracer):
        def is_leaf_module(self, module, qualified_name):
            if qualified_name in kept:
                return True
            if depth is not None and _depth(qualified_name, prefix) >= max(depth, 1) and \
                    not any(qualified_name == o or qualified_name.startswith(o + ".") for o in opened):
                return True
            return super().is_leaf_module(module, qualified_name)

    def trace(module):
        with _functions_kept(torch, fx):
            return fx.GraphModule(module, Tracer().trace(module))

    try:
        return trace(model)
    except Exception as first:
        for qualified_name, module in reversed(list(model.named_modules())):   # the deepest first
            if not qualified_name or type(module).__module__.startswith("torch.nn"):
                continue
            try:
                trace(module)
            except Exception:
                kept.add(qualified_name)
        try:
            return trace(model)
        except Exception:
            message = str(first).splitlines()[0] if str(first) else ""
            raise GraphjacError(f"from_torch: torch.fx cannot capture {type(model).__name__}'s own forward "
                                f"({type(first).__name__}: {message}); its submodules can be kept whole, but "
                                f"the model's forward itself must run without Python control flow on tensor "
                                f"values (put that part into a submodule)") from None


class _FunctionCall:
    """A custom ``torch.autograd.Function`` as one traced call: ``Swish.apply(x)``."""

    def __init__(self, function):
        self.function = function
        self.__name__ = function.__name__

    def __call__(self, *args, **kwargs):
        return self.function.apply(*args, **kwargs)


class _functions_kept:
    """While tracing, ``Function.apply`` on traced values records one call (its own backward is
    then torch's, as it is in the model) instead of tracing through its forward."""

    def __init__(self, torch, fx):
        self.torch, self.fx = torch, fx

    def __enter__(self):
        Function, fx = self.torch.autograd.Function, self.fx
        self.original = Function.__dict__["apply"]
        original = self.original.__func__

        def apply(cls, *args, **kwargs):
            proxies = [a for a in itertools.chain(args, kwargs.values()) if isinstance(a, fx.Proxy)]
            if not proxies:
                return original(cls, *args, **kwargs)
            return proxies[0].tracer.create_proxy("call_function", _FunctionCall(cls), args, kwargs)

        Function.apply = classmethod(apply)

    def __exit__(self, *exc):
        self.torch.autograd.Function.apply = self.original


def _run(torch, traced, model, inputs):
    """Every fx node's value, from fx's interpreter on the float64 inputs; the capture must
    compute what the model computes (a forward that branches on Python types, for instance,
    can be captured along another branch than the one it takes)."""
    from torch import fx

    values = {}

    class Recorder(fx.Interpreter):
        def run_node(self, node):
            result = super().run_node(node)
            values[node] = result
            return result

    try:
        with torch.no_grad(), torch.random.fork_rng():
            torch.manual_seed(0)
            captured = Recorder(traced).run(*inputs)
            torch.manual_seed(0)                  # the same dropout masks for the model itself
            eager = model(*inputs)
    except Exception as exc:
        raise GraphjacError(f"from_torch: the model failed on example_inputs ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not _same_result(torch, captured, eager):
        raise GraphjacError(f"from_torch: torch.fx captured {type(model).__name__}'s forward along another path "
                            f"than the one it takes (it branches on something fx cannot see, such as "
                            f"isinstance on a result); write that part without the branch")
    return values


def _same_result(torch, captured, eager) -> bool:
    if isinstance(eager, torch.Tensor):
        return isinstance(captured, torch.Tensor) and captured.shape == eager.shape and \
            bool(torch.allclose(captured, eager, rtol=1e-12, atol=1e-12, equal_nan=True))
    if isinstance(eager, (tuple, list)):
        return isinstance(captured, (tuple, list)) and len(captured) == len(eager) and \
            all(_same_result(torch, c, e) for c, e in zip(captured, eager))
    return True


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
    dressed = type(graph).from_spec(spec)
    for record, before in zip(dressed.records(), graph.records()):   # a spec keeps no scopes: the same nodes, in order
        record.scope = before.scope
    return dressed


# ------------------------------------------------------------------------------------ opaque ops


def opaque_op(torch, name, call, operands, transposed, batch_dims, result, integer, data=None):
    """A registered op computing ``call(*tensors)`` with torch, its VJP by ``torch.autograd.grad``:
    what graphjac draws for a module or function it has no op for (its values and ∂J/∂· still
    torch's). ``transposed[k]``: operand k is held transposed (a Linear's W); ``batch_dims[k]``:
    where torch keeps operand k's minibatch (graphjac keeps it on axis 0)."""
    from graphjac.core.ops import REGISTRY
    from graphjac.core.ops.base import Op, Slot
    from graphjac.core.ops.custom import CUSTOM
    from graphjac.notation.symbols import escape_text

    def tensors(ctx, grad=False):
        out = []
        for k, value in enumerate(ctx.args):
            array = value.T if transposed[k] else value
            if ctx.arg_batch[k] and batch_dims[k] not in (None, 0):
                array = np.moveaxis(array, 0, batch_dims[k])
            tensor = torch.from_numpy(np.array(array))
            if integer[k]:
                out.append(tensor.long())
            else:
                out.append(tensor.requires_grad_(True) if grad and operands[k] else tensor)
        return out

    def forward(ctx):
        with torch.no_grad():
            value = call(*tensors(ctx))
        return value.detach().to(torch.float64).numpy().copy()

    def slot(k):
        def vjp(ctx, g):
            with torch.enable_grad():
                primals = tensors(ctx, grad=True)
                out = call(*primals)
                (share,) = torch.autograd.grad(out, [primals[k]], torch.from_numpy(np.asarray(g, dtype=float)),
                                              allow_unused=True)
            share = np.zeros(ctx.args[k].shape) if share is None else share.detach().numpy()
            if ctx.arg_batch[k] and batch_dims[k] not in (None, 0):
                share = np.moveaxis(share, batch_dims[k], 0)
            return share.T.copy() if transposed[k] else share.copy()
        return Slot(f"u{k + 1}", vjp=vjp if operands[k] else None)

    batch_out = result["batch"]
    shape = result["shape"]
    plain = re.sub(r"\W", "_", name).lower()
    registered = f"torch_{plain}_{next(_OPAQUE)}"
    data = len(operands) if data is None else data        # the rest are the module's parameters, θ
    listed = ", ".join(f"$u{k + 1}" for k in range(data)) + (r"; \theta" if data < len(operands) else "")
    op = Op(name=registered, kind=registered, summary=f"{name}, computed by torch", mixes_samples=True,
            reduces_batch=not batch_out, forward=forward, infer=lambda shapes, attrs: shape,
            latex=r"$out = \text{" + escape_text(name) + "}(" + listed + ")",
            slots=tuple(slot(k) for k in range(len(operands))), gate=r"\text{" + escape_text(name) + "}")
    REGISTRY[registered] = op
    CUSTOM.add(registered)     # the model's, not the spec format's (the schema lists built-in kinds only)
    return registered


# ------------------------------------------------------------------------------------ the builder


def _as_torch(function, attrs=None) -> dict:
    """``attrs`` for the activation ``function`` as torch computes it: a ReLU's derivative at 0
    is 0 there (a leaky one's, its slope), not the lecture's 1, so that ∂J/∂· are torch's."""
    attrs = dict(attrs or {})
    if function in ("relu", "leaky_relu"):
        attrs["torch_kink"] = True
    return attrs


def _activation_call(function):
    """The handler of ``torch.relu(x)``, ``x.tanh()``, …: the activation, named h⃗ₖ as a layer's is."""
    def handler(builder, node, a, inplace=False):
        return builder.activation(node, a, function)
    return handler


class _Builder:
    """Walks the captured graph once, adding graphjac nodes for each call."""

    def __init__(self, graph, traced, torch, expand, ops, values, prefix):
        self.graph, self.traced, self.torch, self.expand, self.ops = graph, traced, torch, expand, ops
        self.values, self.prefix = values, prefix
        self.nodes = {}          # fx node -> graphjac node, a Python value, or a tuple of them
        self.batch_dims = {}     # graphjac node id -> the axis torch keeps its minibatch on (if not 0)
        self.batch = False
        self.linears = [n for n, m in traced.named_modules() if isinstance(m, torch.nn.Linear)]
        self.convolutions = [n for n, m in traced.named_modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d))]
        self.recurrents = {n: m.num_layers for n, m in traced.named_modules()
                           if isinstance(m, (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU))}
        self.norms = [n for n, m in traced.named_modules()
                      if isinstance(m, (torch.nn.LayerNorm, torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))]
        self.attentions = [n for n, m in traced.named_modules() if isinstance(m, torch.nn.MultiheadAttention)]
        self.out_projections = [f"{n}.out_proj" for n in self.attentions]
        self.dense = [n for n in self.linears if n not in self.out_projections]   # the Linears numbered W₁, W₂, …
        self.embeddings = [n for n, m in traced.named_modules() if isinstance(m, torch.nn.Embedding)]
        self.params = {}         # torch parameter name -> graphjac node
        self.transposed = set()  # ids of param nodes held transposed (a Linear's W)
        self.integers = set()    # ids of input nodes torch holds as integers (token ids)
        self.slices = {}         # (node id, key) -> the index node of a weight's rows, made once
        self.sequences = {}      # node id -> its rows: a recurrent layer's outputs H (steps), its h_n (layers)
        self.target = None
        self.counts = {}
        self.prediction = None

    # leaves ------------------------------------------------------------------------------

    def array(self, tensor, what):
        return _tensor64(self.torch, tensor, what).to(self.torch.float64).numpy()

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
            if tensor.is_floating_point():
                self.nodes[placeholder] = self.leaf(name, tensor, "input")
            else:                      # token ids: data, no gradient
                array = tensor.numpy().astype(float)
                batch = array.ndim >= 2
                self.batch = self.batch or batch
                self.nodes[placeholder] = self.graph.input(name, array, batch=batch)
                self.integers.add(self.nodes[placeholder].id)

    def parameters(self):
        """Every parameter, in module order (W₁, B₁, W₂, …), before any op: the lecture's order."""
        for name, parameter in self.traced.named_parameters():
            shown = self.shown(name)
            module_path, _, kind = name.rpartition(".")
            if module_path in self.linears and kind == "weight":
                node = self.graph.param(shown, self.array(parameter, shown).T.copy(), label=self.symbol(name))
                self.transposed.add(node.id)
            else:
                node = self.graph.param(shown, self.array(parameter, shown), label=self.symbol(name, parameter.dim()))
            self.params[name] = node

    def shown(self, name):
        return name[len(self.prefix):] if self.prefix and name.startswith(self.prefix) else name

    def symbol(self, name, dims=2):
        """The lecture's symbol of a parameter: W_{k}, B_{k} for the k-th Linear (W, B for one), K_{k},
        b_{k} for the k-th convolution's kernel and bias; W_{ih}, W_{hh}, b_{ih}, b_{hh} for the one
        recurrent layer's (W_{ih0}, … layer by layer when it stacks several, as its transposes);
        γ_{k}, β_{k} for the k-th normalisation's scale and shift; W_{QKV}, b_{QKV} for the
        projections into queries, keys and values that attention keeps as one weight, W_{O}, b_{O}
        for its output projection (a Linear numbered with none of the others); E_{k} for
        the k-th embedding's table."""
        module_path, _, kind = name.rpartition(".")
        arrow = (lambda letter: rf"\vec{{{letter}}}") if dims == 1 else (lambda letter: letter)
        if module_path in self.embeddings and kind == "weight":
            return "E" if len(self.embeddings) == 1 else f"E_{{{self.embeddings.index(module_path) + 1}}}"
        if module_path in self.norms and kind in ("weight", "bias"):
            letter = arrow(r"\gamma" if kind == "weight" else r"\beta")
            return letter if len(self.norms) == 1 else f"{letter}_{{{self.norms.index(module_path) + 1}}}"
        if module_path in self.attentions and kind in ("in_proj_weight", "in_proj_bias"):
            which = "" if len(self.attentions) == 1 else f",{self.attentions.index(module_path) + 1}"
            return ("W" if kind == "in_proj_weight" else arrow("b")) + f"_{{QKV{which}}}"
        if module_path in self.out_projections and kind in ("weight", "bias"):
            which = "" if len(self.attentions) == 1 else f",{self.out_projections.index(module_path) + 1}"
            return ("W" if kind == "weight" else arrow("b")) + f"_{{O{which}}}"
        recurrent = re.fullmatch(r"(weight|bias)_(ih|hh)_l(\d+)", kind)
        if recurrent and module_path in self.recurrents and len(self.recurrents) == 1:
            letter = "W" if recurrent[1] == "weight" else r"\vec{b}"
            return f"{letter}_{{{recurrent[2]}{recurrent[3] if self.recurrents[module_path] > 1 else ''}}}"
        for modules, letters in ((self.dense, ("W", "B")), (self.convolutions, ("K", r"\vec{b}"))):
            if module_path in modules and kind in ("weight", "bias"):
                letter = letters[0] if kind == "weight" else letters[1]
                if modules is self.convolutions and kind == "bias" and self.dense:
                    letter = r"\vec{c}"      # B is the dense layers' bias
                return letter if len(modules) == 1 else f"{letter}_{{{modules.index(module_path) + 1}}}"
        return None

    # the walk ----------------------------------------------------------------------------

    def run(self, predicts=False):
        """The graphjac node of the model's output (named ŷ when ``predicts``: the loss compares it with y)."""
        output = None
        last = next(node.args[0] for node in self.traced.graph.nodes if node.op == "output")
        self.prediction = last if predicts and isinstance(last, self.torch.fx.Node) else None
        for node in self.traced.graph.nodes:
            if node.op == "placeholder" or _unread_item(node):
                continue
            if node.op == "output":
                output = self.value(node.args[0])
                if not self.is_node(output):
                    raise GraphjacError("from_torch: the model's output must be one tensor (the prediction or J)")
                continue
            with contextlib.ExitStack() as scopes:
                for name, kind in _scope_of(node):
                    scopes.enter_context(self.graph.scope(name, kind))
                self.nodes[node] = self.call(node)
        return output

    def collapsed(self, qualified_name):
        """Whether ``depth`` keeps this module whole."""
        return self.depth is not None and _depth(qualified_name, self.prefix) >= self.depth \
            and not any(qualified_name == o or qualified_name.startswith(o + ".") for o in self.opened)

    def is_node(self, value):
        from graphjac.core.graph import Node
        return isinstance(value, Node)

    def value(self, argument):
        """What an fx argument is here: a graphjac node, a number, a tuple, or a tensor made of no input."""
        torch = self.torch
        if isinstance(argument, torch.fx.Node):
            return self.nodes[argument]
        if isinstance(argument, (tuple, list)):
            return type(argument)(self.value(a) for a in argument)
        if isinstance(argument, dict):
            return {k: self.value(v) for k, v in argument.items()}
        return argument

    def call(self, node):
        torch = self.torch
        recorded = self.values.get(node)
        if node.op == "get_attr":
            name = node.target
            if name in self.params:
                return self.params[name]
            return self.constant(recorded, name)
        if not _has_tensor(torch, recorded):      # sizes and shapes: numbers
            return recorded
        if not self.depends_on_data(node):          # torch.zeros(…), arange: constants
            return self.constant(recorded, node.name)
        size = len(self.graph)
        try:
            return self.mapped(node)
        except (Unmapped, GraphjacError):          # graphjac's ops do not cover this call as it is made
            self.graph.truncate(size)
            return self.opaque(node)

    def depends_on_data(self, node):
        return any(isinstance(a, self.torch.fx.Node) and (a.op == "placeholder" or self.is_node(self.nodes.get(a))
                                                          or isinstance(self.nodes.get(a), tuple))
                   for a in node.all_input_nodes) or node.op == "call_module"

    def constant(self, tensor, name):
        if not isinstance(tensor, self.torch.Tensor):
            return tensor
        return self.graph.const(self.array(tensor, name), name=self.unique(name.replace("_", " ").strip() or "c"))

    def unique(self, name):
        k, candidate = 1, name
        while candidate in self.graph:
            k += 1
            candidate = f"{name}{k}"
        return candidate

    def fresh(self, base):
        self.counts[base] = self.counts.get(base, 0) + 1
        return self.unique(f"{base}{self.counts[base]}")

    def named(self, node, base, symbol, count=None):
        """(name, label) of a layer's result: the lecture's symbol (l⃗₁, h⃗₁), ŷ for the prediction."""
        if node is self.prediction:
            return "y_hat", None          # ŷ, drawn as the figure's vector style says (arrow or bold)
        k = self.fresh(base)[len(base):] if count is None else str(count)
        if count is not None and len(self.dense) == 1:
            return self.unique(base), None
        return self.unique(f"{base}{k}"), None    # l1 is l⃗₁ (or bold l₁): the name decides, as for ŷ

    def mapped(self, node):
        """The graphjac ops for one call, or Unmapped."""
        if node.op == "call_module":
            module = self.traced.get_submodule(node.target)
            if type(module) in self.ops:
                return self.graph.apply(self.ops[type(module)], *[self.value(a) for a in node.args])
            handler = getattr(self, "module_" + type(module).__name__, None)
            if handler is None or not type(module).__module__.startswith("torch.nn") \
                    or type(module).__name__ in COMPOSITE and self.collapsed(node.target):
                raise Unmapped
            return handler(node, module, *[self.value(a) for a in node.args], **self.value(node.kwargs))
        target = node.target
        if _hashable(target) and target in self.ops:
            return self.graph.apply(self.ops[target], *[self.value(a) for a in node.args])
        name = node.target if node.op == "call_method" else _function_name(target)
        handler = getattr(self, "call_" + name, None) if name else None
        if handler is None:
            return self.declared(node)
        return handler(node, *[self.value(a) for a in node.args], **self.value(node.kwargs))

    def declared(self, node):
        """The op that declares this function or method among its ``torch=`` names (torch.exp,
        Tensor.sin, torch.maximum, …), applied to the call's tensors as they are: the op is the
        one place that says what it stands for; a handler above converts only what needs it."""
        op_name = declared_ops().get(_torch_name(node))
        if op_name is None:
            raise Unmapped
        from graphjac.core.ops import REGISTRY
        op, args = REGISTRY[op_name], [self.value(a) for a in node.args]
        if op.attrs or node.kwargs or len(args) != op.arity:
            raise Unmapped
        if op.arity == 2:
            return self.binary(op_name, *args)
        if not all(self.is_node(a) for a in args):
            raise Unmapped
        return self.graph.apply(op_name, *args)

    # opaque nodes ------------------------------------------------------------------------

    def opaque(self, node):
        """Nodes whose values and VJPs torch computes (one per tensor the call returns): what
        graphjac has no op for."""
        recorded = self.values[node]
        if isinstance(recorded, self.torch.Tensor):
            return self.opaque_part(node, ())
        return _structure(self.torch, recorded, lambda path: _Later(lambda: self.opaque_part(node, path)))

    def opaque_part(self, node, path):
        """The node for the tensor at ``path`` (indices into the call's tuples) of the call's result."""
        torch, g = self.torch, self.graph
        if node.op == "call_module":
            module = self.traced.get_submodule(node.target)
            title = type(module).__name__
            own = dict(module.named_parameters())
            param_names = list(own)
            param_nodes = [self.params[f"{node.target}.{p}"] for p in param_names]
        else:
            module, param_names, param_nodes = None, [], []
            title = getattr(node.target, "__name__", None) or str(node.target)
        recorded = self.values[node]
        for index in path:
            recorded = recorded[index]
        if path:
            title += "".join(f"[{index}]" for index in path)
        slots = []

        def keep(value):
            if self.is_node(value):
                slots.append(value)
                return _Slot(len(slots) - 1)
            if isinstance(value, (tuple, list)):
                return type(value)(keep(v) for v in value)
            if isinstance(value, dict):
                return {k: keep(v) for k, v in value.items()}
            if isinstance(value, _Later):
                return keep(value.get())
            return value

        args, kwargs = keep(self.value(node.args)), keep(self.value(node.kwargs))
        data = len(slots)
        slots.extend(param_nodes)

        def whole(*tensors):
            filled_args, filled_kwargs = _filled(args, tensors), _filled(kwargs, tensors)
            if module is None:
                target = node.target
                if node.op == "call_method":
                    return getattr(filled_args[0], target)(*filled_args[1:], **filled_kwargs)
                return target(*filled_args, **filled_kwargs)
            params = dict(zip(param_names, tensors[data:]))
            return torch.func.functional_call(module, params, tuple(filled_args), filled_kwargs)

        def call(*tensors):
            result = whole(*tensors)
            for index in path:
                result = result[index]
            return result

        records = [g.record(s) for s in slots]
        batch_in = any(r.batch for r in records)
        n = next((r.shape[0] for r in records if r.batch), None)
        batch_out = batch_in and recorded.ndim >= 1 and recorded.shape[0] == n
        result = {"batch": batch_out, "shape": tuple(recorded.shape[1:] if batch_out else recorded.shape)}
        integer = [s.id in self.integers for s in slots]
        carries = [r.kind != "const" and not whole_numbers for r, whole_numbers in zip(records, integer)]
        op = opaque_op(torch, title, call, carries, [s.id in self.transposed for s in slots],
                       [self.batch_dims.get(s.id, 0) for s in slots], result, integer, data)
        return g.apply(op, *slots, name=self.fresh(title))

    # modules -----------------------------------------------------------------------------

    def param(self, module_name, kind):
        return self.params.get(f"{module_name}.{kind}")

    def module_Linear(self, node, module, x):
        g = self.graph
        W, B = self.param(node.target, "weight"), self.param(node.target, "bias")
        k = self.dense.index(node.target) + 1 if node.target in self.dense else None
        name, label = self.named(node, "l", "l", count=k)
        if len(g.record(x).sample_shape) != 1:
            product = g.matmul(x, W, name=name if B is None else self.fresh("xW"))
            return product if B is None else g.add(product, B, name=name, label=label)
        if B is None:
            return g.matmul(x, W, name=name, label=label)
        if self.expand:
            return g.add(g.matmul(x, W, name=self.unique(f"xW{k}")), B, name=name, label=label)
        return g.dense(x, W, B, name=name, label=label)

    module_NonDynamicallyQuantizableLinear = module_Linear

    def activation(self, node, x, function, **attrs):
        name, label = self.named(node, "h", "h")
        return self.graph.activation(x, function, name=name, label=label, **_as_torch(function, attrs))

    def module_ReLU(self, node, module, x):
        return self.activation(node, x, "relu")

    def module_Tanh(self, node, module, x):
        return self.activation(node, x, "tanh")

    def module_Sigmoid(self, node, module, x):
        return self.activation(node, x, "sigmoid")

    def module_LeakyReLU(self, node, module, x):
        return self.activation(node, x, "leaky_relu", slope=module.negative_slope)

    def call_leaky_relu(self, node, x, negative_slope=0.01, inplace=False):
        return self.activation(node, x, "leaky_relu", slope=negative_slope)

    def module_Softplus(self, node, module, x):
        if module.beta != 1 or module.threshold != 20:
            raise Unmapped
        return self.activation(node, x, "softplus")

    def module_Identity(self, node, module, x, *rest, **kw):
        return x

    def module_Softmax(self, node, module, x):
        name, label = self.named(node, "p", "p")
        return self.graph.softmax(x, axis=self.axis(x, module.dim if module.dim is not None else -1),
                                  name=name, label=label)

    def module_LogSoftmax(self, node, module, x):
        return self.graph.log_softmax(x, axis=self.axis(x, module.dim if module.dim is not None else -1))

    def module_Dropout(self, node, module, x):
        if not module.training or module.p == 0:
            return x                       # the identity in eval mode: not drawn
        mask = (self.values[node] != 0).to(self.torch.float64).numpy()
        mask_node = self.graph.input(self.unique(f"mask {node.target}"), mask, batch=self.graph.record(x).batch)
        return self.graph.dropout(x, mask_node, module.p)

    def module_Flatten(self, node, module, x):
        record = self.graph.record(x)
        rank = len(record.shape)
        start, end = module.start_dim % rank, module.end_dim % rank
        if not record.batch or start != 1 or end != rank - 1:
            raise Unmapped
        return self.graph.flatten(x, name=self.fresh("flat"))

    def conv(self, node, module, x, d):
        if module.groups != 1 or any(v != 1 for v in module.dilation) or module.padding_mode != "zeros" \
                or isinstance(module.padding, str) and module.padding != "valid":
            raise Unmapped
        padding = (0,) * d if module.padding == "valid" else tuple(module.padding)
        kernel, bias = self.param(node.target, "weight"), self.param(node.target, "bias")
        name = self.fresh("C")
        return getattr(self.graph, f"conv{d}d")(x, kernel, bias, stride=tuple(module.stride), padding=padding,
                                                name=name, label=rf"C_{{{name[1:]}}}")

    def module_Conv1d(self, node, module, x):
        return self.conv(node, module, x, 1)

    def module_Conv2d(self, node, module, x):
        return self.conv(node, module, x, 2)

    def pool(self, node, module, x, d, kind):
        padding = module.padding if isinstance(module.padding, tuple) else (module.padding,)
        if any(padding) or getattr(module, "ceil_mode", False) or getattr(module, "return_indices", False) \
                or kind == "max" and any(v != 1 for v in _tuple(module.dilation)) \
                or kind == "avg" and getattr(module, "divisor_override", None) is not None:
            raise Unmapped
        stride = module.stride if module.stride is not None else module.kernel_size
        return getattr(self.graph, f"{kind}_pool{d}d")(x, _tuple(module.kernel_size), _tuple(stride),
                                                      name=self.fresh("P"))

    def module_MaxPool1d(self, node, module, x):
        return self.pool(node, module, x, 1, "max")

    def module_MaxPool2d(self, node, module, x):
        return self.pool(node, module, x, 2, "max")

    def module_AvgPool1d(self, node, module, x):
        return self.pool(node, module, x, 1, "avg")

    def module_AvgPool2d(self, node, module, x):
        return self.pool(node, module, x, 2, "avg")

    def module_Embedding(self, node, module, ids):
        if module.padding_idx is not None or module.max_norm is not None:
            raise Unmapped
        return self.graph.embedding(ids, self.param(node.target, "weight"), name=self.fresh("e"))

    def module_LayerNorm(self, node, module, x):
        if len(module.normalized_shape) != 1:
            raise Unmapped
        gamma, beta = self.param(node.target, "weight"), self.param(node.target, "bias")
        return self.graph.layer_norm(x, gamma, beta, eps=module.eps, name=self.fresh("LN"))

    def batch_norm(self, node, module, x):
        g = self.graph
        gamma, beta = self.param(node.target, "weight"), self.param(node.target, "bias")
        if module.training or not module.track_running_stats:
            if not g.record(x).batch or (gamma is None) != (beta is None):
                raise Unmapped
            return g.batch_norm(x, gamma, beta, eps=module.eps, name=self.fresh("BN"))
        shape = (-1,) + (1,) * (len(g.record(x).sample_shape) - 1)     # eval: the running statistics, constants
        mean = g.const(module.running_mean.numpy().reshape(shape), name=self.unique(f"{node.target}.running_mean"))
        std = g.const(np.sqrt(module.running_var.numpy() + module.eps).reshape(shape),
                      name=self.unique(f"{node.target}.running_std"))
        out = g.div(g.sub(x, mean), std)
        if gamma is not None:
            out = g.add(g.mul(out, g.reshape(gamma, shape)), g.reshape(beta, shape))
        return out

    module_BatchNorm1d = module_BatchNorm2d = batch_norm

    # recurrent layers, unrolled over time ------------------------------------------------

    def recurrent_weights(self, node, module, layer):
        g = self.graph
        got = {}
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            got[kind] = self.param(node.target, f"{kind}_l{layer}")
        suffix = f"_{layer}" if module.num_layers > 1 else ""
        for kind, label in (("weight_ih", "W_{ih%s}^{T}"), ("weight_hh", "W_{hh%s}^{T}")):
            got[kind + "_T"] = g.transpose(got[kind], name=self.unique(f"{node.target}.{kind}_l{layer}ᵀ"),
                                           label=label % suffix.replace("_", ""))
        return got

    def recurrent(self, node, module, x, state=None):
        if module.bidirectional or not module.batch_first and self.graph.record(x).batch \
                or getattr(module, "proj_size", 0) or state is not None:
            raise Unmapped
        g = self.graph
        record = g.record(x)
        steps = record.sample_shape[0]
        kind = type(module).__name__
        layer_input = []
        for t in range(steps):   # each step in a box of its own, drawn side by side in order
            with g.group(f"t = {t + 1}"):
                layer_input.append(g.index(x, f"{t}, :", name=self.unique(f"x{t + 1}"), label=rf"\vec{{x}}_{{{t + 1}}}"))
        finals, cells = [], []
        for layer in range(module.num_layers):
            w = self.recurrent_weights(node, module, layer)
            self.gate_rows(w, GATES[kind], module.hidden_size, str(layer) if module.num_layers > 1 else "")
            h, c, outputs = None, None, []
            for t, x_t in enumerate(layer_input, start=1):
                mark = f"{t}" if module.num_layers == 1 else f"{t},{layer + 1}"
                with g.group(f"t = {t}"):
                    h, c = getattr(self, "step_" + kind)(module, w, x_t, h, c, mark)
                outputs.append(h)
            finals.append(h)
            cells.append(c)
            layer_input = outputs
        output = g.stack(layer_input, axis=0, name=self.fresh("H"), label="H")
        self.sequences[output.id] = steps
        h_n = _Later(lambda: self.final(finals, "h_n", record.batch, last=True))   # drawn only if the model reads it
        if kind == "LSTM":
            return output, (h_n, _Later(lambda: self.final(cells, "c_n", record.batch)))
        return output, h_n

    def final(self, states, name, batch, last=False):
        """The layers' last states stacked (h_n, c_n), as torch returns them (``last``: h_n, whose
        last layer's row is the last hidden state h⃗_T)."""
        stacked = self.graph.stack(states, axis=0, name=self.unique(name))
        if batch:
            self.batch_dims[stacked.id] = 1
        if last:
            self.sequences[stacked.id] = len(states)
        return stacked

    module_RNN = module_LSTM = module_GRU = recurrent

    def gate_rows(self, w, gates, size, layer=""):
        """Each of the ``gates``' columns of Wᵀ and part of the biases (``size`` rows each), made
        once, outside the steps: every step shares them (a layer of one gate uses them whole).
        Named as PyTorch's documentation writes a gate's weights: W_iiᵀ, W_hiᵀ, b⃗_ii, b⃗_hi for
        the input gate i (``layer``: the layer's number, when there are several)."""
        for k, gate in enumerate(gates if len(gates) > 1 else ""):
            part = slice(k * size, (k + 1) * size)
            for kind, side in (("weight_ih_T", "i"), ("weight_hh_T", "h")):
                self.rows(w[kind], part, rf"W_{{{side}{gate}{layer}}}^{{T}}")
            for kind, side in (("bias_ih", "i"), ("bias_hh", "h")):
                if w[kind] is not None:
                    self.rows_of_bias(w[kind], part, rf"\vec{{b}}_{{{side}{gate}{layer}}}")

    def pre_activation(self, w, x_t, h, rows, mark, gate=None):
        """a⃗ₜ = x⃗ₜW_ihᵀ + b⃗_ih + h⃗ₜ₋₁W_hhᵀ + b⃗_hh for the gate rows ``rows`` (a slice) of the
        weights, named a⃗ₜ (a⃗_{i,t} for ``gate`` i) as d2l's step names it; the terms on the way are
        graphjac's own u⃗ₖ."""
        g = self.graph
        terms = [g.matmul(x_t, w["weight_ih_T"] if rows is None else self.rows(w["weight_ih_T"], rows))]
        if w["bias_ih"] is not None:
            terms.append(w["bias_ih"] if rows is None else self.rows_of_bias(w["bias_ih"], rows))
        if h is not None:
            terms.append(g.matmul(h, w["weight_hh_T"] if rows is None else self.rows(w["weight_hh_T"], rows)))
        if w["bias_hh"] is not None:
            terms.append(w["bias_hh"] if rows is None else self.rows_of_bias(w["bias_hh"], rows))
        total = terms[0]
        for k, term in enumerate(terms[1:], start=2):
            last = k == len(terms)
            total = g.add(total, term, name=self.unique(f"a{gate or ''}{mark}") if last else None,
                          label=rf"\vec{{a}}_{{{gate + ',' if gate else ''}{mark}}}" if last else None)
        return total

    def rows(self, W_T, rows, label=None):
        """The columns of Wᵀ (rows of W) of one gate, made once for every step."""
        return self.part(W_T, f":, {rows.start}:{rows.stop}", label)

    def rows_of_bias(self, b, rows, label=None):
        return self.part(b, f"{rows.start}:{rows.stop}", label)

    def part(self, node, key, label=None):
        if (node.id, key) not in self.slices:
            self.slices[(node.id, key)] = self.graph.index(node, key, label=label)
        return self.slices[(node.id, key)]

    def step_RNN(self, module, w, x_t, h, c, mark):
        g = self.graph
        function = "tanh" if module.nonlinearity == "tanh" else "relu"
        z = self.pre_activation(w, x_t, h, None, mark)
        return g.activation(z, function, name=self.unique(f"h{mark}"), label=rf"\vec{{h}}_{{{mark}}}",
                            **_as_torch(function)), None

    def step_LSTM(self, module, w, x_t, h, c, mark):
        g, H = self.graph, module.hidden_size
        gates = {}
        for k, (gate, function) in enumerate((("i", "sigmoid"), ("f", "sigmoid"), ("g", "tanh"), ("o", "sigmoid"))):
            if gate == "f" and c is None:
                continue                     # c₀ = 0: the forget gate multiplies nothing at the first step
            z = self.pre_activation(w, x_t, h, slice(k * H, (k + 1) * H), mark, gate)
            gates[gate] = g.activation(z, function, name=self.unique(f"{gate}{mark}"), label=rf"\vec{{{gate}}}_{{{mark}}}")
        kept = g.mul(gates["i"], gates["g"])
        c = kept if c is None else g.add(g.mul(gates["f"], c), kept)
        c = g.rename(c, self.unique(f"c{mark}")) or c
        h = g.mul(gates["o"], g.activation(c, "tanh"), name=self.unique(f"h{mark}"), label=rf"\vec{{h}}_{{{mark}}}")
        return h, c

    def step_GRU(self, module, w, x_t, h, c, mark):
        g, H = self.graph, module.hidden_size
        r = g.activation(self.pre_activation(w, x_t, h, slice(0, H), mark, "r"), "sigmoid",
                         name=self.unique(f"r{mark}"), label=rf"\vec{{r}}_{{{mark}}}")
        z = g.activation(self.pre_activation(w, x_t, h, slice(H, 2 * H), mark, "z"), "sigmoid",
                         name=self.unique(f"z{mark}"), label=rf"\vec{{z}}_{{{mark}}}")
        rows = slice(2 * H, 3 * H)
        candidate = g.matmul(x_t, self.rows(w["weight_ih_T"], rows))
        if w["bias_ih"] is not None:
            candidate = g.add(candidate, self.rows_of_bias(w["bias_ih"], rows))
        recurrent = None
        if h is not None:
            recurrent = g.matmul(h, self.rows(w["weight_hh_T"], rows))
        if w["bias_hh"] is not None:
            b = self.rows_of_bias(w["bias_hh"], rows)
            recurrent = b if recurrent is None else g.add(recurrent, b)
        if recurrent is not None:
            candidate = g.add(candidate, g.mul(r, recurrent))
        n = g.activation(candidate, "tanh", name=self.unique(f"n{mark}"), label=rf"\vec{{n}}_{{{mark}}}")
        new = g.mul(g.sub(1.0, z), n)
        if h is not None:
            new = g.add(new, g.mul(z, h))
        g.rename(new, self.unique(f"h{mark}"))
        return new, None

    # attention ---------------------------------------------------------------------------

    def attention(self, q, k, v, scale_name="d"):
        """softmax(Q Kᵀ/√d) V for one head (per sample, (L, d) matrices)."""
        g = self.graph
        d = g.record(q).sample_shape[-1]
        root = g.const(math.sqrt(d), name=self.unique(f"√{scale_name}"), label=r"\sqrt{" + scale_name + "}")
        scores = g.div(g.matmul(q, g.transpose(k)), root, name=self.fresh("S"))
        weights = g.softmax(scores, axis=-1, name=self.fresh("A"))
        return g.matmul(weights, v, name=self.fresh("O")), weights

    def call_scaled_dot_product_attention(self, node, q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False,
                                          scale=None, enable_gqa=False):
        if attn_mask is not None or dropout_p or is_causal or scale is not None or \
                any(len(self.graph.record(t).sample_shape) != 2 for t in (q, k, v)):
            raise Unmapped
        return self.attention(q, k, v)[0]

    def module_MultiheadAttention(self, node, module, query, key, value, key_padding_mask=None, need_weights=True,
                                  attn_mask=None, average_attn_weights=True, is_causal=False):
        g = self.graph
        if not module.batch_first or not module._qkv_same_embed_dim or key_padding_mask is not None \
                or attn_mask is not None or is_causal or module.bias_k is not None or module.add_zero_attn \
                or module.dropout and module.training or len(g.record(query).sample_shape) != 2:
            raise Unmapped
        E, heads = module.embed_dim, module.num_heads
        d = E // heads
        W, b = self.param(node.target, "in_proj_weight"), self.param(node.target, "in_proj_bias")
        projected = []
        for k, (source, letter) in enumerate(((query, "Q"), (key, "K"), (value, "V"))):
            rows = g.transpose(g.index(W, f"{k * E}:{(k + 1) * E}, :"))
            out = g.matmul(source, rows)
            if b is not None:
                out = g.add(out, g.index(b, f"{k * E}:{(k + 1) * E}"))
            projected.append(g.rename(out, self.unique(letter)) or out)
        outputs, weights = [], []
        for h in range(heads):
            part = [t if heads == 1 else g.index(t, f":, {h * d}:{(h + 1) * d}") for t in projected]
            o, a = self.attention(*part)
            outputs.append(o)
            weights.append(a)
        joined = outputs[0] if heads == 1 else g.concat(outputs, axis=1)
        out_w, out_b = self.param(f"{node.target}.out_proj", "weight"), self.param(f"{node.target}.out_proj", "bias")
        with g.scope(f"{node.target}.out_proj", type(module.out_proj).__name__):
            result = g.matmul(joined, out_w)
            if out_b is not None:
                result = g.add(result, out_b)
        return result, _Later(lambda: self.mean_of(weights) if need_weights else None)

    def mean_of(self, nodes):
        total = nodes[0]
        for n in nodes[1:]:
            total = self.graph.add(total, n)
        return total if len(nodes) == 1 else self.graph.div(total, float(len(nodes)))

    def module_TransformerEncoderLayer(self, node, module, src, src_mask=None, src_key_padding_mask=None,
                                       is_causal=False):
        g = self.graph
        activation = module.activation
        name = getattr(activation, "__name__", type(activation).__name__).lower()
        if src_mask is not None or src_key_padding_mask is not None or name not in ("relu",) \
                or module.training and (module.dropout.p or module.dropout1.p or module.dropout2.p):
            raise Unmapped
        prefix = node.target

        def attend(x):
            inner = _Named(f"{prefix}.self_attn")
            with g.scope(inner.target, type(module.self_attn).__name__):
                return self.module_MultiheadAttention(inner, module.self_attn, x, x, x)[0]

        def norm(x, which):
            n = getattr(module, which)
            return g.layer_norm(x, self.param(f"{prefix}.{which}", "weight"), self.param(f"{prefix}.{which}", "bias"),
                                eps=n.eps, name=self.fresh("LN"))

        def feed_forward(x):
            hidden = g.activation(self.linear_of(x, f"{prefix}.linear1"), "relu", name=self.fresh("F"),
                                  **_as_torch("relu"))
            return self.linear_of(hidden, f"{prefix}.linear2")

        x = src
        if module.norm_first:
            x = g.add(x, attend(norm(x, "norm1")))
            return g.add(x, feed_forward(norm(x, "norm2")))
        x = norm(g.add(x, attend(x)), "norm1")
        return norm(g.add(x, feed_forward(x)), "norm2")

    def linear_of(self, x, module_name):
        g = self.graph
        with g.scope(module_name, "Linear"):
            out = g.matmul(x, self.param(module_name, "weight"))
            bias = self.param(module_name, "bias")
            return out if bias is None else g.add(out, bias)

    # functions and tensor methods --------------------------------------------------------

    def binary(self, op, a, b):
        a, b = self.operand(a), self.operand(b)
        return getattr(self.graph, op)(a, b)

    def operand(self, value):
        if self.is_node(value) or isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise Unmapped

    def call_add(self, node, a, b, alpha=1):
        if alpha != 1:
            raise Unmapped
        return self.binary("add", a, b)

    def call_sub(self, node, a, b, alpha=1):
        if alpha != 1:
            raise Unmapped
        return self.binary("sub", a, b)

    def call_matmul(self, node, a, b):
        if not (self.is_node(a) and self.is_node(b)):
            raise Unmapped
        return self.graph.matmul(a, b)

    def call_pow(self, node, a, p):
        if not self.is_node(a) or not isinstance(p, (int, float)) or isinstance(p, bool):
            raise Unmapped
        return self.graph.pow(a, float(p))

    call_relu, call_tanh, call_sigmoid = map(_activation_call, ("relu", "tanh", "sigmoid"))

    def call_softmax(self, node, x, dim=None, dtype=None, _stacklevel=3):
        if dim is None or dtype is not None:
            raise Unmapped
        return self.graph.softmax(x, axis=self.axis(x, dim))

    def call_log_softmax(self, node, x, dim=None, dtype=None, _stacklevel=3):
        if dim is None or dtype is not None:
            raise Unmapped
        return self.graph.log_softmax(x, axis=self.axis(x, dim))

    def reduction(self, op, x, dim=None, keepdim=False, dtype=None):
        g = self.graph
        if dtype is not None:
            raise Unmapped
        if dim is None:
            return getattr(g, op)(x)
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        if len(dims) != 1:
            raise Unmapped
        record = g.record(x)
        rank = len(record.shape)
        if record.batch and dims[0] % rank == 0 and record.sample_shape == () and not keepdim:
            return getattr(g, op)(x)         # over the minibatch of single numbers: every element
        return getattr(g, op)(x, axis=self.axis(x, dims[0]), keepdims=bool(keepdim))

    def call_sum(self, node, x, dim=None, keepdim=False, dtype=None):
        return self.reduction("sum", x, dim, keepdim, dtype)

    def call_mean(self, node, x, dim=None, keepdim=False, dtype=None):
        return self.reduction("mean", x, dim, keepdim, dtype)

    def call_flatten(self, node, x, start_dim=0, end_dim=-1):
        record = self.graph.record(x)
        rank = len(record.shape)
        if not record.batch or start_dim % rank != 1 or end_dim % rank != rank - 1:
            raise Unmapped
        return self.graph.flatten(x, name=self.fresh("f"), label=r"\vec{f}")

    def reshaped(self, x, shape):
        record = self.graph.record(x)
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)
        if not all(isinstance(s, int) for s in shape):
            raise Unmapped
        if record.batch:
            if not shape or shape[0] not in (-1, record.shape[0]) or self.batch_dims.get(x.id, 0) != 0:
                raise Unmapped
            shape = shape[1:]
        return self.graph.reshape(x, shape)

    def call_view(self, node, x, *shape):
        return self.reshaped(x, shape)

    def call_reshape(self, node, x, *shape):
        return self.reshaped(x, shape)

    def call_permute(self, node, x, *dims):
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        record = self.graph.record(x)
        rank = len(record.shape)
        dims = tuple(d % rank for d in dims)
        if record.batch:
            if dims[0] != 0 or self.batch_dims.get(x.id, 0) != 0:
                raise Unmapped
            dims = tuple(d - 1 for d in dims[1:])
        return self.graph.permute(x, dims)

    def call_transpose(self, node, x, dim0, dim1):
        record = self.graph.record(x)
        rank = len(record.shape)
        order = list(range(rank))
        order[dim0 % rank], order[dim1 % rank] = order[dim1 % rank], order[dim0 % rank]
        if record.batch and order[0] != 0:
            raise Unmapped
        sample = [d - 1 for d in order[1:]] if record.batch else order
        if len(sample) == 2 and sample == [1, 0]:
            return self.graph.transpose(x)
        return self.graph.permute(x, tuple(sample))

    def call_t(self, node, x):
        if self.graph.record(x).batch:
            raise Unmapped
        return self.graph.transpose(x)

    def call_getattr(self, node, x, attribute):
        if attribute == "T" and self.is_node(x) and not self.graph.record(x).batch:
            return self.graph.transpose(x)
        raise Unmapped

    def call_cat(self, node, tensors, dim=0):
        if not all(self.is_node(t) for t in tensors):
            raise Unmapped
        return self.graph.concat(list(tensors), axis=self.axis(tensors[0], dim))

    call_concat = call_cat

    def call_stack(self, node, tensors, dim=0):
        if not all(self.is_node(t) for t in tensors):
            raise Unmapped
        record = self.graph.record(tensors[0])
        rank = len(record.shape) + 1
        dim %= rank
        if record.batch:
            if dim == 0:
                raise Unmapped
            dim -= 1
        return self.graph.stack(list(tensors), axis=dim)

    def call_getitem(self, node, x, key):
        if isinstance(x, (tuple, list)):
            item = x[key]
            return item.get() if isinstance(item, _Later) else item
        if not self.is_node(x):
            raise Unmapped
        record = self.graph.record(x)
        parts = list(key) if isinstance(key, tuple) else [key]
        if any(p is Ellipsis or p is None or not isinstance(p, (int, slice)) for p in parts):
            raise Unmapped
        if record.batch:
            batch_dim = self.batch_dims.get(x.id, 0)
            while len(parts) <= batch_dim:
                parts.append(slice(None))
            if parts[batch_dim] != slice(None):
                raise Unmapped
            del parts[batch_dim]
        while parts and parts[-1] == slice(None) and len(parts) > 1:
            parts.pop()
        if not parts or parts == [slice(None)]:
            return x
        if x.id in self.sequences and parts in ([-1], [self.sequences[x.id] - 1]):   # out[:, -1], h_n[-1]: h_T
            return self.graph.index(x, tuple(parts), name=self.unique("h_T"))
        return self.graph.index(x, tuple(parts))

    def call_squeeze(self, node, x, dim=None):
        if dim is None or not self.is_node(x):
            raise Unmapped
        record = self.graph.record(x)
        axis = self.axis(x, dim, allow_moved=True)
        if record.sample_shape[axis] != 1:
            return x
        shape = record.sample_shape[:axis] + record.sample_shape[axis + 1:]
        return self.graph.reshape(x, shape) if shape else self.graph.index(x, "0")

    def call_contiguous(self, node, x, *rest, **kw):
        return x

    def call_linear(self, node, x, weight, bias=None):
        raise Unmapped    # F.linear's weight is torch's layout: drawn whole

    def call_dropout(self, node, x, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return x
        raise Unmapped

    def axis(self, x, dim, allow_moved=False):
        """torch's ``dim`` of the node ``x`` as an axis of one sample (Unmapped for the minibatch's)."""
        record = self.graph.record(x)
        rank = len(record.shape)
        if not isinstance(dim, int) or not -rank <= dim < rank:
            raise Unmapped
        dim %= rank
        if not record.batch:
            return dim - rank
        batch_dim = self.batch_dims.get(x.id, 0)
        if dim == batch_dim:
            raise Unmapped
        if batch_dim != 0 and not allow_moved:
            raise Unmapped
        sample = dim - 1 if dim > batch_dim else dim
        return sample - len(record.sample_shape)      # negative: never read as the minibatch axis

    # the loss ----------------------------------------------------------------------------

    def loss(self, loss, output):
        g, kind = self.graph, type(loss).__name__
        if kind not in LOSS_MODULES:
            raise GraphjacError(f"from_torch: the loss {kind} has no graphjac op (known: {', '.join(LOSS_MODULES)}); "
                                f"or put it into the model and give loss=None, its output being J")
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
        return g.div(g.mean(J0, name="mean_J0", label=r"\bar{J}_{0}"), float(components), name="J")

    def target_has(self, index):
        return bool(np.any(self.graph.value(self.target) == index))


class _Slot:
    """Where a tensor operand stands in a call's arguments."""

    def __init__(self, index):
        self.index = index


def _unread_item(node) -> bool:
    """Whether ``node`` takes an item of a result that nothing reads (``out, _ = self.rnn(x)``)."""
    return node.op == "call_function" and node.target is operator.getitem and not node.users


class _Later:
    """A module's second result (attention weights, a recurrent layer's last states), made only
    when the model reads it."""

    def __init__(self, make):
        self.make, self.made = make, None

    def get(self):
        if self.made is None:
            self.made = self.make()
            if self.made is None:
                raise Unmapped
        return self.made


class _Named:
    """Stands for an fx node inside a decomposed module: what its handlers read (``target``)."""

    def __init__(self, target):
        self.target = target


def _filled(template, tensors):
    if isinstance(template, _Slot):
        return tensors[template.index]
    if isinstance(template, (tuple, list)):
        return type(template)(_filled(t, tensors) for t in template)
    if isinstance(template, dict):
        return {k: _filled(v, tensors) for k, v in template.items()}
    return template


def _has_tensor(torch, value) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    return isinstance(value, (tuple, list)) and any(_has_tensor(torch, v) for v in value)


def _structure(torch, value, make, path=()):
    """``value``'s tuples with each tensor replaced by ``make(path)``."""
    if isinstance(value, torch.Tensor):
        return make(path)
    if isinstance(value, (tuple, list)):
        return tuple(_structure(torch, v, make, path + (k,)) for k, v in enumerate(value))
    return value


def _scope_of(node) -> list:
    """The submodules an fx node is called in, outermost first, as (qualified name, class name)."""
    scope = []
    for entry in (node.meta.get("nn_module_stack") or {}).values():
        path, kind = entry if isinstance(entry, tuple) and len(entry) == 2 else (str(entry), "")
        scope.append((str(path), getattr(kind, "__name__", str(kind).rsplit(".", 1)[-1])))
    return scope


def _depth(qualified_name, prefix) -> int:
    """How deep a submodule lies in the user's model (its direct children: 1)."""
    return qualified_name.count(".") + 1 - (1 if prefix else 0)


def _tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def declared_ops() -> dict:
    """torch's name of a function or method (``torch.exp``, ``Tensor.sin``, ``F.relu``,
    ``operator.mul``) -> the op that declares it among its ``torch=`` names.

    >>> declared_ops()["Tensor.sin"], declared_ops()["operator.truediv"]
    ('sin', 'div')
    """
    from graphjac.core.ops import REGISTRY
    return {name: op_name for op_name, op in REGISTRY.items() for name in op.torch}


def _torch_name(node) -> Optional[str]:
    """How ops' ``torch=`` names write the call of ``node``: Tensor.exp, torch.exp, F.relu, operator.mul."""
    if node.op == "call_method":
        return f"Tensor.{node.target}"
    module, name = getattr(node.target, "__module__", None), getattr(node.target, "__name__", None)
    prefix = {"torch": "torch", "_operator": "operator", "torch.nn.functional": "F"}.get(module)
    return f"{prefix}.{name}" if prefix is not None and isinstance(name, str) else None


def _function_name(target) -> Optional[str]:
    if isinstance(target, _FunctionCall):
        return None
    if target is operator.getitem:
        return "getitem"
    if target is getattr:
        return "getattr"
    name = getattr(target, "__name__", None)
    return name.strip("_") if isinstance(name, str) else None


def _hashable(target) -> bool:
    try:
        hash(target)
        return True
    except TypeError:
        return False
