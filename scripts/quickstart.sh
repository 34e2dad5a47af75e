#!/usr/bin/env bash
# Quick start, step 1: install Shopcoach in .venv and run the main job on embedded SQLite:
# create the store, import the bundled example conversations and signals, print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
export SHOPCOACH_HOME="${SHOPCOACH_HOME:-.shopcoach}"
.venv/bin/shopcoach init
.venv/bin/shopcoach ingest conversations examples/conversations.jsonl
.venv/bin/shopcoach ingest signals examples/signals.jsonl
.venv/bin/shopcoach stats --days 60
