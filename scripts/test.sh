#!/usr/bin/env bash
# Quick start, step 2: install Shopcoach with its dev extras in .venv and run every check:
# lint, types, the whole suite on SQLite (slow tests included), then again on PostgreSQL.
# PostgreSQL: SHOPCOACH_TEST_DATABASE_URL, default the local server with trust auth.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
# The CPU build of PyTorch first (a wheel on this machine's disk): the embeddings extra's
# dependency on sentence-transformers would otherwise pull a multi-GB CUDA build.
.venv/bin/pip install --quiet torch==2.13.0
.venv/bin/pip install --quiet -e '.[dev]'
.venv/bin/ruff check src tests benchmarks examples
.venv/bin/mypy
echo "== test suite on SQLite"
.venv/bin/python -m pytest -m "slow or not slow" "$@"
echo "== test suite on PostgreSQL"
SHOPCOACH_TEST_DATABASE_URL="${SHOPCOACH_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
  .venv/bin/python -m pytest -m "not slow" "$@"
