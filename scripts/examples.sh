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

from graphjac.gallery import catalog
from graphjac.loaders import load_example

folder, png = Path(sys.argv[1]), "--png" in sys.argv[2:]
for name in catalog():
    graph = load_example(name)
    for suffix in ("dot", "svg") + (("png",) if png else ()):
        print(graph.render(folder / f"{name}.{suffix}"))
# the same figures drawn other ways: the circuit style, an exercise sheet and its key, local derivatives
from graphjac.gallery import variants
for stem, (name, options) in variants().items():
    graph = load_example(name)
    for suffix in ("dot", "svg") + (("png",) if png else ()):
        print(graph.render(folder / f"{stem}.{suffix}", **options))
PY
