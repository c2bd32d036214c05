"""Graphviz's layout read back: placeholder sizes, splines, label positions, cluster boxes, edge ids."""

import contextlib

import numpy as np
import pytest

from graphjac import GraphjacError
from graphjac.io.loaders import load_example
from graphjac.render import figure_for
from graphjac.render.layout.dot import figure_to_dot, placeholder
from graphjac.render.layout.geometry import lay_out, parse_json

pytestmark = pytest.mark.dot

HAND_WRITTEN = f"""digraph G {{
  rankdir=BT; node [shape=box, margin=0, width=0, height=0];
  subgraph cluster_m {{ label="Model"; a [label={placeholder(40, 30)}]; b [label={placeholder(20.2, 10)}]; }}
  c [id="top", label={placeholder(70, 12)}];
  a -> c [id="ac"];
  c -> b [id="cb", dir=both, label={placeholder(60, 25)}];
  b -> c;
}}"""


def test_placeholders_give_nodes_exactly_the_measured_size():
    lay = lay_out(HAND_WRITTEN)
    assert (lay.nodes["a"].width, lay.nodes["a"].height) == pytest.approx((40, 30), abs=0.05)
    assert (lay.nodes["b"].width, lay.nodes["b"].height) == pytest.approx((21, 10), abs=0.05)  # whole points, up
    assert lay.nodes["top"].width == pytest.approx(70, abs=0.05)                # keyed by id when it has one


def test_edges_read_as_bezier_chains_with_arrow_tips_and_label_centres():
    lay = lay_out(HAND_WRITTEN)
    edges = {e.id: e for e in lay.edges}
    unnamed = set(edges) - {"ac", "cb"}
    assert len(unnamed) == 1 and unnamed.pop().startswith("edge ")              # a key no DOT id collides with
    for e in edges.values():
        assert len(e.points) % 3 == 1 and e.end is not None
    assert edges["cb"].start is not None and edges["ac"].start is None          # dir=both: a tip at each end
    assert (edges["ac"].tail, edges["ac"].head) == ("a", "top")
    top, a = lay.nodes["top"], lay.nodes["a"]
    assert edges["ac"].end[1] == pytest.approx(top.y - top.height / 2, abs=1.5)  # the tip touches the box
    assert edges["ac"].points[0][1] == pytest.approx(a.y + a.height / 2, abs=1.5)
    x, y = edges["cb"].label
    assert 0 <= x <= lay.width and 0 <= y <= lay.height
    assert edges["ac"].label is None


def test_cluster_box_holds_its_nodes_and_its_label():
    lay = lay_out(HAND_WRITTEN)
    box = lay.clusters["cluster_m"]
    for key in "ab":
        n = lay.nodes[key]
        assert box.x0 < n.x - n.width / 2 and n.x + n.width / 2 < box.x1
        assert box.y0 < n.y - n.height / 2 and n.y + n.height / 2 < box.y1
    assert box.x0 < box.label[0] < box.x1 and box.y0 < box.label[1] < box.y1


def test_dot_ids_every_edge_by_its_place_in_the_figure_and_boxes_the_measured_labels():
    figure = figure_for(load_example("neuron"))
    boxes = {node.id: (30, 20) for node in figure.nodes}
    boxes.update({f"e{k}": (50, 10) for k, e in enumerate(figure.edges) if e.direction == "backward"})
    boxes["heading"] = (80, 30)
    lay = lay_out(figure_to_dot(figure, boxes))
    edges = {e.id: e for e in lay.edges}
    for k, edge in enumerate(figure.edges):
        drawn = edges[f"e{k}"]
        if edge.direction == "backward":      # written forwards with dir=back, its tip at the tail
            assert (drawn.tail, drawn.head) == (edge.dst, edge.src) and drawn.start is not None
            assert drawn.label is not None
        else:
            assert (drawn.tail, drawn.head) == (edge.src, edge.dst) and drawn.end is not None
    for node in figure.nodes:
        assert lay.nodes[node.id].width >= 30
    assert lay.label is not None


@pytest.mark.parametrize("text", ["", "{", '{"bb": "0,0,1"}', '{"bb": "0,0,1,1", "objects": [{"name": "a"}]}',
                                  '{"bb": "0,0,1,1", "edges": [{"tail": 0, "head": 0, "pos": "1,1 2,2"}]}'])
def test_unreadable_layout_is_a_render_error(text):
    with pytest.raises(GraphjacError, match="cannot read Graphviz's layout"):
        parse_json(text)


def test_an_invisible_edge_that_only_orders_the_layout_is_no_edge_of_the_drawing():
    """A wall between columns or a rank's order: nothing is drawn, so nothing runs into it (the
    walls of a wrapped figure "crossed" its boxes' titles and threw the candidate away); an
    invisible edge of graphjac's own (a frame's edge not reached yet) stays, in its place."""
    layout = lay_out('digraph { a -> b [id=e0]; a -> c [style=invis]; b -> c [id=e1, style=invis]; }')
    assert sorted(edge.id for edge in layout.edges) == ["e0", "e1"]


# ------------------------------------------------------------------------------ repeated structure

def _step_layout(direction):
    from graphjac.render import figure_for
    from graphjac.render.writers.composer import place
    figure = figure_for(load_example("rnn_bptt"), direction=direction)
    return figure, place(figure).layout


@pytest.mark.dot
@pytest.mark.parametrize("direction", ["BT", "TB", "LR"])
def test_time_steps_stand_in_order_each_boxed_around_its_own_nodes(direction):
    """d2l.ai's BPTT figure: the steps t = 1, 2, 3 side by side in that order (Graphviz drew
    t = 2, t = 1, shared, t = 3), each box around its own nodes and nothing else, the shared
    parameters in a box of their own."""
    figure, layout = _step_layout(direction)
    groups = {group.label[0].replace(" ", ""): f"cluster_{k}" for k, group in enumerate(figure.groups)}
    boxes = {name: layout.clusters[key] for name, key in groups.items()}
    across = 0 if direction in ("BT", "TB") else 1          # the axis the steps follow
    centre = lambda box: ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)[across]
    order = [centre(boxes[r"\text{t=%d}" % t]) for t in (1, 2, 3)]
    assert (order == sorted(order)) if direction != "LR" else (order == sorted(order, reverse=True)), order
    members = {}
    for node in figure.nodes:
        if node.group:
            members.setdefault(node.group, set()).add(node.id)
    for group, key in ((g, f"cluster_{k}") for k, g in enumerate(figure.groups)):
        box = layout.clusters[key]
        for node_id, node in layout.nodes.items():
            inside = box.x0 <= node.x <= box.x1 and box.y0 <= node.y <= box.y1
            assert inside == (node_id in members[group.path]), (group.label, node_id)


@pytest.mark.dot
@pytest.mark.parametrize("direction", ["BT", "TB"])
def test_the_head_of_an_unrolled_rnn_stands_beyond_its_last_step_not_beside_it(direction):
    """The output, its weights, the target and the loss follow the steps in the figure's
    direction, over (or under) the last step: beside it they widened the figure by a column."""
    figure, layout = _step_layout(direction)
    last = layout.clusters[next(f"cluster_{k}" for k, g in enumerate(figure.groups) if g.label[0] == r"\text{t = 3}")]
    first = layout.clusters[next(f"cluster_{k}" for k, g in enumerate(figure.groups) if g.label[0] == r"\text{t = 1}")]
    ids = {node.name: node.id for node in figure.nodes}
    up = direction == "BT"   # Graphviz's y grows upwards
    for name in ("w", "c", "o", "y", "J"):
        node = layout.nodes[ids[name]]
        assert (node.y - node.height / 2 > last.y1) if up else (node.y + node.height / 2 < last.y0), name
        assert node.x > first.x1, name     # nearer the last step than the first
    assert layout.width < 1.9 * layout.height


@pytest.mark.dot
def test_fit_keeps_a_direction_the_user_names():
    from graphjac.render import figure_for
    graph = load_example("neuron")
    assert figure_for(graph, fit="16:9", direction="TB").direction == "TB"
    assert figure_for(graph, fit="16:9", direction="BT").direction == "BT"
    assert figure_for(graph, fit="16:9").direction in ("BT", "LR")       # the spec's own may turn


def _unrolled(steps, seed, scope=False):
    """An RNN over ``steps`` steps (its numbers drawn from ``seed``), each step a group (all of
    them computed by one submodule ``rnn``, with ``scope``)."""
    import contextlib
    import numpy as np
    import graphjac as gj
    rng = np.random.default_rng(seed)
    g = gj.Graph(f"rnn {steps}")
    with g.group("Shared"):
        W_xh, W_hh = g.param("W_xh", rng.normal(size=(2, 2))), g.param("W_hh", rng.normal(size=(2, 2)))
    h = None
    with g.scope("rnn", "RNN") if scope else contextlib.nullcontext():
        for t in range(1, steps + 1):
            with g.group(f"t = {t}"):
                u = g.matmul(g.input(f"x{t}", rng.normal(size=2)), W_xh, name=f"u{t}")
                s = u if h is None else g.add(u, g.matmul(h, W_hh, name=f"v{t}"), name=f"s{t}")
                h = g.activation(s, "tanh", name=f"h{t}")
    g.backward(g.loss(g.sum(h, name="o"), g.input("y", 0.5), "mse", name="J"))
    return g


@pytest.mark.dot
@pytest.mark.parametrize("steps, seed", [(2, 0), (4, 1), (6, 2)])
def test_any_number_of_steps_stands_in_order_with_nothing_in_a_box_but_its_own(steps, seed):
    from graphjac.render.writers.composer import place
    figure = figure_for(_unrolled(steps, seed), direction="BT", math="html")
    layout = place(figure).layout
    by_label = {group.label[0]: (group.path, f"cluster_{k}") for k, group in enumerate(figure.groups)}
    centres = []
    for t in range(1, steps + 1):
        path, key = next(v for label, v in by_label.items() if f"t = {t}" in label or f"t={t}" in label)
        box = layout.clusters[key]
        centres.append((box.x0 + box.x1) / 2)
        members = {node.id for node in figure.nodes if node.group == path}
        assert members and all((box.x0 <= n.x <= box.x1 and box.y0 <= n.y <= box.y1) == (key_ in members)
                               for key_, n in layout.nodes.items()), t
    assert centres == sorted(centres)


@pytest.mark.dot
@pytest.mark.parametrize("steps, keep", [(3, 1), (5, 2), (6, 1)])
def test_steps_fold_into_an_ellipsis_boxed_in_order_between_the_steps_shown(steps, keep):
    """``steps=k``: steps 1…k, one box titled with the steps it stands for holding ⋯, and step T,
    in that order; every edge into or out of a folded step ends at the ellipsis (the recurrence
    and each shared parameter's share), one per pair of nodes, unlabelled when it stands for
    several steps' edges."""
    from graphjac.render.writers.composer import place
    from graphjac.render.layout.collisions import collisions
    graph = _unrolled(steps, steps)
    whole, figure = figure_for(graph, direction="BT"), figure_for(graph, direction="BT", steps=keep)
    shown = list(range(1, keep + 1)) + [steps]
    assert sorted({n.name for n in figure.nodes if n.role == "input"} - {"y"}) == sorted(f"x{t}" for t in shown)
    [ellipsis] = [n for n in figure.nodes if n.role == "ellipsis"]
    folded = (r"\text{t = %d}" % (keep + 1) if steps - keep == 2
              else r"\text{t = %d}\;\ldots\;\text{t = %d}" % (keep + 1, steps - 1))
    assert ellipsis.label == (r"\cdots", folded)   # the steps it stands for under the dots, not atop a narrow box
    titles = [g.label[0] if g.label else folded for g in figure.groups if not g.label or "t =" in g.label[0]]
    assert titles == [r"\text{t = %d}" % t for t in range(1, keep + 1)] + [folded, r"\text{t = %d}" % steps]
    assert [g.label for g in figure.groups if g.path == ellipsis.group] == [()]
    names = {n.id: n.name for n in figure.nodes}
    ends = {(names.get(e.src, e.src), names.get(e.dst, e.dst), e.direction): e for e in figure.edges}
    assert (f"h{keep}", None, "forward") in ends and (None, f"v{steps}", "forward") in ends
    assert ("W_xh", None, "forward") in ends and ("W_hh", None, "forward") in ends
    several = steps - keep - 1 > 1
    assert (ends[("W_xh", None, "forward")].label == ()) and (bool(ends[(None, "W_xh", "backward")].label) != several)
    assert len(ends) == len(figure.edges)                   # one edge per pair of nodes and direction
    assert len(figure.nodes) < len(whole.nodes)
    layout = place(figure).layout
    boxes = {g.label[0] if g.label else folded: layout.clusters[f"cluster_{k}"] for k, g in enumerate(figure.groups)}
    centres = [(boxes[t].x0 + boxes[t].x1) / 2 for t in titles]
    assert centres == sorted(centres)
    box = boxes[folded]
    node = layout.nodes[ellipsis.id]
    assert box.x0 <= node.x <= box.x1 and box.y0 <= node.y <= box.y1
    assert collisions(figure, layout, place(figure).marks) == []


def test_folding_what_is_there_already_changes_nothing_and_nothing_to_fold_or_a_bad_count_is_refused():
    def drawn(figure):
        return figure.nodes, figure.edges, figure.groups

    graph = _unrolled(3, 0)
    assert drawn(figure_for(graph, steps=2)) == drawn(figure_for(graph))   # t = 1, t = 2 and the last: all of them
    with pytest.raises(GraphjacError, match="steps: 'neuron' has no time steps to fold"):
        figure_for(load_example("neuron"), steps=1)     # said, not silently ignored
    with pytest.raises(GraphjacError, match="steps: the circuit style draws every step"):
        figure_for(graph, steps=1, style="circuit")
    with pytest.raises(GraphjacError, match="steps"):
        figure_for(graph, steps=-1)


@pytest.mark.dot
def test_fit_folds_the_steps_when_the_whole_unroll_cannot_be_legible_and_keeps_them_when_told():
    from graphjac.render.layout import fitting
    from graphjac.render.model.folds import folded
    graph = _unrolled(5, 1)
    whole = figure_for(graph, fit="4:3", steps=5)            # as many as there are: every step, even with fit
    assert not any(n.role == "ellipsis" for n in whole.nodes)
    chosen = figure_for(graph, fit="4:3")
    assert [n.label for n in chosen.nodes if n.role == "ellipsis"] == [(r"\cdots", r"\text{t = 2}\;\ldots\;\text{t = 4}")]
    import dataclasses
    plain = figure_for(graph)
    plain = dataclasses.replace(plain, options=plain.options.updated(fit="4:3"))
    unfolded_text, _ = fitting._fitted(plain)
    folded_text, _ = fitting._fitted(folded(plain, 1))
    assert unfolded_text < fitting.LEGIBLE and folded_text > unfolded_text


def test_fit_folds_three_steps_too_when_that_alone_gives_larger_text():
    """Three steps folded (t = 1, ⋯, t = 3) are a fifth narrower than the whole: the BPTT
    lecture's unroll came out at 5.7 pt at 4:3 whole, 6.9 folded; fit folds three steps or more."""
    from graphjac.render.layout import fitting
    from graphjac.render.model.folds import folded
    import dataclasses
    graph = _unrolled(3, 1)
    chosen = figure_for(graph, fit="4:3", direction="BT")
    assert [n.label for n in chosen.nodes if n.role == "ellipsis"] == [(r"\cdots", r"\text{t = 2}")]
    plain = figure_for(graph, direction="BT")
    plain = dataclasses.replace(plain, options=plain.options.updated(fit="4:3"), turnable=False)
    whole_text, _ = fitting._fitted(plain)
    folded_text, _ = fitting._fitted(folded(plain, 1))
    assert whole_text < fitting.LEGIBLE and folded_text > whole_text


@pytest.mark.dot
@pytest.mark.parametrize("direction", ["BT", "LR"])
def test_the_recurrence_runs_from_one_step_into_the_next_without_looping_round_the_figure(direction):
    """hₜ₋₁ → vₜ and its backward edge: each one curve between its two nodes, clear of every other
    node (dot drew each as a back edge looping out past the last step and back)."""
    from graphjac.render.layout.collisions import _clear, _curve, _rect
    from graphjac.render.layout.steps import placement
    from graphjac.render.writers.composer import place
    figure = figure_for(load_example("rnn_bptt"), direction=direction)
    pairs = placement(figure).across
    layout = place(figure).layout
    routed = [e for e in layout.edges if (e.tail, e.head) in pairs]
    assert len(routed) == 2 * len(pairs) == 4                  # forward and backward, both steps
    for edge in routed:
        tail, head, curve = layout.nodes[edge.tail], layout.nodes[edge.head], _curve(edge)
        reach = 0.6 * max(abs(tail.x - head.x), abs(tail.y - head.y))
        assert curve[:, 0].min() >= min(tail.x, head.x) - reach and curve[:, 0].max() <= max(tail.x, head.x) + reach
        assert curve[:, 1].min() >= min(tail.y, head.y) - reach and curve[:, 1].max() <= max(tail.y, head.y) + reach
        assert all(_clear(_rect(node), curve) for key, node in layout.nodes.items() if key not in (edge.tail, edge.head))


def test_an_ellipsis_turns_with_the_figure_when_fit_tries_the_other_orientation():
    """Steps side by side (BT) fold into ⋯; stacked (LR) into ⋮, as fit's candidates of both
    orientations draw them (and a minibatch's samples alike)."""
    from graphjac.render.layout import fitting
    figure = figure_for(_unrolled(4, 3), direction="BT", steps=1, fit="4:3", math="html")
    plain = figure_for(_unrolled(4, 3), direction="BT", steps=1)
    steps = r"\text{t = 2}\;\ldots\;\text{t = 3}"
    assert [n.label for n in plain.nodes if n.role == "ellipsis"] == [(r"\cdots", steps)]
    import dataclasses
    plain = dataclasses.replace(plain, options=figure.options)
    for candidate in fitting._candidates(plain, [plain], (1.0,)):
        [ellipsis] = [n.label for n in candidate.nodes if n.role == "ellipsis"]
        assert ellipsis == ((r"\vdots" if candidate.direction in ("LR", "RL") else r"\cdots"), steps), candidate.direction
    assert {c.direction for c in fitting._candidates(plain, [plain], (1.0,))} == {"BT", "LR"}
    assert [n.label for n in figure_for(_unrolled(4, 3), direction="LR", steps=1).nodes
            if n.role == "ellipsis"] == [(r"\vdots", steps)]


def _block():
    """x → (a submodule: W used twice, with an inner Linear) → + x → J: x used inside and outside it."""
    import graphjac as gj
    g = gj.Graph("block")
    x = g.input("x", [1.0, -2.0])
    W = g.param("W", [[0.5, -1.0], [2.0, 0.25]])
    with g.group("Block"), g.scope("block", "Twice"):
        h = g.activation(g.matmul(x, W, name="u"), "tanh", name="h")
        with g.scope("block.inner", "Linear"):
            v = g.add(g.matmul(h, W, name="m"), g.param("b", [0.1, 0.2]), name="v")
    g.target = g.sum(g.add(v, x, name="r"), name="J")
    g.backward()
    return g


def test_a_collapsed_submodule_is_one_node_showing_its_output_with_one_edge_per_input():
    from graphjac.render.model.collapses import collapsed, deepest
    figure = figure_for(_block())
    assert deepest(figure) == 2
    shown = collapsed(figure, 0)
    names = {n.id: n.name for n in shown.nodes}
    box = next(n for n in shown.nodes if n.scope)
    # u = xW = (-3.5, -1.5); h = tanh u = (-0.99818, -0.90515); v = hW + b = (-2.30939 + 0.1, 0.77189 + 0.2)
    assert box.label[:2] == (r"\text{block (Twice)}", r"\vec{v} = (-2.21, 0.972)")
    assert {names[n.id] for n in shown.nodes} == {"x", "W", "b", "v", "r", "J"}
    assert box.group == ("Block",) and [g.path for g in shown.groups] == [("Block",)]
    back = {names[e.dst]: e.label for e in shown.edges if e.direction == "backward" and e.src == box.id}
    assert back["W"] == (r"\frac{\partial J}{\partial W}",)     # both of W's shares, both inside the node
    assert back["b"] == (r"\frac{\partial J}{\partial \vec{b}} = \frac{\partial J}{\partial \vec{v}}",)   # v: shown
    assert back["x"] == (r"\frac{\partial J}{\partial \vec{x}^{(1)}}",)   # x's first share; its other is r's
    assert [(names[e.src], names[e.dst]) for e in shown.edges if e.direction == "forward"].count(("W", "v")) == 1


def test_collapsing_one_level_keeps_the_outer_submodule_open():
    from graphjac.render.model.collapses import collapsed
    shown = collapsed(figure_for(_block()), 1)
    assert {n.name for n in shown.nodes} == {"x", "W", "b", "u", "h", "v", "r", "J"}
    inner = next(n for n in shown.nodes if n.name == "v")
    assert inner.label[0] == r"\text{inner (Linear)}" and inner.group == ("Block",)
    assert [g.path for g in shown.groups] == [("Block",)]


def test_a_constant_only_a_collapsed_submodule_uses_goes_into_it_and_one_used_outside_stays():
    import graphjac as gj
    from graphjac.render.model.collapses import collapsed
    g = gj.Graph("scaled")
    x, half, two = g.input("x", [1.0, 2.0]), g.const(0.5, name="half"), g.const(2.0, name="two")
    with g.scope("attn", "Scaled"):
        s = g.mul(g.mul(x, half, name="p"), two, name="s")
    g.target = g.sum(g.mul(s, two, name="t"), name="J")
    g.backward()
    assert {n.name for n in collapsed(figure_for(g, constants="nodes"), 0).nodes} == {"x", "two", "s", "t", "J"}


def test_a_submodule_drawn_sample_by_sample_is_not_collapsed_in_part():
    import numpy as np
    import graphjac as gj
    from graphjac.render.model.collapses import collapsed
    g = gj.Graph("per sample")
    X = g.input("X", np.arange(6.0).reshape(3, 2) / 4, batch=True)
    W = g.param("W", [[0.5, -1.0], [2.0, 0.25]])
    with g.scope("fc", "Linear"):
        half = g.mul(g.transpose(W, name="Wt"), 0.5, name="H")   # Wᵀ/2: one node each; Z: one a sample
        Z = g.matmul(X, half, name="Z")
    g.target = g.mean(g.sum(Z, name="s"), name="J")
    g.backward()
    whole = figure_for(g, samples=2)
    assert collapsed(whole, 0).nodes == whole.nodes
    assert {n.name for n in collapsed(figure_for(g), 0).nodes} == {"X", "W", "Z", "s", "J"}


@pytest.mark.dot
def test_fit_keeps_the_steps_the_user_asked_for_rather_than_collapse_them():
    graph = _unrolled(5, 1, scope=True)
    chosen = figure_for(graph, fit="4:3", steps=5)
    assert not any(n.label[0] == r"\text{rnn (RNN)}" for n in chosen.nodes)
    assert sum(g.path[-1].startswith("t =") for g in chosen.groups) == 5


def test_a_submodule_with_two_outputs_is_one_operation_node_titled_even_with_a_constant_put_in():
    import graphjac as gj
    from graphjac.render.model.collapses import collapsed
    g = gj.Graph("two outputs")
    x, half = g.input("x", [1.0, 2.0]), g.const(0.5, name="half")
    with g.scope("pair", "Pair"):
        p = g.mul(x, half, name="p")
        q = g.mul(p, x, name="q")
    g.target = g.sum(g.add(p, q, name="t"), name="J")
    g.backward()
    shown = collapsed(figure_for(g, constants="nodes"), 0)
    box = [n for n in shown.nodes if n.scope]
    assert [(n.role, n.label) for n in box] == [("op", (r"\text{pair (Pair)}",))]   # not the constant, as a leaf
    assert "half" not in {n.name for n in shown.nodes}


def _deep_chain(depth=11, name="deep"):
    """x, then ``depth`` levels: adding a parameter bₖ, then tanh, in turn; J sums the last."""
    import graphjac as gj
    g = gj.Graph(name)
    h = g.input("x", [0.5, -0.25])
    for k in range(depth):
        h = (h.tanh() if k % 2 else g.add(h, g.param(f"b{k}", [0.1, 0.2]))).named(f"h{k + 1}")
    g.target = g.sum(h, name="J")
    g.backward()
    return g


def test_a_deep_chain_wraps_into_columns_of_about_as_many_levels_each_with_each_parameter_beside_its_use():
    from graphjac.render.model.columns import crossing_edges, in_columns
    figure = figure_for(_deep_chain())
    names = {n.id: n.name for n in figure.nodes}
    wrapped = in_columns(figure, 2)
    first, second = ([names[i] for i in ids] for ids in wrapped.columns)
    # levels: x 0, h1 … h11 at 1 … 11, J 12; the break at level 6, the middle, where one edge crosses
    assert first == ["x", "b0", "h1", "h2", "b2", "h3", "h4", "b4", "h5"]
    assert second == ["h6", "b6", "h7", "h8", "b8", "h9", "h10", "b10", "h11", "J"]
    assert [(names[s], names[d]) for s, d in crossing_edges(wrapped)] == [("h5", "h6")]
    assert [len(c) for c in in_columns(figure, 3).columns] == [6, 7, 6]   # levels 0–3, 4–8, 9–12


def _nested_chain():
    """The deep chain with its middle in a box inside a box."""
    import graphjac as gj
    g = gj.Graph("nested")
    h = g.input("x", [0.5, -0.25])
    with g.group("Outer"):
        for k in range(10):
            with g.group("Inner") if 3 <= k <= 6 else contextlib.nullcontext():
                h = (h.tanh() if k % 2 else g.add(h, g.param(f"b{k}", [0.1, 0.2]))).named(f"h{k + 1}")
    g.target = g.sum(h, name="J")
    g.backward()
    return g


def test_a_shallow_figure_or_one_with_groups_in_groups_or_samples_is_never_wrapped():
    from graphjac.render.model.columns import in_columns
    assert in_columns(figure_for(_deep_chain(3)), 2).columns == ()            # 5 levels: fits as it is
    assert in_columns(figure_for(_nested_chain()), 2).columns == ()           # a box in a box
    assert in_columns(figure_for(load_example("minibatch_mse"), samples=2), 2).columns == ()


@pytest.mark.dot
@pytest.mark.parametrize("direction", ["BT", "LR"])
def test_a_group_that_spans_columns_is_cut_into_a_box_a_column_each_round_its_own(direction):
    """The CNN's Model box in two columns: "Model" round the first's nodes, "Model (continued)"
    round the second's, each round its own edges' curves, neither on the other, and the heading
    over both (the box's title reached into the heading laid out before the box was)."""
    from graphjac.render.layout.collisions import _curve, collisions
    from graphjac.render.model.columns import in_columns
    from graphjac.render.writers.composer import place
    wrapped = in_columns(figure_for(load_example("cnn"), direction=direction), 2)
    assert [g.label for g in wrapped.groups] == [(r"\text{Model}",), (r"\text{Model}\text{ (continued)}",)]
    column = {node_id: k for k, ids in enumerate(wrapped.columns) for node_id in ids}
    part = {group.path: k for k, group in enumerate(wrapped.groups)}
    assert all(part[n.group] == column[n.id] for n in wrapped.nodes if n.group)
    assert {column[n.id] for n in wrapped.nodes if n.group} == {0, 1}
    placed = place(wrapped)
    layout = placed.layout
    assert collisions(wrapped, layout, placed.marks) == []
    for node in wrapped.nodes:
        box = layout.nodes[node.id]
        for k in range(2):
            frame = layout.clusters[f"cluster_{k}"]
            inside = frame.x0 < box.x < frame.x1 and frame.y0 < box.y < frame.y1
            assert inside == (node.group != () and part[node.group] == k), (node.name, k)
    group_of = {n.id: n.group for n in wrapped.nodes}
    for edge in layout.edges:
        if group_of.get(edge.tail) and group_of.get(edge.tail) == group_of.get(edge.head):
            frame = layout.clusters[f"cluster_{part[group_of[edge.tail]]}"]
            curve = _curve(edge)
            assert frame.x0 <= curve[:, 0].min() and curve[:, 0].max() <= frame.x1
            assert frame.y0 <= curve[:, 1].min() and curve[:, 1].max() <= frame.y1
    heading_bottom = layout.label[1] - placed.head.height / 2
    assert heading_bottom >= max(c.y1 for c in layout.clusters.values())


@pytest.mark.dot
@pytest.mark.parametrize("direction", ["BT", "LR"])
def test_columns_stand_side_by_side_each_from_the_first_rank_and_nothing_collides(direction):
    """BT: the second column right of the first, its lowest node level with the first's; LR:
    under it, its first node in line with the first's."""
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.model.columns import in_columns
    from graphjac.render.writers.composer import place
    wrapped = in_columns(figure_for(_deep_chain(), direction=direction), 2)
    placed = place(wrapped)
    boxes = placed.layout.nodes
    first, second = ([boxes[i] for i in ids] for ids in wrapped.columns)
    if direction == "BT":   # Graphviz's y grows upwards
        assert max(b.x + b.width / 2 for b in first) < min(b.x - b.width / 2 for b in second)
        assert abs(min(b.y for b in first) - min(b.y for b in second)) < 1.0
    else:
        assert max(b.y + b.height / 2 for b in second) < min(b.y - b.height / 2 for b in first)
        assert abs(min(b.x for b in first) - min(b.x for b in second)) < 1.0
    assert collisions(wrapped, placed.layout, placed.marks) == []


@pytest.mark.dot
def test_fit_wraps_a_chain_too_deep_for_its_slide_into_columns_and_its_text_grows(monkeypatch):
    from graphjac.render.layout import fitting
    from graphjac.render.writers.composer import place

    def text(figure):
        placed = place(figure)
        return fitting.smallest_text(figure, (placed.layout.width, placed.layout.height))

    wrapped = figure_for(_deep_chain(15, "wrapped"), fit="4:3")
    monkeypatch.setattr(fitting, "wraps", lambda figure: [])
    one_column = figure_for(_deep_chain(15, "in one column"), fit="4:3")
    assert wrapped.columns and not one_column.columns
    assert text(wrapped) > 1.2 * text(one_column)


def test_a_brief_figure_writes_no_matrix_in_its_nodes_and_keeps_vectors_and_scalars():
    import graphjac as gj
    from graphjac.notation.formulas import for_figure
    from graphjac.render.model.figure import build_figure
    from graphjac.options import RenderOptions
    g = gj.Graph("brief")
    x = g.input("x", [1.0, 2.0])
    W = g.param("W", [[0.5, -1.0], [2.0, 0.25]])
    g.target = g.sum(g.matmul(x, W, name="z"), name="J")
    g.backward()
    options = RenderOptions()
    full, brief = (build_figure(for_figure(g, options), options, most_axes) for most_axes in (2, 1))
    labels = {n.name: n.label for n in full.nodes}
    assert labels["W"] == (r"W = \begin{bmatrix} 0.5 & -1 \\ 2 & 0.25 \end{bmatrix}",)
    assert {n.name: n.label for n in brief.nodes} == dict(labels, W=("W",))


def test_what_fit_left_out_is_said_with_the_option_that_keeps_it():
    """The command line says it when fit made the figure legible by leaving something out."""
    from dataclasses import replace
    from graphjac.render import left_out, options_for
    from graphjac.notation.formulas import for_figure
    from graphjac.render.model.figure import build_figure
    graph = load_example("two_layer")
    whole = figure_for(graph)
    assert left_out(whole, whole) == "" and left_out(whole, replace(whole, compact=True, spacing=0.25)) == ""
    symbols = options_for(graph, None, edge_labels="symbol")
    brief = build_figure(for_figure(graph, symbols), symbols, most_axes=1)
    said = left_out(whole, brief)
    assert said == ("no matrix's numbers (--node-labels formula,value keeps them); "
                    f"no formulas on the edges (--edge-labels {','.join(whole.options.edge_labels)} keeps them)")
    rnn = load_example("rnn_bptt")
    assert left_out(figure_for(rnn), figure_for(rnn, steps=1)) == "t = 2 folded into ⋯ (--steps 3 draws every step)"
    from graphjac.render.model.collapses import collapsed
    model = figure_for(_unrolled(3, 1, scope=True))           # its steps computed by one submodule, rnn
    assert left_out(model, collapsed(model, 0)) == "submodules drawn as one node each (--steps 3 draws every step)"


def test_fit_draws_a_figure_brief_only_when_that_alone_makes_it_legible_and_its_labels_were_left_alone(monkeypatch):
    """Short of 8 pt (but 6 or more), fit tries the figure without matrices' numbers, then with
    ∂J/∂x alone on its edges; labels the user named, an exercise or a figure far short stay
    (edge labels named: the matrices' numbers alone may go)."""
    from graphjac.render.layout import fitting
    drawn = []

    def fitted_text(figure, keep_direction=False):   # text grows as the figure says less
        matrices = any(r"\begin{bmatrix}" in line for n in figure.nodes for line in n.label)
        formulas = any(" = " in line for e in figure.edges for line in e.label)
        drawn.append((matrices, formulas))
        return base[0] + (not matrices) + 2 * (not formulas), figure

    monkeypatch.setattr(fitting, "fitted_text", fitted_text)
    graph = load_example("two_layer")
    graph.render_options.pop("edge_labels")
    base = [6.5]
    figure = figure_for(graph, fit="4:3")
    assert drawn == [(True, True), (False, True), (False, False)]   # 6.5, 7.5, then 9.5: legible
    assert not any(" = " in line for e in figure.edges for line in e.label)
    drawn.clear()
    base[0] = 7.2                                                     # 8.2 without the matrices: enough
    assert any(" = " in line for e in figure_for(graph, fit="16:9").edges for line in e.label)
    assert drawn == [(True, True), (False, True)]
    for told in ({"node_labels": "formula,value"}, {"blank": "values"}):
        drawn.clear()
        figure_for(graph, fit="4:3", **told)
        assert len(drawn) == 1
    drawn.clear()
    figure = figure_for(graph, fit="4:3", edge_labels="symbol,formula")
    assert drawn == [(True, True), (False, True)]                     # the formulas asked for stay
    assert any(" = " in line for e in figure.edges for line in e.label)
    drawn.clear()
    base[0] = 4.5                                                     # far short: brief would not do
    figure_for(graph, fit="a4")
    assert len(drawn) == 1


def _through(points, box, count=2000) -> bool:
    """Whether the cubic pieces of ``points`` (1 + 3k control points), sampled densely, enter ``box``."""
    x, y, w, h = box
    for k in range(0, len(points) - 1, 3):
        p = np.array(points[k:k + 4], float)
        t = np.linspace(0, 1, count)[:, None]
        curve = (1 - t) ** 3 * p[0] + 3 * t * (1 - t) ** 2 * p[1] + 3 * t * t * (1 - t) * p[2] + t ** 3 * p[3]
        if ((abs(curve[:, 0] - x) < w / 2) & (abs(curve[:, 1] - y) < h / 2)).any():
            return True
    return False


def test_a_long_edge_is_routed_round_a_node_that_falls_between_the_points_it_is_checked_at():
    """A route was checked at 24 points along its curve: 4,000 points long, they lay 160 apart,
    and a node 40 wide between two of them let the straight line through it (an LSTM circuit's
    edge ran through two wires' labels so)."""
    from graphjac.render.layout.routes import detour, route
    node = (240.0, 0.0, 40.0, 20.0)                # between the points at 160 and 320
    _, points = route((0.0, 0.0, 0.0, 0.0), (4000.0, 0.0, 0.0, 0.0), [node])
    assert not _through(points, node)
    assert not _through(detour((0.0, 0.0), (4000.0, 0.0), [node]), node)


def test_an_edge_no_one_curve_takes_round_the_nodes_turns_once_and_clears_them():
    from graphjac.render.layout.routes import detour, route
    wall = (120.0, 0.0, 40.0, 500.0)               # across the line near its tail, taller than a cubic bows
    _, single = route((0.0, 0.0, 0.0, 0.0), (600.0, 0.0, 0.0, 0.0), [wall])
    assert _through(single, wall)
    points = detour((0.0, 0.0), (600.0, 0.0), [wall])
    assert len(points) == 7 and not _through(points, wall)
    assert points[0] == (0.0, 0.0) and points[-1] == (600.0, 0.0)
    before, turn, after = (np.array(points[k]) for k in (2, 3, 4))   # smooth where the two pieces meet
    assert np.allclose(turn - before, after - turn)


@pytest.mark.parametrize("direction", ["BT", "LR"])
def test_the_label_of_an_edge_from_one_step_into_the_next_keeps_off_the_boxes_and_the_other_curves(direction):
    """∂J/∂h⃗₂'s label sat on the side of t = 3's box (its ᵀ on the dashed line), and with the box
    kept clear of, on the forward edge h⃗₂ → v⃗₃ beside its own."""
    from graphjac.render.layout.collisions import _curve
    from graphjac.render.layout.steps import placement
    from graphjac.render.writers.composer import place
    figure = figure_for(load_example("rnn_bptt"), direction=direction)
    pairs = placement(figure).across
    placed = place(figure)
    layout = placed.layout
    labelled = [e for e in layout.edges if (e.tail, e.head) in pairs and e.id in placed.marks]
    assert len(labelled) == 2
    for edge in labelled:
        x, y = edge.label
        mark = placed.marks[edge.id]
        x0, x1, y0, y1 = x - mark.width / 2, x + mark.width / 2, y - mark.height / 2, y + mark.height / 2
        for box in layout.clusters.values():
            sides_x = [side for side in (box.x0, box.x1) if box.y0 < y1 and y0 < box.y1]
            sides_y = [side for side in (box.y0, box.y1) if box.x0 < x1 and x0 < box.x1]
            assert not any(x0 - 1 < side < x1 + 1 for side in sides_x), (edge.id, box.id)
            assert not any(y0 - 1 < side < y1 + 1 for side in sides_y), (edge.id, box.id)
        for other in layout.edges:
            if other.id != edge.id:
                curve = _curve(other)
                inside = (curve[:, 0] > x0) & (curve[:, 0] < x1) & (curve[:, 1] > y0) & (curve[:, 1] < y1)
                assert not inside.any(), (edge.id, other.id)


def test_an_edge_drawn_again_leaves_its_own_node_rather_than_running_along_its_side():
    """An edge redrawn from its arrow tip on the top of its node, towards a node level with it,
    ran straight along that top (the layout check's edge-own-node, so a fit candidate of the RNN
    at 16:9 was thrown away); with its nodes given, the curve leaves them at a slant."""
    from graphjac.render.layout.routes import HUGGING, _along_own, detour
    node = (0.0, 0.0, 100.0, 20.0)                        # its top side runs along y = 10
    along = detour((0.0, 10.0), (400.0, 10.0), [])
    assert _along_own(np.array([along], float), node)[0] > HUGGING     # as the straight line runs
    leaving = detour((0.0, 10.0), (400.0, 10.0), [], own=[node])
    assert _along_own(np.array([leaving[:4]], float), node)[0] <= HUGGING
    assert not _through(leaving, (0.0, 0.0, 96.0, 16.0))                 # and not back through it
