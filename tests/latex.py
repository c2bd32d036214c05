"""Compiling LaTeX in the tests: pdflatex must be there in CI (GRAPHJAC_REQUIRE_TEX=1 makes it required)."""

import os
import re
import shutil
import subprocess

import pytest

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("GRAPHJAC_REQUIRE_TEX"),
                               reason="pdflatex is not installed (CI installs it and sets GRAPHJAC_REQUIRE_TEX)")


def compile_tex(tmp_path, text, name="fig"):
    """Run pdflatex; fail with LaTeX's own error lines on any error."""
    (tmp_path / f"{name}.tex").write_text(text, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
    assert done.returncode == 0 and not errors, "\n".join(errors) or done.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    return done.stdout


def compile_together(tmp_path, documents: dict) -> dict:
    """Compile ``documents`` (name -> a whole LaTeX document; all with one preamble) as one
    document in one pdflatex run, each body after a marker: name -> (the pages it made, its part
    of LaTeX's output). One run instead of one each: loading TikZ or Beamer is most of a small one."""
    preambles = {text.partition(r"\begin{document}")[0] for text in documents.values()}
    assert len(preambles) == 1, "the documents differ in their preambles"
    bodies = [rf"\typeout{{GJPART {name} \the\value{{page}}}}"
              + text.partition(r"\begin{document}")[2].rpartition(r"\end{document}")[0]
              for name, text in documents.items()]
    log = compile_tex(tmp_path, preambles.pop() + r"\begin{document}" + "".join(bodies)
                      + r"\typeout{GJPART end \the\value{page}}\end{document}", name="together")
    parts = re.split(r"^GJPART (\S+) (\d+)$", log, flags=re.M)
    starts = [(name, int(page), text) for name, page, text in zip(parts[1::3], parts[2::3], parts[3::3])]
    return {name: (following[1] - page, text) for (name, page, text), following in zip(starts, starts[1:])}
