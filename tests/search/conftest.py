"""Fixtures for the search tests: the shared data folder and the optional model extras."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_MISSING = [m for m in ("numpy",) if importlib.util.find_spec(m) is None]
if importlib.util.find_spec("tantivy") is None and importlib.util.find_spec("bm25s") is None:
    _MISSING.append("tantivy (or bm25s)")
if _MISSING:
    # Without the 'search' extra the package cannot be imported: collect nothing here and say
    # so in the report header instead of failing at import.
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header() -> str | None:
    if _MISSING:
        return f"tests/search skipped: the 'search' extra is not installed ({', '.join(_MISSING)})"
    return None


if not _MISSING:
    from shopcoach.search.datasets import EvalSet, data_dir, load_esci


def data_path(name: str) -> Path:
    """``<data dir>/<name>``, or skip the test with the reason when it is absent."""
    path = data_dir() / name
    if not path.exists():
        pytest.skip(f"shared dataset {name!r} not found at {path} (set SHOPCOACH_DATA_DIR)")
    return path


def require_module(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (extra {extra!r})")


@pytest.fixture(scope="session")
def esci() -> EvalSet:
    """The ESCI shared set, loaded once per session (skips when the data is absent)."""
    data_path("esci-us-150")
    return load_esci()
