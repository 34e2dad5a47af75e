"""The README quick start, run as written in a fresh copy of the repo and a fresh venv."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(bash scripts/\S+)", quick, flags=re.M)
    assert commands == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_quickstart_runs_in_a_fresh_checkout(tmp_path: Path) -> None:
    copy = tmp_path / "shopcoach"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            ".shopcoach",
            "__pycache__",
            "*.egg-info",
            ".pytest_cache",
            ".mypy_cache",
            ".ruff_cache",
            ".hypothesis",
        ),
    )
    result = subprocess.run(
        ["bash", "scripts/quickstart.sh"], cwd=copy, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Store: default (created)" in out
    # the demo's week-by-week table, its headline and the final pack
    assert "automation" in out and "changes applied" in out
    assert "Headline" in out
    assert re.search(r"returns_14 \(injected Mon Nov 2\): raised on Nov \d+, \d days later", out)
    assert "Final weekly pack:" in out
    assert list((copy / ".shopcoach" / "demo").glob("weekly-pack-*.md"))
    assert (copy / ".shopcoach" / "shopcoach.db").is_file()
