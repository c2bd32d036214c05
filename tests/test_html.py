"""Interactive HTML figures in a real browser (headless Chromium driven by Playwright): every
step shows what the frames show, every number shown is the engine's to the last digit, the
keyboard reaches everything, and two figures on one page keep to themselves."""

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import graphjac as gj
from graphjac.render import figure_for
from graphjac.render.model.steps import PASSES, reveal_steps
from graphjac.notation.details import RATES
from graphjac.render.writers.interactive import html_fragment, html_page

playwright = pytest.importorskip("playwright.sync_api", reason="the browser tests use Playwright (pip install playwright)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("GRAPHJAC_SCREENSHOTS", "")) if os.environ.get("GRAPHJAC_SCREENSHOTS") else None

FIGURES = {"neuron": ("lecture:neuron", {}), "circuit": ("lecture:cs231n_sigmoid", {"style": "circuit"})}


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def _open(browser, tmp_path, text, scheme="light"):
    path = tmp_path / "page.html"
    path.write_text(text, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900}, color_scheme=scheme)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    return page, errors


def _shot(page, name, tmp_path):
    folder = SHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _visible_items(page, root=".graphjac-interactive"):
    return set(page.eval_on_selector_all(f"{root} [data-gj-item]:not(.gj-hidden)",
                                         "els => els.map(e => e.getAttribute('data-gj-item'))"))


def _numbers(text):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_every_step_shows_what_the_frames_show(browser, tmp_path, figure):
    spec, options = FIGURES[figure]
    graph = gj.load(spec)
    steps = reveal_steps(figure_for(graph, **options), PASSES)
    page, errors = _open(browser, tmp_path, html_page(figure_for(graph, details=True, **options)))
    assert _visible_items(page) == set()
    for k in range(1, len(steps) + 1):
        page.click(".gj-next")
        assert _visible_items(page) == set().union(*steps[:k]), k
        assert page.inner_text(".gj-step").startswith(f"step {k} of {len(steps)}")
        if k in (1, len(steps) // 2, len(steps)):
            _shot(page, f"{figure}-step-{k}", tmp_path)
    page.click(".gj-first")
    assert _visible_items(page) == set()
    page.locator(".graphjac-interactive").first.press("ArrowRight")
    assert _visible_items(page) == set(steps[0])
    page.locator(".graphjac-interactive").first.press("End")
    assert _visible_items(page) == set().union(*steps)
    assert errors == []


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_each_node_and_edge_shows_the_engines_numbers_in_full(browser, tmp_path, figure):
    spec, options = FIGURES[figure]
    graph = gj.load(spec)
    drawn = figure_for(graph, details=True, **options)
    page, errors = _open(browser, tmp_path, html_page(drawn))
    page.click(".gj-last")
    checked = 0
    for node in drawn.nodes:
        if node.name is None:
            continue
        page.focus(f"[data-gj-detail='{node.id}']")
        value = page.inner_text(".gj-details .gj-value")
        assert np.array_equal(_numbers(value), np.ravel(graph.value(node.name))), node.name
        grad = graph.grad(node.name)
        if grad is not None:
            assert np.array_equal(_numbers(page.inner_text(".gj-details .gj-grad")), np.ravel(grad)), node.name
        checked += 1
    by_id = {n.id: n for n in drawn.nodes}
    for k, edge in enumerate(drawn.edges):
        if edge.direction != "backward" or page.locator(f"[data-gj-detail='e{k}']").count() == 0:
            continue
        page.focus(f"[data-gj-detail='e{k}']")
        operand, op = by_id[edge.dst].name, by_id[edge.src].name
        assert np.array_equal(_numbers(page.inner_text(".gj-details .gj-grad")), np.ravel(graph.edge_grad(operand, op)))
        assert np.array_equal(_numbers(page.inner_text(".gj-details .gj-jacobian")),
                              np.ravel(graph.jacobian(op, operand)))
        checked += 1
    assert checked >= 6 and errors == []
    _shot(page, f"{figure}-details", tmp_path)


def test_a_descent_step_shows_the_new_loss(browser, tmp_path):
    graph = gj.load("lecture:neuron")
    drawn = figure_for(graph, details=True)
    page, errors = _open(browser, tmp_path, html_page(drawn))
    w = next(node for node in drawn.nodes if node.name == "w")
    page.focus(f"[data-gj-detail='{w.id}']")
    for rate in (0.1, 1.0, 0.5):
        page.fill(".gj-details .gj-rate", str(rate))
        shown = page.inner_text(".gj-details .gj-new-J")
        if rate in RATES:
            trial = gj.load("lecture:neuron")
            trial.set_value("w", graph.value("w") - rate * graph.grad("w"))
            trial.forward()
            assert _numbers(shown) == [float(trial.value(trial.target))]
        else:
            assert "one of" in shown
    assert errors == []


def test_the_keyboard_reaches_every_control_and_element_with_a_spoken_label(browser, tmp_path):
    graph = gj.load("lecture:neuron")
    page, errors = _open(browser, tmp_path, html_page(figure_for(graph, details=True)), scheme="dark")
    page.click(".gj-last")
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => [document.activeElement.getAttribute('data-gj-detail'), "
                                     "document.activeElement.getAttribute('aria-label'), document.activeElement.tagName]"))
    focused = [r for r in reached if r[0]]
    assert len({r[0] for r in focused}) >= 8 and all(r[1] for r in focused)
    assert any(r[2] == "BUTTON" for r in reached) and any(r[2] == "INPUT" for r in reached)
    assert "∂J/∂" in " ".join(r[1] for r in focused)
    _shot(page, "neuron-dark-keyboard", tmp_path)
    assert errors == []


def test_two_figures_on_one_page_keep_to_themselves(browser, tmp_path):
    one, two = gj.load("lecture:neuron"), gj.load("lecture:product")
    body = html_fragment(figure_for(one, details=True)) + html_fragment(figure_for(two, details=True))
    page, errors = _open(browser, tmp_path, f"<!DOCTYPE html><html><body>{body}</body></html>")
    figures = page.locator(".graphjac-interactive")
    assert figures.count() == 2
    figures.nth(0).locator(".gj-last").click()
    assert page.locator(".graphjac-interactive:nth-of-type(2) [data-gj-item]:not(.gj-hidden)").count() == 0
    assert page.locator(".graphjac-interactive:nth-of-type(1) [data-gj-item]:not(.gj-hidden)").count() > 0
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) and errors == []


def test_the_cli_writes_a_page_that_needs_no_network(tmp_path):
    from test_cli import cli
    code, out, err = cli("render", "lecture:neuron", "-o", tmp_path / "neuron.html")
    text = (tmp_path / "neuron.html").read_text(encoding="utf-8")
    assert code == 0 and text.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"(https?:)?//", text) and "@import" not in text


def test_sphinx_mkdocs_and_jupyter_embed_the_interactive_figure(browser, tmp_path):
    import subprocess
    import sys

    import markdown as python_markdown

    from graphjac.integrations import jupyter
    from graphjac.integrations.mkdocs import fence, validate
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('extensions = ["graphjac.sphinxext"]\ngraphjac_html_format = "html"\n')
    (docs / "index.rst").write_text("Notes\n=====\n\n.. graphjac:: lecture:neuron\n   :caption: One neuron.\n"
                                    "   :name: fig-neuron\n\nSee :numref:`fig-neuron`.\n\n"
                                    ".. graphjac:: lecture:neuron\n")
    (docs / "conf.py").write_text((docs / "conf.py").read_text() + "numfig = True\n")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(docs), str(tmp_path / "html")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "undefined label" not in done.stderr, done.stderr
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure[^>]*id="fig-neuron"', html) and "<figcaption>" in html   # a figure, numbered
    assert re.search(r'href="#fig-neuron"[^>]*>.*?Fig\. 1', html, re.S)                   # numref finds it
    page, errors = _open(browser, tmp_path, html)
    assert page.locator(".graphjac-interactive").count() == 2 and "One neuron." in page.content()
    page.locator(".graphjac-interactive").nth(1).locator(".gj-last").click()
    assert page.locator(".graphjac-interactive").nth(0).locator("[data-gj-item]:not(.gj-hidden)").count() == 0
    assert page.locator(".graphjac-interactive").nth(1).locator("[data-gj-item]:not(.gj-hidden)").count() > 0
    ids = page.eval_on_selector_all("svg [id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) and errors == []

    md, options = python_markdown.Markdown(), {}
    validate("graphjac", {"interactive": "true"}, options, {}, md)
    body = "".join(fence("lecture:product", "graphjac", "graphjac", options, md) for _ in range(2))
    page, errors = _open(browser, tmp_path, f"<!DOCTYPE html><html><body>{body}</body></html>")
    page.locator(".graphjac-interactive").nth(0).locator(".gj-next").click()
    assert page.locator(".graphjac-interactive").nth(0).locator(".gj-step").inner_text().startswith("step 1")
    assert page.locator(".graphjac-interactive").nth(1).locator(".gj-step").inner_text() == "the given values"
    assert errors == []

    jupyter.display_formats("html")
    try:
        bundle = jupyter.mimebundle(gj.load("lecture:product"))
    finally:
        jupyter._chosen = None
    assert bundle["text/html"].startswith('<div class="graphjac-interactive gj-auto">')   # it follows a dark page


@pytest.mark.parametrize("math", ["typeset", "html"])
def test_a_screen_reader_and_a_page_search_read_the_svgs_formulas(browser, tmp_path, math):
    import xml.etree.ElementTree as ET
    graph = gj.load("lecture:neuron")
    first, again = (graph.render(tmp_path / f"{k}.svg", math=math).read_bytes() for k in range(2))
    assert first == again                                                  # byte-stable
    root = ET.fromstring(first)
    svg = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-label") == "neuron"
    summary = root.find(f"{svg}desc").text
    assert "z = x⃗ᵀw⃗ + b = −0.8" in summary and "∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ" in summary
    titles = [t.text for t in root.iter(f"{svg}title")]
    assert not [t for t in titles if re.fullmatch(r"(gj\w+-)?n\d+(->n\d+)?|n\d+&#45;&gt;n\d+", t or "")], titles
    page = browser.new_page()
    page.goto((tmp_path / "0.svg").as_uri())
    tree = page.accessibility.snapshot(interesting_only=False) if hasattr(page, "accessibility") else None
    spoken = page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    assert "a = σ(z) = 0.31" in spoken and any(s.startswith("∂J/∂w⃗ = ∂J/∂z · x⃗ᵀ") for s in spoken)
    assert page.evaluate("() => window.find('∂J/∂b')") or tree is not None


def test_every_symbol_on_the_page_names_the_graphs_own_target():
    """A graph whose loss is L: the descent step and the too-large Jacobian's note say ∂L/∂·
    as the figure does, never a ∂J/∂· of their own."""
    import json
    import graphjac as gj
    g = gj.Graph("own target")
    x, w = g.input("x", [1.0, 2.0]), g.param("w", [0.5, -0.3])
    g.target = g.square(g.dot(x, w, name="z"), name="L")
    details = figure_for(g, details=True).details
    text = json.dumps(details, ensure_ascii=False)
    steps = [entry["descent_step"] for entry in details.values() if "descent_step" in entry]
    assert steps and all("∂L/∂" in step for step in steps), steps
    assert {entry["target"] for entry in details.values() if "descent_step" in entry} == {"L"}
    assert "∂J" not in text and "∂L/∂z" in {entry.get("upstream") for entry in details.values()}


def test_a_printed_page_shows_the_whole_figure_without_its_controls(browser, tmp_path):
    """Printed (nbconvert's webpdf, a browser's PDF), the page is at its given values on screen,
    but the print shows every step of both passes, no buttons and no details panel."""
    graph = gj.load("lecture:neuron")
    page, errors = _open(browser, tmp_path, html_page(figure_for(graph, details=True)))
    hidden = page.locator("[data-gj-item].gj-hidden")
    assert hidden.count() > 0 and hidden.first.evaluate("e => getComputedStyle(e).opacity") == "0"
    page.emulate_media(media="print")
    assert hidden.first.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert page.locator(".gj-controls").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".gj-details").evaluate("e => getComputedStyle(e).display") == "none"
    assert errors == []


def test_slides_move_on_only_when_the_figures_passes_are_done(browser, tmp_path):
    """In a slide deck (reveal.js listens to the whole document's keys), → or a clicker's PageDown
    on a focused figure steps the figure and not the deck; once every step is shown the next press
    goes on to the deck, and ← at the given values goes back to it."""
    fragment = html_fragment(figure_for(gj.load("lecture:product"), details=True))
    deck = ("<!DOCTYPE html><html><body>" + fragment + "<script>window.deckKeys = [];"
            "document.addEventListener('keydown', function (e) { window.deckKeys.push(e.key); });</script>"
            "</body></html>")
    page, errors = _open(browser, tmp_path, deck)
    root = page.locator(".graphjac-interactive")
    steps = len(json.loads(root.locator("script.gj-data").inner_text())["steps"])
    root.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    assert root.locator(".gj-step").inner_text().startswith("step 2") and page.evaluate("window.deckKeys") == []
    page.keyboard.press("End")
    page.keyboard.press("PageDown")                 # every step shown: the deck moves on
    assert page.evaluate("window.deckKeys") == ["PageDown"]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")                # at the given values: the deck goes back
    assert page.evaluate("window.deckKeys") == ["PageDown", "ArrowLeft"] and steps > 2 and errors == []


def _contrast(page, selector, ground):
    """The WCAG contrast ratio of ``selector``'s text against ``ground``'s background."""
    return page.evaluate("""([selector, ground]) => {
        const rgb = s => s.match(/[0-9.]+/g).slice(0, 3).map(Number);
        const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                           return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const a = lum(rgb(getComputedStyle(document.querySelector(selector)).color));
        const b = lum(rgb(getComputedStyle(document.querySelector(ground)).backgroundColor));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""", [selector, ground])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_controls_are_readable_and_look_like_buttons_on_a_dark_notebook_page(browser, tmp_path, scheme):
    """On a page styled dark by its own theme (nbconvert's dark template, whatever the reader's
    scheme), with buttons a theme made flat (Material), the controls read at WCAG AA contrast and
    the buttons keep a border and a ground of their own."""
    host = ("<style>body { background: #111; color: #ddd; } button { background: none; border: none; "
            "color: inherit; }</style>")
    body = host + html_fragment(figure_for(gj.load("lecture:product"), details=True))
    page, errors = _open(browser, tmp_path, f"<!DOCTYPE html><html><body>{body}</body></html>", scheme=scheme)
    assert _contrast(page, ".gj-step", ".graphjac-interactive") >= 4.5
    assert _contrast(page, ".gj-next", ".gj-next") >= 4.5
    assert page.locator(".gj-next").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert errors == []


# ------------------------------------------------------------------------------ in a real reveal.js deck

REVEAL_JS = Path(os.environ.get("GRAPHJAC_REVEAL_JS") or Path.home() / ".cache/graphjac-tests/node_modules/reveal.js")
NEXT_SLIDE = '<section><h2 id="after">The next slide</h2></section>'


def _deck_page(browser, path, size=(1200, 900)):
    assert (REVEAL_JS / "dist" / "reveal.js").is_file(), \
        f"reveal.js is not at {REVEAL_JS}: bash scripts/test.sh installs it (or set GRAPHJAC_REVEAL_JS)"
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    return page, errors


def _inside(page, selector, box=".reveal .slides > section.present"):
    """Whether every element ``selector`` matches lies within ``box`` (and the window)."""
    return page.evaluate("""([selector, box]) => {
        const outer = document.querySelector(box).getBoundingClientRect();
        return [...document.querySelectorAll(selector)].every(e => { const r = e.getBoundingClientRect();
            return r.width > 50 && r.top >= outer.top - 1 && r.bottom <= Math.min(outer.bottom, innerHeight) + 1
                   && r.left >= 0 && r.right <= innerWidth; }); }""", [selector, box])


@pytest.mark.parametrize("size", [(1200, 900), (1280, 720)])
def test_frames_as_a_reveal_slide_step_with_the_arrow_key_then_move_on(browser, tmp_path, size):
    """frames --format revealjs: one slide whose steps are fragments; → shows each step in turn
    (the newest on top), the press after the last goes to the next slide, ← comes back; every step
    fits the slide, at 4:3 and 16:9."""
    from graphjac.render.writers.frames import write_frames
    graph = gj.load("lecture:neuron")
    write_frames(graph, tmp_path, "revealjs", reveal_url=REVEAL_JS.as_uri(), fit="4:3")
    deck = tmp_path / "backprop-reveal.html"
    deck.write_text(deck.read_text(encoding="utf-8").replace("</section>\n", "</section>\n" + NEXT_SLIDE, 1),
                    encoding="utf-8")
    page, errors = _deck_page(browser, deck, size)
    steps = len(reveal_steps(figure_for(graph), PASSES))
    shown = lambda: page.evaluate("() => [...document.querySelectorAll('.graphjac-steps img')]"
                                  ".filter(e => !e.classList.contains('fragment') || e.classList.contains('visible'))"
                                  ".map(e => e.getAttribute('src'))")
    assert shown() == ["step-00.svg"] and _inside(page, ".graphjac-steps img")
    for k in range(1, steps + 1):
        page.keyboard.press("ArrowRight")
        assert shown()[-1] == f"step-{k:02d}.svg" and page.evaluate("Reveal.getIndices().h") == 0
    _shot(page, f"reveal-frames-{size[0]}x{size[1]}", tmp_path)
    page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getIndices().h") == 1 and page.locator("#after").is_visible()
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("Reveal.getIndices().h") == 0 and shown()[-1] == f"step-{steps:02d}.svg"
    alts = page.eval_on_selector_all(".graphjac-steps img", "els => els.map(e => e.alt)")
    assert alts[-1].endswith("∂J/∂b = ∂J/∂z = −0.69") and errors == []


@pytest.mark.parametrize("size", [(1200, 900), (1280, 720)])
def test_an_interactive_figure_in_a_reveal_slide_fits_and_keeps_the_keys_until_its_passes_are_done(browser, tmp_path,
                                                                                                   size):
    """In a real reveal.js deck the interactive figure (drawing, buttons and step line) fits its
    slide, → steps the figure and not the deck, and once the passes are done → moves the deck on."""
    fragment = html_fragment(figure_for(gj.load("lecture:two_layer"), details=True, fit="4:3"))
    url = REVEAL_JS.as_uri()
    deck = tmp_path / "deck.html"
    deck.write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{url}/dist/reveal.css"><link rel="stylesheet" href="{url}/dist/theme/white.css">
</head><body><div class="reveal"><div class="slides"><section>{fragment}</section>{NEXT_SLIDE}</div></div>
<script src="{url}/dist/reveal.js"></script><script>Reveal.initialize();</script></body></html>""", encoding="utf-8")
    page, errors = _deck_page(browser, deck, size)
    root = page.locator(".graphjac-interactive")
    steps = len(json.loads(root.locator("script.gj-data").inner_text())["steps"])
    assert _inside(page, ".graphjac-interactive .gj-drawing svg") and _inside(page, ".graphjac-interactive .gj-controls")
    _shot(page, f"reveal-interactive-{size[0]}x{size[1]}", tmp_path)
    root.focus()
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getIndices().h") == 0 and root.locator(".gj-step").inner_text().startswith(f"step {steps}")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getIndices().h") == 1 and errors == []


# ------------------------------------------------------------------------------ light and dark pages

def _ground(page, selector):
    """The colour at the middle of the top-left corner of ``selector``'s box, as (r, g, b)."""
    import io

    from PIL import Image
    box = page.locator(selector).first.bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return shot.getpixel((int(box["x"] + 6), int(box["y"] + 6)))



@pytest.mark.parametrize("where, scheme, dark", [
    ("img", "light", False), ("img", "dark", True),                           # an <img> follows the system
    ('inline:data-md-color-scheme="slate"', "light", True),                   # Material's dark scheme
    ('inline:data-theme="light"', "dark", False),                             # Furo / PyData switched to light
    ('inline:data-jp-theme-light="false"', "light", True),                    # JupyterLab's and nbconvert's dark
])
def test_an_auto_figure_follows_the_pages_light_or_dark_scheme(browser, tmp_path, where, scheme, dark):
    from graphjac.render.model.themes import THEMES
    svg = gj.load("lecture:neuron").render(tmp_path / "auto.svg", theme="auto").read_text(encoding="utf-8")
    if where == "img":
        body = '<body style="margin: 0"><img src="auto.svg" style="width: 500px">'
    else:
        body = f'<body {where.split(":", 1)[1]} style="margin: 0">' + svg.split("?>", 1)[-1]
    page, errors = _open(browser, tmp_path, f"<!DOCTYPE html><html>{body}</body></html>", scheme=scheme)
    ground = _ground(page, "img" if where == "img" else "svg")
    wanted = THEMES["dark" if dark else "lecture"].background
    expected = (255, 255, 255) if wanted == "white" else tuple(int(wanted[k:k + 2], 16) for k in (1, 3, 5))
    assert max(abs(a - b) for a, b in zip(ground, expected)) <= 3, (ground, expected)
    _shot(page, f"auto-{where.split('=')[0].replace(':', '-')}-{scheme}", tmp_path)
    assert errors == []


def test_an_auto_figure_keeps_the_lecture_colours_in_png_and_pdf(tmp_path):
    """cairo has no page to follow: a PNG of an auto figure is the lecture figure's."""
    graph = gj.load("lecture:neuron")
    assert graph.render(tmp_path / "a.png", theme="auto").read_bytes() == \
        graph.render(tmp_path / "l.png", theme="lecture").read_bytes()


@pytest.mark.parametrize("page_says", ['data-jp-theme-light="false"', 'data-md-color-scheme="slate"'])
def test_an_interactive_figure_turns_dark_with_the_pages_own_switch(browser, tmp_path, page_says):
    """On a page whose own theme switch says dark (nbconvert's dark theme, Material's slate) on a
    light system, the controls and the drawing turn dark and stay readable."""
    from graphjac.render.model.themes import THEMES
    fragment = html_fragment(figure_for(gj.load("lecture:product"), details=True, theme="auto"))
    page, errors = _open(browser, tmp_path, f"<!DOCTYPE html><html><body {page_says} style=\"background: #111\">"
                                            f"{fragment}</body></html>", scheme="light")
    assert _contrast(page, ".gj-step", ".graphjac-interactive") >= 4.5
    assert _contrast(page, ".gj-next", ".gj-next") >= 4.5
    paper = page.locator(".gj-drawing").evaluate("e => getComputedStyle(e).backgroundColor")
    dark = THEMES["dark"].background
    assert paper == "rgb({}, {}, {})".format(*(int(dark[k:k + 2], 16) for k in (1, 3, 5)))
    _shot(page, f"interactive-auto-{page_says.split('=')[0]}", tmp_path)
    assert errors == []


@pytest.mark.parametrize("name, scrolls", [("rnn_bptt", True), ("neuron", False)])
def test_the_drawings_smallest_text_is_at_least_12_px_and_a_wider_drawing_scrolls(browser, tmp_path, name, scrolls):
    """An unrolled RNN is shrunk to the page no further than its smallest text at 12 px (it was
    about 6 px): the drawing scrolls sideways instead; a figure that fits is left as it is."""
    from graphjac.render.model.themes import THEMES
    figure = figure_for(gj.load(f"lecture:{name}"), details=True)
    page, errors = _open(browser, tmp_path, html_page(figure))
    drawing = page.locator(".gj-drawing")
    shown = drawing.locator("svg").evaluate("e => e.getBoundingClientRect().width")
    natural = page.evaluate("() => parseFloat(document.querySelector('.gj-drawing svg').getAttribute('width'))")
    smallest = min(THEMES[figure.theme].sizes[role] for role in ("node", "value", "edge"))
    assert smallest * 4 / 3 * shown / (natural * 4 / 3) >= 12 - 0.1          # the smallest text, in CSS px
    assert drawing.evaluate("e => e.scrollWidth > e.clientWidth") == scrolls and errors == []
