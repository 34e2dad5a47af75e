"""The review calendar beyond the week (R-REV-3/4): the monthly leadership summary with its
week-1 sample for human scoring, and the post-campaign report.

* :func:`monthly_summary` — the month's automation rate and CSAT (AI vs human) against the
  month before, the improvements made in the month with their measured effect, open issues
  (alerts, fix items), and a random sample of 50 conversations from the month's first week for
  people to score (R-SCO-4: it keeps the judges calibrated).
* :func:`campaign_report` — a campaign's date range, and its tagged conversations, against a
  baseline (a pinned one, or a period).

**Measured effect** of an improvement: the metric it should move, over the
:data:`EFFECT_DAYS` days before the change against the days after it (up to the end of the
month's data): a threshold change (``dials.apply``) is measured on its intent's
automated-resolution rate; a knowledge change (a new version of a product or article) on the
automated-resolution rate and accuracy score of all conversations; a closed fix item names what
fixed it. Small samples are marked (``conversations`` on each side).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.errors import ValidationFailed
from shopcoach.metrics.baselines import get_baseline, metric_deltas, period_metrics
from shopcoach.metrics.model import Filters
from shopcoach.review.pack_load import open_alerts
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import (
    audit_log,
    conversations,
    fix_items,
    kb_items,
    kb_versions,
)
from shopcoach.stores import Store

EFFECT_DAYS = 14
SAMPLE_SIZE = 50
HEADLINE = ("conversations", "automated_resolution_rate", "escalation_rate", "csat_ai",
            "csat_human", "score_accuracy", "score_total", "repeat_contact_rate")  # fmt: skip


def month_bounds(month: str | date | None) -> tuple[str, datetime, datetime]:
    """``"2026-11"`` (or any date in it; default: the last full month) → (label, first day,
    first day of the next month), UTC."""
    if month is None:
        first_this = utcnow().date().replace(day=1)
        month = (first_this - timedelta(days=1)).replace(day=1)
    if isinstance(month, str):
        try:
            year, num = (int(x) for x in month.split("-"))
            month = date(year, num, 1)
        except ValueError:
            raise ValidationFailed(f"Month {month!r} is not a month like 2026-11.",
                                   hint="Write the month as YYYY-MM.") from None  # fmt: skip
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return f"{start:%Y-%m}", start, end


@dataclass
class Improvement:
    at: datetime
    kind: str  # threshold | knowledge | fix
    what: str
    metric: str | None = None
    before: float | None = None
    after: float | None = None
    conversations_before: int = 0
    conversations_after: int = 0

    @property
    def effect(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 6)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat(), "effect": self.effect}


@dataclass
class MonthlySummary:
    store: str
    month: str
    start: datetime
    end: datetime
    metrics: dict[str, Any]
    previous: dict[str, Any]
    deltas: list[dict[str, Any]]
    improvements: list[Improvement]
    open_alerts: list[dict[str, Any]]
    open_fix_items: list[dict[str, Any]]
    sample: list[str]  # week-1 conversations for people to score
    sample_seed: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "improvements"}
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        out["improvements"] = [i.to_dict() for i in self.improvements]
        return out


def _headline(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values.get(k) for k in HEADLINE}


def monthly_summary(
    conn: sa.Connection, store: Store, month: str | date | None = None
) -> MonthlySummary:
    label, start, end = month_bounds(month)
    _, prev_start, _ = month_bounds((start - timedelta(days=1)).date())
    now = period_metrics(conn, store.id, start, end, Filters())
    before = period_metrics(conn, store.id, prev_start, start, Filters())
    deltas = [d.__dict__ for d in metric_deltas(before, now) if d.metric in HEADLINE]
    seed = random.Random(f"{store.slug}:{label}").randrange(2**31)
    return MonthlySummary(
        store=store.slug, month=label, start=start, end=end, metrics=_headline(now),
        previous=_headline(before), deltas=deltas,
        improvements=_improvements(conn, store.id, start, end),
        open_alerts=open_alerts(conn, store.id, end),
        open_fix_items=_open_fixes(conn, store.id, end),
        sample=week_one_sample(conn, store.id, start, seed=seed), sample_seed=seed,
    )  # fmt: skip


def week_one_sample(
    conn: sa.Connection, store_id: int, start: datetime, *, n: int = SAMPLE_SIZE, seed: int = 0
) -> list[str]:
    """A seeded uniform sample of ``n`` conversations started in the 7 days from ``start``
    (the same month and store give the same sample), in time order."""
    c = conversations
    ids = conn.execute(
        sa.select(c.c.external_id).where(c.c.store_id == store_id, c.c.started_at >= start,
                                          c.c.started_at < start + timedelta(days=7))
        .order_by(c.c.started_at, c.c.id)
    ).scalars().all()  # fmt: skip
    if len(ids) <= n:
        return list(ids)
    keep = sorted(random.Random(seed).sample(range(len(ids)), n))
    return [ids[i] for i in keep]


def _effect(
    conn: sa.Connection, store_id: int, at: datetime, end: datetime, metric: str,
    filters: Filters,
) -> tuple[float | None, float | None, int, int]:  # fmt: skip
    lo, hi = at - timedelta(days=EFFECT_DAYS), min(at + timedelta(days=EFFECT_DAYS), end)
    before = period_metrics(conn, store_id, lo, at, filters)
    after = period_metrics(conn, store_id, at, hi, filters) if hi > at else {}
    return (before.get(metric), after.get(metric), int(before.get("conversations") or 0),
            int(after.get("conversations") or 0))  # fmt: skip


def _improvements(conn: sa.Connection, store_id: int, start: datetime, end: datetime) -> list:
    out: list[Improvement] = []
    a = audit_log
    for at, details in conn.execute(
        sa.select(a.c.at, a.c.details).where(a.c.store_id == store_id, a.c.action == "dials.apply",
                                             a.c.at >= start, a.c.at < end).order_by(a.c.at)
    ):  # fmt: skip
        intent = details.get("intent")
        what = (f"threshold for {intent}: {details.get('before')} → {details.get('after')} "
                f"(version {details.get('new_version')})")  # fmt: skip
        b, af, nb, na = _effect(conn, store_id, at, end, "automated_resolution_rate",
                                Filters(intent=intent))  # fmt: skip
        out.append(Improvement(at, "threshold", what, "automated_resolution_rate", b, af, nb, na))
    v, i = kb_versions, kb_items
    for at, kind, key, title, no in conn.execute(
        sa.select(v.c.created_at, i.c.kind, i.c.key, v.c.title, v.c.version_no)
        .join(i, i.c.id == v.c.item_id)
        .where(i.c.store_id == store_id, v.c.created_at >= start, v.c.created_at < end)
        .order_by(v.c.created_at).limit(200)
    ):  # fmt: skip
        b, af, nb, na = _effect(conn, store_id, at, end, "score_accuracy", Filters())
        what = f"{kind} {key} '{title}' {'updated to' if no > 1 else 'added as'} v{no}"
        out.append(Improvement(at, "knowledge", what, "score_accuracy", b, af, nb, na))
    f = fix_items
    for at, note, ref in conn.execute(
        sa.select(f.c.closed_at, f.c.note, f.c.fix_ref)
        .where(f.c.store_id == store_id, f.c.status == "done", f.c.closed_at >= start,
               f.c.closed_at < end).order_by(f.c.closed_at)
    ):  # fmt: skip
        out.append(Improvement(at, "fix", f"{note} — fixed by {ref}"))
    out.sort(key=lambda x: x.at)
    return out


def _open_fixes(conn: sa.Connection, store_id: int, end: datetime) -> list[dict[str, Any]]:
    f = fix_items
    rows = conn.execute(
        sa.select(f.c.id, f.c.conversation_external_id, f.c.note, f.c.status, f.c.owner)
        .where(f.c.store_id == store_id, f.c.status.in_(("open", "in_progress")),
               f.c.created_at < end).order_by(f.c.created_at).limit(50)
    ).all()  # fmt: skip
    return [dict(r._mapping) for r in rows]


@dataclass
class CampaignReport:
    store: str
    since: datetime
    until: datetime
    tag: str | None
    baseline: dict[str, Any]  # name or period, and its metrics
    campaign: dict[str, Any]  # every conversation of the range
    tagged: dict[str, Any] | None  # the range's conversations with the tag
    deltas: list[dict[str, Any]]  # campaign vs baseline
    tagged_deltas: list[dict[str, Any]] | None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["since"], out["until"] = self.since.isoformat(), self.until.isoformat()
        return out


def campaign_report(
    conn: sa.Connection, store: Store, *, since: datetime, until: datetime,
    tag: str | None = None, baseline: str | None = None,
    baseline_since: datetime | None = None, baseline_until: datetime | None = None,
) -> CampaignReport:  # fmt: skip
    """The campaign's range (and its tagged conversations) against a pinned baseline
    (``baseline``) or a period (``baseline_since``/``baseline_until``)."""
    if until <= since:
        raise ValidationFailed("The campaign ends before it starts.",
                               hint="Give --since before --until.")  # fmt: skip
    if baseline is not None:
        pinned = get_baseline(conn, store.id, baseline)
        values: dict[str, Any] = pinned.metric_values
        base: dict[str, Any] = {"name": pinned.name, "since": pinned.period_start.isoformat(),
                                "until": pinned.period_end.isoformat()}  # fmt: skip
    elif baseline_since is not None and baseline_until is not None:
        values = period_metrics(conn, store.id, baseline_since, baseline_until, Filters())
        base = {"name": None, "since": baseline_since.isoformat(),
                "until": baseline_until.isoformat()}  # fmt: skip
    else:
        raise ValidationFailed(
            "A campaign report needs a baseline to compare with.",
            hint="Give --baseline NAME (pinned with `shopcoach metrics baseline pin`) or "
            "--baseline-since/--baseline-until.",
        )
    base["metrics"] = values
    whole = period_metrics(conn, store.id, since, until, Filters())
    tagged = period_metrics(conn, store.id, since, until, Filters(tag=tag)) if tag else None
    return CampaignReport(
        store=store.slug, since=since, until=until, tag=tag, baseline=base,
        campaign=_headline(whole), tagged=_headline(tagged) if tagged else None,
        deltas=[d.__dict__ for d in metric_deltas(values, whole) if d.metric in HEADLINE],
        tagged_deltas=([d.__dict__ for d in metric_deltas(values, tagged)
                        if d.metric in HEADLINE] if tagged else None),
    )  # fmt: skip
