#!/usr/bin/env bash
# Installs what graphjac needs on a fresh machine: Graphviz's dot (if missing), librsvg's rsvg-convert
# (PNGs drawn five to seven times sooner than by cairosvg; optional) and graphjac itself.
# Usage: bash scripts/install.sh [--test]   (--test adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
command -v rsvg-convert >/dev/null 2>&1 || need_apt+=(librsvg2-bin)
# the install tests make virtual environments; Debian ships venv apart from python3
[ "${1:-}" = "--test" ] && ! python3 -c "import ensurepip" >/dev/null 2>&1 && need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "installing ${need_apt[*]} with apt-get" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    brew install graphviz librsvg
  else
    echo "Please install Graphviz (https://graphviz.org/download/) and run this again." >&2
    exit 1
  fi
fi

extras=""
if [ "${1:-}" = "--test" ]; then
  extras="[test]"
  # the torch tests run on the CPU: pin the CPU build, so that the extra's range takes no GPU build
  python3 -c "import torch" >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check "torch==2.13.0"
fi
python3 -m pip install -q --disable-pip-version-check -e ".${extras}"
