#!/usr/bin/env bash
# Installs graphjac with its test tools (Graphviz, TeX Live's pdflatex and latexmk, poppler's
# pdfinfo too, where missing), runs the whole test suite, then builds the documentation site
# with graphjac's own Sphinx directive, failing on any warning. The TikZ, Beamer, Sphinx-LaTeX
# and notebook tests compile with pdflatex, the browser tests run in Chromium and the PyTorch
# tests on its CPU build: here none of them skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
if ! command -v pdflatex >/dev/null 2>&1 || ! command -v latexmk >/dev/null 2>&1 \
    || ! command -v pdfinfo >/dev/null 2>&1 || ! kpsewhich tgtermes.sty >/dev/null 2>&1 \
    || ! kpsewhich ulem.sty >/dev/null 2>&1 || ! command -v xelatex >/dev/null 2>&1 \
    || ! fc-list 2>/dev/null | grep FreeSerif >/dev/null; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "installing TeX Live (pdflatex, latexmk, TikZ, Beamer, standalone, Sphinx's fonts, nbconvert's ulem, xelatex and the FreeFont Jupyter Book's PDF uses) and poppler with apt-get" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
      texlive-latex-base texlive-latex-recommended texlive-pictures texlive-latex-extra \
      texlive-fonts-recommended texlive-plain-generic texlive-xetex fonts-freefont-otf tex-gyre latexmk \
      poppler-utils >/dev/null
  else
    echo "Please install a TeX distribution with pdflatex (TeX Live or MacTeX) and run this again." >&2
    exit 1
  fi
fi
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing Chromium (the interactive figures' browser tests) with apt-get" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# reveal.js (the slide tests open real decks), from the npm registry, kept outside the repository
export GRAPHJAC_REVEAL_JS="${GRAPHJAC_REVEAL_JS:-${XDG_CACHE_HOME:-$HOME/.cache}/graphjac-tests/node_modules/reveal.js}"
if [ ! -f "$GRAPHJAC_REVEAL_JS/dist/reveal.js" ]; then
  if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "installing npm (to fetch reveal.js for the slide tests) with apt-get" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  echo "installing reveal.js 5.2.1 (the slide tests) with npm" >&2
  npm install --no-save --no-audit --no-fund --silent --prefix "$(dirname "$(dirname "$GRAPHJAC_REVEAL_JS")")" reveal.js@5.2.1
fi
export GRAPHJAC_REQUIRE_TEX=1 GRAPHJAC_NO_SKIPS=1   # every tool is here: a skipped test fails the run
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"   # property tests draw the same examples every run
# graphjac's bytecode compiled once, even where PYTHONDONTWRITEBYTECODE is set: the suite starts the
# command and its worker processes many times, and each would compile every module again
python3 -m compileall -q graphjac cli
# the tests are independent: one worker per core (pytest-xdist); the slowest 15 are listed
python3 -m pytest -n auto --dist worksteal --durations=15 "$@"
# the documentation site, drawn by graphjac's own directive; a warning fails the build
rm -rf docs/_build
python3 -m sphinx -W --keep-going -q -b html docs docs/_build/html
echo "the documentation site is built: docs/_build/html/index.html"
