#!/usr/bin/env bash
# Installs graphjac with its test tools (and Graphviz if missing), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
python3 -m pytest "$@"
