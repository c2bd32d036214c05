"""graphjac's typesetter held to independent implementations: its font reader to ziafont and
ziamath's MATH table, its glyph choice and measures to ziamath setting the same formulas, and
its layout to the rules of TeX's Appendix G as the font's MATH constants state them."""

import io
import re
import statistics
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import ziafont
from hypothesis import given, settings
from hypothesis import strategies as st
import ziamath
from PIL import Image

from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.notation.mathtext import parse
from graphjac.render.math.math_layout import Style, set_formula, set_node
from graphjac.render.math.opentype import _CONSTANTS, font_path, math_font

ZIAFONT = ziafont.Font(font_path())
ZIAMATH = ziamath.zmath.loadedfonts["default"]
CHARACTERS = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x391, 0x3CA) if c != 0x3A2]
              + [chr(c) for c in range(0x1D400, 0x1D6A4) if ZIAFONT.glyph(chr(c)).index]
              + list("∂∇∞…⋯⋮·×÷±∘⊙⊗≤≥≠∈≈→↦≔∑∏⟨⟩‖√ℝℕℤℚℂ−∗′") + ["\u20d7", "\u0302", "\u0303", "\u0307", "\u0304"])


def _figure_formulas():
    """Every (latex, size) the gallery's lecture figures show in their labels, in a fixed order."""
    from graphjac.render import figure_for
    from graphjac.render.layout.geometry import texts
    from graphjac.render.model.themes import THEMES
    seen = set()
    for name in catalog():
        figure = figure_for(load_example(name), None, math="typeset")
        sizes = THEMES[figure.theme].sizes
        seen.update((latex, sizes[role]) for lines in texts(figure).values() for latex, role in lines)
    return sorted(seen)


FORMULAS = _figure_formulas()


# --------------------------------------------------------------------- the font, read two ways

def test_every_character_maps_to_ziafonts_glyph_with_its_advance_and_ink():
    font = math_font()
    for char in CHARACTERS:
        theirs = ZIAFONT.glyph(char)
        glyph = font.glyph_of(char)
        assert glyph == theirs.index, char
        assert font.advance(glyph) == theirs.advance(), char
        box, ink = font.box(glyph), theirs.path.bbox
        assert box is None or (box.xmin, box.ymin, box.xmax, box.ymax) == (ink.xmin, ink.ymin, ink.xmax, ink.ymax), char


def _raster(drawing, box):
    """Grey levels of ``drawing`` (SVG markup) in the ``box`` viewBox, 200 pixels square."""
    import cairosvg
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="{box}">'
           f'<rect x="-5000" y="-5000" width="10000" height="10000" fill="white"/>{drawing}</svg>')
    return np.asarray(Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode()))).convert("L"), dtype=int)


def _composites(font, count):
    """Some glyphs made of other glyphs (accented letters), as a font draws them by reference."""
    import struct
    found = []
    for glyph in range(font.glyph_count):
        at, length = font._glyph_bytes(glyph)
        if length and struct.unpack_from(">h", font.data, at)[0] < 0:
            found.append(glyph)
            if len(found) == count:
                break
    return found


def test_outlines_draw_what_ziafont_draws():
    font = math_font()
    glyphs = [font.glyph_of(c) for c in "x∂JΣ(∑√𝑦𝐖0@&g"] + _composites(font, 6)
    for glyph in glyphs:
        ours = font.outline(glyph)
        scale = 12 / 1000       # ziafont writes its path at 12 pt, y down, from the origin
        box = ours.box
        view = f"{box.xmin * scale - 1} {-box.ymax * scale - 1} {(box.xmax - box.xmin) * scale + 2} " \
               f"{(box.ymax - box.ymin) * scale + 2}"
        picture = _raster(f'<g transform="scale({scale})"><path d="{ours.path}"/></g>', view)
        reference = _raster(f'<path d="{ZIAFONT.glyph_fromid(glyph).svgpath().get("d")}"/>', view)
        assert (picture < 128).sum() > 100, glyph
        assert np.abs(picture - reference).mean() < 2, glyph


def test_math_constants_are_ziamaths():
    font = math_font()
    for name in _CONSTANTS + ["scriptPercentScaleDown", "scriptScriptPercentScaleDown",
                              "delimitedSubFormulaMinHeight", "displayOperatorMinHeight",
                              "radicalDegreeBottomRaisePercent"]:
        assert font.constant(name) == getattr(ZIAMATH.math.consts, name), name


def test_italic_corrections_accent_attachments_and_sizes_are_ziamaths():
    font = math_font()
    table = ZIAMATH.math
    for char in CHARACTERS:
        glyph = font.glyph_of(char)
        assert font.italic_correction(glyph) == (table.italicsCorrection.getvalue(glyph) or 0), char
        assert font.accent_attachment(glyph) == table.topattachment(glyph), char
        for vertical in (True, False):
            sizes, _ = font.variants(glyph, vertical)
            listed = table.listvariants(glyph, vertical)
            if listed:
                assert {advance: variant for variant, advance in sizes} == listed, (char, vertical)
            else:
                assert sizes == ((glyph, 0),), (char, vertical)


def test_assemblies_are_ziamaths():
    font = math_font()
    for char in "([{|‖⟨√}])":
        glyph = font.glyph_of(char)
        _, parts = font.variants(glyph, True)
        construction = ZIAMATH.math._variantsvert.construction[ZIAMATH.math._variantsvert.coverage.covidx(glyph)]
        theirs = construction.assembly.parts if construction.assembly else None
        if theirs is None:
            assert parts is None, char
            continue
        assert [(p.glyph, p.start, p.end, p.advance, p.extender) for p in parts] == \
               [(p.glyphId, p.startConnectorLength, p.endConnectorLength, p.fullAdvance, bool(p.partFlags & 1))
                for p in theirs], char


# --------------------------------------------------------------------- formulas, set two ways

def _glyphs_drawn(svg_text, pattern):
    return {int(g) for g in re.findall(pattern, svg_text)}


SIMPLE = [(latex, size) for latex, size in FORMULAS
          if not re.search(r"\\(vec|hat|tilde|bar|dot|overline|left|right|big|Big|begin|sqrt|sum|prod|log|exp|tanh|ln|"
                           r"sin|cos|max|min|text|;|,|quad)", latex)]


def test_the_figures_set_formulas_of_every_kind():
    text = " ".join(latex for latex, _ in FORMULAS)
    for construct in (r"\frac", r"\vec", r"\hat", r"\sum_", r"\begin{bmatrix}", r"\begin{cases}", r"\left(", "^{",
                      "_{", r"\mathbf", r"\text"):
        assert construct in text, construct
    assert len(SIMPLE) > 100


@pytest.mark.parametrize("latex, size", SIMPLE[::3])
def test_letters_digits_operators_and_scripts_are_the_glyphs_ziamath_draws(latex, size):
    """Italic, bold and upright letters, Greek, digits, operators and the font's script-size glyphs."""
    ours = _glyphs_drawn(set_formula(latex, size)[2], r"#STIXTwoMath-(\d+)")
    theirs = _glyphs_drawn(ziamath.Latex(latex, size=size).svg(), r'id="STIXTwoMathRegular_(\d+)"')
    blank = {g for g in theirs if math_font().box(g) is None}
    assert ours == theirs - blank


def test_measures_follow_ziamaths():
    """Heights as ziamath's (TeX's taller arrays apart), widths a little less: TeX puts no space
    before a formula's leading relation, MathML's operator table does, and ink is measured here."""
    widths, heights = [], []
    for latex, size in FORMULAS:
        ours = set_formula(latex, size)
        theirs = ziamath.Latex(latex, size=size).getsize()
        if min(theirs) <= 0.5:
            continue
        widths.append(ours[0] / theirs[0])
        heights.append(ours[1] / theirs[1])
        assert 0.3 < ours[0] / theirs[0] < 1.8 and 0.6 < ours[1] / theirs[1] < 1.4, latex
    assert 0.85 < statistics.median(widths) < 1.02
    assert 0.97 < statistics.median(heights) < 1.03


# --------------------------------------------------------------------- TeX's rules

def _box(latex, size=20):
    return set_node(parse(latex), Style(size))


def _units(name, size=20, level=0):
    font = math_font()
    scale = (1, font.constant("scriptPercentScaleDown") / 100, font.constant("scriptScriptPercentScaleDown") / 100)[level]
    return font.constant(name) * size * scale / font.units_per_em


def _placed(box, glyph):
    return [(x, y, s) for x, y, g, s in box.glyphs if g == glyph]


def test_a_fraction_stands_on_the_axis_with_its_parts_clear_of_the_rule():
    box = _box(r"\frac{a}{b}")
    (x, y, width, thickness), = box.rules
    axis = _units("axisHeight")
    assert y + thickness / 2 == pytest.approx(axis) and thickness == pytest.approx(_units("fractionRuleThickness"))
    font = math_font()
    (_, up, _), = _placed(box, font.glyph_of("𝑎"))
    (_, down, _), = _placed(box, font.glyph_of("𝑏"))
    assert up >= _units("fractionNumeratorDisplayStyleShiftUp") - 1e-9
    assert -down >= _units("fractionDenominatorDisplayStyleShiftDown") - 1e-9
    b_top = down + font.box(font.glyph_of("𝑏")).ymax * 20 / 1000
    assert y - b_top >= _units("fractionDenomDisplayStyleGapMin") - 1e-9


def test_scripts_are_smaller_and_shifted_as_the_font_says():
    font = math_font()
    box = _box("x^{2}_{i}")
    (_, up, scale_up), = _placed(box, font.script_glyph(font.glyph_of("2"), 1))
    (_, down, scale_down), = _placed(box, font.script_glyph(font.glyph_of("𝑖"), 1))
    assert scale_up == pytest.approx(20 * font.constant("scriptPercentScaleDown") / 100 / 1000) and scale_down == scale_up
    assert up >= _units("superscriptShiftUp") - 1e-9 and -down >= _units("subscriptShiftDown") - 1e-9
    two_bottom = up + font.box(font.script_glyph(font.glyph_of("2"), 1)).ymin * scale_up
    i_top = down + font.box(font.script_glyph(font.glyph_of("𝑖"), 1)).ymax * scale_down
    assert two_bottom - i_top >= _units("subSuperscriptGapMin") - 1e-9
    tall = _box(r"x^{\frac{a}{b}}_{\frac{c}{d}}")          # scripts too close: the superscript rises first

    def ink(char):
        forms = {font.script_glyph(font.glyph_of(char), level) for level in (1, 2)}
        return [(y + font.box(g).ymin * s, y + font.box(g).ymax * s) for _, y, g, s in tall.glyphs if g in forms]
    (b_bottom, _), = ink("𝑏")
    (_, c_top), = ink("𝑐")
    assert b_bottom - c_top >= _units("subSuperscriptGapMin") - 1e-9
    deeper = _box("x^{a^{b}}")
    second = 20 * font.constant("scriptScriptPercentScaleDown") / 100 / 1000
    assert font.constant("scriptScriptPercentScaleDown") < 70 and any(s == pytest.approx(second) for *_, s in deeper.glyphs)


def test_a_display_sum_is_large_with_its_limits_centred_above_and_below():
    font = math_font()
    box = _box(r"\sum_{i=1}^{N} x")
    sizes, _ = font.variants(font.glyph_of("∑"), True)
    assert _placed(box, sizes[-1][0])                            # the display size
    (nx, ny, s), = _placed(box, font.script_glyph(font.glyph_of("𝑁"), 1))
    (sx, sy, _), = _placed(box, sizes[-1][0])
    assert ny > _units("upperLimitBaselineRiseMin") and sy < ny


def test_delimiters_grow_to_cover_what_they_enclose():
    small, tall = _box(r"\left( x \right)"), _box(r"\left( \frac{\frac{a}{b}}{\frac{c}{d}} \right)")
    inner = _box(r"\frac{\frac{a}{b}}{\frac{c}{d}}")
    assert tall.height + tall.depth >= 0.9 * (inner.height + inner.depth)
    assert tall.height + tall.depth > 2 * (small.height + small.depth)
    matrix = _box(r"\begin{bmatrix} 1 \\ 2 \\ 3 \\ 4 \\ 5 \\ 6 \end{bmatrix}")     # taller than any one glyph
    assert matrix.height + matrix.depth > 6 * 20


def test_an_accent_sits_on_its_letter():
    font = math_font()
    box = _box(r"\vec{x}")
    (ax, ay, scale), = _placed(box, font.glyph_of("\u20d7"))
    (xx, _, _), = _placed(box, font.glyph_of("𝑥"))
    arrow = font.box(font.glyph_of("\u20d7"))
    letter = font.box(font.glyph_of("𝑥"))
    arrow_mid = ax + (arrow.xmin + arrow.xmax) / 2 * scale
    letter_mid = xx + (letter.xmin + letter.xmax) / 2 * scale
    assert abs(arrow_mid - letter_mid) < 0.15 * 20
    assert ay + arrow.ymin * scale >= letter.ymax * scale - 0.05 * 20     # above the letter's ink


def test_a_long_formula_takes_time_in_proportion_to_its_length():
    """No row is set twice: a sum of 400 terms has 400 times a term's glyphs, each placed once."""
    long = set_node(parse(" + ".join(f"x_{{{k % 10}}}" for k in range(400))), Style(14))
    assert len(long.glyphs) == 400 * 2 + 399


def test_what_it_draws_is_what_the_cache_accepts():
    from graphjac.render.math.formula_cache import _safe_fragment
    for latex, size in FORMULAS[:200]:
        assert _safe_fragment(set_formula(latex, size, "#c0392b")[2]), latex


def test_a_character_the_font_lacks_is_drawn_as_its_missing_glyph_box():
    drawn = set_formula("\\text{a\U0001F600}", 14)[2]
    assert "#STIXTwoMath-0" in drawn                               # the font's own box, as a browser shows one
    assert "STIXTwoMath-0" not in set_formula(r"\text{wᵀ}", 14)[2]  # ᵀ: a T set as a superscript
    spaced = set_formula("\\text{a b}", 14)
    assert set_formula("\\text{a\tb}", 14) == spaced == set_formula("\\text{a\u00a0b}", 14)   # a space, not a box


# --------------------------------------------------------------------- any formula the reader takes

ATOMS = st.sampled_from(["x", "W", "2", "0.5", r"\alpha", r"\Sigma", r"\partial", "+", "-", "=", r"\cdot", r"\odot",
                         r"\le", "(", ")", ",", r"\,", r"\;", r"\quad", r"\log", r"\ldots", r"\text{a b}",
                         r"\mathbf{y}", r"\mathbb{R}", r"\infty", "'", "|"])


WRAPS = [r"\frac{%s}{x}", r"{%s}^{2}", r"{%s}_{i}^{(k)}", r"\vec{%s}", r"\hat{%s}", r"\sqrt{%s}",
         r"\left( %s \right)", r"\left[ %s \right.", r"\underline{%s}", r"\phantom{%s}", r"\overline{%s}",
         r"\sum_{i=1}^{N} %s", r"\begin{bmatrix} %s & 1 \\ 0 & 2 \end{bmatrix}",
         r"\begin{cases} %s & x \ge 0 \\ 0 & x < 0 \end{cases}", r"\big( %s \big)"]
FORMULA = st.recursive(ATOMS, lambda inner: st.one_of(
    st.tuples(st.sampled_from(WRAPS), inner).map(lambda wrap: wrap[0] % wrap[1]),
    st.lists(inner, min_size=2, max_size=4).map(" ".join)), max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(FORMULA, st.sampled_from([5, 9, 11, 14, 24]))
def test_any_formula_is_set_in_its_box_as_safe_glyphs(latex, size):
    from graphjac.render.math.formula_cache import _safe_fragment
    width, height, fragment = set_formula(latex, size, "#c0392b")
    assert 0 <= width < 2 * size * (len(latex) + 2) and 0 <= height < 2 * size * (len(latex) + 2)
    assert _safe_fragment(fragment)
    tree = ET.fromstring(fragment)
    for use in tree.iter("use"):           # every glyph inside the measured box
        x, y, w, h = (float(use.get(k)) for k in ("x", "y", "width", "height"))
        assert -0.01 <= x and x + w <= width + 0.01 and -0.01 <= y and y + h <= height + 0.01, latex
    assert set_formula(latex, 2 * size)[0] == pytest.approx(2 * width, rel=0.01, abs=0.01)   # it scales


@pytest.mark.parametrize("content", [None, b"", b"not a font at all" * 10])
def test_a_missing_or_broken_font_is_a_clear_error(tmp_path, monkeypatch, content):
    from graphjac.errors import RenderError
    from graphjac.render.math import opentype
    path = tmp_path / "STIXTwoMath-Regular.ttf"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(opentype, "font_path", lambda: str(path))
    opentype.math_font.cache_clear()
    monkeypatch.setenv("GRAPHJAC_NO_CACHE", "1")
    from graphjac.render import draw
    from graphjac.render.math import typeset
    typeset.forget()
    try:
        with pytest.raises(RenderError, match=r"cannot read the math font .*STIXTwoMath-Regular.ttf.*reinstall graphjac"):
            opentype.math_font()
        with pytest.raises(RenderError) as error:              # a figure says so without blaming a label
            draw(load_example("add"), "svg")
        assert str(error.value).startswith("cannot read the math font")
    finally:
        opentype.math_font.cache_clear()
        typeset.forget()


def test_the_math_font_ships_with_graphjac_under_its_licence():
    """The font is graphjac's own package data, with the SIL Open Font License beside it, not a
    file read out of another package's private folder."""
    import graphjac
    from pathlib import Path
    path = Path(font_path())
    assert path.parent == Path(graphjac.__file__).parent / "fonts" and path.is_file()
    licence = (path.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "The STIX Fonts Project Authors" in licence
    assert math_font().units_per_em == 1000
