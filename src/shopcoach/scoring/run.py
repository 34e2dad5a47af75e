"""A scoring run: incremental, idempotent, set-based (R-SCO-1..5).

For each chunk of the store's AI conversations (consecutive ids): read signals, human labels,
repeat contacts and existing scores with one query each; compute each conversation's input
hash — content hash, signals, labels, repeat contact, config version and the knowledge
versions valid at its start; read messages only for conversations whose hash changed; judge
them in pure Python; then replace their scores and hallucination flags with bulk statements
in one transaction per chunk. A second run over unchanged data writes nothing; a new config
version (or new knowledge valid then, or a new label) rescores what it touches.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.scoring import load
from shopcoach.scoring.checks import check_conversation, order_refs
from shopcoach.scoring.config import DIMENSIONS, ScoringConfig, active_config
from shopcoach.scoring.flags import Flag, flags_for
from shopcoach.scoring.judges import Judge, JudgeInput, build_judges
from shopcoach.scoring.knowledge import Knowledge
from shopcoach.scoring.model import ConversationView, DimensionScore, ScoreResult, combine
from shopcoach.settings import Settings
from shopcoach.store.bulk import Encoder, insert_rows, paused_gc
from shopcoach.store.engine import Database
from shopcoach.store.sql import IN_CHUNK, in_chunks, member_of, utcnow
from shopcoach.store.tables import conversation_scores, hallucination_flags

MAX_EVIDENCE = 10
SCORE_COLUMNS = (
    "store_id",
    "conversation_id",
    "config_version",
    "input_hash",
    "started_at",
    "accuracy",
    "relevance",
    "tone",
    "resolution",
    "accuracy_label",
    "relevance_label",
    "tone_label",
    "resolution_label",
    "total",
    "needs_review",
    "details",
    "scored_at",
)
FLAG_COLUMNS = (
    "store_id",
    "conversation_id",
    "message_seq",
    "kind",
    "claim",
    "claimed",
    "verified",
    "source",
    "source_version_id",
    "occurred_at",
    "detected_at",
)


@dataclass
class RunReport:
    config_version: int
    considered: int = 0
    scored: int = 0
    unchanged: int = 0
    not_applicable: int = 0  # nothing to judge (no AI answer, no outcome): no row
    flags: int = 0
    needs_review: int = 0
    seconds: float = 0.0
    chunk_seconds: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "chunk_seconds"}
        out["chunks"] = len(self.chunk_seconds)
        return out


def input_hash(
    row: Any,
    sigs: Sequence[Any],
    labels: dict[str, tuple[str, str]],
    repeat: float | None,
    config_version: int,
    knowledge: str,
) -> str:
    parts = [row.content_hash, str(config_version), knowledge, f"{repeat:.3f}" if repeat else "-"]
    parts += [f"{s.external_id}:{s.type}:{s.value}:{s.message_index}" for s in sigs]
    parts += [f"{d}={lab}/{who}" for d, (lab, who) in sorted(labels.items())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def judge_conversation(
    item: JudgeInput,
    judges: dict[str, Judge],
    config: ScoringConfig,
    human: dict[str, tuple[str, str]] | None = None,
) -> ScoreResult:
    """Every dimension's verdict, human overrides, the weighted total (pure)."""
    dims: dict[str, DimensionScore] = {}
    for dim in DIMENSIONS:
        judge = judges[dim]
        v = judge.judge(dim, item)
        dims[dim] = DimensionScore(
            dim,
            judge.name,
            v.label if v else None,
            v.reason if v else "does not apply",
            list(v.evidence[:MAX_EVIDENCE]) if v else [],
        )
    return combine(item.conversation.id, dims, config, human)


def score_conversations(
    db: Database,
    store_id: int,
    *,
    settings: Settings | None = None,
    full: bool = False,
    since: datetime | None = None,
    conversation_ids: Sequence[int] | None = None,
    chunk_size: int = 2000,
    progress: Callable[[RunReport], None] | None = None,
) -> RunReport:
    """Score the store's new and changed conversations (all of them with ``full``)."""
    started = time.perf_counter()
    with db.connect() as conn:
        active = active_config(conn, store_id)
        knowledge = Knowledge.load(conn, store_id)
    config = active.config
    judges = build_judges(config, settings)
    report = RunReport(active.version)
    titles = knowledge.article_titles()
    pages = (
        [
            sorted(set(conversation_ids))[i : i + IN_CHUNK]
            for i in range(0, len(set(conversation_ids)), IN_CHUNK)
        ]
        if conversation_ids is not None
        else [None]
    )
    try:
        with paused_gc():
            for page in pages:
                last = 0
                while True:
                    t0 = time.perf_counter()
                    with db.begin() as conn:
                        rows = load.next_chunk(
                            conn, store_id, after=last, size=chunk_size, since=since, ids=page
                        )
                        if not rows:
                            break
                        _score_chunk(
                            conn,
                            store_id,
                            rows,
                            full,
                            active.version,
                            config,
                            judges,
                            knowledge,
                            titles,
                            report,
                        )
                    last = rows[-1].id
                    report.chunk_seconds.append(time.perf_counter() - t0)
                    if progress:
                        progress(report)
    finally:
        for judge in {id(j): j for j in judges.values()}.values():
            close = getattr(judge, "close", None)
            if close:
                close()
    report.seconds = time.perf_counter() - started
    return report


def _score_chunk(
    conn: sa.Connection,
    store_id: int,
    rows: list[Any],
    full: bool,
    version: int,
    config: ScoringConfig,
    judges: dict[str, Judge],
    knowledge: Knowledge,
    titles: dict[str, str],
    report: RunReport,
) -> None:
    ids = [r.id for r in rows]
    sigs = load.load_signals(conn, ids)
    labels = load.load_labels(conn, ids)
    existing = load.load_existing(conn, ids)
    repeats = load.load_repeats(conn, store_id, rows, config.resolution.repeat_contact_hours)
    report.considered += len(rows)
    todo: list[tuple[Any, str]] = []
    for r in rows:
        epoch = knowledge.epoch_at(r.started_at)
        h = input_hash(
            r, sigs.get(r.id, ()), labels.get(r.id, {}), repeats.get(r.id), version, epoch.digest
        )
        if not full and existing.get(r.id) == h:
            report.unchanged += 1
        else:
            todo.append((r, h))
    if not todo:
        return
    msgs = load.load_messages(conn, [r.id for r, _ in todo])
    views = {
        r.id: ConversationView(
            r.id,
            r.external_id,
            r.started_at,
            r.handled_by,
            r.intent,
            r.outcome,
            r.csat,
            msgs.get(r.id, []),
            sigs.get(r.id, []),
            repeats.get(r.id),
        )
        for r, _ in todo
    }
    refs = {cid: order_refs(v) for cid, v in views.items()}  # once: loading, then checking
    orders = load.load_orders(conn, store_id, sorted({o for rs in refs.values() for o in rs}))
    enc = Encoder(conn.dialect.name == "sqlite")
    now = utcnow()
    score_rows: list[tuple[Any, ...]] = []
    flag_rows: list[tuple[Any, ...]] = []
    for r, h in todo:
        view = views[r.id]
        checks = check_conversation(view, knowledge.epoch_at(r.started_at), orders,
                                    refs=refs[r.id])  # fmt: skip
        result = judge_conversation(
            JudgeInput(view, checks, titles), judges, config, labels.get(r.id)
        )
        flags: list[Flag] = flags_for(checks, r.started_at)
        flag_rows += [
            (
                store_id,
                r.id,
                f.message_seq,
                f.kind,
                f.claim,
                f.claimed,
                f.verified,
                f.source,
                f.source_version_id,
                enc.time(f.occurred_at),
                enc.time(now),
            )
            for f in flags
        ]
        report.flags += len(flags)
        if result.total is None:
            report.not_applicable += 1
            continue
        report.scored += 1
        report.needs_review += result.needs_review
        score_rows.append(
            (
                store_id,
                r.id,
                version,
                h,
                enc.time(r.started_at),
                *(result.points[d] for d in DIMENSIONS),
                *(result.label(d) for d in DIMENSIONS),
                result.total,
                result.needs_review,
                enc.json(result.details()),
                enc.time(now),
            )
        )
    changed = [r.id for r, _ in todo]
    _delete(conn, conversation_scores, [i for i in changed if i in existing])
    _delete(conn, hallucination_flags, changed)
    insert_rows(conn, conversation_scores, SCORE_COLUMNS, score_rows)
    insert_rows(conn, hallucination_flags, FLAG_COLUMNS, flag_rows)


def _delete(conn: sa.Connection, table: sa.Table, ids: list[int]) -> None:
    for part in in_chunks(conn, ids):
        conn.execute(sa.delete(table).where(member_of(conn, table.c.conversation_id, part)))


def record_label(
    db: Database,
    store_id: int,
    external_id: str,
    dimension: str,
    label: str,
    *,
    labeler: str,
    note: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Store a human label, then rescore that conversation; returns its score."""
    from shopcoach.scoring.labels import add_label
    from shopcoach.scoring.reads import get_score

    with db.begin() as conn:
        cid = add_label(conn, store_id, external_id, dimension, label, labeler=labeler, note=note)
    score_conversations(db, store_id, settings=settings, conversation_ids=[cid])
    with db.connect() as conn:
        return get_score(conn, store_id, external_id)
