"""PyTorch models as graphjac graphs: every forward value and every ∂J/∂· equal torch.autograd's
on the same inputs (float64, rtol 1e-10), for random Sequential models and every loss; what
graphjac has no op for is one node whose numbers torch computes."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphjac as gj
from test_cli import cli, write

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install 'graphjac[torch]')")
nn = torch.nn
RTOL = 1e-10


def _autograd(model, inputs, loss, target):
    """(J, {parameter name: ∂J/∂parameter}, [∂J/∂input]) from torch itself."""
    inputs = tuple(x.clone().requires_grad_(True) for x in inputs)
    model.zero_grad()
    out = model(*inputs)
    J = loss(out, target) if loss is not None else out
    J.backward()
    return J.item(), {n: p.grad.numpy().copy() for n, p in model.named_parameters()}, [x.grad.numpy() for x in inputs]


def _assert_same(model, inputs, loss=None, target=None, **options):
    model = model.double()
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    graph = gj.from_torch(model, inputs, loss, target, **options)
    graph.backward(graph.target)
    J, grads, input_grads = _autograd(model, inputs, loss, target)
    assert float(graph.value(graph.target)) == pytest.approx(J, rel=RTOL, abs=1e-14)
    linears = {name for name, module in model.named_modules() if isinstance(module, nn.Linear)}
    for name, expected in grads.items():
        mine = graph.grad(name)
        if name.rpartition(".")[0] in linears and name.endswith("weight"):
            mine = mine.T                                   # the node holds W = weightᵀ, as the lecture
        np.testing.assert_allclose(mine, expected, rtol=RTOL, atol=1e-13, err_msg=name)
    leaves = [r for r in graph.records() if r.kind == "input"][:len(inputs)]
    for record, expected in zip(leaves, input_grads):
        np.testing.assert_allclose(graph.grad(record.name), expected, rtol=RTOL, atol=1e-13)
    return graph


ACTIVATIONS = [nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity]


@st.composite
def sequentials(draw):
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    layers = []
    for n, k in zip(widths, widths[1:]):
        layers.append(nn.Linear(n, k, bias=draw(st.booleans())))
        layers.append(draw(st.sampled_from(ACTIVATIONS))())
    seed = draw(st.integers(0, 2**16))
    batch = draw(st.integers(1, 4))
    return layers, widths, seed, batch


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequentials(), st.sampled_from(["mse", "bce_logits", "mse_sum"]), st.booleans())
def test_random_sequential_models_match_autograd(spec, loss_name, expand):
    layers, widths, seed, batch = spec
    torch.manual_seed(seed)
    model = nn.Sequential(*layers).double()
    for parameter in model.parameters():            # away from ReLU's kink, where the two conventions differ
        parameter.data = parameter.data + 1e-3
    X = torch.randn(batch, widths[0], dtype=torch.float64)
    y = torch.rand(batch, widths[-1], dtype=torch.float64)
    loss = {"mse": nn.MSELoss(), "bce_logits": nn.BCEWithLogitsLoss(), "mse_sum": nn.MSELoss(reduction="sum")}[loss_name]
    _assert_same(model, X, loss, y, expand=expand)


def _two_layer(last=nn.Sigmoid):
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), last())


X = torch.linspace(-1.5, 2.0, 15, dtype=torch.float64).reshape(5, 3)


@pytest.mark.parametrize("loss, target", [
    (nn.MSELoss(), torch.rand(5, 2, dtype=torch.float64)),
    (nn.BCELoss(), torch.rand(5, 2, dtype=torch.float64)),
    (nn.BCELoss(reduction="sum"), torch.rand(5, 2, dtype=torch.float64)),
], ids=["mse", "bce", "bce-sum"])
def test_losses_on_probabilities_match_autograd(loss, target):
    _assert_same(_two_layer(), X, loss, target)


@pytest.mark.parametrize("loss, target", [
    (nn.CrossEntropyLoss(), torch.tensor([0, 1, 1, 0, 1])),
    (nn.CrossEntropyLoss(), torch.softmax(torch.arange(10.0, dtype=torch.float64).reshape(5, 2) / 3, dim=1)),
    (nn.CrossEntropyLoss(reduction="sum"), torch.tensor([1, 1, 0, 0, 1])),
    (nn.BCEWithLogitsLoss(), torch.rand(5, 2, dtype=torch.float64)),
], ids=["ce-indices", "ce-probabilities", "ce-sum", "bce-logits"])
def test_losses_on_logits_match_autograd(loss, target):
    graph = _assert_same(_two_layer(nn.Identity), X, loss, target)
    assert graph.record("y_hat").op in ("softmax", "sigmoid")


class Functional(nn.Module):
    """A forward written with operators and torch functions."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(5)
        self.w = nn.Parameter(torch.randn(3, 2, generator=generator))
        self.b = nn.Parameter(torch.randn(2, generator=generator))
        self.m = nn.Parameter(torch.randn(2, 2, generator=generator))

    def forward(self, x):
        h = torch.tanh(x @ self.w + self.b)
        z = torch.exp(-h) * 2 - h / 3 + torch.matmul(h, self.m.t())
        s = torch.sigmoid(z).sum(dim=1).mean() + torch.relu(h).sum() + torch.log(1 + z * z).mean()
        return s + (self.m.transpose(0, 1) @ self.m).sum() / 4 + torch.softmax(z, dim=-1).sum() + (self.m.T * self.m).mean()


def test_a_forward_of_operators_and_functions_matches_autograd():
    _assert_same(Functional(), X)


def test_expand_draws_a_linear_as_its_gates_with_the_same_numbers():
    dense = _assert_same(_two_layer(), X, nn.MSELoss(), torch.rand(5, 2, dtype=torch.float64))
    gates = _assert_same(_two_layer(), X, nn.MSELoss(), torch.rand(5, 2, dtype=torch.float64), expand=True)
    assert [r.op for r in dense.records() if r.op in ("dense", "matmul")] == ["dense", "dense"]
    assert [r.op for r in gates.records() if r.op in ("dense", "matmul")] == ["matmul", "matmul"]


def test_parameters_keep_their_torch_names_and_show_the_lecture_symbols():
    graph = gj.from_torch(_two_layer().double(), X, nn.MSELoss(), torch.rand(5, 2, dtype=torch.float64))
    names = [r.name for r in graph.records()]
    assert names[:6] == ["X", "y", "0.weight", "0.bias", "2.weight", "2.bias"]
    assert [graph.record(n).label for n in names[2:6]] == ["W_{1}", "B_{1}", "W_{2}", "B_{2}"]
    assert graph.annotate().node("y_hat").symbol == r"\hat{\mathbf{y}}^{(i)}"   # ŷ, in the figure's vector style
    assert "W</I><SUB>1</SUB>" in graph.to_dot() and "0.weight" not in graph.to_dot().split("tooltip")[0]


@pytest.mark.parametrize("model, opaque", [
    (nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=0)), "softmax"),   # over the minibatch: torch computes it
    (nn.Sequential(nn.Linear(3, 2), nn.GELU()), "gelu"),
    (nn.Sequential(nn.Linear(3, 2), nn.Hardtanh()), "hardtanh"),
])
def test_what_graphjac_has_no_op_for_is_one_node_whose_numbers_torch_computes(model, opaque):
    graph = _assert_same(model, X, nn.MSELoss(), torch.rand(5, 2, dtype=torch.float64))
    assert [r.op for r in graph.records() if r.op and r.op.startswith("torch_")] != []
    assert any(opaque in r.op for r in graph.records() if r.op and r.op.startswith("torch_"))


class Sinh(nn.Module):
    def forward(self, x):
        return torch.sinh(x).sum()


def test_an_op_of_ones_own_stands_for_a_torch_function():
    from graphjac.core.ops.custom import scoped_ops
    drawn = gj.from_torch(Sinh(), X)          # without ops=: torch computes sinh
    assert [r.name for r in drawn.records() if r.op and r.op.startswith("torch_sinh")] == ["sinh1"]
    with scoped_ops():
        gj.define_op("sinh", forward=np.sinh, derivative=lambda u, out: np.cosh(u),
                     latex=r"\sinh {$u}", derivative_latex=r"\cosh {$u}")
        graph = gj.from_torch(Sinh(), X.clone().requires_grad_(False), ops={torch.sinh: "sinh"})
        graph.backward(graph.target)
        assert float(graph.value(graph.target)) == pytest.approx(torch.sinh(X).sum().item(), rel=RTOL)
        np.testing.assert_allclose(graph.grad("X"), np.cosh(X.numpy()), rtol=RTOL)   # X: a minibatch


def test_a_loss_without_target_and_an_output_that_is_no_scalar_are_said():
    with pytest.raises(gj.GraphjacError, match="a loss needs its target"):
        gj.from_torch(_two_layer().double(), X, nn.MSELoss())
    with pytest.raises(gj.GraphjacError, match=r"output has shape \(5, 2\); give loss= and target="):
        gj.from_torch(_two_layer().double(), X)


MODEL = """import torch
from torch import nn
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid())
example_inputs = torch.tensor([[1.0, 2.0], [0.5, -1.5], [-1.0, 0.5]])
target = torch.tensor([[1.0], [0.0], [1.0]])
loss = nn.BCELoss()
"""


@pytest.mark.parametrize("spec, flags", [("model.py:net", ["--torch"]), ("model.py", ["--torch"]), ("model.py", [])])
def test_the_cli_draws_a_torch_model(tmp_path, spec, flags):
    write(tmp_path, "model.py", MODEL)
    code, out, err = cli("render", spec, *flags, "-o", "net.dot", cwd=tmp_path)
    assert code == 0, err
    dot = (tmp_path / "net.dot").read_text()
    assert "W</I><SUB>1</SUB>" in dot and "B</I><SUB>2</SUB>" in dot
    code, out, err = cli("run", spec, *flags, cwd=tmp_path)
    assert code == 0 and "0.weight" in out and "J = " in out, err


def test_a_model_script_without_example_inputs_is_one_clear_line(tmp_path):
    write(tmp_path, "model.py", "from torch import nn\nnet = nn.Linear(2, 1)\n")
    code, out, err = cli("render", "model.py:net", "--torch", "-o", "x.svg", cwd=tmp_path)
    assert code == 2 and "must also define example_inputs" in err


def test_the_two_layer_net_built_in_torch_is_the_gallerys_figure():
    gallery = gj.load("lecture:two_layer")
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid()).double()
    with torch.no_grad():       # the gallery's numbers: W = weightᵀ
        net[0].weight.copy_(torch.tensor(gallery.value("W1")).T)
        net[0].bias.copy_(torch.tensor(gallery.value("B1")))
        net[2].weight.copy_(torch.tensor(gallery.value("W2")).T)
        net[2].bias.copy_(torch.tensor(gallery.value("B2")))
    names = {"0.weight": "W1", "0.bias": "B1", "2.weight": "W2", "2.bias": "B2", "l1": "L1", "h1": "H",
             "l2": "L2", "y_hat": "p"}
    model = {name: "Model" for name in names}
    graph = gj.from_torch(net, torch.tensor(gallery.value("X")), nn.BCELoss(), torch.tensor(gallery.value("y")),
                          name=gallery.name, names=names,
                          labels={"h1": r"\vec{h}", "l1": r"\vec{l}_{1}", "l2": r"\vec{l}_{2}", "y_hat": r"\hat{y}"},
                          groups={"X": "Minibatch", "y": "Minibatch", **model},
                          render_options=gallery.render_options)
    assert graph.to_dot() == gallery.to_dot()


def test_the_dense_cce_layer_built_in_torch_is_the_gallerys_figure():
    gallery = gj.load("lecture:dense_cce")
    net = nn.Sequential(nn.Linear(2, 3)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(gallery.value("W")).T)
        net[0].bias.copy_(torch.tensor(gallery.value("B")))
    graph = gj.from_torch(net, torch.tensor(gallery.value("x")), nn.CrossEntropyLoss(), torch.tensor(gallery.value("y")),
                          name=gallery.name, names={"X": "x", "0.weight": "W", "0.bias": "B"},
                          labels={"0.weight": None, "0.bias": None, "l": None},
                          groups={"X": "Dataset", "y": "Dataset", "0.weight": "Model", "0.bias": "Model", "l": "Model",
                                  "y_hat": "Model"},
                          render_options=gallery.render_options)
    assert graph.to_dot() == gallery.to_dot()


def test_the_bold_vector_style_reaches_every_layer_of_a_torch_model():
    from graphjac.notation.mathtext import to_unicode
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.Sigmoid()).double()
    graph = gj.from_torch(net, X[:, :2], nn.BCELoss(), torch.ones(5, 2, dtype=torch.float64))
    bold = {n.name: to_unicode(n.symbol) for n in graph.annotate(vector_style="bold").nodes}
    arrows = {n.name: to_unicode(n.symbol) for n in graph.annotate().nodes}
    assert "\u20d7" not in bold["l1"] + bold["h1"] + bold["l2"] and "\u20d7" in arrows["l1"] + arrows["h1"]


def _declared_calls():
    """(op, torch name) for every function, method and operator an elementwise op declares in
    ``torch=`` and takes its operands as they are (no attributes; ops with attributes or shapes to
    convert have a handler, tested with the models in test_torch_models.py)."""
    from graphjac.core.ops import REGISTRY
    return sorted((name, declared) for name, op in REGISTRY.items() if not op.attrs and op.elementwise
                  for declared in op.torch if declared.rpartition(".")[0] in ("torch", "Tensor", "operator"))



def _call(declared):
    """A Python function calling ``declared`` on its operands."""
    import operator
    prefix, _, name = declared.rpartition(".")
    if prefix == "Tensor":
        return lambda *xs: getattr(xs[0], name)(*xs[1:])
    return getattr({"torch": torch, "operator": operator}[prefix], name)


@pytest.mark.parametrize("op_name, declared", _declared_calls(), ids=lambda x: x)
def test_every_declared_torch_call_maps_to_its_op(op_name, declared):
    """What an op declares it stands for, from_torch draws as that op (not an opaque node), and
    its gradients are torch's: the op's ``torch=`` is the one place the mapping lives."""
    from graphjac.core.ops import REGISTRY
    op = REGISTRY[op_name]
    case = op.domain(np.random.default_rng(5))
    case = case[0] if isinstance(case, list) else case
    function = _call(declared)

    class Unary(nn.Module):
        def forward(self, a):
            return function(a).sum()

    class Binary(nn.Module):
        def forward(self, a, b):
            return function(a, b).sum()

    Model = Unary if op.arity == 1 else Binary

    inputs = tuple(torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64) for x in case.operands)
    graph = gj.from_torch(Model(), inputs if len(inputs) > 1 else inputs[0])
    ops = {record.op for record in graph.records()}
    assert op_name in ops, f"{declared} was drawn as {sorted(map(str, ops))}"


def test_an_opaque_node_is_not_part_of_the_spec_format():
    """A call graphjac has no op for becomes an op of that model's graph only: the spec format's
    schema (which `graphjac schema` prints and the shipped file holds) does not change."""
    from graphjac.io.schema import spec_schema
    before = spec_schema()

    class Erf(nn.Module):
        def forward(self, x):
            return torch.special.erf(x).sum()

    graph = gj.from_torch(Erf(), torch.tensor([0.5, -1.0], dtype=torch.float64))
    assert any(record.kind.startswith("torch_") for record in graph.records())
    assert spec_schema() == before
