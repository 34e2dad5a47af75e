"""The simulated coach: applies the weekly pack's top recommendations, as a person would.

Rules (docs/demo.md):

* it acts only on what the pack recommends, at most :data:`TOP` actionable recommendations
  a week (``diagnose_alert`` is not a change), in the pack's order; it never reads the
  scenario's schedule;
* ``tighten_threshold`` / ``loosen_threshold``: ``review.dials_store.apply_for`` with the
  proposed threshold, as a new agent version (``v2``, ``v3`` …) that serves from next week;
* ``fix_knowledge`` / ``add_article``: the coach opens the recommendation's example
  conversations and sees what they were about — here, the simulator's hidden truth says
  which scenario change they touched — and writes that change's content (``change.write``),
  then imports it with ``kb.api.import_kb`` (and the stock file with the order importer),
  dated at the end of the week. Examples that touch no change, or a change already written,
  give the coach nothing to write: the recommendation is skipped and the reason kept. At
  least half of the examples must be about the same change (a topic of greetings that a
  few trail-running customers opened with is not a trail-running topic).

:attr:`Coach.raised` also records everything the loop raised each week (alerts, drift
findings, pack recommendations, each with its evidence conversations) for the headline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shopcoach.demo.changes import Change
from shopcoach.demo.simulator import ConversationTruth
from shopcoach.drift.result import DriftResult
from shopcoach.errors import ShopcoachError
from shopcoach.kb.api import import_kb
from shopcoach.orders.importer import import_orders_file
from shopcoach.review.dials_store import apply_for
from shopcoach.review.pack import PackRecommendation, WeeklyPack
from shopcoach.store.engine import Database
from shopcoach.stores import Store

TOP = 3
ACTIONABLE = ("fix_knowledge", "add_article", "tighten_threshold", "loosen_threshold")
ACTOR = "demo-coach"


@dataclass
class Applied:
    """One change the coach made (or skipped), and the recommendation that triggered it."""

    kind: str  # kb_import | new_version | skipped
    what: str
    trigger: str  # the recommendation's kind
    title: str  # the recommendation's title
    version: str | None = None  # the new agent version
    change: str | None = None  # the scenario change the fix answers (from the examples)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Raised:
    """Something the loop raised at the end of a week, with its evidence conversations."""

    week: int
    at: datetime
    source: str  # alert | drift | pack
    what: str
    conversation_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


class Coach:
    def __init__(self, db: Database, store: Store, folder: Path, changes: Sequence[Change]):
        self.db = db
        self.store = store
        self.folder = folder
        self.changes = {c.key: c for c in changes}
        self.written: set[str] = set()
        self.versions = 1
        self.raised: list[Raised] = []

    def apply(self, pack: WeeklyPack, truth: Mapping[str, ConversationTruth], version: str,
              *, now: datetime) -> list[Applied]:  # fmt: skip
        """Apply the pack's top actionable recommendations (see the module docstring)."""
        done: list[Applied] = []
        recs = [r for r in pack.recommendations if r.kind in ACTIONABLE][:TOP]
        for rec in recs:
            if rec.kind.endswith("_threshold"):
                done.append(self._dial(rec, version))
                version = done[-1].version or version
            else:
                done.append(self._knowledge(rec, truth, now))
        return done

    def _dial(self, rec: PackRecommendation, version: str) -> Applied:
        intent = str(rec.evidence.get("intent"))
        proposed = rec.evidence.get("proposed")
        label = f"v{self.versions + 1}"
        try:
            with self.db.begin() as conn:
                apply_for(conn, self.store.id, intent, actor=ACTOR,
                          threshold=float(proposed) if proposed is not None else None,
                          from_version=version, as_version=label)  # fmt: skip
        except ShopcoachError as exc:
            return Applied("skipped", f"{intent}: {exc}", rec.kind, rec.title)
        self.versions += 1
        what = f"{intent} threshold → {float(proposed or 0):.2f} ({label})"
        return Applied("new_version", what, rec.kind, rec.title, version=label)

    def _knowledge(self, rec: PackRecommendation, truth: Mapping[str, ConversationTruth],
                   now: datetime) -> Applied:  # fmt: skip
        ids = [str(i) for i in rec.evidence.get("conversation_ids") or []]
        touched = Counter(truth[i].change for i in ids if i in truth and truth[i].change)
        key, count = touched.most_common(1)[0] if touched else (None, 0)
        if key is None or count * 2 < len(ids):  # most examples must be about one change
            return Applied("skipped", "the examples show nothing the coach can write",
                           rec.kind, rec.title)  # fmt: skip
        if key in self.written:
            return Applied("skipped", f"{key} already written; waiting for it to show",
                           rec.kind, rec.title, change=key)  # fmt: skip
        change = self.changes[key]
        parts = change.write(self.folder / key)
        self.written.add(key)
        what = []
        if "articles" in parts:
            r = import_kb(self.db, parts["articles"], kind="article", store=self.store.slug,
                          now=now)  # fmt: skip
            what.append(f"{r.created + r.updated} article(s)")
        if "products" in parts:
            r = import_kb(self.db, parts["products"], kind="product", store=self.store.slug,
                          now=now)  # fmt: skip
            what.append(f"{r.created + r.updated} product(s)")
        if "inventory" in parts:
            import_orders_file(self.db, parts["inventory"], "inventory", self.store.slug)
        return Applied("kb_import", f"{key}: imported {', '.join(what)}", rec.kind, rec.title,
                       change=key)  # fmt: skip

    def record_raised(self, week: int, at: datetime, pack: WeeklyPack,
                      alerts: Sequence[Mapping[str, Any]],
                      drift: Sequence[DriftResult]) -> None:  # fmt: skip
        for a in alerts:
            examples = (a.get("details") or {}).get("examples") or []
            ids = [str(e.get("conversation")) for e in examples if isinstance(e, dict)]
            self.raised.append(Raised(week, at, "alert", str(a.get("title")), ids))
        for d in drift:
            if d.drifted:
                ids = [e.id for e in d.examples if e.id]
                self.raised.append(Raised(week, at, "drift", f"{d.detector}: {d.summary}", ids))
        for r in pack.recommendations:
            ids = [str(i) for i in r.evidence.get("conversation_ids") or []]
            self.raised.append(Raised(week, at, "pack", f"{r.kind}: {r.title}", ids))
