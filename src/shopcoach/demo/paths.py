"""Where the sample store's data files live (inside the package, so wheels carry them)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
