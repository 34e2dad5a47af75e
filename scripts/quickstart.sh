#!/usr/bin/env bash
# Quick start, step 1: install Shopcoach in .venv and run the main job on embedded SQLite:
# create the store, then `shopcoach demo` — the sample store, its simulated customers and
# twelve weeks of the loop (scoring, alerts, drift, the weekly pack, a coach applying it).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
# The reference agent needs a lexical search backend (the 'search' extra) and drift needs
# scipy; no embeddings model and no scikit-learn: the demo runs on this lean install.
.venv/bin/pip install --quiet -e '.[search]' scipy
export SHOPCOACH_HOME="${SHOPCOACH_HOME:-.shopcoach}"
.venv/bin/shopcoach init
.venv/bin/shopcoach demo
