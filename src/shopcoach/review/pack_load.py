"""Gather the weekly pack from the store (R-REV-1): one read per section, set-based.

``build_weekly_pack(conn, store, week)`` reads the week's metrics (``metrics``), the worst
scored conversations (``conversation_scores``), knowledge gaps (``review/gaps``), knowledge
changes and the answers contradicting verified data (``kb_versions``,
``hallucination_flags``), open alerts and drift findings, threshold dials (``review/dials``)
and the fix list, then asks :func:`shopcoach.review.pack.recommend` for the 3-5 changes.
A section that cannot be computed (e.g. no embeddings model for gap mining) is left empty
and said in ``notes``; the rest of the pack still comes out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.errors import ShopcoachError
from shopcoach.metrics.series import metric_series
from shopcoach.review.fixlist import open_items_for_pack
from shopcoach.review.pack import WeeklyPack, recommend, resolution_trend
from shopcoach.review.weeks import week_bounds
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import (
    agent_turns,
    alerts,
    conversation_scores,
    conversations,
    drift_findings,
    hallucination_flags,
    kb_answer_sources,
    kb_items,
    kb_versions,
    messages,
)
from shopcoach.stores import Store

WORST = 10
DIAL_DAYS = 28
DIMENSIONS = ("accuracy", "relevance", "tone", "resolution")


def build_weekly_pack(
    conn: sa.Connection, store: Store, week: str | date | None = None, *,
    embedder: Any = None, gaps: bool = True,
) -> WeeklyPack:  # fmt: skip
    """The pack of ISO ``week`` (``"2026-W47"`` or a date in it; default: the last full week).
    ``embedder`` is handed to gap mining (None: its own default); ``gaps=False`` skips it."""
    label, start, end = week_bounds(week)
    notes: list[str] = []
    series = metric_series(conn, store.id, grain="week", since=start - timedelta(days=7),
                           until=end)  # fmt: skip
    pts = {p.period_start: p for p in series.for_segment(None)}
    this, last = pts.get(start.date()), pts.get((start - timedelta(days=7)).date())
    resolution = resolution_trend(
        this.automated_resolution_rate if this else None,
        last.automated_resolution_rate if last else None,
        this.conversations if this else 0,
        last.conversations if last else 0,
    )
    n = resolution["conversations"]
    gap_topics: list[dict[str, Any]] = []
    if gaps:
        try:
            from shopcoach.review.gaps_report import gap_report

            gap_topics = [_gap_topic(t.to_dict()) for t in gap_report(
                conn, store.id, label, embedder=embedder).topics]  # fmt: skip
        except (ShopcoachError, ImportError) as exc:
            notes.append(f"knowledge gaps not mined: {exc}")
    dials: list[dict[str, Any]] = []
    try:
        from shopcoach.review.dials_store import recommendations

        report = recommendations(conn, store.id, until=end, days=DIAL_DAYS)
        dials = [r.to_dict() for r in report.recommendations]
    except ShopcoachError as exc:
        notes.append(f"threshold dials not computed: {exc}")
    contradictions = _contradictions(conn, store.id, start, end)
    alerts_open = open_alerts(conn, store.id, end)
    pack = WeeklyPack(
        store=store.slug, week=label, start=start, end=end, generated_at=utcnow(),
        resolution=resolution, escalations=_escalations(conn, store.id, start, end, this),
        worst=_worst(conn, store.id, start, end), gaps=gap_topics,
        knowledge_changes=_knowledge_changes(conn, store.id, start, end),
        contradictions=contradictions, alerts=alerts_open,
        drift=_drift(conn, store.id, start, end), dials=dials,
        fix_items=open_items_for_pack(conn, store.id, label).to_dict(),
        recommendations=recommend(
            gaps=gap_topics, contradictions=contradictions, dials=dials, alerts=alerts_open,
            conversations=n, answered_success=_answered_success(conn, store.id, start, end),
            dial_weeks=DIAL_DAYS / 7,
        ),
        notes=notes,
    )  # fmt: skip
    return pack


def _gap_topic(t: dict[str, Any]) -> dict[str, Any]:
    """A mined gap topic in the shape :func:`recommend` reads: example texts, the
    conversations behind it, and the nearest article (``covered`` when it answers)."""
    article = t.get("article") or {}
    return {**t, "examples": [e.get("text") if isinstance(e, dict) else e
                              for e in t.get("examples") or []],
            "conversation_ids": list(t.get("question_ids") or []),
            "nearest_article": article or None,
            "covered": bool(article.get("covered"))}  # fmt: skip


def _in_week(col: Any, start: Any, end: Any) -> Any:
    return sa.and_(col >= start, col < end)


def _answered_success(conn: sa.Connection, store_id: int, start: Any, end: Any) -> float:
    """Share of the week's AI-handled conversations that resolved (0.5 when there are none)."""
    c = conversations
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((c.c.outcome == "resolved", 1), else_=0)))
        .where(c.c.store_id == store_id, c.c.handled_by == "ai",
               _in_week(c.c.started_at, start, end))
    ).one()  # fmt: skip
    return float(row[1] or 0) / row[0] if row[0] else 0.5


def _escalations(conn: sa.Connection, store_id: int, start: Any, end: Any, point: Any) -> dict:
    """Escalated conversations of the week and their top reasons: the agent's own reasons
    where it left traces, else the intents escalated most."""
    c, t = conversations, agent_turns
    escalated = sa.and_(c.c.store_id == store_id, c.c.outcome == "escalated",
                        _in_week(c.c.started_at, start, end))  # fmt: skip
    count = conn.scalar(sa.select(sa.func.count()).where(escalated)) or 0
    reasons: Counter[str] = Counter()
    for (rs,) in conn.execute(
        sa.select(t.c.reasons).where(t.c.store_id == store_id, t.c.action == "escalate",
                                     _in_week(t.c.created_at, start, end))
    ):  # fmt: skip
        reasons.update(str(r) for r in (rs or []))
    # A literal, not a bound parameter: PostgreSQL must see the same GROUP BY expression.
    intent = sa.func.coalesce(c.c.intent, sa.literal_column("'unknown'"))
    intents = conn.execute(
        sa.select(intent, sa.func.count())
        .where(escalated)
        .group_by(intent)
        .order_by(sa.func.count().desc()).limit(5)
    ).all()  # fmt: skip
    return {
        "count": int(count),
        "rate": point.escalation_rate if point else None,
        "top_reasons": [{"reason": r, "count": k} for r, k in reasons.most_common(5)],
        "top_intents": [{"intent": i, "count": k} for i, k in intents],
    }


def _worst(conn: sa.Connection, store_id: int, start: Any, end: Any) -> list[dict[str, Any]]:
    s, c = conversation_scores, conversations
    rows = conn.execute(
        sa.select(c.c.external_id, c.c.intent, c.c.outcome, c.c.channel, s.c.started_at,
                  s.c.total, s.c.needs_review, s.c.details,
                  *[s.c[f"{d}_label"] for d in DIMENSIONS])
        .join(c, c.c.id == s.c.conversation_id)
        .where(s.c.store_id == store_id, _in_week(s.c.started_at, start, end))
        .order_by(s.c.total, s.c.started_at, c.c.external_id).limit(WORST)
    ).all()  # fmt: skip
    out = []
    for r in rows:
        m = r._mapping
        dims = {}
        for d in DIMENSIONS:
            info = (m["details"] or {}).get(d) or {}
            dims[d] = {"label": m[f"{d}_label"], "reason": info.get("reason"),
                       "evidence": (info.get("evidence") or [])[:3]}  # fmt: skip
        out.append({"conversation_id": m["external_id"], "intent": m["intent"],
                    "outcome": m["outcome"], "channel": m["channel"],
                    "started_at": m["started_at"].isoformat(), "total": m["total"],
                    "needs_review": m["needs_review"], "dimensions": dims})  # fmt: skip
    return out


def _knowledge_changes(conn: sa.Connection, store_id: int, start: Any, end: Any) -> list[dict]:
    """Products and articles that got a new version this week, with how many answers after
    the change still used a version it superseded (answers that have not caught up)."""
    v, i, src = kb_versions, kb_items, kb_answer_sources
    changed = conn.execute(
        sa.select(i.c.id, i.c.kind, i.c.key, v.c.title, v.c.version_no, v.c.created_at)
        .join(i, i.c.id == v.c.item_id)
        .where(i.c.store_id == store_id, v.c.version_no > 1, _in_week(v.c.created_at, start, end))
        .order_by(v.c.created_at)
    ).all()  # fmt: skip
    if not changed:
        return []
    old = v.alias("old")
    stale: dict[int, int] = dict(
        conn.execute(
            sa.select(old.c.item_id, sa.func.count(sa.distinct(src.c.answer_ref)))
            .join(old, old.c.id == src.c.version_id)
            .where(
                src.c.store_id == store_id,
                old.c.superseded_at.is_not(None),
                src.c.recorded_at >= old.c.superseded_at,
                _in_week(src.c.recorded_at, start, end),
                old.c.item_id.in_([r.id for r in changed]),
            )
            .group_by(old.c.item_id)
        ).all()  # fmt: skip
    )
    return [{"kind": r.kind, "key": r.key, "title": r.title, "version": r.version_no,
             "changed_at": r.created_at.isoformat(), "stale_answers": int(stale.get(r.id, 0))}
            for r in changed]  # fmt: skip


def _contradictions(conn: sa.Connection, store_id: int, start: Any, end: Any) -> list[dict]:
    """The week's hallucination flags grouped by (kind, verified value, source): how many
    answers contradicted it, what they claimed, which articles those answers cited."""
    f, c, m, v = hallucination_flags, conversations, messages, kb_versions
    rows = conn.execute(
        sa.select(f.c.kind, f.c.verified, f.c.claimed, f.c.source, v.c.title,
                  c.c.external_id, m.c.citations)
        .join(c, c.c.id == f.c.conversation_id)
        .outerjoin(v, v.c.id == f.c.source_version_id)
        .outerjoin(m, sa.and_(m.c.conversation_id == f.c.conversation_id,
                              m.c.seq == f.c.message_seq))
        .where(f.c.store_id == store_id, _in_week(f.c.occurred_at, start, end))
        .order_by(f.c.occurred_at, f.c.id)
    ).all()  # fmt: skip
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    claimed: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    cited: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for kind, verified, said, source, title, ext, citations in [
        *rows,
        *_blocked(conn, store_id, start, end),
    ]:
        key = (kind, verified, (source or "").split("@")[0])
        g = groups.setdefault(key, {"kind": kind, "verified": verified, "source": key[2] or None,
                                    "title": title, "conversation_ids": []})  # fmt: skip
        if ext not in g["conversation_ids"]:
            g["conversation_ids"].append(ext)
        claimed[key][said] += 1
        for cit in citations or []:
            if isinstance(cit, dict) and cit.get("id") and cit.get("source") != "order":
                cited[key][str(cit["id"])] += 1
    out = []
    for key, g in groups.items():
        g["answers"] = len(g["conversation_ids"])
        g["claimed"] = claimed[key].most_common(1)[0][0]
        g["cited"] = [x for x, _ in cited[key].most_common(3)]
        out.append(g)
    out.sort(key=lambda g: -g["answers"])
    return out


def _blocked(conn: sa.Connection, store_id: int, start: Any, end: Any) -> list[tuple[Any, ...]]:
    """Drafts the agent's own grounding check blocked this week (it escalated instead of
    sending them), as rows shaped like :func:`_contradictions`' flags: each contradicted
    claim with its verified value, and the knowledge the draft came from as its citations.
    A blocked draft never reaches the customer, so scoring cannot flag it; the pack still
    names the knowledge that produced it."""
    t = agent_turns
    rows = conn.execute(
        sa.select(t.c.conversation_external_id, t.c.grounding, t.c.used)
        .where(t.c.store_id == store_id, t.c.action == "escalate",
               _in_week(t.c.created_at, start, end))
        .order_by(t.c.created_at, t.c.id)
    ).all()  # fmt: skip
    out: list[tuple[Any, ...]] = []
    for ext, grounding, used in rows:
        claims = (grounding or {}).get("claims") or []
        cited = [{"source": "article" if "#" in str(u) else "product", "id": str(u)}
                 for u in used or []]  # fmt: skip
        for c in claims:
            if not isinstance(c, dict) or c.get("verdict") != "contradicted":
                continue
            kind = c.get("kind")
            kind = "price" if kind == "amount" else kind
            delivery = kind == "policy_window" and c.get("subject") == "delivery"
            if kind == "delivery_date" or delivery:
                kind = "delivery_time"
            source = str(c.get("source") or "")
            doc, _, version = source.partition("@")
            source = f"{doc.split('#', 1)[0]}@{version}" if source else ""
            out.append((kind, c.get("verified"), c.get("text"), source or None, None, ext,
                        cited))  # fmt: skip
    return out


def open_alerts(conn: sa.Connection, store_id: int, end: Any) -> list[dict[str, Any]]:
    """Alerts open or acknowledged at ``end`` (opened before it), newest first, at most 20."""
    a = alerts
    rows = conn.execute(
        sa.select(a.c.id, a.c.rule, a.c.state, a.c.severity, a.c.title, a.c.message,
                  a.c.opened_at, a.c.diagnosis, a.c.remediation)
        .where(a.c.store_id == store_id, a.c.state.in_(("open", "acknowledged")),
               a.c.opened_at < end)
        .order_by(a.c.opened_at.desc()).limit(20)
    ).all()  # fmt: skip
    return [{**r._mapping, "opened_at": r.opened_at.isoformat()} for r in rows]


def _drift(conn: sa.Connection, store_id: int, start: Any, end: Any) -> list[dict[str, Any]]:
    """Drift findings that fired for windows ending in this week (the newest per detector)."""
    d = drift_findings
    rows = conn.execute(
        sa.select(d.c.detector, d.c.window_start, d.c.window_end, d.c.score, d.c.threshold,
                  d.c.summary)
        .where(d.c.store_id == store_id, d.c.drifted.is_(True), d.c.window_end > start,
               d.c.window_end <= end + timedelta(days=1))
        .order_by(d.c.window_end.desc())
    ).all()  # fmt: skip
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.detector not in seen:
            seen[r.detector] = {"detector": r.detector, "window_start": r.window_start.isoformat(),
                                "window_end": r.window_end.isoformat(), "score": r.score,
                                "threshold": r.threshold, "summary": r.summary}  # fmt: skip
    return list(seen.values())
