"""The database edge of the threshold dials (R-AGT-3): load, recommend, what-if, apply.

:func:`load` fetches the per-conversation columns the pure core (``review/dials.py``) needs
with one set-based query — the same SQLAlchemy Core statement on SQLite and PostgreSQL;
:func:`apply` turns a recommendation into a new *draft* agent version (``agent/dials.py``:
copy the config, change one dial), never editing the version in force, and audits it.
The ``*_for`` functions are what the CLI and the API call, once per command/request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from shopcoach import audit
from shopcoach.agent.dials import create_version, get_policy, set_dials
from shopcoach.agent.escalation import EscalationPolicy
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.review.dials import (
    Curve,
    DialData,
    DialsConfig,
    DialsReport,
    Recommendation,
    from_columns,
    recommend,
    whatif,
)
from shopcoach.store.tables import agent_versions, conversations, messages, signals


def resolve_window(
    conn: sa.Connection, store_id: int, since: datetime | None, until: datetime | None,
    days: int | None,
) -> tuple[datetime | None, datetime | None]:  # fmt: skip
    """Explicit bounds win; else the ``days`` (default 28) up to the latest conversation."""
    if since is None and days is not None:
        latest = sa.select(sa.func.max(conversations.c.started_at))
        end = until or conn.execute(latest.where(conversations.c.store_id == store_id)).scalar()
        if end is not None:
            since = end - timedelta(days=days)
    return since, until


def load(
    conn: sa.Connection, store_id: int, *, since: datetime | None = None,
    until: datetime | None = None, days: int | None = 28, repeat_hours: float = 24.0,
    intent: str | None = None,
) -> DialData:  # fmt: skip
    """The columns :func:`recommend` needs, in one query (window function for repeats,
    correlated index lookups for human messages and signals)."""
    since, until = resolve_window(conn, store_id, since, until, days)
    c, m, s = conversations, messages, signals
    epoch = lambda col: sa.extract("epoch", col)  # noqa: E731 — identical on both dialects
    nxt = sa.func.lead(c.c.started_at).over(partition_by=(c.c.customer_hash, c.c.intent),
                                            order_by=(c.c.started_at, c.c.id))  # fmt: skip
    where = [c.c.store_id == store_id, c.c.intent.is_not(None)]
    if intent is not None:  # one intent: same repeats, as they partition by intent
        where.append(c.c.intent == intent)
    if since is not None:
        where.append(c.c.started_at >= since)
    if until is not None:  # look past the end for the last day's repeats
        where.append(c.c.started_at < until + timedelta(hours=repeat_hours))
    inner = sa.select(c.c.id, c.c.external_id, c.c.intent, c.c.confidence, c.c.handled_by,
                      c.c.outcome, c.c.csat, c.c.started_at, c.c.ended_at, c.c.customer_hash,
                      nxt.label("next_start")).where(*where).subquery()  # fmt: skip
    human = inner.c.handled_by != "ai"
    n_human = (sa.select(sa.func.count()).where(m.c.conversation_id == inner.c.id,
                                                m.c.role == "human").scalar_subquery())  # fmt: skip
    last_msg = sa.select(sa.func.max(m.c.sent_at)).where(m.c.conversation_id == inner.c.id)
    end = sa.func.coalesce(inner.c.ended_at, last_msg.scalar_subquery())
    # Signals by correlated lookups on signals.conversation_id (indexed): a join to a
    # pre-aggregated subquery made SQLite scan the aggregate once per conversation.
    on_conv = s.c.conversation_id == inner.c.id
    bit = lambda cond, v: sa.func.max(sa.case((cond, v), else_=0))  # noqa: E731
    packed = sa.select(
        bit(sa.and_(s.c.type == "thumbs", s.c.value < 0), 1)
        + bit(s.c.type == "human_request", 2)
        + bit(s.c.type == "repeat_contact", 4)
    ).where(on_conv, s.c.type.in_(("thumbs", "human_request", "repeat_contact")))
    csat_sig = sa.select(sa.func.avg(s.c.value)).where(on_conv, s.c.type == "csat")
    repeat_gap = epoch(inner.c.next_start) - epoch(inner.c.started_at)
    stmt = sa.select(
        inner.c.external_id, inner.c.intent, inner.c.confidence, inner.c.handled_by,
        inner.c.outcome, sa.func.coalesce(inner.c.csat, csat_sig.scalar_subquery()),
        sa.case((human, n_human), else_=0),
        sa.case((human, epoch(end) - epoch(inner.c.started_at))),
        sa.case((sa.and_(inner.c.customer_hash.is_not(None),
                         repeat_gap <= repeat_hours * 3600), 4), else_=0),
        sa.func.coalesce(packed.scalar_subquery(), 0),
    )  # fmt: skip
    if until is not None:
        stmt = stmt.where(inner.c.started_at < until)
    cols: list[Any] = list(zip(*conn.execute(stmt).all(), strict=True)) or [()] * 10
    flags = np.asarray(cols[8], dtype=np.int64) | np.asarray(cols[9], dtype=np.int64)
    cols[8:] = [flags & 4, flags & 1, flags & 2]  # repeat, thumbs down, human request
    return from_columns(cols, since, until)


def current_version(conn: sa.Connection, store_id: int) -> str | None:
    """The version whose dials are in force: the newest ``active`` one, else the version that
    answered the latest conversation, else the newest created; None when there is none."""
    v, c = agent_versions, conversations
    label = conn.execute(sa.select(v.c.label).where(v.c.store_id == store_id,
                         v.c.status == "active").order_by(v.c.created_at.desc(), v.c.id.desc())
                         .limit(1)).scalar()  # fmt: skip
    if label is None:
        label = conn.execute(
            sa.select(v.c.label)
            .join(c, c.c.agent_version_id == v.c.id)
            .where(c.c.store_id == store_id)
            .order_by(c.c.started_at.desc())
            .limit(1)
        ).scalar()
    if label is None:
        label = conn.execute(sa.select(v.c.label).where(v.c.store_id == store_id)
                             .order_by(v.c.id.desc()).limit(1)).scalar()  # fmt: skip
    return label


def policy_of(conn: sa.Connection, store_id: int, version: str | None) -> EscalationPolicy:
    return get_policy(conn, store_id, version) if version else EscalationPolicy.model_validate({})


def apply(
    conn: sa.Connection, store_id: int, intent: str, *, actor: str,
    threshold: float | None = None, from_version: str | None = None,
    as_version: str | None = None, recommendation: Recommendation | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A new draft version = ``from_version`` (default :func:`current_version`) with the
    intent's threshold changed; the old version is untouched. Audited as ``dials.apply``."""
    if threshold is None:
        if recommendation is None:
            raise ValidationFailed(
                f"No recommendation to apply for intent {intent!r}.",
                hint="See `shopcoach dials recommend`, or give --threshold T explicitly.",
            )
        threshold = recommendation.proposed
    if not 0 <= threshold <= 1:
        raise ValidationFailed(f"Threshold {threshold} for {intent!r} is not between 0 and 1.",
                               hint="Give a threshold such as 0.65.")  # fmt: skip
    base = from_version or current_version(conn, store_id)
    before = policy_of(conn, store_id, base).threshold_for(intent)
    label = as_version or f"{base or 'default'}+{intent}@{threshold:.2f}"
    exists = sa.select(agent_versions.c.status).where(
        agent_versions.c.store_id == store_id, agent_versions.c.label == label
    )
    status = conn.execute(exists).scalar()
    if status is not None:  # checked here too: never touch an existing version, draft or not
        raise ValidationFailed(
            f"Agent version {label!r} already exists (status {status}).",
            hint="Choose a new label with --as-version: applying always creates a new version.",
        )
    create_version(conn, store_id, label, actor=actor, copy_from=base)
    set_dials(conn, store_id, label, {"thresholds": {intent: threshold}}, actor=actor)
    details = {"intent": intent, "from_version": base, "new_version": label, "before": before,
               "after": threshold, "reason": recommendation.reason if recommendation else None,
               "evidence": recommendation.evidence if recommendation else None}  # fmt: skip
    audit.record(conn, actor, "dials.apply", store_id=store_id, target=label, details=details)
    return {**details, "status": "draft"}


# --- one call per CLI command / API endpoint ------------------------------------------------


def recommendations(
    conn: sa.Connection, store_id: int, *, since: datetime | None = None,
    until: datetime | None = None, days: int | None = 28, version: str | None = None,
    cfg: DialsConfig | None = None,
) -> DialsReport:  # fmt: skip
    """Load the window and recommend against ``version``'s dials (default: the current one)."""
    cfg = cfg or DialsConfig()
    version = version or current_version(conn, store_id)
    data = load(conn, store_id, since=since, until=until, days=days,
                repeat_hours=cfg.repeat_hours)  # fmt: skip
    return recommend(data, policy_of(conn, store_id, version), cfg, version)


def whatif_for(
    conn: sa.Connection, store_id: int, intent: str, *, since: datetime | None = None,
    until: datetime | None = None, days: int | None = 28, version: str | None = None,
    cfg: DialsConfig | None = None,
) -> Curve:  # fmt: skip
    """The what-if curve of one intent; an intent with no conversations is an error."""
    cfg = cfg or DialsConfig()
    version = version or current_version(conn, store_id)
    data = load(conn, store_id, since=since, until=until, days=days,
                repeat_hours=cfg.repeat_hours, intent=intent)  # fmt: skip
    if intent not in data.intents:
        names = sa.select(conversations.c.intent).where(conversations.c.store_id == store_id)
        found = conn.execute(names.distinct().limit(21)).scalars()
        known = ", ".join(sorted(str(x) for x in found if x)[:20]) or "none"
        raise NotFound(
            f"No conversations of intent {intent!r} in this window.",
            hint=f"Intents with conversations: {known}. Widen --days if needed.",
        )
    current = policy_of(conn, store_id, version).threshold_for(intent)
    return whatif(data, intent, cfg, current)


def apply_for(
    conn: sa.Connection, store_id: int, intent: str, *, actor: str,
    threshold: float | None = None, from_version: str | None = None,
    as_version: str | None = None, days: int | None = 28, cfg: DialsConfig | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Apply the current recommendation for ``intent`` (or an explicit ``threshold``)."""
    rec = None
    if threshold is None:
        report = recommendations(conn, store_id, days=days, version=from_version, cfg=cfg)
        rec = next((r for r in report.recommendations if r.intent == intent), None)
    return apply(conn, store_id, intent, actor=actor, threshold=threshold,
                 from_version=from_version, as_version=as_version, recommendation=rec)  # fmt: skip
