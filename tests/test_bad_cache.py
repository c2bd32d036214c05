"""Bad input to the formula cache: it deletes only what it wrote, never leaves its folder, never
follows a link, and trusts no entry it cannot check (a pipe, a device, an edited answer)."""

import json
import os
import subprocess
import sys
import time
import warnings

import pytest

import graphjac as gj
from graphjac.io import cache as cache_folder
from graphjac.render import draw
from graphjac.render.math import formula_cache, typeset

NEURON = gj.load("lecture:neuron")
DAY = 24 * 3600


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHJAC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GRAPHJAC_NO_CACHE", raising=False)
    typeset.forget()
    yield tmp_path / "cache" / "formulas"
    typeset.forget()


def _render(graph=NEURON):
    typeset.forget()
    return draw(graph, "svg")


def _precious(folder, count=5):
    """A user's folder of files, some named as cache entries are."""
    folder.mkdir(parents=True)
    names = [f"{k:064x}.json" for k in range(count)] + ["thesis.tex", "figure.png", ".tmp-abc.json"]
    for name in names:
        (folder / name).write_text(f"the user's {name}")
        os.utime(folder / name, (time.time() - 30 * DAY,) * 2)
    return sorted(names)


def test_the_sweep_follows_no_link_and_removes_no_foreign_name(cache, tmp_path):
    _render()
    thesis = tmp_path / "thesis"
    kept = _precious(thesis)
    (cache / "zz").symlink_to(thesis)                     # a link below the cache, named as no shard is
    free = next(f"{k:02x}" for k in range(256) if not (cache / f"{k:02x}").exists())
    (cache / free).symlink_to(thesis, target_is_directory=True)   # a link named as a shard is
    shard = next(p for p in cache.iterdir() if p.is_dir() and not p.is_symlink())
    (shard / ("f" * 64 + ".json")).symlink_to(thesis / f"{0:064x}.json")   # a link named as an entry
    (shard / "notes.txt").write_text("not graphjac's")
    old = time.time() - 30 * DAY
    for entry in shard.iterdir():
        os.utime(entry, (old, old), follow_symlinks=False)
    cache_folder.sweep(cache, 1)                         # over any limit: remove all it may
    assert sorted(p.name for p in thesis.iterdir()) == kept
    assert all((thesis / name).read_text() == f"the user's {name}" for name in kept)
    assert (shard / "notes.txt").exists() and (shard / ("f" * 64 + ".json")).is_symlink()
    assert not [p for p in shard.glob("*.json") if not p.is_symlink()]   # its own entries did go


def test_a_folder_graphjac_did_not_make_is_left_alone(tmp_path, monkeypatch):
    project = tmp_path / "project"
    mine = _precious(project / "formulas" / "ab")          # the user's own folder called formulas
    monkeypatch.setenv("GRAPHJAC_CACHE_DIR", str(project))
    monkeypatch.setattr(formula_cache, "LIMIT", 1)
    monkeypatch.setattr(cache_folder, "_SWEPT", set())
    cache_folder._owned.cache_clear()
    with pytest.warns(UserWarning, match="holds files graphjac did not write"):
        assert _render().startswith("<?xml")
    assert sorted(p.name for p in (project / "formulas" / "ab").iterdir()) == mine
    assert sorted(p.name for p in (project / "formulas").iterdir()) == ["ab"]   # no tag, no entry written


def test_a_new_folder_is_tagged_and_an_older_graphjacs_untagged_one_is_taken_over(cache):
    _render()
    tag = cache / cache_folder.TAG_NAME
    assert tag.read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    tag.unlink()
    cache_folder._owned.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert formula_cache.folder() == cache and tag.exists()
    older = (b"Signature: 8a477f597d28d172789f06886806bc55\n"   # the tag before the cache had kinds
             b"# This folder holds graphjac's typeset formulas; it may be removed at any time.\n")
    tag.write_bytes(older)
    cache_folder._owned.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert formula_cache.folder() == cache and tag.read_bytes() == cache_folder.TAG


def _entry_of(latex="x", size=14, color="black"):
    typeset.formula(latex, size, color)
    return formula_cache._path(formula_cache.folder(), formula_cache._request(latex, size, color))


def test_a_pipe_in_place_of_an_entry_is_not_waited_on(cache, tmp_path):
    path = _entry_of()
    path.unlink()
    os.mkfifo(path)
    code = ("from graphjac.render.math import formula_cache; "
            "print(formula_cache.load('x', 14, 'black'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "GRAPHJAC_CACHE_DIR": str(cache.parent)})
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "big"])
def test_a_link_or_a_huge_file_in_place_of_an_entry_is_refused(cache, tmp_path, target):
    path = _entry_of()
    path.unlink()
    if target == "big":
        path.write_bytes(b" " * (cache_folder.MAX_ENTRY_BYTES + 1))
    else:
        path.symlink_to(target)
    assert formula_cache.load("x", 14, "black") is None
    typeset.forget()
    assert typeset.formula("x", 14).width < 20


def _edit(path, change):
    entry = json.loads(path.read_text())
    change(entry)
    path.write_text(json.dumps(entry))


@pytest.mark.parametrize("change", [
    lambda e: e.update(fragment=e["fragment"].replace("<use ", "<use x=\"0\" ", 1).replace("<use ", "<rect ", 1)),
    lambda e: e.update(width=99999.0),
    lambda e: e.update(width=99999.0, digest=formula_cache._digest(
        {k: e[k] for k in ("latex", "size", "color", "installation")}, 99999.0, e["height"], e["fragment"])),
    lambda e: e.pop("digest"),
], ids=["glyph removed", "width", "width with its digest", "no digest"])
def test_an_edited_entry_is_typeset_afresh(cache, change):
    latex = "= 36"
    path = _entry_of(latex)
    honest = json.loads(path.read_text())
    _edit(path, change)
    assert formula_cache.load(latex, 14, "black") is None
    typeset.forget()
    again = typeset.formula(latex, 14)
    assert (again.width, again.fragment) == (honest["width"], honest["fragment"])


def test_an_answer_stored_for_other_text_is_not_served(cache):
    six, thirty_six = _entry_of("= 6"), _entry_of("= 36")
    six_entry = json.loads(six.read_text())
    _edit(thirty_six, lambda e: e.update(width=six_entry["width"], fragment=six_entry["fragment"]))
    assert formula_cache.load("= 36", 14, "black") is None


@pytest.mark.parametrize("value, on", [("", True), ("0", True), ("false", True), ("no", True), ("off", True),
                                       ("1", False), ("true", False), ("YES", False), ("on", False)])
def test_no_cache_is_turned_off_only_by_a_yes(cache, monkeypatch, value, on):
    monkeypatch.setenv("GRAPHJAC_NO_CACHE", value)
    assert (formula_cache.folder() is not None) is on


def test_the_sweep_marker_is_not_a_link_it_follows(cache, tmp_path, monkeypatch):
    _render()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    old = time.time() - 30 * DAY
    os.utime(outside, (old, old))
    marker = cache / ".last-sweep"
    marker.unlink(missing_ok=True)
    marker.symlink_to(outside)
    monkeypatch.setattr(cache_folder, "_SWEPT", set())
    formula_cache.store("y", 14, "black", *_set("y"))
    assert outside.read_text() == "keep" and outside.stat().st_mtime == pytest.approx(old, abs=1)


def _set(latex):
    from graphjac.render.math.math_layout import set_formula
    return set_formula(latex, 14, "black")


def test_a_full_disk_at_the_first_use_leaves_no_file_and_the_cache_works_once_there_is_room(cache, monkeypatch):
    """The tag could not be written (ENOSPC): no temporary file stays behind, and when space is
    freed the folder is taken over without a warning; a tag's temporary file that an older
    graphjac left there is graphjac's own too."""
    import errno
    for item in list(cache.iterdir()) if cache.exists() else []:
        item.unlink() if item.is_file() else None
    real_fdopen = os.fdopen

    def full(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        def refuse(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        handle.write = refuse
        return handle

    monkeypatch.setattr(cache_folder.os, "fdopen", full)
    cache_folder._owned.cache_clear()
    assert not cache_folder._owned(str(cache))
    assert [p.name for p in cache.iterdir()] == []                # nothing left behind
    monkeypatch.setattr(cache_folder.os, "fdopen", real_fdopen)
    (cache / ".tmp-abc123.json").write_bytes(b"Signature")       # as an older graphjac left it
    cache_folder._owned.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache_folder._owned(str(cache)) and (cache / cache_folder.TAG_NAME).exists()


# ------------------------------------------------------------------------------ a figure's lines in Unicode

def _said(tmp_path):
    import xml.etree.ElementTree as ET
    from graphjac.render.writers.accessible import unseen
    svg = ET.fromstring(_render().encode("utf-8"))
    return [element.text for element in svg.iter() if unseen(element)]


@pytest.mark.parametrize("edit", ["control character", "one text too few", "another question"])
def test_an_edited_unicode_entry_is_read_afresh(cache, tmp_path, edit):
    """A figure's lines in Unicode are kept as one entry; an edited one (a control character that
    would break the SVG, a text missing, an answer to other lines) is not served."""
    truth = _said(tmp_path)
    (entry,) = list((cache.parent / "unicode").rglob("*.json"))
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert len(data["texts"]) > 10 and "∂J/∂z = ∂J/∂a · a(1 − a)" in data["texts"]
    if edit == "control character":
        data["texts"][0] = "x\x07"
    elif edit == "one text too few":
        data["texts"] = data["texts"][1:]
    else:                                         # an answer to other lines, at this figure's name
        data["request"]["lines"][0], data["texts"][0] = "y", "y"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert _said(tmp_path) == truth


def test_a_kept_unicode_entry_is_what_the_figure_says(cache, tmp_path):
    first = _said(tmp_path)
    (entry,) = list((cache.parent / "unicode").rglob("*.json"))
    stamp = entry.stat().st_mtime_ns
    assert _said(tmp_path) == first and entry.stat().st_mtime_ns >= stamp and len(first) >= 10


# ------------------------------------------------------------------------------ a figure's formulas together

def _bundles(cache):
    return [p for p in cache.rglob("*.json") if "answers" in json.loads(p.read_text(encoding="utf-8"))]


def test_a_figure_drawn_again_reads_its_formulas_together(cache, monkeypatch):
    first = _render()
    assert len(_bundles(cache)) == 1
    asked = []
    monkeypatch.setattr(formula_cache, "load", lambda *key: asked.append(key))   # one by one: not asked
    assert _render() == first and asked == []


@pytest.mark.parametrize("edit", ["a script", "a fragment split across two", "a measure too large", "the digest"])
def test_an_edited_bundle_is_not_served(cache, edit):
    """A bundle holds many fragments; each is checked as one alone would be, and the joins
    between them too (a fragment cut so that its end lies in the next is refused)."""
    first = _render()
    (path,) = _bundles(cache)
    entry = json.loads(path.read_text(encoding="utf-8"))
    answers = entry["answers"]
    if edit == "a script":
        answers[0][2] = answers[0][2][:-4] + "<script>alert(1)</script></g>"
    elif edit == "a fragment split across two":
        answers[0][2], answers[1][2] = answers[0][2] + answers[1][2][:-4], "</g>"
    elif edit == "a measure too large":
        answers[0][0] = 1e9
    if edit != "the digest":
        entry["digest"] = cache_folder.digest([{k: entry[k] for k in entry if k not in ("answers", "digest")},
                                               answers])   # a forger can hash too
    else:
        entry["digest"] = "0" * 64
    path.write_text(json.dumps(entry), encoding="utf-8")
    assert _render() == first


def test_a_lost_part_of_a_large_figures_bundle_is_kept_again(cache):
    """A figure of more than 100 formulas is kept in several entries; one lost is made again on
    the next render (not read formula by formula ever after)."""
    g = gj.Graph("chain")
    x = g.input("x", 0.5)
    for k in range(70):
        x = g.add(x, g.input(f"c{k}", 0.01 * k), name=f"s{k}")
    g.backward(g.square(x, name="J"))
    first = _render(g)
    parts = _bundles(cache)
    assert len(parts) >= 2
    parts[0].unlink()
    assert _render(g) == first and len(_bundles(cache)) == len(parts)
