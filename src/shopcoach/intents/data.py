"""Loading labelled utterances (CSV / JSONL) and the documented dataset splits.

Everything here is plain data: a :class:`Dataset` is two parallel lists (texts, labels).
The named loaders (:func:`load_named`) read the shared data folder
(``$SHOPCOACH_DATA_DIR`` or ``<repo>/../shared/data``) and return a :class:`Split` whose
construction is documented in ``docs/intents.md``; nothing is ever copied into the repository.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopcoach.errors import ValidationFailed
from shopcoach.search.datasets import data_dir

DEFAULT_OOS_LABEL = "oos"
HINT3_OOS_LABEL = "NO_NODES_DETECTED"
SPLIT_SEED = 20250601
TEST_FRACTION = 0.2


class DataError(ValidationFailed, ValueError):
    """An unreadable data file, a missing column or no usable rows (message names the file,
    line or column; ``hint`` says what to do)."""


@dataclass(frozen=True)
class Dataset:
    texts: list[str]
    labels: list[str]

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise DataError("texts and labels differ in length")

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, idx: Iterable[int]) -> Dataset:
        ids = list(idx)
        return Dataset([self.texts[i] for i in ids], [self.labels[i] for i in ids])

    def label_set(self) -> list[str]:
        return sorted(set(self.labels))


@dataclass(frozen=True)
class Split:
    """A named train/test pair and how it was made."""

    name: str
    train: Dataset
    test: Dataset
    oos_label: str
    description: str
    extra: dict[str, object] = field(default_factory=dict)


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in {".jsonl", ".ndjson", ".json"}


def read_rows(path: str | Path) -> list[dict[str, object]]:
    """Read a CSV (header row, RFC-4180) or JSONL file into a list of dicts."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"data file not found: {p}", hint="Check the --data path.")
    if _is_jsonl(p):
        rows: list[dict[str, object]] = []
        with p.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{p}:{n}: invalid JSON ({exc.msg})",
                                    hint="Fix or remove that line (one JSON object per line)."
                                    ) from exc
                if not isinstance(obj, dict):
                    raise DataError(f"{p}:{n}: expected a JSON object per line",
                                    hint='Write each row as {"text": ..., "label": ...}.')
                rows.append(obj)
        return rows
    with p.open(encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def load_table(path: str | Path, text_col: str, label_col: str) -> Dataset:
    """Load one text column and one label column; rows with an empty text are skipped."""
    rows = read_rows(path)
    if not rows:
        raise DataError(f"{path}: no rows",
                        hint="The file is empty: a CSV needs a header row and data rows, a "
                             "JSONL file one JSON object per line.")
    for col in (text_col, label_col):
        if col not in rows[0]:
            which = "--text-col" if col == text_col else "--label-col"
            raise DataError(f"{path}: column {col!r} not found; columns are {sorted(rows[0])}",
                            hint=f"Pass one of those columns as {which}.")
    texts: list[str] = []
    labels: list[str] = []
    for r in rows:
        t, lab = r.get(text_col), r.get(label_col)
        if t is None or lab is None or not str(t).strip():
            continue
        texts.append(str(t).strip())
        labels.append(str(lab).strip())
    if not texts:
        raise DataError(f"{path}: no row has a non-empty {text_col!r}",
                        hint="Check that --text-col names the column holding the utterances.")
    return Dataset(texts, labels)


def normalise_text(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def stratified_split(
    labels: Sequence[str],
    test_fraction: float = TEST_FRACTION,
    seed: int = SPLIT_SEED,
    texts: Sequence[str] | None = None,
) -> tuple[list[int], list[int]]:
    """Deterministic stratified split returning (train_idx, test_idx), both sorted.

    When ``texts`` is given, rows with the same normalised text form one group and go to the
    same side (so a request never appears on both sides). Per label, round(fraction * groups)
    groups go to test, but a label with a single group stays entirely in train.
    """
    keys = [normalise_text(t) for t in texts] if texts is not None else [str(i) for i in
                                                                          range(len(labels))]
    group_rows: dict[str, list[int]] = defaultdict(list)
    group_label: dict[str, str] = {}
    for i, k in enumerate(keys):
        group_rows[k].append(i)
        group_label.setdefault(k, labels[i])
    by_label: dict[str, list[str]] = defaultdict(list)
    for k in group_rows:  # insertion order: first occurrence, deterministic
        by_label[group_label[k]].append(k)
    rng = np.random.default_rng(seed)
    test_idx: list[int] = []
    for lab in sorted(by_label):
        groups = by_label[lab]
        n_test = int(round(test_fraction * len(groups))) if len(groups) > 1 else 0
        n_test = min(n_test, len(groups) - 1)
        order = rng.permutation(len(groups))
        for j in order[:n_test]:
            test_idx.extend(group_rows[groups[j]])
    test_set = set(test_idx)
    train_idx = [i for i in range(len(labels)) if i not in test_set]
    return train_idx, sorted(test_set)


def _split_by_rows(name: str, ds: Dataset, oos_label: str, what: str) -> Split:
    tr, te = stratified_split(ds.labels, TEST_FRACTION, SPLIT_SEED, texts=ds.texts)
    desc = (f"{what}: stratified by label, grouped by normalised text, "
            f"{int(TEST_FRACTION * 100)}% test, seed {SPLIT_SEED}")
    return Split(name, ds.subset(tr), ds.subset(te), oos_label, desc)


def load_clinc150(root: Path | None = None) -> Split:
    """CLINC150 'full': train = train + oos_train, test = val + oos_val (official test held out)."""
    path = (root or data_dir()) / "clinc150" / "clinc150_train_val.jsonl"
    rows = read_rows(path)
    train, test = Dataset([], []), Dataset([], [])
    for r in rows:
        target = train if str(r["source_split"]) in {"train", "oos_train"} else test
        target.texts.append(str(r["text"]))
        target.labels.append(str(r["intent"]))
    return Split("clinc150", train, test, DEFAULT_OOS_LABEL,
                 "official splits: train+oos_train -> train, val+oos_val -> test")


def load_named(name: str, root: Path | None = None) -> Split:
    """Load a documented split by name (see :data:`DATASETS`)."""
    base = root or data_dir()
    if name == "clinc150":
        return load_clinc150(base)
    if name == "bitext":
        ds = load_table(base / "bitext-customer-support" / "bitext_train.csv", "instruction",
                        "intent")
        return _split_by_rows(name, ds, DEFAULT_OOS_LABEL, "bitext_train.csv")
    if name == "banking77":
        ds = load_table(base / "banking77" / "banking77_train.csv", "text", "category")
        return _split_by_rows(name, ds, DEFAULT_OOS_LABEL, "banking77_train.csv")
    if name.startswith("hint3-"):
        bot = name.removeprefix("hint3-")
        ds = load_table(base / "hint3" / f"{bot}_train.csv", "sentence", "label")
        return _split_by_rows(name, ds, HINT3_OOS_LABEL, f"{bot}_train.csv")
    raise DataError(f"unknown dataset {name!r}", hint=f"Use one of: {', '.join(DATASETS)}.")


DATASETS = ("clinc150", "bitext", "banking77", "hint3-sofmattress", "hint3-curekart",
            "hint3-powerplay11")


def hold_out_intents(split: Split, fraction: float = 0.25, seed: int = SPLIT_SEED) -> Split:
    """Open-set variant: a seeded ``fraction`` of intents is removed from train and its test rows
    are relabelled as out-of-scope (the Banking77-OOS style protocol for data without OOS)."""
    intents = sorted(set(split.train.labels) - {split.oos_label})
    rng = np.random.default_rng(seed)
    n = max(1, int(round(fraction * len(intents))))
    unseen = {intents[i] for i in rng.permutation(len(intents))[:n]}
    keep = [i for i, lab in enumerate(split.train.labels) if lab not in unseen]
    test_labels = [split.oos_label if lab in unseen else lab for lab in split.test.labels]
    return Split(
        f"{split.name}+unseen{int(fraction * 100)}",
        split.train.subset(keep),
        Dataset(list(split.test.texts), test_labels),
        split.oos_label,
        f"{split.description}; then {n}/{len(intents)} intents (seed {seed}) removed from train "
        "and relabelled out-of-scope in test",
        {"unseen_intents": sorted(unseen)},
    )
