"""The bundled example data is what its generator writes, byte for byte."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_generator_reproduces_the_bundled_files(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from juniper.check import write_jsonl
        from juniper.plan import Stats
        from juniper.settings import CONVERSATIONS_PATH, SEED, SIGNALS_PATH
        from juniper.signals import generate
    finally:
        sys.path.remove(str(ROOT / "examples"))
    built, signals = generate(random.Random(SEED), Stats())
    write_jsonl(tmp_path / "conversations.jsonl", [b.record for b in built])
    write_jsonl(tmp_path / "signals.jsonl", signals)
    assert (tmp_path / "conversations.jsonl").read_bytes() == CONVERSATIONS_PATH.read_bytes()
    assert (tmp_path / "signals.jsonl").read_bytes() == SIGNALS_PATH.read_bytes()
    assert len(built) == 300 and CONVERSATIONS_PATH.parent == ROOT / "examples"
