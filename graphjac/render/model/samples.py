"""Minibatches drawn sample by sample: which nodes are copied per sample, and which samples.

With ``samples=k`` a figure shows samples 1…k, an ellipsis and sample N (all of them when
there are at most k + 1), as the lecture draws x⁽¹⁾, x⁽²⁾, …, x⁽ᴺ⁾.
"""

from __future__ import annotations

from graphjac.core.records import record



@record
class SampleSelection:
    """Which graph nodes are drawn per sample, and which samples (1-based; None is the ellipsis)."""

    expanded: frozenset
    samples: tuple
    count: int
    hidden: dict          # shared leaf id -> the group whose box names it instead
    absorbed: dict        # per-sample target id (y) -> the node whose label shows it instead

    @classmethod
    def of(cls, notes, options):
        batch = [n for n in notes.nodes if n.batch]
        if options.samples == 0 or not batch:
            return cls(frozenset(), (), 0, {}, {})
        count = batch[0].shape[0]
        k = options.samples
        samples = tuple(range(1, count + 1)) if count <= k + 1 else tuple(range(1, k + 1)) + (None, count)
        expanded = frozenset(n.id for n in batch
                             if options.model == "per-sample" or n.kind in ("input", "loss"))
        return cls(expanded, samples, count, _hidden(notes, expanded), _absorbed(notes, expanded))

    def superscript(self, sample):
        """The sample's superscript for the notation: its number, N for the last one past an
        ellipsis, None for a node drawn once (the generic i)."""
        if sample is None:
            return None
        if sample == self.count and None in self.samples:
            return "N"
        return str(sample)

    def pairs(self, src, dst):
        """Which drawn copies an edge joins: sample to same sample, a shared node to every sample."""
        sources, targets = self.ids(src), self.ids(dst)
        if len(sources) > 1 and len(targets) > 1:
            return list(zip(sources, targets))
        return [(s, t) for s in sources for t in targets]

    def ids(self, node_id):
        """(figure id, sample) for every drawn copy of a graph node."""
        if node_id not in self.expanded:
            return [(f"n{node_id}", None)]
        return [(f"n{node_id}s{s}" if s is not None else f"n{node_id}e", s) for s in self.samples]


def _hidden(notes, expanded):
    """Shared leaves (w⃗, b) that feed only per-sample copies, as the lecture's minibatch figure
    leaves them out: their symbols go into the label of their group's box instead."""
    consumers = {}
    for edge in notes.edges:
        consumers.setdefault(edge.src, []).append(edge.dst)
    hidden = {}
    for note in notes.nodes:
        users = consumers.get(note.id, [])
        if note.op is None and not note.batch and users and all(u in expanded for u in users):
            group = note.group or notes.nodes[users[0]].group
            if group:
                hidden[note.id] = group
    return hidden


def _absorbed(notes, expanded):
    """Per-sample targets (y⁽ⁱ⁾, no gradient) feeding one per-sample node: shown in its label,
    ``y⁽¹⁾ = 0`` under J₀⁽¹⁾, instead of in a column of their own."""
    edges = {}
    for edge in notes.edges:
        edges.setdefault(edge.src, []).append(edge)
    out = {}
    for note in notes.nodes:
        mine = edges.get(note.id, [])
        if note.op is None and note.id in expanded and len(mine) == 1 and not mine[0].differentiable \
                and mine[0].dst in expanded:
            out[note.id] = mine[0].dst
    return out
