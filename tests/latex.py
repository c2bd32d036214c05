"""Compiling LaTeX in the tests: pdflatex must be there in CI (GRAPHJAC_REQUIRE_TEX=1 makes it required)."""

import os
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
