#!/usr/bin/env bash
# Installs graphjac with its test tools (Graphviz and TeX Live's pdflatex too, where missing),
# then runs the whole test suite. The TikZ and Beamer tests compile with pdflatex: here they
# never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
if ! command -v pdflatex >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "installing TeX Live (pdflatex, TikZ, Beamer, standalone) with apt-get" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
      texlive-latex-base texlive-latex-recommended texlive-pictures texlive-latex-extra >/dev/null
  else
    echo "Please install a TeX distribution with pdflatex (TeX Live or MacTeX) and run this again." >&2
    exit 1
  fi
fi
export GRAPHJAC_REQUIRE_TEX=1
python3 -m pytest "$@"
