"""What each drift detector compares, read from the store for one time window (R-MON-4).

Each function takes a connection, the store and a window ``[start, end)`` (naive UTC) and
returns the detector's plain inputs; the detectors themselves never see the database.

* :func:`conversation_rows` — per conversation started in the window: intent, confidence,
  outcome and its first customer message (one query; feeds ``intent_mix``, ``confidence``,
  ``language`` and ``failure_clusters``). Stores that log agent turns but not conversations
  fall back to ``agent_turns`` (one row per turn; ``escalate`` counts as a failure).
* :func:`cited_answers` / :func:`knowledge_versions` — the answers given in the window with the
  knowledge-base versions they used (``kb_answer_sources``), and every version of those items
  with when it was superseded (``concept``).
* :func:`retrievals` — every item the agent retrieved in the window (``agent_turns.retrieved``)
  with its version's validity window, review date, archive state and season
  (``metadata.season = [first_month, last_month]``) (``retrieval_pollution``).

Large windows are thinned in SQL to about ``max_rows`` rows (every k-th id), so memory stays
bounded at any traffic; statistics on 50,000 rows a side are as sharp as on millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from shopcoach.drift.concept import CitedAnswer, KnowledgeVersion
from shopcoach.drift.retrieval import Retrieval
from shopcoach.store.sql import in_chunks, member_of
from shopcoach.store.tables import (
    agent_turns,
    conversations,
    kb_answer_sources,
    kb_items,
    kb_versions,
    messages,
)

MAX_ROWS = 50_000
FAILED_OUTCOMES = ("escalated", "abandoned")


@dataclass(frozen=True)
class ConversationRow:
    id: str
    intent: str | None
    confidence: float | None
    failed: bool
    text: str


def _thin(conn: sa.Connection, id_col: Any, where: list[Any], max_rows: int) -> list[Any]:
    """Extra WHERE terms keeping about ``max_rows`` rows: every k-th id (deterministic)."""
    n = conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
    stride = -(-n // max_rows) if max_rows else 1
    return [id_col % stride == 0] if stride > 1 else []


def conversation_rows(
    conn: sa.Connection, store_id: int, start: datetime, end: datetime, *, max_rows: int = MAX_ROWS
) -> list[ConversationRow]:
    """One row per conversation started in ``[start, end)`` (or per agent turn, see above)."""
    c, m = conversations.c, messages.c
    where = [c.store_id == store_id, c.started_at >= start, c.started_at < end]
    where += _thin(conn, c.id, where, max_rows)
    first = (
        sa.select(m.conversation_id, sa.func.min(m.seq).label("seq"))
        .select_from(messages.join(conversations, c.id == m.conversation_id))
        .where(*where, m.role == "customer")
        .group_by(m.conversation_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(c.external_id, c.intent, c.confidence, c.outcome, m.text)
        .select_from(
            conversations.outerjoin(first, first.c.conversation_id == c.id).outerjoin(
                messages, (m.conversation_id == c.id) & (m.seq == first.c.seq)
            )
        )
        .where(*where)
        .order_by(c.started_at, c.id)
    ).all()
    if rows:
        return [
            ConversationRow(ext, intent, conf, outcome in FAILED_OUTCOMES, text or "")
            for ext, intent, conf, outcome, text in rows
        ]
    t = agent_turns.c
    where = [t.store_id == store_id, t.created_at >= start, t.created_at < end]
    where += _thin(conn, t.id, where, max_rows)
    turns = conn.execute(
        sa.select(t.id, t.intent, t.confidence, t.action, t.message)
        .where(*where)
        .order_by(t.created_at, t.id)
    )
    return [
        ConversationRow(f"turn:{i}", intent, conf, action == "escalate", text)
        for i, intent, conf, action, text in turns
    ]


def item_ref(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def cited_answers(
    conn: sa.Connection, store_id: int, start: datetime, end: datetime
) -> list[CitedAnswer]:
    """Answers recorded in ``[start, end)`` with the ``(item, version_no)`` pairs they used."""
    s, v, i = kb_answer_sources.c, kb_versions.c, kb_items.c
    rows = conn.execute(
        sa.select(s.answer_ref, s.recorded_at, i.kind, i.key, v.version_no)
        .select_from(
            kb_answer_sources.join(kb_versions, v.id == s.version_id).join(
                kb_items, i.id == v.item_id
            )
        )
        .where(s.store_id == store_id, s.recorded_at >= start, s.recorded_at < end)
        .order_by(s.recorded_at, s.id)
    )
    when: dict[str, datetime] = {}
    cites: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for ref, at, kind, key, no in rows:
        when[ref] = min(at, when.get(ref, at))
        cites[ref].add((item_ref(kind, key), str(no)))
    texts = _turn_replies(conn, store_id, list(when))
    return [
        CitedAnswer(ref, when[ref], tuple(sorted(cites[ref])), texts.get(ref, "")) for ref in when
    ]


def _turn_replies(conn: sa.Connection, store_id: int, refs: Sequence[str]) -> dict[str, str]:
    """The reply text of answers recorded by the agent runtime (answer_ref ``turn:<id>``)."""
    ids = [int(r[5:]) for r in refs if r.startswith("turn:") and r[5:].isdigit()]
    out: dict[str, str] = {}
    for part in in_chunks(conn, ids):
        rows = conn.execute(
            sa.select(agent_turns.c.id, agent_turns.c.reply).where(
                agent_turns.c.store_id == store_id, member_of(conn, agent_turns.c.id, part)
            )
        )
        out.update({f"turn:{i}": reply for i, reply in rows})
    return out


def knowledge_versions(
    conn: sa.Connection, store_id: int, items: Sequence[str]
) -> list[KnowledgeVersion]:
    """Every version of the given items (``kind:key``), with when and by what it was replaced."""
    v, i = kb_versions.c, kb_items.c
    keys = sorted({ref.split(":", 1)[1] for ref in items})
    wanted = set(items)
    by_item: dict[str, list[tuple[int, datetime | None]]] = defaultdict(list)
    for part in in_chunks(conn, keys):
        rows = conn.execute(
            sa.select(i.kind, i.key, v.version_no, v.superseded_at)
            .select_from(kb_versions.join(kb_items, i.id == v.item_id))
            .where(i.store_id == store_id, member_of(conn, i.key, part))
        )
        for kind, key, no, superseded in rows:
            if item_ref(kind, key) in wanted:
                by_item[item_ref(kind, key)].append((no, superseded))
    out = []
    for ref, versions in by_item.items():
        versions.sort()
        for k, (no, superseded) in enumerate(versions):
            nxt = str(versions[k + 1][0]) if k + 1 < len(versions) else None
            out.append(KnowledgeVersion(ref, str(no), superseded, nxt if superseded else None))
    return out


def _as_datetime(d: date | None, *, end_of_day: bool = False) -> datetime | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d
    return datetime.combine(d, time.max if end_of_day else time.min)


def _season(meta: Any) -> tuple[int, int] | None:
    season = meta.get("season") if isinstance(meta, dict) else None
    if (
        isinstance(season, list | tuple)
        and len(season) == 2
        and all(isinstance(x, int) and 1 <= x <= 12 for x in season)
    ):
        return int(season[0]), int(season[1])
    return None


def retrievals(
    conn: sa.Connection, store_id: int, start: datetime, end: datetime, *, max_rows: int = MAX_ROWS
) -> list[Retrieval]:
    """Every knowledge item retrieved by agent turns created in ``[start, end)``."""
    t = agent_turns.c
    where = [t.store_id == store_id, t.created_at >= start, t.created_at < end]
    where += _thin(conn, t.id, where, max_rows)
    turns = conn.execute(
        sa.select(t.created_at, t.message, t.retrieved).where(*where).order_by(t.created_at, t.id)
    ).all()
    hits: list[tuple[datetime, str, int | None, str, str]] = []  # at, query, version, kind, key
    for at, query, retrieved in turns:
        for entry in retrieved or []:
            version = entry.get("version")
            kind = entry.get("kind") or "article"
            doc = str(entry.get("doc_id") or "")
            key = doc.rsplit("#", 1)[0] if kind == "article" else doc
            vid = int(version) if version is not None and str(version).isdigit() else None
            hits.append((at, query, vid, kind, key))
    if not hits:
        return []
    v, i = kb_versions.c, kb_items.c
    cols = (v.id, i.kind, i.key, v.valid_from, v.valid_to, v.reviewed_at, v.metadata, i.archived_at)
    base = sa.select(*cols).select_from(kb_versions.join(kb_items, i.id == v.item_id))
    by_version: dict[int, Any] = {}
    version_ids = sorted({h[2] for h in hits if h[2] is not None})
    for id_part in in_chunks(conn, version_ids):
        rows = conn.execute(base.where(i.store_id == store_id, member_of(conn, v.id, id_part)))
        by_version.update({r.id: r for r in rows})
    by_key: dict[tuple[str, str], Any] = {}
    loose = sorted({h[4] for h in hits if h[2] is None})
    for part in in_chunks(conn, loose):
        current = base.where(
            i.store_id == store_id, v.id == i.current_version_id, member_of(conn, i.key, part)
        )
        by_key.update({(r.kind, r.key): r for r in conn.execute(current)})
    out = []
    for at, query, vid, kind, key in hits:
        row: Any = by_version.get(vid) if vid is not None else by_key.get((kind, key))
        if row is None:
            continue  # not a knowledge-base item (an index built from other sources)
        out.append(
            Retrieval(
                item_id=item_ref(row.kind, row.key),
                retrieved_at=at,
                valid_from=_as_datetime(row.valid_from),
                valid_to=_as_datetime(row.valid_to, end_of_day=True),
                reviewed_at=_as_datetime(row.reviewed_at),
                archived=row.archived_at is not None and row.archived_at <= at,
                season=_season(row.metadata),
                query=query,
            )
        )
    return out
