#!/usr/bin/env bash
# Quick start, step 1: install Shopcoach in .venv and run the main job on embedded SQLite:
# create the store, then `shopcoach demo` — the sample store, its simulated customers and
# twelve weeks of the loop (scoring, alerts, drift, the weekly pack, a coach applying it).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
# The reference agent needs a lexical search backend (the 'search' extra); knowledge-gap
# mining and two drift detectors need scikit-learn (the 'intents' extra). No torch, no
# embeddings model: the demo takes about a minute. (Lean, '.[search]' plus scipy, also
# runs it, without gap mining; see docs/demo.md.)
.venv/bin/pip install --quiet -e '.[search,intents]'
export SHOPCOACH_HOME="${SHOPCOACH_HOME:-.shopcoach}"
.venv/bin/shopcoach init
.venv/bin/shopcoach demo
