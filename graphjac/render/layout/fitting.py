"""Figures that fit a page (``fit: 16:9 | 4:3 | a4 | W:H``): the direction and spacing chosen so
that, scaled to fill the page, the figure's smallest text is as large as it can be; and a
circuit without ``fit`` wrapped into as few rows as keep it within 3:1 (:func:`within`).

Every candidate (the figure's own direction and the other orientation, or for a circuit one to
four rows, each at the usual and at tighter spacings, with long lines broken or not) is laid
out by Graphviz with its labels measured as they will be drawn; the one whose smallest text
comes out largest on the page and that lays out with nothing colliding wins, and the drawing
is then padded to the page's shape. A figure too deep for any of them to reach :data:`LEGIBLE`
(micrograd's thirteen levels on a 4:3 slide) is tried wrapped into columns
(``Figure.columns``, a residual block's two) and compact as well (``Figure.compact``).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from functools import lru_cache

from graphjac import progress
from graphjac.errors import LayoutFailed
from graphjac.options import page_shape
from graphjac.render.model.collapses import collapsed, deepest
from graphjac.render.model.columns import wraps
from graphjac.render.model.folds import foldable, folded, turned
from graphjac.render.model.themes import THEMES

SPACINGS = (1.0, 0.6, 0.4, 0.25)
COMPACT_SPACINGS = (0.4, 0.25, 0.2, 0.15)   # a compact figure's ranks: down to 0.15 of the usual
ROWS = (1, 2, 3, 4)   # a circuit's rows tried
WIDEST = 3.0          # a circuit without fit wider than a slide is wrapped until its drawing is at most 3:1
SLIDE_WIDTH = 720.0   # a 10-inch wide page, in points: what "legible" is measured on
FOLD_FROM = 3         # fit folds three steps or more (t = 1, ⋯, t = 3: the middle step's box shrinks to an ellipsis)
LEGIBLE = 8.0         # the smallest text, in points on that page, read from the back of a room


def smallest_text(figure, size: tuple) -> float:
    """The smallest font size of ``figure`` in points once its drawing is scaled to fill a page
    ``SLIDE_WIDTH`` wide of the shape ``(width, height)``."""
    width, height = size
    scale = min(SLIDE_WIDTH / width, SLIDE_WIDTH * _ratio(figure) / height) if width and height else 1.0
    return scale * min(THEMES[figure.theme].sizes[role] for role in _roles(figure))


def drawing_size(figure, drawn=False, source=None) -> tuple:
    """(width, height) in points of the figure as Graphviz first lays it out (labels measured;
    ``source``: that DOT text, when it is made already), or (``drawn``) as the render draws it,
    laid out again while anything collides."""
    from graphjac.render.layout.dot import figure_to_dot
    from graphjac.render.layout.geometry import lay_out
    from graphjac.render.writers.composer import place
    if source is not None and not drawn:
        layout = lay_out(source, figure.options.timeout)
    elif figure.options.math == "typeset":
        layout = place(figure, relayout=drawn).layout
    else:
        layout = lay_out(figure_to_dot(figure), figure.options.timeout)
    return layout.width, layout.height


def fitted(figure, keep_direction: bool = False):
    """The candidate of ``figure`` that best fills its ``fit`` page, with the page recorded
    (:func:`fitted_text`)."""
    return fitted_text(figure, keep_direction)[1]


@lru_cache(maxsize=16)   # a figure fitted again (its frames, a notebook's second look) is not measured again
def fitted_text(figure, keep_direction: bool = False) -> tuple:
    """(smallest text, candidate) of the candidate of ``figure`` that best fills its ``fit``
    page, with the page recorded: the one with the largest smallest text (as dot first lays it
    out, without typeset math); with typeset math, the one whose final layout (moved labels and
    relayouts included, as the render draws it) has nothing colliding and the largest smallest
    text (the first outright when every candidate collides). A figure too deep for any of them
    to reach :data:`LEGIBLE` is tried in two or three columns (:func:`.columns.wraps`), then
    compact too (each node's lines side by side, snug boxes and labels; ranks as close as
    :data:`COMPACT_SPACINGS` and the room beside nodes as tight as they are or 0.6 of the usual),
    a circuit at the tighter of those spacings; that wins if its text comes out larger (a
    candidate of these that Graphviz cannot lay out is passed over). A figure with time steps
    that still falls short, and whose ``steps`` the user left alone, is tried with the steps
    between the first and the last folded (:func:`.folds.folded`; :data:`FOLD_FROM` steps or
    more); that wins if its text comes out larger. A model that still falls short, and whose
    ``steps`` the user left alone, is drawn with its submodules as one node each
    (:func:`.collapses.collapsed`), the least collapsed that is legible, else the one with the
    largest text if it beats the rest; when no candidate's first layout could bring the whole
    model to :data:`LEGIBLE` (a layout's text only shrinks as it is mended), nor folded, the
    collapsed drawings are tried first and the whole model's candidates are not laid out in
    full unless none of them is legible. ``keep_direction``: the user named the direction;
    only the figure's own is tried."""
    with progress.fitting():
        return _fitted_text(figure, keep_direction)


def _fitted_text(figure, keep_direction) -> tuple:
    if keep_direction:
        figure = replace(figure, turnable=False)
    untouched = figure.options.steps == 0 and not figure.blanks   # no steps asked for, no blanks to keep
    collapsible = untouched and deepest(figure) > 0 and figure.options.style != "circuit"
    fold = folded(figure, 1) if untouched and foldable(figure, FOLD_FROM - 2) else None
    early = None
    if collapsible:
        promise = max(_promise(figure), _promise(fold) if fold is not None else 0.0)
        if promise < LEGIBLE:
            early = _collapsed_fit(figure)
            if early[1] is not None and early[0] >= min(LEGIBLE, promise):   # legible, or beyond the whole
                return early
    text, best = _fitted(figure)
    if text < LEGIBLE and fold is not None:
        folded_text, folded_best = _fitted(fold)
        if folded_text > text:
            text, best = folded_text, folded_best
    if text < LEGIBLE and collapsible:
        collapsed_text, collapsed_best = early or _collapsed_fit(figure)
        if collapsed_text > text:
            text, best = collapsed_text, collapsed_best
    return text, best


def _collapsed_fit(figure) -> tuple:
    """(smallest text, candidate) of the least collapsed drawing of ``figure`` that is legible,
    else of the one with the largest text ((0, None) when none lays out cleanly). Those whose
    first layouts promise legible text are laid out in full first, the least collapsed first;
    then the others, the most promising first, while they could still beat the best."""
    drawn = {depth: collapsed(figure, depth) for depth in range(deepest(figure) - 1, -1, -1)}
    promise = {depth: _promise(shown) for depth, shown in drawn.items()}
    text, best = 0.0, None
    for depth in sorted(drawn, key=lambda d: (0, -d) if promise[d] >= LEGIBLE else (1, -promise[d])):
        if promise[depth] <= text:
            continue
        found, candidate = _fitted(drawn[depth])
        if found > text:
            text, best = found, candidate
        if text >= LEGIBLE:
            break
    return text, best


def _promise(figure) -> float:
    """The largest smallest text any of :func:`_fitted`'s candidates could reach: as Graphviz
    first lays each out, before anything is mended (which only spreads a drawing)."""
    compact = replace(figure, compact=True)
    candidates = (_candidates(figure, _shapes(figure) + wraps(figure), SPACINGS)
                  + _candidates(compact, [compact], COMPACT_SPACINGS, (None, 0.6)))
    return max((text for text, _, _ in _promising(candidates)), default=0.0)


def _fitted(figure) -> tuple:
    """(smallest text, candidate) of :func:`fitted`, the steps as they are."""
    text, best = _fittest(figure, _candidates(figure, _shapes(figure), SPACINGS))
    if text >= LEGIBLE:
        return text, best
    columns = wraps(figure)
    if columns:   # a deep figure in columns: laid out only when it is short of legible as it is
        wrapped_text, chosen = _fittest(figure, _candidates(figure, columns, SPACINGS), beat=text, fallback=True)
        if chosen is not None and wrapped_text > text:
            text, best = wrapped_text, chosen
        if text >= LEGIBLE:
            return text, best
    if figure.options.style == "circuit":
        tighter = [s for s in COMPACT_SPACINGS if s < min(SPACINGS)]
        tight_text, tight = _fittest(figure, _candidates(figure, _shapes(figure), tighter), beat=text, fallback=True)
        return (tight_text, tight) if tight is not None and tight_text > text else (text, best)
    compact = [replace(figure, compact=True)]   # lines unbroken only: broken ones double the candidates
    compact_text, chosen = _fittest(figure, _candidates(figure, compact, COMPACT_SPACINGS, (None, 0.6)), beat=text,
                                    fallback=True)
    return (compact_text, chosen) if chosen is not None and compact_text > text else (text, best)


def _candidates(figure, shapes, spacings, besides=(None,)) -> list:
    """Each of ``shapes`` in each direction and each of ``spacings`` between its ranks (and of
    ``besides`` between the nodes of a rank, None: the same), on the ``fit`` page."""
    page = page_shape(figure.options.fit)
    return [replace(turned(shown, direction), spacing=spacing, beside=beside, page=page)
            for shown in shapes for direction in [figure.direction] + list(_other(figure))
            for spacing in spacings for beside in besides]


CHECKED = 8   # candidates, the most promising first, laid out as the render draws them


def _fittest(figure, candidates, beat=0.0, fallback=False) -> tuple:
    """(smallest text, candidate) of the best of ``candidates``, as :func:`fitted` chooses
    (text 0 when every candidate collides). With typeset math, at most :data:`CHECKED` of them
    are laid out in full, and none that could not bring more than ``beat`` points; when none of
    those is clean, the first candidate (the figure's own direction and spacing) is, if it is. Graphviz's
    failure on the first candidate is raised, unless this is a ``fallback`` after a best already
    found (then (0, None) when none lays out)."""
    ranked = _promising(candidates, raise_first=not fallback)
    if not ranked:
        return 0.0, None
    if figure.options.math != "typeset":
        return ranked[0][0], ranked[0][2]
    best = None
    for promise, _, candidate in ranked[:CHECKED]:   # relayouts only spread a drawing: its text never grows
        if promise <= max(beat, best[0] if best else 0.0):
            break
        text = _clean_text(candidate)
        if text and (best is None or text > best[0]):
            best = (text, candidate)
    if best is None and not fallback:   # none of the most promising is clean: the figure as it is drawn, padded
        text = _clean_text(candidates[0])
        best = (text, candidates[0]) if text else None
    return (0.0, ranked[0][2]) if best is None else best


FIRST_SIZES = 1024   # candidates whose first layout's size a process remembers
_first_sizes: OrderedDict = OrderedDict()


def forget() -> None:
    """Forget every fit and every candidate's size measured so far: the next fit measures afresh
    (a test that measures differently)."""
    fitted_text.cache_clear()
    _first_sizes.clear()


def _promising(candidates, raise_first=False) -> list:
    """(smallest text, place, candidate) of each of ``candidates`` Graphviz lays out, as it first
    lays it out, the largest text first (``raise_first``: the first candidate's failure is raised).
    Each candidate's size is measured once a process (a model's fit asks again for the same
    candidates, depth after depth and brief level after brief level)."""
    first = candidates[0] if raise_first and candidates else None
    todo = list(dict.fromkeys(c for c in candidates    # the first again only to raise its failure
                              if c not in _first_sizes or c is first and _first_sizes[c] is None))
    for candidate, source in zip(todo, _first_sources(todo) if todo else ()):
        size = _measured(candidate, first=candidate is first, source=source)
        _first_sizes[candidate] = size
        while len(_first_sizes) > FIRST_SIZES:
            _first_sizes.popitem(last=False)
    scored = []
    for candidate in candidates:
        size = _first_sizes.get(candidate) if candidate in _first_sizes else _measured(candidate, False)
        if size is not None:
            scored.append((smallest_text(candidate, size), len(scored), candidate))
    return sorted(scored, key=lambda s: (-s[0], s[1]))


@lru_cache(maxsize=16)
def within(figure):
    """A circuit in the fewest rows (of :data:`ROWS`) whose drawing is at most :data:`WIDEST`
    times as wide as it is tall or no wider than a slide (:data:`SLIDE_WIDTH`: on a slide its
    text is at least its own size, and CS231n's short circuits stay on one line); a circuit that
    no wrapping brings there in the rows that come nearest. Each is measured as it is drawn."""
    candidates, best = _in_rows(figure), None
    if len(candidates) == 1:
        return figure
    for candidate in candidates:
        size = _measured(candidate, first=candidate is candidates[0], drawn=True)
        if size is None:
            continue
        width, height = size
        if width <= WIDEST * height or width <= SLIDE_WIDTH:
            return candidate
        if best is None or width / height < best[0]:
            best = (width / height, candidate)
    return best[1]


def _first_sources(candidates) -> list:
    """The DOT text Graphviz first lays out for each candidate (what :func:`drawing_size` lays
    out), all of them laid out in one run of dot (:func:`.graphviz.lay_out_ahead`)."""
    from graphjac.render.layout.dot import figure_to_dot
    from graphjac.render.layout.graphviz import lay_out_ahead
    from graphjac.render.writers.composer import first_source
    sources = [first_source(c) if c.options.math == "typeset" else figure_to_dot(c) for c in candidates]
    lay_out_ahead(sources, candidates[0].options.timeout if candidates else 60.0)
    return sources


def _measured(candidate, first: bool, drawn=False, source=None):
    """The candidate's :func:`drawing_size` (from its first DOT text ``source``, when given), or
    None when Graphviz cannot lay it out (a tight spacing can leave dot no room to route an
    edge); the first candidate's failure is raised."""
    try:
        return drawing_size(candidate, drawn, source)
    except LayoutFailed:
        if first:
            raise
        return None


def _in_rows(figure) -> list:
    """The circuit in each number of :data:`ROWS` it can be wrapped into (fewer gates, fewer rows)."""
    from graphjac.render.model.rows import in_rows
    out = []
    for rows in ROWS:
        candidate = in_rows(figure, rows)
        if not out or candidate.rows != out[-1].rows:
            out.append(candidate)
    return out


def _shapes(figure) -> list:
    """What ``fit`` tries besides directions and spacings: a circuit in rows (unless its rows are
    given), other figures with long label lines broken or not."""
    if figure.options.style == "circuit":
        return [figure] if figure.options.rows else _in_rows(figure)
    return [figure, wrapped(figure)]


def _clean_text(candidate) -> float:
    """The candidate's smallest text on its page as the render lays it out, or 0 if anything in
    that layout collides (told to the fit's watcher, if any)."""
    text = _laid_out_text(candidate)
    progress.laid_out(text)
    return text


def _laid_out_text(candidate) -> float:
    from graphjac.render.layout.collisions import collisions
    from graphjac.render.writers.composer import place
    try:
        placed = place(candidate)
    except LayoutFailed:
        return 0.0
    if collisions(candidate, placed.layout, placed.marks):
        return 0.0
    return smallest_text(candidate, (placed.layout.width, placed.layout.height))


WRAP = 28   # a label line longer than this (in LaTeX characters) is broken at its "="


def wrapped(figure):
    """The figure with long label lines broken before their ``=``: ``∂J/∂z`` over ``= ∂J/∂a · …``."""
    def wrap(lines, phases):
        out, out_phases = [], []
        for line, phase in zip(lines, phases):
            head, sep, rest = line.partition(" = ")
            if sep and len(line) > WRAP and "{" not in head[-1:] and head.count("{") == head.count("}"):
                out += [head, "= " + rest]
                out_phases += [phase, phase]
            else:
                out.append(line)
                out_phases.append(phase)
        return tuple(out), tuple(out_phases)

    def node(n):
        if n.role in ("wire", "gate", "ellipsis"):
            return n
        label, phases = wrap(n.label, n.phases or ("",) * len(n.label))
        return replace(n, label=label, phases=phases + n.phases[len(n.label):])
    edges = tuple(replace(e, label=wrap(e.label, ("",) * len(e.label))[0]) for e in figure.edges)
    return replace(figure, nodes=tuple(node(n) for n in figure.nodes), edges=edges)


def _ratio(figure):
    width, height = figure.page or (1.0, 1.0)
    return height / width


def _other(figure):
    """The other orientation (a circuit's wires always run across the page; a direction the user
    named stays)."""
    if figure.options.style == "circuit" or not figure.turnable:
        return ()
    return ("LR",) if figure.direction in ("BT", "TB") else ("BT",)


def _roles(figure):
    roles = {"node"}
    if any(len(n.label) > 1 for n in figure.nodes):
        roles.add("value")
    if any(e.label for e in figure.edges):
        roles.add("edge")
    return roles
