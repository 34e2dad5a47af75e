"""Drift from the store (R-MON-4): load both windows, run the detectors, keep the findings.

:func:`run_drift` compares the current window (default: the last 7 days) with the reference
window just before it (default: the 28 days before), runs each store detector on inputs from
:mod:`shopcoach.drift.inputs`, and upserts one ``drift_findings`` row per detector and window
(running again for the same window replaces the row). A detector without enough data on
either side is not run: its result says so (``drifted`` false, no statistics) so the
dashboard shows why it is silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.drift import inputs
from shopcoach.drift.registry import get_detector
from shopcoach.drift.result import DriftResult
from shopcoach.errors import ConfigError
from shopcoach.store.sql import insert_for, utcnow
from shopcoach.store.tables import drift_findings

STORE_DETECTORS = (
    "intent_mix",
    "language",
    "confidence",
    "concept",
    "retrieval_pollution",
    "failure_clusters",
)
# From the store, an answer given from a version that has *since* been replaced counts too:
# customers were told the old policy/price, which is what concept drift is about here.
STORE_DEFAULTS: dict[str, dict[str, Any]] = {"concept": {"count_outdated": True}}
MIN_ROWS = 2


@dataclass(frozen=True)
class Windows:
    start: datetime
    end: datetime
    reference_start: datetime
    reference_end: datetime


def windows(
    now: datetime | None = None,
    window: timedelta = timedelta(days=7),
    reference: timedelta = timedelta(days=28),
) -> Windows:
    """Current ``[now - window, now)`` and reference just before. Without ``now``: the current
    time floored to the hour, so runs within the same hour update the same findings."""
    if now is None:
        now = utcnow().replace(minute=0, second=0, microsecond=0)
    if window <= timedelta(0) or reference <= timedelta(0):
        raise ConfigError(
            f"Drift windows must be positive (window {window}, reference {reference}).",
            hint="Use e.g. --days 7 --reference-days 28.",
        )
    start = now - window
    return Windows(start, now, start - reference, start)


def _skipped(name: str, reason: str, n_ref: int, n_cur: int) -> DriftResult:
    return DriftResult(
        detector=name,
        drifted=False,
        severity="none",
        statistics=[],
        summary=f"Not run: {reason}",
        n_reference=n_ref,
        n_current=n_cur,
    )


class _Loader:
    """Loads each input once per run, however many detectors use it."""

    def __init__(self, conn: sa.Connection, store_id: int, w: Windows, max_rows: int) -> None:
        self.conn, self.store_id, self.w, self.max_rows = conn, store_id, w, max_rows
        self._rows: dict[str, list[inputs.ConversationRow]] = {}

    def rows(self, side: str) -> list[inputs.ConversationRow]:
        if side not in self._rows:
            lo, hi = self.span(side)
            self._rows[side] = inputs.conversation_rows(
                self.conn, self.store_id, lo, hi, max_rows=self.max_rows
            )
        return self._rows[side]

    def span(self, side: str) -> tuple[datetime, datetime]:
        w = self.w
        return (w.start, w.end) if side == "current" else (w.reference_start, w.reference_end)


def _run_one(name: str, load: _Loader, config: Any, now: datetime) -> DriftResult:
    spec = get_detector(name)
    ref, cur = load.rows("reference"), load.rows("current")
    if name == "intent_mix":
        r = [x for x in ref if x.intent]
        c = [x for x in cur if x.intent]
        if len(r) < MIN_ROWS or len(c) < MIN_ROWS:
            return _skipped(
                name,
                f"too few conversations with an intent (reference {len(r)}, current {len(c)}).",
                len(r),
                len(c),
            )
        return spec(
            [x.intent for x in r],
            [x.intent for x in c],
            current_texts=[x.text for x in c],
            config=config,
        )
    if name == "confidence":
        r = [x for x in ref if x.confidence is not None]
        c = [x for x in cur if x.confidence is not None]
        if len(r) < MIN_ROWS or len(c) < MIN_ROWS:
            return _skipped(
                name,
                f"too few conversations with a confidence (reference {len(r)}, current {len(c)}).",
                len(r),
                len(c),
            )
        return spec(
            [x.confidence for x in r],
            [x.confidence for x in c],
            current_texts=[x.text for x in c],
            current_ids=[x.id for x in c],
            config=config,
        )
    if name in ("language", "failure_clusters"):
        failed = name == "failure_clusters"
        r_t = [x.text for x in ref if x.text and (x.failed or not failed)]
        c_t = [x.text for x in cur if x.text and (x.failed or not failed)]
        what = "failed conversations" if failed else "customer messages"
        if len(r_t) < MIN_ROWS or len(c_t) < MIN_ROWS:
            return _skipped(
                name,
                f"too few {what} (reference {len(r_t)}, current {len(c_t)}).",
                len(r_t),
                len(c_t),
            )
        return spec(r_t, c_t, config=config)
    if name == "concept":
        r_a = inputs.cited_answers(load.conn, load.store_id, *load.span("reference"))
        c_a = inputs.cited_answers(load.conn, load.store_id, *load.span("current"))
        if not c_a:
            return _skipped(
                name,
                "no answers with recorded knowledge sources in the current window.",
                len(r_a),
                0,
            )
        items = sorted({item for a in (*r_a, *c_a) for item, _ in a.citations})
        versions = inputs.knowledge_versions(load.conn, load.store_id, items)
        return spec(r_a or None, c_a, versions=versions, now=now, config=config)
    if name == "retrieval_pollution":
        r_r = inputs.retrievals(
            load.conn, load.store_id, *load.span("reference"), max_rows=load.max_rows
        )
        c_r = inputs.retrievals(
            load.conn, load.store_id, *load.span("current"), max_rows=load.max_rows
        )
        if not c_r:
            return _skipped(
                name, "no knowledge-base retrievals logged in the current window.", len(r_r), 0
            )
        return spec(r_r or None, c_r, config=config)
    raise ConfigError(
        f"Drift detector {name!r} has no store inputs.",
        hint=f"From the store, use: {', '.join(STORE_DETECTORS)}.",
    )


def run_drift(
    conn: sa.Connection,
    store_id: int,
    *,
    detectors: Sequence[str] | None = None,
    window: timedelta = timedelta(days=7),
    reference: timedelta = timedelta(days=28),
    now: datetime | None = None,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    max_rows: int = inputs.MAX_ROWS,
) -> list[DriftResult]:
    """Run the store detectors (all by default) and upsert their findings.

    ``config`` maps a detector name to threshold overrides (on top of :data:`STORE_DEFAULTS`).

    >>> [r.detector for r in run_drift(conn, store.id) if r.drifted]  # doctest: +SKIP
    ['intent_mix']
    """
    names = list(dict.fromkeys(detectors or STORE_DETECTORS))
    for name in names:
        get_detector(name)  # unknown names fail before any work
        if name not in STORE_DETECTORS:
            raise ConfigError(
                f"Drift detector {name!r} has no store inputs.",
                hint=f"From the store, use: {', '.join(STORE_DETECTORS)}.",
            )
    w = windows(now, window, reference)
    load = _Loader(conn, store_id, w, max_rows)
    results = []
    for name in names:
        overrides = {**STORE_DEFAULTS.get(name, {}), **dict((config or {}).get(name, {}))}
        cfg = get_detector(name).make_config(overrides)
        try:
            results.append(_run_one(name, load, cfg, w.end))
        except ValueError as exc:  # a detector's own "not enough data" check
            results.append(_skipped(name, str(exc), 0, 0))
    save_findings(conn, store_id, w, results)
    return results


def save_findings(
    conn: sa.Connection, store_id: int, w: Windows, results: Sequence[DriftResult]
) -> None:
    if not results:
        return
    now = utcnow()
    rows = []
    for r in results:
        effect = [s for s in r.statistics if s.role == "effect" and s.threshold is not None]
        top = max(effect, key=lambda s: s.value / s.threshold if s.threshold else 0.0, default=None)
        rows.append(
            {
                "store_id": store_id,
                "detector": r.detector,
                "window_start": w.start,
                "window_end": w.end,
                "reference_start": w.reference_start,
                "reference_end": w.reference_end,
                "drifted": r.drifted,
                "score": top.value if top else None,
                "threshold": top.threshold if top else None,
                "summary": r.summary,
                "details": r.model_dump(mode="json"),
                "computed_at": now,
            }
        )
    stmt = insert_for(conn, drift_findings)
    keep = (
        "reference_start",
        "reference_end",
        "drifted",
        "score",
        "threshold",
        "summary",
        "details",
        "computed_at",
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["store_id", "detector", "window_start", "window_end"],
        set_={k: stmt.excluded[k] for k in keep},
    )
    conn.execute(stmt, rows)


def list_findings(
    conn: sa.Connection,
    store_id: int,
    *,
    detector: str | None = None,
    drifted: bool | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Stored findings, newest window first, as JSON-ready dicts (``result`` = DriftResult)."""
    f = drift_findings.c
    q = sa.select(drift_findings).where(f.store_id == store_id)
    if detector:
        q = q.where(f.detector == detector)
    if drifted is not None:
        q = q.where(f.drifted.is_(drifted))
    rows = conn.execute(q.order_by(f.window_end.desc(), f.detector).limit(limit)).mappings()

    def iso(v: datetime | None) -> str | None:
        return v.isoformat() + "Z" if v else None

    return [
        {
            "detector": r["detector"],
            "window_start": iso(r["window_start"]),
            "window_end": iso(r["window_end"]),
            "reference_start": iso(r["reference_start"]),
            "reference_end": iso(r["reference_end"]),
            "drifted": r["drifted"],
            "severity": r["details"].get("severity"),
            "score": r["score"],
            "threshold": r["threshold"],
            "summary": r["summary"],
            "computed_at": iso(r["computed_at"]),
            "result": r["details"],
        }
        for r in rows
    ]
