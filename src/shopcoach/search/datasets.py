"""Evaluation sets in BEIR/TREC shape, file readers/writers, and loaders for the shared data.

An :class:`EvalSet` is documents + queries + qrels (``query_id -> {doc_id: grade}``). The files
are the usual shapes: documents JSONL (``{"id"|"_id", "title", "text", ...}``), queries JSONL
(``{"id"|"_id", "text"}``, optionally ``"filters"``) and qrels TSV (``query_id doc_id grade``,
a header row and the TREC 4-column form ``qid 0 docid grade`` are accepted).

The named loaders read ``$SHOPCOACH_DATA_DIR`` or ``<repo>/../shared/data`` and never copy data:

* ``esci`` (``esci-us-150``): 120 shared real Amazon queries over the 6,764-product catalog;
  grades E=1.0, S=0.1, C=0.01, I=0 (the ESCI paper's gains); MRR and Recall count Exact only.
* ``bitext`` (``bitext-customer-support``): one help article per intent, written from the
  reference responses of a *training* split of rows; the *held-out* rows' customer requests are
  the queries, each judged relevant to its intent's article only.
* ``hint3`` (``hint3``, the two shop bots SOFMattress and Curekart): one FAQ article per label,
  made of the label's name and the training split of its example phrases; the held-out phrases
  are the queries. Each query carries a ``category`` filter for its bot, so one index holds both
  bots' articles and a query is only routed within its own bot.

Splits are deterministic (seeded, stratified by intent/label) and documented in docs/search.md.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopcoach.errors import ValidationFailed
from shopcoach.search.documents import Document
from shopcoach.search.metrics import Gain

SPLIT_SEED = 20250601
HOLDOUT_FRACTION = 0.2
ESCI_GRADES: dict[str, float] = {"E": 1.0, "S": 0.1, "C": 0.01, "I": 0.0}
ESCI_GRADES_3210: dict[str, float] = {"E": 3.0, "S": 2.0, "C": 1.0, "I": 0.0}
HINT3_SHOP_BOTS: tuple[str, ...] = ("sofmattress", "curekart")


class DataError(ValidationFailed, ValueError):
    """A dataset file is missing or malformed (or files of one set disagree)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(
            message,
            hint=hint
            or "Documents are JSONL {id, title, text, ...}, queries JSONL {id, text}, "
            "qrels TSV 'query_id doc_id grade' (see docs/search.md).",
        )


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalSet:
    """Documents, queries and graded judgements; ``relevance_threshold`` is for MRR/Recall."""

    name: str
    documents: list[Document]
    queries: list[Query]
    qrels: dict[str, dict[str, float]]
    relevance_threshold: float | None = None
    gain: Gain = "linear"
    notes: str = ""


def data_dir() -> Path:
    """``$SHOPCOACH_DATA_DIR``, else ``shared/data`` beside the repository root."""
    env = os.environ.get("SHOPCOACH_DATA_DIR")
    if env:
        return Path(env)
    # src/shopcoach/search/datasets.py -> repo root is parents[3]
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _require(path: Path) -> Path:
    if not path.exists():
        raise DataError(
            f"dataset file not found: {path}",
            hint="Set SHOPCOACH_DATA_DIR to the folder holding the shared data sets.",
        )
    return path


# --------------------------------------------------------------------------- file formats


def read_documents_jsonl(path: str | Path) -> list[Document]:
    docs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                docs.append(Document.from_dict(json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise DataError(f"{path}:{n}: {exc}") from exc
    return docs


def read_queries_jsonl(path: str | Path) -> list[Query]:
    queries = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            qid = row.get("id", row.get("_id"))
            if qid is None or "text" not in row:
                raise DataError(f"{path}:{n}: a query needs 'id' and 'text'")
            queries.append(Query(str(qid), str(row["text"]), dict(row.get("filters") or {})))
    return queries


def read_qrels_tsv(path: str | Path) -> dict[str, dict[str, float]]:
    qrels: dict[str, dict[str, float]] = defaultdict(dict)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) == 4:  # TREC: qid iter docid grade
                parts = [parts[0], parts[2], parts[3]]
            if len(parts) != 3:
                raise DataError(f"{path}:{n}: expected 'query_id doc_id grade'")
            try:
                grade = float(parts[2])
            except ValueError:
                if n == 1:  # header row
                    continue
                raise DataError(f"{path}:{n}: grade {parts[2]!r} is not a number") from None
            qrels[parts[0]][parts[1]] = grade
    return dict(qrels)


def load_eval_files(
    docs: str | Path, queries: str | Path, qrels: str | Path, name: str | None = None
) -> EvalSet:
    """Read a BEIR-shaped set from three files, checking that they agree.

    Raises :class:`DataError` naming the file (and line) for a missing or malformed file, and
    when the qrels judge documents that are not in the documents file or name no query of the
    queries file.
    """
    for label, path in (("documents", docs), ("queries", queries), ("qrels", qrels)):
        if not Path(path).is_file():
            raise DataError(
                f"{label} file not found: {path}",
                hint="Check the path; --docs, --queries and --qrels each name a file.",
            )
    es = EvalSet(
        name=name or Path(docs).stem,
        documents=read_documents_jsonl(docs),
        queries=read_queries_jsonl(queries),
        qrels=read_qrels_tsv(qrels),
    )
    doc_ids = {d.id for d in es.documents}
    unknown = sorted({d for judged in es.qrels.values() for d in judged} - doc_ids)
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise DataError(
            f"{qrels}: judges {len(unknown)} document id(s) that are not in {docs}: {shown}",
            hint="The qrels and the documents must come from the same set; a document id in "
            "qrels must match an 'id' (or '_id') in the documents file.",
        )
    query_ids = {q.id for q in es.queries}
    if es.qrels and not query_ids & set(es.qrels):
        raise DataError(
            f"{qrels}: none of its query ids is in {queries} (e.g. {next(iter(es.qrels))!r})",
            hint="The qrels' first column must match the queries' 'id' (or '_id').",
        )
    return es


def write_eval_set(es: EvalSet, directory: str | Path) -> dict[str, Path]:
    """Write ``docs.jsonl``, ``queries.jsonl`` and ``qrels.tsv`` (for the CLI / other tools)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "docs": out / "docs.jsonl",
        "queries": out / "queries.jsonl",
        "qrels": out / "qrels.tsv",
    }
    with open(paths["docs"], "w", encoding="utf-8") as fh:
        for d in es.documents:
            fh.write(json.dumps(d.to_dict(), ensure_ascii=False) + "\n")
    with open(paths["queries"], "w", encoding="utf-8") as fh:
        for q in es.queries:
            row: dict[str, Any] = {"id": q.id, "text": q.text}
            if q.filters:
                row["filters"] = dict(q.filters)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(paths["qrels"], "w", encoding="utf-8") as fh:
        fh.write("query_id\tdoc_id\tgrade\n")
        for qid, judged in es.qrels.items():
            for did, grade in judged.items():
                fh.write(f"{qid}\t{did}\t{grade:g}\n")
    return paths


# --------------------------------------------------------------------------- splits


def stratified_holdout(
    labels: Sequence[str], fraction: float = HOLDOUT_FRACTION, seed: int = SPLIT_SEED
) -> list[bool]:
    """Per-label seeded shuffle; the first ``round(fraction * n)`` of each label are held out.

    A label with fewer than 2 items keeps them all on the training side.
    """
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by_label[lab].append(i)
    held = [False] * len(labels)
    rng = random.Random(seed)
    for lab in sorted(by_label):
        idx = by_label[lab]
        if len(idx) < 2:
            continue
        rng.shuffle(idx)
        n_out = min(len(idx) - 1, max(1, round(fraction * len(idx))))
        for i in idx[:n_out]:
            held[i] = True
    return held


def _humanize(label: str) -> str:
    return re.sub(r"[_\s]+", " ", label).strip().capitalize()


# --------------------------------------------------------------------------- ESCI


def esci_product(row: Mapping[str, Any]) -> Document:
    """An ESCI catalog row as a Document (body = bullet points, then description)."""
    body = "\n".join(p for p in (row.get("bullet_points") or "", row.get("description") or "") if p)
    attributes = {"color": row["color"]} if row.get("color") else {}
    return Document(
        id=str(row["product_id"]),
        title=row.get("title") or "",
        text=body,
        kind="product",
        category=tuple(row.get("category") or ()),
        brand=row.get("brand") or "",
        price=row.get("price"),
        attributes=attributes,
    )


def read_esci_qrels(path: Path, grades: Mapping[str, float]) -> dict[str, dict[str, float]]:
    qrels: dict[str, dict[str, float]] = defaultdict(dict)
    with open(_require(path), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels[str(row["query_id"])][row["product_id"]] = grades[row["esci_label"]]
    return dict(qrels)


def load_esci(root: Path | None = None, grading: str = "esci") -> EvalSet:
    """ESCI-US-150 shared queries. ``grading="esci"``: gains E=1, S=0.1, C=0.01, I=0 (linear,
    the ESCI paper's); ``grading="3210"``: grades E=3, S=2, C=1, I=0 with exponential gain.
    Either way MRR and Recall count Exact matches only."""
    if grading not in ("esci", "3210"):
        raise ValueError("grading must be 'esci' or '3210'")
    grades = ESCI_GRADES if grading == "esci" else ESCI_GRADES_3210
    base = (root or data_dir()) / "esci-us-150"
    docs = []
    with open(_require(base / "products.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                docs.append(esci_product(json.loads(line)))
    queries = []
    with open(_require(base / "queries_shared.tsv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            queries.append(Query(str(row["query_id"]), row["query"]))
    qrels = read_esci_qrels(base / "judgments_shared.tsv", grades)
    return EvalSet(
        name="esci" if grading == "esci" else "esci-3210",
        documents=docs,
        queries=queries,
        qrels=qrels,
        relevance_threshold=grades["E"],
        gain="linear" if grading == "esci" else "exponential",
        notes=f"ESCI-US-150 shared split; grading {grading}; MRR/Recall on Exact",
    )


# --------------------------------------------------------------------------- Bitext


def load_bitext(
    root: Path | None = None, max_responses: int = 8, seed: int = SPLIT_SEED
) -> EvalSet:
    """Support-article routing on Bitext: articles from training rows, held-out requests as queries.

    Each intent's article is titled with the humanised intent name (``"Cancel order"``) and its
    body is up to ``max_responses`` distinct reference responses of *training* rows of that
    intent (a help article that covers the ways the request is answered). ``{{Placeholders}}``
    are kept as written. Queries are the customer requests of held-out rows.
    """
    path = _require((root or data_dir()) / "bitext-customer-support" / "bitext_train.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    held = stratified_holdout([r["intent"] for r in rows], seed=seed)
    responses: dict[str, list[str]] = defaultdict(list)
    category: dict[str, str] = {}
    for r, is_held in zip(rows, held, strict=True):
        category[r["intent"]] = r["category"]
        if not is_held and r["response"] not in responses[r["intent"]]:
            responses[r["intent"]].append(r["response"])
    docs = []
    for intent in sorted(responses):
        chosen = _sample(responses[intent], max_responses, seed)
        docs.append(
            Document(
                id=f"article:{intent}",
                title=_humanize(intent),
                text="\n\n".join(chosen),
                kind="article",
                category=(category[intent].lower(),),
            )
        )
    queries, qrels = [], {}
    for r, is_held in zip(rows, held, strict=True):
        if is_held:
            qid = f"bitext:{r['row_id']}"
            queries.append(Query(qid, r["instruction"]))
            qrels[qid] = {f"article:{r['intent']}": 1.0}
    return EvalSet(
        name="bitext",
        documents=docs,
        queries=queries,
        qrels=qrels,
        notes=f"{len(docs)} intent articles (<= {max_responses} training responses each); "
        f"{len(queries)} held-out requests",
    )


def _sample(items: Sequence[str], n: int, seed: int) -> list[str]:
    if len(items) <= n:
        return list(items)
    rng = random.Random(seed)
    return rng.sample(list(items), n)


# --------------------------------------------------------------------------- HINT3


def load_hint3(
    root: Path | None = None, bots: Iterable[str] = HINT3_SHOP_BOTS, seed: int = SPLIT_SEED
) -> EvalSet:
    """FAQ routing on HINT3's shop bots (train files only; the official test sets are held out).

    Per bot, the training phrases (de-duplicated on lower-cased text) are split 80/20 by label
    (seeded). Each label becomes an
    article: title = humanised label, body = its training-side phrases (the "alternate
    questions" an FAQ node lists). Held-out phrases are the queries, relevant to their label's
    article, and carry ``{"category": bot}`` so they are routed within their bot only.
    """
    base = (root or data_dir()) / "hint3"
    docs: list[Document] = []
    queries: list[Query] = []
    qrels: dict[str, dict[str, float]] = {}
    for bot in bots:
        with open(_require(base / f"{bot}_train.csv"), encoding="utf-8", newline="") as fh:
            rows = []
            seen: set[str] = set()
            for r in csv.DictReader(fh):
                key = " ".join((r.get("sentence") or "").lower().split())
                if key and key not in seen:  # repeated phrases would leak across the split
                    seen.add(key)
                    rows.append(r)
        labels = [r["label"].strip() for r in rows]
        held = stratified_holdout(labels, seed=seed)
        phrases: dict[str, list[str]] = defaultdict(list)
        for r, lab, is_held in zip(rows, labels, held, strict=True):
            if not is_held:
                phrases[lab].append(r["sentence"].strip())
        for lab in sorted(phrases):
            docs.append(
                Document(
                    id=f"{bot}:{lab}",
                    title=_humanize(lab),
                    text="\n".join(phrases[lab]),
                    kind="article",
                    category=(bot,),
                )
            )
        for i, (r, lab, is_held) in enumerate(zip(rows, labels, held, strict=True)):
            if is_held:
                qid = f"{bot}:{i}"
                queries.append(Query(qid, r["sentence"].strip(), {"category": bot}))
                qrels[qid] = {f"{bot}:{lab}": 1.0}
    return EvalSet(
        name="hint3",
        documents=docs,
        queries=queries,
        qrels=qrels,
        notes=f"bots {', '.join(bots)}: {len(docs)} label articles, "
        f"{len(queries)} held-out phrases",
    )


def load_esci_3210(root: Path | None = None) -> EvalSet:
    return load_esci(root, grading="3210")


LOADERS: dict[str, Callable[[Path | None], EvalSet]] = {
    "esci": load_esci,
    "esci-3210": load_esci_3210,
    "bitext": load_bitext,
    "hint3": load_hint3,
}


def load_named(name: str, root: Path | None = None) -> EvalSet:
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(LOADERS)}") from None
    return loader(root)
