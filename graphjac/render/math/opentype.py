"""An OpenType math font read lazily: only the tables and glyphs a formula asks for.

The typesetter (:mod:`.math_layout`) needs few things from the STIX Two Math font graphjac ships
(``graphjac/fonts``, under the SIL Open Font License, ``OFL.txt`` beside it): each character's glyph, each glyph's advance, outline and ink box, and the font's ``MATH``
table (its constants, italic corrections, accent attachments and the larger variants and
assemblies of stretchy glyphs). A general font library reads all of a font's tables when it is
opened (ziafont takes about 65 ms for this one, mostly its kerning tables, which math does not
use); here a table is read when it is first used and a glyph when it is first drawn, so opening
the font costs a file read and a few ``struct`` calls.

>>> font = math_font()
>>> font.units_per_em, font.glyph_of("x") > 0, font.advance(font.glyph_of("x")) > 0
(1000, True, True)
>>> font.constant("axisHeight")
258
"""

from __future__ import annotations

import os
import struct
from bisect import bisect_right
from functools import cached_property, lru_cache
from typing import NamedTuple, Optional

from graphjac.errors import FontError

FONT_NAME = "STIXTwoMath-Regular.ttf"

# the MATH table's constants, in the order of the MathConstants table (OpenType 1.9)
_CONSTANTS = (
    "mathLeading axisHeight accentBaseHeight flattenedAccentBaseHeight subscriptShiftDown subscriptTopMax "
    "subscriptBaselineDropMin superscriptShiftUp superscriptShiftUpCramped superscriptBottomMin "
    "superscriptBaselineDropMax subSuperscriptGapMin superscriptBottomMaxWithSubscript spaceAfterScript "
    "upperLimitGapMin upperLimitBaselineRiseMin lowerLimitGapMin lowerLimitBaselineDropMin stackTopShiftUp "
    "stackTopDisplayStyleShiftUp stackBottomShiftDown stackBottomDisplayStyleShiftDown stackGapMin "
    "stackDisplayStyleGapMin stretchStackTopShiftUp stretchStackBottomShiftDown stretchStackGapAboveMin "
    "stretchStackGapBelowMin fractionNumeratorShiftUp fractionNumeratorDisplayStyleShiftUp "
    "fractionDenominatorShiftDown fractionDenominatorDisplayStyleShiftDown fractionNumeratorGapMin "
    "fractionNumDisplayStyleGapMin fractionRuleThickness fractionDenominatorGapMin "
    "fractionDenomDisplayStyleGapMin skewedFractionHorizontalGap skewedFractionVerticalGap overbarVerticalGap "
    "overbarRuleThickness overbarExtraAscender underbarVerticalGap underbarRuleThickness underbarExtraDescender "
    "radicalVerticalGap radicalDisplayStyleVerticalGap radicalRuleThickness radicalExtraAscender "
    "radicalKernBeforeDegree radicalKernAfterDegree").split()

# glyf flags
_ON_CURVE, _X_SHORT, _Y_SHORT, _REPEAT, _X_SAME, _Y_SAME = 1, 2, 4, 8, 16, 32
# composite glyph flags
_ARGS_ARE_WORDS, _ARGS_ARE_XY, _HAVE_SCALE, _MORE, _HAVE_XY_SCALE, _HAVE_2X2 = 1, 2, 8, 32, 64, 128


class Box(NamedTuple):
    """A glyph's ink, in font units, y up."""

    xmin: int
    ymin: int
    xmax: int
    ymax: int


class Part(NamedTuple):
    """One piece of a stretchy glyph's assembly (OpenType's GlyphPart)."""

    glyph: int
    start: int        # connector lengths, font units
    end: int
    advance: int
    extender: bool


class Outline(NamedTuple):
    """A glyph drawn: its SVG path (font units, y down) and its ink box."""

    path: str
    box: Optional[Box]


def font_path() -> str:
    """The STIX Two Math font file graphjac ships."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "fonts", FONT_NAME)


@lru_cache(maxsize=1)
def math_font() -> "Font":
    """The math font, opened once per process."""
    path = font_path()
    try:
        return Font(path)
    except (OSError, struct.error) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "not a font file graphjac can read"
        raise FontError(f"cannot read the math font {path}: {reason} (graphjac ships it; reinstall graphjac: "
                        f"pip install --force-reinstall graphjac)") from None


class Font:
    """A TrueType-outline OpenType font with a ``MATH`` table, read on demand."""

    def __init__(self, path: str):
        with open(path, "rb") as handle:
            self.data = data = handle.read()
        count = struct.unpack_from(">H", data, 4)[0]
        self.tables = {}
        for k in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * k)
            self.tables[tag.decode("latin-1")] = (offset, length)
        missing = {"head", "hhea", "hmtx", "maxp", "cmap", "loca", "glyf", "MATH"} - set(self.tables)
        if missing:
            raise FontError(f"the font {path} is not a math font with TrueType outlines "
                              f"(no {', '.join(sorted(missing))} table)")
        head = self.tables["head"][0]
        self.units_per_em = struct.unpack_from(">H", data, head + 18)[0]
        self._long_loca = struct.unpack_from(">h", data, head + 50)[0] == 1
        self._metrics = struct.unpack_from(">H", data, self.tables["hhea"][0] + 34)[0]   # advances hmtx lists
        self.glyph_count = struct.unpack_from(">H", data, self.tables["maxp"][0] + 4)[0]
        self._outlines = {}

    # --- characters and metrics

    @cached_property
    def _cmap(self):
        """(starts, ends, first glyphs) of the Unicode cmap's ranges, by start."""
        data, base = self.data, self.tables["cmap"][0]
        count = struct.unpack_from(">H", data, base + 2)[0]
        chosen = {}
        for k in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * k)
            form = struct.unpack_from(">H", data, base + offset)[0]
            chosen[(platform, encoding, form)] = base + offset
        for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12)):   # the full-Unicode map every math font has
            if key in chosen:
                return _format12(data, chosen[key])
        raise FontError("the math font has no full Unicode character map (cmap format 12)")

    def glyph_of(self, char: str) -> int:
        """The glyph of a character (0, the font's 'missing' glyph, when it has none)."""
        starts, ends, firsts = self._cmap
        code = ord(char)
        k = bisect_right(starts, code) - 1
        if k < 0 or code > ends[k]:
            return 0
        return firsts[k] + code - starts[k]

    def advance(self, glyph: int) -> int:
        """The glyph's advance width, font units."""
        hmtx = self.tables["hmtx"][0]
        return struct.unpack_from(">H", self.data, hmtx + 4 * min(glyph, self._metrics - 1))[0]

    # --- outlines

    def outline(self, glyph: int) -> Outline:
        """The glyph's outline (an empty path for a blank glyph)."""
        if glyph not in self._outlines:
            contours = self._contours(glyph, 0)
            self._outlines[glyph] = Outline(_path(contours), _box(contours))
        return self._outlines[glyph]

    def box(self, glyph: int) -> Optional[Box]:
        return self.outline(glyph).box

    def _glyph_bytes(self, glyph):
        loca = self.tables["loca"][0]
        if self._long_loca:
            start, end = struct.unpack_from(">II", self.data, loca + 4 * glyph)
        else:
            start, end = (2 * v for v in struct.unpack_from(">HH", self.data, loca + 2 * glyph))
        return self.tables["glyf"][0] + start, end - start

    def _contours(self, glyph, depth):
        """The glyph's contours: lists of (x, y, on_curve), font units, y up."""
        if not 0 <= glyph < self.glyph_count or depth > 8:
            return []
        at, length = self._glyph_bytes(glyph)
        if length == 0:
            return []
        contours = struct.unpack_from(">h", self.data, at)[0]
        if contours >= 0:
            return _simple(self.data, at + 10, contours)
        return self._composite(at + 10, depth)

    def _composite(self, at, depth):
        data, out = self.data, []
        while True:
            flags, component = struct.unpack_from(">HH", data, at)
            at += 4
            if flags & _ARGS_ARE_WORDS:
                dx, dy = struct.unpack_from(">hh", data, at)
                at += 4
            else:
                dx, dy = struct.unpack_from(">bb", data, at)
                at += 2
            a, b, c, d = 1.0, 0.0, 0.0, 1.0
            if flags & _HAVE_SCALE:
                a = d = _f2dot14(data, at)
                at += 2
            elif flags & _HAVE_XY_SCALE:
                a, d = _f2dot14(data, at), _f2dot14(data, at + 2)
                at += 4
            elif flags & _HAVE_2X2:
                a, b, c, d = (_f2dot14(data, at + 2 * k) for k in range(4))
                at += 8
            if not flags & _ARGS_ARE_XY:
                dx = dy = 0      # point matching: not used by math fonts
            for contour in self._contours(component, depth + 1):
                if (a, b, c, d) == (1.0, 0.0, 0.0, 1.0):      # moved only: whole units stay whole
                    out.append([(x + dx, y + dy, on) for x, y, on in contour])
                else:
                    out.append([(a * x + c * y + dx, b * x + d * y + dy, on) for x, y, on in contour])
            if not flags & _MORE:
                return out

    # --- the MATH table

    @property
    def _math(self) -> int:
        return self.tables["MATH"][0]

    def constant(self, name: str) -> int:
        """A MATH constant, font units (percentages for the two scale-downs)."""
        return self._constants[name]

    @cached_property
    def _constants(self):
        data = self.data
        base = self._math + struct.unpack_from(">H", data, self._math + 4)[0]
        values = dict(zip(("scriptPercentScaleDown", "scriptScriptPercentScaleDown",
                           "delimitedSubFormulaMinHeight", "displayOperatorMinHeight"),
                          struct.unpack_from(">hhHH", data, base)))
        records = struct.unpack_from(">" + "hH" * len(_CONSTANTS), data, base + 8)   # (value, device table) pairs
        values.update(zip(_CONSTANTS, records[::2]))
        values["radicalDegreeBottomRaisePercent"] = struct.unpack_from(">h", data, base + 8 + 4 * len(_CONSTANTS))[0]
        return values

    def _glyph_info(self, index):
        """Offset of a MathGlyphInfo subtable (0 italics corrections, 1 accent attachments), or 0."""
        info = struct.unpack_from(">H", self.data, self._math + 6)[0]
        if not info:
            return 0
        offset = struct.unpack_from(">H", self.data, self._math + info + 2 * index)[0]
        return self._math + info + offset if offset else 0

    def italic_correction(self, glyph: int) -> int:
        return self._glyph_value(0, glyph, 0)

    def accent_attachment(self, glyph: int) -> Optional[int]:
        """Where an accent over the glyph goes (its top accent attachment), or None where the font
        gives none (the typesetter then centres the accent)."""
        return self._glyph_value(1, glyph, None)

    def _glyph_value(self, index, glyph, default):
        table = self._glyph_info(index)
        if not table:
            return default
        coverage = _coverage_index(self.data, table + struct.unpack_from(">H", self.data, table)[0], glyph)
        if coverage is None:
            return default
        return struct.unpack_from(">h", self.data, table + 4 + 4 * coverage)[0]

    def variants(self, glyph: int, vertical: bool) -> tuple:
        """((glyph, advance), …) of the glyph's sizes, smallest (its own) first, and its assembly
        (a tuple of :class:`Part`, bottom or left first), or None."""
        data, math = self.data, self._math
        variants_at = math + struct.unpack_from(">H", data, math + 8)[0]
        _, vertical_coverage, horizontal_coverage, vertical_count, _ = struct.unpack_from(">HHHHH", data, variants_at)
        coverage = _coverage_index(data, variants_at + (vertical_coverage if vertical else horizontal_coverage), glyph)
        if coverage is None:
            return ((glyph, 0),), None
        slot = coverage if vertical else vertical_count + coverage
        construction = variants_at + struct.unpack_from(">H", data, variants_at + 10 + 2 * slot)[0]
        assembly_at, count = struct.unpack_from(">HH", data, construction)
        sizes = tuple(struct.unpack_from(">HH", data, construction + 4 + 4 * k) for k in range(count))
        assembly = None
        if assembly_at:
            at = construction + assembly_at
            parts = struct.unpack_from(">H", data, at + 4)[0]
            assembly = tuple(Part(g, s, e, a, bool(f & 1)) for g, s, e, a, f in
                             (struct.unpack_from(">HHHHH", data, at + 6 + 10 * k) for k in range(parts)))
        return sizes, assembly

    # --- the script-style alternates (GSUB feature ``ssty``)

    def script_glyph(self, glyph: int, level: int) -> int:
        """The glyph's alternate drawn for scripts (``level`` 1) or scripts of scripts (2), where
        the font has one (its ``ssty`` feature): thicker strokes, opener spacing."""
        for lookup_type, subtable in self._ssty_subtables:
            found = _substitute(self.data, lookup_type, subtable, glyph, level)
            if found is not None:
                return found
        return glyph

    @cached_property
    def _ssty_subtables(self):
        return _feature_subtables(self.data, self.tables.get("GSUB", (0, 0))[0], b"ssty")

    def min_connector_overlap(self) -> int:
        variants_at = self._math + struct.unpack_from(">H", self.data, self._math + 8)[0]
        return struct.unpack_from(">H", self.data, variants_at)[0]


def _f2dot14(data, at):
    return struct.unpack_from(">h", data, at)[0] / 16384


def _format12(data, at):
    groups = struct.unpack_from(">I", data, at + 12)[0]
    flat = struct.unpack_from(f">{3 * groups}I", data, at + 16)
    return list(flat[0::3]), list(flat[1::3]), list(flat[2::3])


def _coverage_index(data, at, glyph):
    """The glyph's index in an OpenType coverage table, or None."""
    form, count = struct.unpack_from(">HH", data, at)
    if form == 1:
        glyphs = struct.unpack_from(f">{count}H", data, at + 4)
        k = bisect_right(glyphs, glyph) - 1
        return k if k >= 0 and glyphs[k] == glyph else None
    ranges = struct.unpack_from(f">{3 * count}H", data, at + 4)
    k = bisect_right(ranges[0::3], glyph) - 1
    if k >= 0 and glyph <= ranges[3 * k + 1]:
        return ranges[3 * k + 2] + glyph - ranges[3 * k]
    return None


def _simple(data, at, contours):
    """A simple glyph's contours (``at`` is just after its header)."""
    if contours == 0:
        return []
    ends = struct.unpack_from(f">{contours}H", data, at)
    points = ends[-1] + 1
    at += 2 * contours
    at += 2 + struct.unpack_from(">H", data, at)[0]      # instructions, skipped
    flags = []
    while len(flags) < points:
        flag = data[at]
        at += 1
        repeat = 0
        if flag & _REPEAT:
            repeat = data[at]
            at += 1
        flags.extend([flag] * (repeat + 1))
    xs, at = _coordinates(data, at, flags, _X_SHORT, _X_SAME)
    ys, _ = _coordinates(data, at, flags, _Y_SHORT, _Y_SAME)
    out, start = [], 0
    for end in ends:
        out.append([(xs[k], ys[k], flags[k] & _ON_CURVE) for k in range(start, end + 1)])
        start = end + 1
    return out


def _coordinates(data, at, flags, short, same):
    values, value = [], 0
    for flag in flags:
        if flag & short:
            step = data[at]
            at += 1
            value += step if flag & same else -step
        elif not flag & same:
            value += struct.unpack_from(">h", data, at)[0]
            at += 2
        values.append(value)
    return values, at


def _path(contours) -> str:
    """SVG path data of TrueType contours (quadratic curves; y flipped to point down)."""
    out = []
    for contour in contours:
        if not contour:
            continue
        points = [(x, -y, on) for x, y, on in contour]
        start = next((k for k, p in enumerate(points) if p[2]), None)
        if start is None:       # all off-curve: start between the first two
            (x0, y0, _), (x1, y1, _) = points[0], points[1 % len(points)]
            points = [((x0 + x1) / 2, (y0 + y1) / 2, 1)] + points[1:] + points[:1]
        else:
            points = points[start:] + points[:start]
        out.append(f"M{_n(points[0][0])} {_n(points[0][1])}")
        pending = None
        for x, y, on in points[1:] + points[:1]:
            if on:
                if pending is None:
                    out.append(f"L{_n(x)} {_n(y)}")
                else:
                    out.append(f"Q{_n(pending[0])} {_n(pending[1])} {_n(x)} {_n(y)}")
                pending = None
            else:
                if pending is not None:
                    mx, my = (pending[0] + x) / 2, (pending[1] + y) / 2
                    out.append(f"Q{_n(pending[0])} {_n(pending[1])} {_n(mx)} {_n(my)}")
                pending = (x, y)
        out.append("Z")
    return "".join(out)


def _n(value) -> str:
    """A coordinate written short: an integer as one, else to a hundredth of a unit."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _box(contours) -> Optional[Box]:
    """The ink box of the contours' points (TrueType's own box, as its header holds it)."""
    xs = [x for contour in contours for x, _, _ in contour]
    ys = [y for contour in contours for _, y, _ in contour]
    if not xs:
        return None
    return Box(min(xs), min(ys), max(xs), max(ys))


def _feature_subtables(data, gsub, tag) -> list:
    """(lookup type, offset) of each subtable of the lookups of a GSUB feature (math script first)."""
    if not gsub:
        return []
    scripts, features, lookups = (gsub + v for v in struct.unpack_from(">HHH", data, gsub + 4))
    wanted = _language_features(data, scripts)
    count = struct.unpack_from(">H", data, features)[0]
    chosen = []
    for k in range(count):
        feature_tag, offset = struct.unpack_from(">4sH", data, features + 2 + 6 * k)
        if feature_tag == tag and (wanted is None or k in wanted):
            at = features + offset
            n = struct.unpack_from(">H", data, at + 2)[0]
            chosen.extend(struct.unpack_from(f">{n}H", data, at + 4))
    out = []
    for index in dict.fromkeys(chosen):
        lookup = lookups + struct.unpack_from(">H", data, lookups + 2 + 2 * index)[0]
        kind, _, n = struct.unpack_from(">HHH", data, lookup)
        for offset in struct.unpack_from(f">{n}H", data, lookup + 6):
            at = lookup + offset
            if kind == 7:     # an extension: the real subtable further on
                kind_inside, far = struct.unpack_from(">HI", data, at + 2)
                out.append((kind_inside, at + far))
            else:
                out.append((kind, at))
    return out


def _language_features(data, scripts):
    """The feature indices of the 'math' script's default language (else DFLT's), or None for all."""
    count = struct.unpack_from(">H", data, scripts)[0]
    found = {}
    for k in range(count):
        tag, offset = struct.unpack_from(">4sH", data, scripts + 2 + 6 * k)
        found[tag] = scripts + offset
    script = found.get(b"math") or found.get(b"DFLT")
    if script is None:
        return None
    default = struct.unpack_from(">H", data, script)[0]
    if not default:
        return None
    at = script + default
    n = struct.unpack_from(">H", data, at + 4)[0]
    return set(struct.unpack_from(f">{n}H", data, at + 6))


def _substitute(data, kind, at, glyph, level):
    """The glyph a single (1) or alternate (3) substitution subtable makes of ``glyph``, or None."""
    form, coverage_at = struct.unpack_from(">HH", data, at)
    index = _coverage_index(data, at + coverage_at, glyph)
    if index is None:
        return None
    if kind == 1:
        if form == 1:
            return (glyph + struct.unpack_from(">h", data, at + 4)[0]) % 65536
        return struct.unpack_from(">H", data, at + 6 + 2 * index)[0]
    if kind == 3:
        alternates = at + struct.unpack_from(">H", data, at + 6 + 2 * index)[0]
        n = struct.unpack_from(">H", data, alternates)[0]
        return struct.unpack_from(">H", data, alternates + 2 + 2 * (min(level, n) - 1))[0] if n else None
    return None
