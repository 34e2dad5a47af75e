"""``run_demo``: the sample store, its customers and N weeks of the loop closing (issue 7).

Every week, in simulated time (week 1 starts Monday 2026-10-12, ``policy.SCENARIO_START``):

1. the store's operations inject what the scenario schedules for that week: only the
   *policy system* record of a policy change (``policy-system/returns``, an article marked
   ``authoritative: true``; the help articles keep the old figure) — the new product line
   and the holiday season change the world (``World``), not the knowledge base;
2. the reference agent of the current version (``build_agent``) serves the week's
   customers (``Simulator`` through ``AgentResponder``); every turn is saved as a trace
   dated in simulated time, and conversations and signals go in through the capture writer;
3. at the end of the week the loop runs as a store would run it: scoring, metrics, the
   alert check, drift (the last 7 days against the 28 before) and the weekly pack;
4. the simulated coach (``demo/coach.py``) applies the pack's top recommendations through
   the public APIs: new agent versions for threshold changes, knowledge-base imports for
   knowledge fixes.

Nothing here reads the wall clock into a figure: traces, alerts, drift windows, knowledge
versions and packs carry the simulated time, so the same seed gives the same table. The
headline (``demo/headline.py``) compares what the loop raised with the simulator's truth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shopcoach.agent.dials import create_version
from shopcoach.agent.factory import build_agent
from shopcoach.agent.runtime import AgentTurn
from shopcoach.agent.traces import save_turns
from shopcoach.alerts.records import check_alerts
from shopcoach.capture.writer import ingest_conversations, ingest_signals
from shopcoach.demo.changes import Change, scenario_changes
from shopcoach.demo.coach import Applied, Coach
from shopcoach.demo.headline import Headline, WeekTruth, headline, week_truth
from shopcoach.demo.load import import_demo_store
from shopcoach.demo.policy import SCENARIO_START, week_start
from shopcoach.demo.responders import AgentResponder
from shopcoach.demo.simulator import ConversationTruth, Simulator, WeekTraffic
from shopcoach.demo.world import World
from shopcoach.drift.result import DriftResult
from shopcoach.drift.store import STORE_DETECTORS, run_drift
from shopcoach.errors import ValidationFailed
from shopcoach.kb.api import import_kb
from shopcoach.metrics.series import metric_series
from shopcoach.review.pack import WeeklyPack
from shopcoach.review.pack_load import build_weekly_pack
from shopcoach.review.pack_render import html, markdown
from shopcoach.scoring.run import score_conversations
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import alerts as alerts_table
from shopcoach.store.tables import conversations
from shopcoach.stores import Store, ensure_store

log = logging.getLogger(__name__)

ACTOR = "shopcoach-demo"
FIRST_VERSION = "v1"
DEFAULT_PER_WEEK = 400
Progress = Callable[[int, int, str], None]  # (week, weeks, stage)

POLICY_SYSTEM = """---
key: policy-system/{subject}
title: Policy system - {subject}
category: Policy system
authoritative: true
---
# Policy system: {subject}

Return window: {days} days from delivery, effective {since:%B} {since.day}, {since.year}.
This record is exported from the store's policy system, the source of truth for policies.
"""


@dataclass
class WeekRow:
    """One line of the demo's table (rates are shares 0..1; None: nothing to measure)."""

    week: int
    iso_week: str
    start: date
    conversations: int
    automation_rate: float | None
    accuracy: float | None  # mean accuracy score (0..100) of the week's scored conversations
    csat: float | None
    escalation_rate: float | None
    alerts: list[str] = field(default_factory=list)  # titles of alerts opened by this week's check
    drift: list[str] = field(default_factory=list)  # detectors that fired
    injected: list[str] = field(default_factory=list)  # scenario changes starting this week
    changes: list[Applied] = field(default_factory=list)  # what the coach applied after it
    agent_version: str = FIRST_VERSION
    truth: WeekTruth | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("changes", "truth", "start")}
        out["start"] = self.start.isoformat()
        out["changes"] = [c.to_dict() for c in self.changes]
        out["truth"] = self.truth.to_dict() if self.truth else None
        return out


@dataclass
class DemoResult:
    store: str
    seed: int
    weeks: int
    per_week: int
    rows: list[WeekRow]
    headline: list[Headline]
    pack_files: list[Path]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"store": self.store, "seed": self.seed, "weeks": self.weeks,
                "per_week": self.per_week, "rows": [r.to_dict() for r in self.rows],
                "headline": [h.to_dict() for h in self.headline],
                "pack_files": [str(p) for p in self.pack_files], "notes": self.notes}  # fmt: skip


def at(day: date, hour: int = 0) -> datetime:
    """Naive UTC midnight (or ``hour``) of a simulated day, as the store's tables keep time."""
    return datetime.combine(day, time(hour))


def shifted(changes: Sequence[Change], weeks: Mapping[str, int]) -> tuple[Change, ...]:
    """The scenario's changes with some moved to other weeks (short runs). Seasonal changes
    carry dated articles and cannot move."""
    out = []
    for c in changes:
        if c.key in weeks and weeks[c.key] != c.week:
            if c.kind == "seasonal":
                raise ValueError(f"the seasonal change {c.key!r} cannot move to another week")
            c = replace(c, week=weeks[c.key])
        out.append(c)
    return tuple(out)


def redate(turns: Sequence[AgentTurn], traffic: WeekTraffic) -> list[AgentTurn]:
    """Give each trace the simulated time of the AI message it produced (the simulator
    records one AI message per agent turn, in order)."""
    sent: dict[str, list[str]] = {}
    for conv in traffic.conversations:
        sent[conv["external_id"]] = [m["sent_at"] for m in conv["messages"] if m["role"] == "ai"]
    seen: dict[str, int] = {}
    out = []
    for turn in turns:
        i = seen.get(turn.conversation_id, 0)
        seen[turn.conversation_id] = i + 1
        stamps = sent.get(turn.conversation_id) or []
        if i < len(stamps):
            when = datetime.fromisoformat(stamps[i].replace("Z", "+00:00")).replace(tzinfo=None)
            turn.created_at = when
        out.append(turn)
    return out


def _policy_record(folder: Path, change: Change) -> Path:
    """The policy system's record of a policy change, as the ops team exports it."""
    subject = "returns" if "return_days" in change.policy else change.key
    path = folder / "policy-system" / f"{subject}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    days = int(change.policy.get("return_days", 0))
    text = POLICY_SYSTEM.format(subject=subject, days=days, since=change.starts)
    path.write_text(text, encoding="utf-8")
    return path


def run_demo(
    db: Database,
    settings: Settings,
    *,
    weeks: int = 12,
    seed: int = 7,
    per_week: int = DEFAULT_PER_WEEK,
    store: str = "default",
    out: Path | None = None,
    change_weeks: Mapping[str, int] | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Run the scenario (see the module docstring) and return its table and headline; the
    final weekly pack is written to ``out`` (default: ``<home>/demo``) as Markdown and HTML."""
    say = progress or (lambda week, total, stage: None)
    folder = Path(out) if out is not None else Path(settings.home) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    changes = shifted(scenario_changes(seed), change_weeks or {})
    world = World.load(seed=seed, changes=changes)
    sim = Simulator(world, seed=seed)
    notes: list[str] = []
    with db.begin() as conn:
        target, _ = ensure_store(conn, store, "Juniper & Pine", actor=ACTOR)
        used = conn.scalar(sa.select(sa.func.count()).select_from(conversations)
                           .where(conversations.c.store_id == target.id))  # fmt: skip
    if used:
        raise ValidationFailed(
            f"Store {target.slug!r} already has {used} conversations; the demo needs an empty "
            "store.",
            hint="Run it on a fresh data folder (--home DIR) or another store (--store demo2).",
        )
    say(0, weeks, "importing the sample store")
    import_demo_store(db, target.slug, now=at(SCENARIO_START) - timedelta(days=1))
    with db.begin() as conn:
        create_version(conn, target.id, FIRST_VERSION, actor=ACTOR)
    coach = Coach(db, target, folder / "coach", changes, world.policy_at)
    version = FIRST_VERSION
    truth: dict[str, ConversationTruth] = {}
    rows: list[WeekRow] = []
    pack: WeeklyPack | None = None
    embedder, gaps = _gap_embedder(settings, notes)
    lean_drift: set[str] = set()
    for week in range(1, weeks + 1):
        start = week_start(week)
        end = at(start + timedelta(days=7))
        injected = [c for c in changes if c.week == week]
        for c in injected:
            if c.kind == "policy":  # the ops team updates the policy system, not the articles
                import_kb(db, _policy_record(folder / "ops", c), kind="article",
                          store=target.slug, now=at(start))  # fmt: skip
        say(week, weeks, f"customers talking to agent {version}")
        traffic = _serve(db, settings, target, sim, week, per_week, version)
        truth.update((t.conversation_id, t) for t in traffic.truth)
        say(week, weeks, "scoring")
        score_conversations(db, target.id, settings=settings)
        say(week, weeks, "alerts, drift and the weekly pack")
        with db.begin() as conn:
            checked = check_alerts(conn, target.id, now=end, actor=ACTOR)
            opened = _alert_rows(conn, checked.opened)
            drift = _drift(conn, target.id, end, notes, lean_drift)
        with db.connect() as conn:
            pack = build_weekly_pack(conn, target, start, embedder=embedder, gaps=gaps)
        notes.extend(n for n in pack.notes if n not in notes)
        row = _row(db, target, week, start, traffic, pack)
        row.alerts = [a["title"] for a in opened]
        row.drift = [r.detector for r in drift if r.drifted]
        row.injected = [c.key for c in injected]
        row.agent_version = version
        row.truth = week_truth(traffic.truth)
        say(week, weeks, "the coach applies the pack")
        applied = coach.apply(pack, truth, version, now=end)
        row.changes = applied
        coach.record_raised(week, end, pack, opened, drift)
        version = next((a.version for a in reversed(applied) if a.version), version)
        rows.append(row)
    files: list[Path] = []
    if pack is not None:
        data = pack.to_dict()
        for ext, render in (("md", markdown), ("html", html)):
            path = folder / f"weekly-pack-{pack.week}.{ext}"
            path.write_text(render(data), encoding="utf-8")
            files.append(path)
    lines = headline(changes, rows, coach.raised, truth, weeks)
    return DemoResult(target.slug, seed, weeks, per_week, rows, lines, files, notes)


def _serve(db: Database, settings: Settings, store: Store, sim: Simulator, week: int,
           n: int, version: str) -> WeekTraffic:  # fmt: skip
    agent = build_agent(db, settings, store, version=version, today=week_start(week))
    turns: list[AgentTurn] = []
    traffic = sim.week(week, n, AgentResponder(agent, on_turn=turns.append))
    with db.begin() as conn:
        save_turns(conn, store.id, redate(turns, traffic))
        ingest_conversations(conn, store, list(enumerate(traffic.conversations)))
        ingest_signals(conn, store, list(enumerate(traffic.signals)))
    return traffic


def _gap_embedder(settings: Settings, notes: list[str]) -> tuple[Any, bool]:
    """The gap-mining embedder (``embedder = "none"``: LSA; ``auto``: gap mining's default,
    MiniLM if installed else LSA) and whether gaps can be mined at all: clustering needs
    scikit-learn, which a lean install lacks (then the pack goes without its gap section,
    said once in ``notes``)."""
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        notes.append(
            "lean install: knowledge gaps are not mined (they need scikit-learn: "
            "pip install 'shopcoach[intents]'); the pack has no add-article advice"
        )
        return None, False  # fmt: skip
    if settings.embedder == "none":  # no embeddings model: the TF-IDF + LSA fallback
        return "lsa", True
    return (None if settings.embedder == "auto" else settings.embedder), True


def _drift(conn: sa.Connection, store_id: int, now: datetime, notes: list[str],
           skip: set[str]) -> list[DriftResult]:  # fmt: skip
    """All store drift detectors; on a lean install (no scikit-learn) the detectors that need
    it are skipped (``skip`` remembers them across weeks) and the rest still run, said once
    in ``notes``."""
    if not skip:
        try:
            with conn.begin_nested():
                return run_drift(conn, store_id, now=now)
        except ImportError:
            pass
    out: list[DriftResult] = []
    for name in STORE_DETECTORS:
        if name in skip:
            continue
        try:
            with conn.begin_nested():
                out += run_drift(conn, store_id, detectors=[name], now=now)
        except ImportError:
            skip.add(name)
    note = (f"lean install: drift detectors {', '.join(sorted(skip))} need scikit-learn "
            "(pip install 'shopcoach[intents]'); the others ran")  # fmt: skip
    if skip and note not in notes:
        notes.append(note)
    return out


def _alert_rows(conn: sa.Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    a = alerts_table
    rows = conn.execute(sa.select(a.c.id, a.c.title, a.c.rule, a.c.details)
                        .where(a.c.id.in_(list(ids))).order_by(a.c.id))  # fmt: skip
    return [dict(r._mapping) for r in rows]


def _row(db: Database, store: Store, week: int, start: date, traffic: WeekTraffic,
         pack: WeeklyPack) -> WeekRow:  # fmt: skip
    with db.connect() as conn:
        series = metric_series(conn, store.id, grain="week", since=at(start),
                               until=at(start + timedelta(days=7)))  # fmt: skip
    point = next(iter(series.for_segment(None)), None)
    return WeekRow(
        week=week, iso_week=pack.week, start=start, conversations=len(traffic.conversations),
        automation_rate=point.automated_resolution_rate if point else None,
        accuracy=point.score_accuracy if point else None,
        csat=point.csat_ai if point else None,
        escalation_rate=point.escalation_rate if point else None,
    )  # fmt: skip
