"""The models lecturers have, drawn by from_torch: a CNN, nn.RNN/LSTM/GRU over time, a
transformer layer, attention by hand, Embedding → LayerNorm, a residual block with BatchNorm
in training mode, one Linear called twice, a custom autograd Function; and depth, opaque
nodes and shared weights. Every J and ∂J/∂ parameter equals torch.autograd's in float64."""

from __future__ import annotations

import numpy as np
import pytest

import graphjac as gj

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from torch_models import models, torch_gradients  # noqa: E402

RTOL = 1e-8
MODELS = models()


def same(model, inputs, loss=None, target=None, **options):
    """The graph, after checking J and every parameter's gradient against torch.autograd."""
    J, grads = torch_gradients(model, inputs, loss, target)
    graph = gj.from_torch(model, inputs, loss, target, **options)
    graph.backward()
    assert float(graph.value(graph.target)) == pytest.approx(J, rel=RTOL, abs=1e-12)
    linears = {n for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    prefix = type(model).__name__ + "." if type(model).__module__.startswith("torch.nn") else ""
    for name, expected in grads.items():
        mine = graph.grad(name)
        assert mine is not None, name
        if (prefix + name).rpartition(".")[0] in {prefix + n for n in linears} and name.endswith("weight"):
            mine = mine.T                   # a Linear's node holds W = weightᵀ, as the lecture writes it
        np.testing.assert_allclose(mine, expected, rtol=RTOL, atol=1e-12, err_msg=name)
    return graph


def ops_of(graph):
    return [r.op for r in graph.records() if r.op]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_model_equals_torch_and_is_drawn(name, tmp_path):
    graph = same(*MODELS[name])
    assert graph.to_dot().startswith("digraph")
    if name not in ("custom",):
        assert not any(op.startswith("torch_") for op in ops_of(graph)), ops_of(graph)


def test_the_cnn_is_drawn_with_its_ops():
    ops = ops_of(same(*MODELS["cnn"]))
    assert {"conv2d", "relu", "max_pool2d", "flatten", "dense", "cce"} <= set(ops)


@pytest.mark.parametrize("kind, gates", [("rnn", {"h1", "h2", "h3"}), ("lstm", {"i2", "f2", "g2", "o2", "c2"}),
                                         ("gru", {"r2", "z2", "n2", "h3"})])
def test_recurrent_layers_are_unrolled_with_their_gates_and_shared_weights(kind, gates):
    graph = same(*MODELS[kind])
    names = {r.name for r in graph.records()}
    assert gates <= names
    weight = graph.node("rnn.weight_hh_l0")
    uses = [r for r in graph.records() if weight.id in r.inputs]
    assert len(uses) == 1 and uses[0].op == "transpose"    # one parameter node, transposed once
    transposed = uses[0].id
    assert sum(transposed in r.inputs for r in graph.records()) >= 2 or kind != "rnn"   # used at each step


def test_the_transformer_layer_is_its_attention_and_norms_and_collapses_with_depth():
    model, x, loss, y = MODELS["transformer"]
    ops = ops_of(same(model, x, loss, y))
    assert ops.count("softmax") == 2 and ops.count("layer_norm") == 2      # two heads, two norms
    whole = same(model, x, loss, y, depth=0)
    kept = [op for op in ops_of(whole) if op.startswith("torch_")]
    assert len(kept) == 1 and "transformerencoderlayer" in kept[0]      # one box, named after the module


def test_the_custom_autograd_function_is_one_node_with_torchs_backward():
    graph = same(*MODELS["custom"])
    assert [r.name for r in graph.records() if r.op and r.op.startswith("torch_")] == ["Swish1"]


def test_a_module_called_twice_is_one_set_of_parameters_with_an_edge_per_use():
    graph = same(*MODELS["shared"])
    W = graph.node("fc.weight")
    assert sum(W.id in r.inputs for r in graph.records()) == 2


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
        self.b = nn.Sequential(nn.Linear(3, 3), nn.Tanh())

    def forward(self, x):
        return self.b(self.a(x))


def test_depth_keeps_submodules_whole_and_expand_opens_one():
    x, y = torch.randn(2, 3), torch.randn(2, 3)
    collapsed = same(Deep(), x, nn.MSELoss(), y, depth=1)
    assert sum(op.startswith("torch_") for op in ops_of(collapsed)) == 2
    opened = same(Deep(), x, nn.MSELoss(), y, depth=1, expand=["b"])
    assert sum(op.startswith("torch_") for op in ops_of(opened)) == 1 and "dense" in ops_of(opened)


def test_every_operation_knows_the_submodule_that_computes_it():
    graph = same(Deep(), torch.randn(2, 3), nn.MSELoss(), torch.randn(2, 3))
    scopes = {r.name: r.scope for r in graph.records() if r.op}
    assert sorted(set(scopes.values())) == [(),                   # the loss, outside the model
                                            (("a", "Sequential"), ("a.0", "Linear")),
                                            (("a", "Sequential"), ("a.1", "Tanh")),
                                            (("b", "Sequential"), ("b.0", "Linear")),
                                            (("b", "Sequential"), ("b.1", "Tanh"))]
    assert all(r.scope == () for r in graph.records() if r.kind in ("input", "param"))
    renamed = gj.from_torch(Deep(), torch.randn(2, 3), nn.MSELoss(), torch.randn(2, 3), names={"l1": "z1"})
    assert renamed.record("z1").scope == (("a", "Sequential"), ("a.0", "Linear"))   # kept through the renaming


@pytest.mark.dot
def test_fit_collapses_the_recurrent_layer_when_nothing_else_makes_its_text_legible():
    """The torch RNN unrolled is 1.9 pt on a slide, 5.6 pt folded: at 4:3 fit draws nn.RNN as
    one node (as depth=0 would), its inputs and weights kept, and it reads at 8 pt or more."""
    from dataclasses import replace as changed
    from graphjac.render import figure_for
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.layout.fitting import LEGIBLE, smallest_text
    from graphjac.render.writers.composer import place
    graph = same(*MODELS["rnn"])
    figure = figure_for(graph, fit="4:3")
    box = [n for n in figure.nodes if n.scope]
    assert [n.label[:2] for n in box if n.label[0].startswith(r"\text")] == [(r"\text{rnn (RNN)}", "H^{(i)}")]
    head = next(n for n in box if n.scope == (("head", "Linear"),))
    assert r"W^{T}" in " ".join(head.label)                                 # one operation: its formula kept
    assert not any(g.path[-1].startswith("t =") for g in figure.groups)     # the steps went with their nodes
    names = {n.id: n.name for n in figure.nodes}
    back = {names[e.dst]: e.label for e in figure.edges if e.direction == "backward" and e.src == box[0].id}
    assert back["X"] == (r"\frac{\partial J}{\partial X^{(i)}}",)          # its three steps' shares, one edge
    assert back["rnn.bias_ih_l0"] == (r"\frac{\partial J}{\partial \vec{b}_{ih}}",)
    assert [n.label for n in figure.nodes if n.name == "X"] == [("X^{(i)}",)]   # no sum of shares now unseen
    placed = place(figure)
    assert collisions(figure, placed.layout, placed.marks) == []
    size = (placed.layout.width, placed.layout.height)
    assert smallest_text(changed(figure, page=(4.0, 3.0)), size) >= LEGIBLE


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 2, 2)

    def forward(self, x):
        return nn.functional.gelu(self.conv(x)).flatten(1)


def test_anything_else_is_an_opaque_node_with_torchs_numbers():
    graph = same(Odd(), torch.randn(2, 1, 3, 3, 3), nn.MSELoss(), torch.randn(2, 16))
    names = [r.name for r in graph.records() if r.op and r.op.startswith("torch_")]
    assert names == ["Conv3d1", "gelu1"]
    assert graph.record("Conv3d1").shape == (2, 2, 2, 2, 2)


class Recurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell
        self.lstm = isinstance(cell, nn.LSTM)

    def forward(self, x):
        out, state = self.rnn(x)
        h = state[0] if self.lstm else state
        return out.pow(2).mean() + h[-1].sum()


def test_a_capture_that_computes_something_else_than_the_model_is_said():
    class Typed(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(2, 3, batch_first=True)

        def forward(self, x):
            out, state = self.rnn(x)
            h = state[0] if isinstance(state, tuple) else state     # fx sees a Proxy, not a tuple
            return h[-1].sum()

    with pytest.raises(gj.GraphjacError, match="another path"):
        gj.from_torch(Typed(), torch.randn(2, 4, 2))


@pytest.mark.parametrize("cell", [nn.LSTM(2, 3, num_layers=2, batch_first=True),
                                  nn.GRU(2, 3, batch_first=True, bias=False),
                                  nn.RNN(2, 3, batch_first=True, nonlinearity="relu"),
                                  nn.GRU(2, 3, batch_first=True, bidirectional=True)])
def test_recurrent_variants_and_their_final_states(cell):
    torch.manual_seed(3)
    same(Recurrent(cell), torch.randn(2, 4, 2))


def test_a_recurrent_layers_weights_have_the_lectures_symbols_layer_by_layer_when_stacked():
    torch.manual_seed(3)
    one = same(Recurrent(nn.GRU(2, 3, batch_first=True)), torch.randn(2, 4, 2))
    assert [one.record(f"rnn.{k}_l0").label for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")] == \
        ["W_{ih}", "W_{hh}", r"\vec{b}_{ih}", r"\vec{b}_{hh}"]
    two = same(Recurrent(nn.LSTM(2, 3, num_layers=2, batch_first=True)), torch.randn(2, 4, 2))
    assert [two.record(f"rnn.weight_hh_l{k}").label for k in (0, 1)] == ["W_{hh0}", "W_{hh1}"]   # as their transposes


def test_multihead_attention_and_scaled_dot_product_attention():
    torch.manual_seed(4)

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha, self.proj = nn.MultiheadAttention(4, 2, batch_first=True), nn.Linear(4, 12)

        def forward(self, x):
            q, k, v = self.proj(x).split(4, dim=-1)
            sdpa = nn.functional.scaled_dot_product_attention(q, k, v)
            return self.mha(x, x, x)[0].pow(2).mean() + sdpa.mean()

    graph = same(Both(), torch.randn(2, 3, 4))
    assert ops_of(graph).count("softmax") == 3


def test_batch_norm_in_eval_mode_uses_the_running_statistics():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    model.train()(torch.randn(8, 3))       # some running statistics
    same(model.eval(), torch.randn(4, 3), nn.MSELoss(), torch.randn(4, 3))


def test_dropout_in_training_mode_draws_the_mask_torch_drew():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5)).train()
    graph = gj.from_torch(model, torch.randn(5, 3), nn.MSELoss(), torch.randn(5, 4))
    assert "dropout" in ops_of(graph)
    mask = next(r for r in graph.records() if r.name.startswith("mask"))
    assert set(np.unique(mask.value)) <= {0.0, 1.0}


def test_a_model_on_the_meta_device_is_a_clear_error():
    with torch.device("meta"):
        model = nn.Linear(2, 1)
    with pytest.raises(gj.GraphjacError, match="meta device"):
        gj.from_torch(model, torch.randn(2, 2))


def test_a_model_whose_own_forward_cannot_be_captured_says_why():
    class Branchy(nn.Module):
        def forward(self, x):
            return x.sum() if x.sum() > 0 else -x.sum()

    with pytest.raises(gj.GraphjacError, match="control flow"):
        gj.from_torch(Branchy(), torch.randn(2, 2))


def test_a_submodule_fx_cannot_trace_is_kept_whole():
    class Branchy(nn.Module):
        def forward(self, x):
            return x * 2 if x.sum() > 0 else x * 3

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.fc = Branchy(), nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(self.inner(x)).sum()

    graph = same(Outer(), torch.randn(3, 2).abs())
    assert any(r.name.startswith("Branchy") for r in graph.records())


def test_torchs_mean_over_every_element_reads_as_the_mean_over_samples_shared_by_the_components():
    """MSELoss averages all N·K elements; graphjac's J₀⁽ⁱ⁾ sums a sample's K: J = J̄₀ / K, with
    J̄₀ drawn as a symbol (it was the text mean_J0)."""
    from graphjac.render import figure_for
    figure = figure_for(same(*MODELS["residual"]))
    lines = {n.name: n.label[0] for n in figure.nodes}
    assert lines["mean_J0"] == r"\bar{J}_{0} = \frac{1}{N} \sum_{i=1}^{N} J_{0}^{(i)}"
    assert lines["J"] == r"J = \frac{\bar{J}_{0}}{3}"


@pytest.mark.dot
@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_a_recurrent_layer_drawn_as_a_circuit_has_nothing_colliding(name):
    """Its wires' labels double the nodes past the size a layout is checked at; a wire ran
    through another's label."""
    from graphjac.render import figure_for
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.writers.composer import place
    figure = figure_for(same(*MODELS[name]), style="circuit")
    placed = place(figure)
    assert collisions(figure, placed.layout, placed.marks) == []


@pytest.mark.dot
@pytest.mark.parametrize("name, brief", [("residual", False), ("attention", True)])
def test_fit_brings_the_residual_block_and_attention_to_legible_text_on_a_4_3_slide(name, brief):
    """The residual block in two columns (its block, its loss beside it); attention also brief:
    no matrix's numbers in its nodes and ∂J/∂x alone on its edges, at 8 pt or more."""
    from dataclasses import replace as changed
    from graphjac.render import figure_for
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.layout.fitting import LEGIBLE, smallest_text
    from graphjac.render.writers.composer import place
    figure = figure_for(same(*MODELS[name]), fit="4:3")
    placed = place(figure)
    assert collisions(figure, placed.layout, placed.marks) == []
    assert smallest_text(changed(figure, page=(4.0, 3.0)), (placed.layout.width, placed.layout.height)) >= LEGIBLE
    formulas = [line for e in figure.edges if e.direction == "backward" for line in e.label if " = " in line]
    assert bool(formulas) != brief
    assert any(r"\begin{bmatrix}" in line for n in figure.nodes for line in n.label) != brief


@pytest.mark.dot
def test_a_backward_edge_on_its_forward_edge_that_no_bow_takes_clear_of_the_nodes_is_drawn_round_them():
    """The transformer layer as given: ∂J/∂X's third share lay on X → XW_Vᵀ, and every bow off it
    ran through the transpose beside it."""
    from graphjac.render import figure_for
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.writers.composer import place
    figure = figure_for(same(*MODELS["transformer"]))
    placed = place(figure)
    assert collisions(figure, placed.layout, placed.marks) == []


@pytest.mark.parametrize("name, symbols", [
    ("transformer", {"self_attn.in_proj_weight": "W_{QKV}", "self_attn.in_proj_bias": r"\vec{b}_{QKV}",
                     "norm1.weight": r"\vec{\gamma}_{1}", "norm1.bias": r"\vec{\beta}_{1}",
                     "norm2.weight": r"\vec{\gamma}_{2}", "norm2.bias": r"\vec{\beta}_{2}",
                     "self_attn.out_proj.weight": "W_{O}", "self_attn.out_proj.bias": r"\vec{b}_{O}",
                     "linear1.weight": "W_{1}", "linear1.bias": "B_{1}", "linear2.weight": "W_{2}"}),
    ("residual", {"bn.weight": r"\vec{\gamma}", "bn.bias": r"\vec{\beta}"}),
    ("embedding", {"norm.weight": r"\vec{\gamma}", "norm.bias": r"\vec{\beta}", "embed.weight": "E"})])
def test_a_normalisation_and_attention_s_projections_are_written_as_lectures_write_them(name, symbols):
    graph = same(*MODELS[name])
    shown = {r.name: r.label for r in graph.records() if r.name in symbols}
    assert shown == symbols


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_the_last_state_taken_from_a_recurrent_layer_s_outputs_reads_h_T(name):
    """``out[:, -1]`` read u⃗₃₁ (then u⃗₁₁): a lecture writes the last hidden state h⃗_T."""
    from graphjac.render import figure_for
    labels = {n.name: n.label[0] for n in figure_for(same(*MODELS[name])).nodes}
    assert labels["h_T"] == r"\vec{h}_{T}^{(i)} = {H^{(i)}}_{[-1]}"
    assert labels["y_hat"] == r"\hat{\mathbf{y}}^{(i)} = W^{T} \vec{h}_{T}^{(i)} + B"


@pytest.mark.parametrize("name, pre_activations", [
    ("rnn", {r"\vec{a}_{1}", r"\vec{a}_{2}", r"\vec{a}_{3}"}),
    ("lstm", {r"\vec{a}_{i,1}", r"\vec{a}_{g,1}", r"\vec{a}_{o,1}", r"\vec{a}_{f,2}", r"\vec{a}_{f,3}"}),
    ("gru", {r"\vec{a}_{r,1}", r"\vec{a}_{z,3}"})])
def test_a_recurrent_steps_results_read_as_symbols_its_pre_activation_as_d2l_names_it(name, pre_activations):
    """Each step's x⃗ₜW_ihᵀ read "z1 x" (a name, shown as text); now its terms are graphjac's
    u⃗ₖ and their sum, the gate's argument, is a⃗ₜ (a⃗_{i,t} for LSTM's gate i)."""
    from graphjac.render import figure_for
    graph = same(*MODELS[name])
    assert pre_activations <= {r.label for r in graph.records()}
    for record in graph.records():
        assert " " not in record.name or record.op is None, record.name   # module buffers keep their dotted names
    symbols = [n.label[0].split(" = ")[0] for n in figure_for(graph).nodes if n.role not in ("input", "param")]
    assert not [s for s in symbols if r"\text" in s or " " in s]


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_a_final_state_the_model_does_not_read_is_not_drawn(name):
    """``out, _ = self.rnn(x)``: h_n stood beside the stacked outputs as "A₀ = stack(h⃗₃)", read by
    nothing, and it made the collapsed layer's box two outputs (its symbol left off); a state
    the model reads is drawn (test_recurrent_variants_and_their_final_states)."""
    graph = same(*MODELS[name])
    assert not {"h_n", "c_n"} & {r.name for r in graph.records()}
    assert all(r.id == graph.target.id or any(r.id in s.inputs for s in graph.records()) for r in graph.records())
    read = same(Recurrent(MODELS[name][0].rnn), torch.randn(2, 3, 2))
    assert "h_n" in {r.name for r in read.records()}


@pytest.mark.parametrize("name, gates", [("lstm", "ifgo"), ("gru", "rzn")])
def test_a_gates_part_of_the_stacked_weights_reads_as_pytorchs_documentation_writes_it(name, gates):
    """LSTM's iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi): the columns of W_ihᵀ for gate i read u₁
    (an index of W_ihᵀ) in every step's product; now W_iiᵀ, W_hiᵀ, b⃗_ii, b⃗_hi."""
    from graphjac.render import figure_for
    from graphjac.notation.mathtext import to_unicode
    graph = same(*MODELS[name])
    weights = {graph.node(name).id for name in ("rnn.weight_ih_l0ᵀ", "rnn.weight_hh_l0ᵀ", "rnn.bias_ih_l0",
                                                 "rnn.bias_hh_l0")}
    parts = [r.label for r in graph.records() if r.op == "index" and r.inputs[0] in weights]
    expected = [label for gate in gates for label in
                (rf"W_{{i{gate}}}^{{T}}", rf"W_{{h{gate}}}^{{T}}", rf"\vec{{b}}_{{i{gate}}}", rf"\vec{{b}}_{{h{gate}}}")]
    assert parts == expected
    lines = [to_unicode(n.label[0]) for n in figure_for(graph).nodes if n.name.startswith("matmul")]
    assert any(line.endswith(" = x⃗₁⁽ⁱ⁾" + to_unicode(expected[0])) for line in lines)


class ZeroStart(nn.Module):
    """A lecture's zero initialisation: every pre-activation of the hidden layer is exactly 0."""

    def __init__(self, activation):
        super().__init__()
        self.a, self.b, self.act = nn.Linear(2, 3), nn.Linear(3, 1), activation
        with torch.no_grad():
            self.a.weight.zero_()
            self.a.bias.zero_()

    def forward(self, x):
        return self.b(self.act(self.a(x)))


@pytest.mark.parametrize("activation", [nn.ReLU(), nn.LeakyReLU(0.1), torch.relu,
                                        lambda z: nn.functional.leaky_relu(z, 0.1)])
def test_a_relu_at_exactly_zero_has_torchs_derivative_there(activation):
    """Zero-initialised weights put every z at 0, where torch's ReLU′ is 0 (a leaky ReLU's, its
    slope) and the lecture's is 1: ∂J/∂b₁ was (0.13, 0.24, …) against torch's zeros."""
    from graphjac.render import figure_for
    torch.manual_seed(5)
    graph = same(ZeroStart(activation), torch.randn(4, 2), nn.MSELoss(), torch.randn(4, 1))
    relu = next(r for r in graph.records() if r.op in ("relu", "leaky_relu"))
    assert relu.attrs["torch_kink"] is True
    figure = figure_for(graph, edge_labels="local")
    node = next(n.id for n in figure.nodes if n.name == relu.name)
    edge = next(e for e in figure.edges if e.direction == "backward" and e.src == node)
    assert r"> 0" in edge.label[0] and r"\le 0" in edge.label[0]      # the formula says which side
    lecture = gj.Graph("lecture")
    z = lecture.input("z", [0.0, 2.0, -1.0])
    lecture.backward(lecture.sum(lecture.activation(z, "relu"), name="J"))
    assert lecture.grad("z").tolist() == [1.0, 1.0, 0.0]                # ReLU′(0) = 1 as the lecture writes it


class LastState(nn.Module):
    """``out, (h, c) = self.rnn(x)`` and the head on h[-1], the last layer's final state."""

    def __init__(self, cell):
        super().__init__()
        self.rnn, self.head = cell, nn.Linear(3, 1)

    def forward(self, x):
        out, state = self.rnn(x)
        h = state[0] if isinstance(self.rnn, nn.LSTM) else state
        return self.head(h[-1])


@pytest.mark.parametrize("cell", [nn.LSTM(2, 3, batch_first=True), nn.GRU(2, 3, num_layers=2, batch_first=True)])
def test_the_last_layers_final_state_reads_h_T_as_the_last_output_does(cell):
    """h_n[-1] read u⃗₄₆ (a number among every result of the unrolled layer); it is the same
    state as out[:, -1], h⃗_T. The cell state nothing reads is not drawn."""
    from graphjac.render import figure_for
    torch.manual_seed(2)
    graph = same(LastState(cell), torch.randn(2, 3, 2), nn.MSELoss(), torch.randn(2, 1))
    labels = {n.name: n.label[0] for n in figure_for(graph).nodes}
    assert labels["h_T"].startswith(r"\vec{h}_{T}^{(i)} = ")
    assert "c_n" not in labels
