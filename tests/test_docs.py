"""The documentation holds up: every relative link and anchor in README.md and docs/ points at
something that exists, and every Python code block runs (the blocks of a page in order, as a
reader would paste them)."""

import os
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GENERATED = {"gallery.md"}            # written by docs/conf.py when the site is built
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)|(?:src|href)=\"([^\"]+)\"")


def _anchors(page: Path) -> set:
    """GitHub's anchors of a Markdown page's headings (outside code blocks)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    out = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", text, re.M):
        slug = "".join(c for c in unicodedata.normalize("NFKD", heading.lower())
                       if c.isalnum() or c in " -_").strip().replace(" ", "-")
        out.add(slug)
    return out


def _links(page: Path):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if not re.match(r"[a-z]+:", target):
            yield target


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_anchor_resolves(page):
    broken = []
    for target in _links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if path and not file.exists() and file.name not in GENERATED:
            broken.append(target)
        elif anchor and file.suffix == ".md" and file.exists() and anchor not in _anchors(file):
            broken.append(target)
    assert not broken, f"{page.name}: {broken}"


def _python_blocks(page: Path) -> list:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("page", [p for p in PAGES if _python_blocks(p)], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_python_block_runs(page, tmp_path, monkeypatch):
    if "import torch" in page.read_text(encoding="utf-8"):
        pytest.importorskip("torch", reason="the page's PyTorch example needs the torch extra")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for k, block in enumerate(_python_blocks(page)):
        try:
            exec(compile(block, f"{page.name} block {k + 1}", "exec"), namespace)
        except Exception as error:
            pytest.fail(f"{page.name}, Python block {k + 1}: {type(error).__name__}: {error}")
    assert os.getcwd() == str(tmp_path)
