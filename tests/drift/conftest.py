"""Shared data for the drift tests: real texts and intents from the shared data folder."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from shopcoach.search.datasets import data_dir


def data_file(relative: str) -> Path:
    path = data_dir() / relative
    if not path.is_file():
        pytest.skip(f"shared dataset {relative!r} not found at {path} (set SHOPCOACH_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def bitext_by_intent() -> dict[str, list[str]]:
    """Bitext customer requests grouped by intent (27 intents, 3,612 rows)."""
    by: dict[str, list[str]] = defaultdict(list)
    with data_file("bitext-customer-support/bitext_train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by[row["intent"]].append(row["instruction"])
    return dict(by)


@pytest.fixture(scope="session")
def bitext_texts(bitext_by_intent: dict[str, list[str]]) -> list[str]:
    texts = [t for intent in sorted(bitext_by_intent) for t in bitext_by_intent[intent]]
    random.Random(7).shuffle(texts)
    return texts


@pytest.fixture(scope="session")
def hint3_shop_texts() -> list[str]:
    """Real user queries to the two HINT3 shop bots (SOFMattress, Curekart)."""
    texts: list[str] = []
    for bot in ("sofmattress", "curekart"):
        with data_file(f"hint3/{bot}_train.csv").open(encoding="utf-8") as fh:
            texts += [row["sentence"] for row in csv.DictReader(fh)]
    random.Random(7).shuffle(texts)
    return texts


@pytest.fixture(scope="session")
def clinc() -> tuple[list[str], list[str]]:
    """CLINC150 (texts, intents), shuffled with a fixed seed."""
    rows = []
    with data_file("clinc150/clinc150_train_val.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append((r["text"], r["intent"]))
    random.Random(7).shuffle(rows)
    return [r[0] for r in rows], [r[1] for r in rows]
