#!/usr/bin/env bash
# Renders every built-in lecture figure (examples/) into docs/figures/: NAME.svg for the README
# and NAME.dot, which the tests compare with what the code produces now.
# Usage: bash scripts/examples.sh [--png]   (--png also writes NAME.png, to look at)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
mkdir -p docs/figures
rm -f docs/figures/*.dot docs/figures/*.svg docs/figures/*.png
python3 - docs/figures "$@" <<'PY'
import sys
from pathlib import Path

from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example

folder, png = Path(sys.argv[1]), "--png" in sys.argv[2:]
for name in catalog():
    graph = load_example(name)
    for suffix in ("dot", "svg") + (("png",) if png else ()):
        print(graph.render(folder / f"{name}.{suffix}"))
# the same figures drawn other ways: the circuit style, an exercise sheet and its key, local derivatives
from graphjac.io.gallery import variants
for stem, (name, options) in variants().items():
    graph = load_example(name)
    for suffix in ("dot", "svg") + (("png",) if png else ()):
        print(graph.render(folder / f"{stem}.{suffix}", **options))
PY
# the README's PyTorch figure, drawn from docs/torch_cnn.py where PyTorch is installed
if python3 -c "import torch" >/dev/null 2>&1; then
  graphjac render docs/torch_cnn.py:net --torch -o docs/images/torch_cnn.svg
fi
# worksheets a lecturer prints, and their keys, with a PNG preview of every page, and each as the
# LaTeX document a lecturer edits (graphjac sheet -o X.tex); not committed (.gitignore): their PDF
# and PNG bytes depend on the machine's zlib, cairo and Graphviz
python3 - docs/worksheets <<'PY'
import sys
from pathlib import Path

from graphjac.io.fileio import atomic_write
from graphjac.io.loaders import load_example
from graphjac.render.writers.composer import convert
from graphjac.render.writers.worksheet import pages, worksheet, worksheet_tex

folder = Path(sys.argv[1])
folder.mkdir(exist_ok=True)
for name in ("neuron", "cs231n_sigmoid", "two_layer"):
    graph = load_example(name)
    for answers, suffix in ((False, ""), (True, ".key")):
        print(atomic_write(folder / f"{name}{suffix}.pdf", worksheet([graph], answers=answers)))
        print(atomic_write(folder / f"{name}{suffix}.tex", worksheet_tex([graph], answers=answers)))
        for k, page in enumerate(pages([graph], answers=answers)):   # name.png, then name-2.png, …
            print(atomic_write(folder / f"{name}{suffix}{f'-{k + 1}' if k else ''}.png", convert(page, "png", 110)))
PY
