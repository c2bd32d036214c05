"""Installing graphjac with pip (regular and editable) into fresh virtual environments.

The command must work as ``graphjac`` and ``python -m graphjac``, and the click application,
kept in the top-level ``cli/`` folder, must be installed as ``graphjac_cli``, never as ``cli``.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphjac

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist", ".venv", ".pytest_cache",
                                  ".hypothesis", "_build")


def run(*args, cwd):
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("editable", [False, True], ids=["pip install .", "pip install -e ."])
def test_pip_install_in_a_fresh_venv(tmp_path, editable):
    source, venv, elsewhere = tmp_path / "graphjac", tmp_path / "venv", tmp_path / "elsewhere"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    elsewhere.mkdir()
    # --system-site-packages: the dependencies come from this Python, so no download is needed. The
    # regular install builds in isolation, as a user's does (the declared build requirements must
    # suffice); the editable one builds with this Python's own pip and setuptools (no venv pip)
    run(sys.executable, "-m", "venv", "--system-site-packages", *([] if not editable else ["--without-pip"]),
        venv, cwd=tmp_path)
    python, command = venv / "bin" / "python", venv / "bin" / "graphjac"
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        *(["--no-build-isolation", "-e"] if editable else []), ".", cwd=source)

    assert run(command, "--version", cwd=elsewhere).strip() == f"graphjac, version {graphjac.__version__}"
    assert run(python, "-m", "graphjac", "--version", cwd=elsewhere).strip() == \
        f"graphjac, version {graphjac.__version__}"
    where = run(python, "-c", "import importlib.util as u, graphjac, graphjac_cli; "
                              "print(graphjac.__file__); print(graphjac_cli.__file__); print(u.find_spec('cli'))",
                cwd=elsewhere).splitlines()
    home = source if editable else venv
    assert Path(where[0]).is_relative_to(home) and Path(where[1]).is_relative_to(home), where
    assert where[2] == "None", "a top-level 'cli' package was installed"
    site = next(venv.glob("lib/python*/site-packages"))
    assert not (site / "cli").exists()
    assert all("cli" not in path.read_text().split() for path in site.glob("graphjac*/top_level.txt"))
    # the installed package is complete: the renderers and the lecture figures came along
    dot = run(command, "render", "lecture:neuron", "-o", "-", "--format", "dot", cwd=elsewhere)
    assert dot.startswith("digraph")
