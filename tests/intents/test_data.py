"""Loading CSV/JSONL and the deterministic stratified split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopcoach.intents.data import (
    DataError,
    Dataset,
    Split,
    data_dir,
    hold_out_intents,
    load_table,
    stratified_split,
)


def test_load_csv_and_jsonl(tmp_path: Path) -> None:
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('text,label\n"hello, world",greet\n  ,empty\nbye,leave\n')
    ds = load_table(csv_path, "text", "label")
    assert ds.texts == ["hello, world", "bye"] and ds.labels == ["greet", "leave"]
    jl = tmp_path / "d.jsonl"
    jl.write_text("\n".join(json.dumps({"q": t, "y": y}) for t, y in [("a b", 1), ("c", 2)]))
    ds2 = load_table(jl, "q", "y")
    assert ds2.labels == ["1", "2"]


def test_missing_column_is_clear(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("text,label\nx,y\n")
    with pytest.raises(DataError, match="column 'intent' not found"):
        load_table(p, "text", "intent")
    with pytest.raises(DataError, match="not found"):
        load_table(tmp_path / "missing.csv", "text", "label")


def test_stratified_split_is_deterministic_and_grouped() -> None:
    labels = ["a"] * 10 + ["b"] * 10 + ["c"]
    texts = [f"t{i % 8}" for i in range(20)] + ["only"]
    tr1, te1 = stratified_split(labels, 0.2, seed=3, texts=texts)
    tr2, te2 = stratified_split(labels, 0.2, seed=3, texts=texts)
    assert (tr1, te1) == (tr2, te2)
    assert sorted(tr1 + te1) == list(range(21))
    assert 20 not in te1  # a label with one group stays in train
    assert not {texts[i] for i in tr1} & {texts[i] for i in te1}  # same text never on both sides


def test_hold_out_intents() -> None:
    train = Dataset([f"x{i}" for i in range(8)], ["a", "a", "b", "b", "c", "c", "d", "d"])
    test = Dataset(["y1", "y2", "y3", "y4"], ["a", "b", "c", "d"])
    s = hold_out_intents(Split("t", train, test, "oos", "d"), fraction=0.25, seed=1)
    unseen = s.extra["unseen_intents"]
    assert isinstance(unseen, list) and len(unseen) == 1
    assert unseen[0] not in s.train.labels
    assert s.test.labels.count("oos") == 1


def test_data_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOPCOACH_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("SHOPCOACH_DATA_DIR")
    assert data_dir().parts[-2:] == ("shared", "data")
