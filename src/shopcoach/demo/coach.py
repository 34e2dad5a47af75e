"""The simulated coach: applies the weekly pack's top recommendations, as a person would.

Rules (docs/demo.md):

* it acts only on what the pack recommends, in the pack's order, and makes at most
  :data:`TOP` changes a week; a recommendation it cannot act on (``diagnose_alert``, or
  knowledge it has nothing to write for) is skipped, with the reason kept, and does not
  count. It never reads the scenario's schedule;
* ``tighten_threshold`` / ``loosen_threshold``: ``review.dials_store.apply_for`` with the
  proposed threshold, as a new agent version (``v2``, ``v3`` …) that serves from next week;
* ``fix_knowledge``: the recommendation names the article (or product) to update and the
  verified value; when a scenario change carries a new version of that item, the coach
  writes it (``change.write``) — the content a person would write from the policy system;
* ``add_article`` (and a ``fix_knowledge`` naming no such item): the coach opens the
  example conversations and sees what they were about — here, the simulator's hidden truth
  says which scenario change they touched — and writes that change's content,
  then imports it with ``kb.api.import_kb`` (and the stock file with the order importer),
  dated at the end of the week. Examples that touch no change, or a change already written,
  give the coach nothing to write: the recommendation is skipped and the reason kept. At
  least three examples (all, if fewer) must show the same change (``headline.about``): a
  topic of greetings that one trail-running customer opened with is not about trail running.
* ``add_article`` whose examples are about no change but mostly ask one policy question
  (shipping times, loyalty points…): the coach writes a short FAQ entry answering it from
  the store's policy in force that day (``demo/faq.py``) and imports it, once per question.

:attr:`Coach.raised` also records everything the loop raised each week (alerts, drift
findings, pack recommendations, each with its evidence conversations) for the headline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from shopcoach.demo.articles import Article
from shopcoach.demo.changes import Change
from shopcoach.demo.faq import faq_entry
from shopcoach.demo.headline import about
from shopcoach.demo.policy import Policy
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
    change: str | None = None  # the scenario change whose knowledge it names, if any

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


class Coach:
    def __init__(self, db: Database, store: Store, folder: Path, changes: Sequence[Change],
                 policy_at: Callable[[date], Policy] | None = None) -> None:  # fmt: skip
        self.db = db
        self.policy_at = policy_at
        self.faqs: dict[str, str] = {}  # FAQ entries the coach wrote: key -> intent
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
        for rec in (r for r in pack.recommendations if r.kind in ACTIONABLE):
            if sum(a.kind != "skipped" for a in done) >= TOP:
                break
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
        refreshed = self._refresh_faqs(targets(rec), now)  # FAQ entries the coach wrote
        key = self.change_for(targets(rec), now)  # the knowledge the recommendation names
        if key is None:
            touched = Counter(truth[i].change for i in ids if i in truth and truth[i].change)
            key = next((k for k, _ in touched.most_common() if k and about(ids, k, truth)
                        and self.changes[k].starts < now.date()), None)  # fmt: skip
        if key is None and refreshed:
            return Applied("kb_import", f"rewrote {', '.join(refreshed)}", rec.kind, rec.title)
        if key is None:
            return self._faq(rec, ids, truth, now)
        if key in self.written:
            if refreshed:
                return Applied("kb_import", f"rewrote {', '.join(refreshed)}", rec.kind,
                               rec.title)  # fmt: skip
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
        what += [f"rewrote {k}" for k in refreshed]
        return Applied("kb_import", f"{key}: imported {', '.join(what)}", rec.kind, rec.title,
                       change=key)  # fmt: skip

    def _faq(self, rec: PackRecommendation, ids: list[str],
             truth: Mapping[str, ConversationTruth], now: datetime) -> Applied:  # fmt: skip
        """A gap about one policy question: write its FAQ entry from today's policy."""
        intents = Counter(truth[i].intent for i in ids if i in truth)
        known = sum(intents.values())
        entry = None
        if rec.kind == "add_article" and intents and self.policy_at is not None:
            intent, hits = intents.most_common(1)[0]
            if hits >= max(2, min(3, known)) and intent not in self.faqs.values():
                entry = faq_entry(intent, self.policy_at(now.date()), now.date())
        if entry is None:
            return Applied("skipped", "the examples show nothing the coach can write",
                           rec.kind, rec.title)  # fmt: skip
        self.faqs[entry.key] = intent
        self._write(entry, now)
        return Applied("kb_import", f"FAQ '{entry.title}' ({entry.key})", rec.kind, rec.title)

    def _write(self, entry: Article, now: datetime) -> None:
        path = self.folder / "faq" / f"{entry.key}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nkey: {entry.key}\n" + entry.markdown()[4:], encoding="utf-8")
        import_kb(self.db, path, kind="article", store=self.store.slug, now=now)

    def _refresh_faqs(self, keys: Sequence[str], now: datetime) -> list[str]:
        """Rewrite the coach's own FAQ entries a recommendation names, from today's policy."""
        out = []
        for key in dict.fromkeys(keys):
            intent = self.faqs.get(key)
            if intent is None or self.policy_at is None:
                continue
            entry = faq_entry(intent, self.policy_at(now.date()), now.date())
            if entry is not None:
                self._write(entry, now)
                out.append(key)
        return out

    def change_for(self, keys: Sequence[str], now: datetime) -> str | None:
        """The scenario change, already in force at ``now``, whose content rewrites one of
        these knowledge items (nobody can write a policy that does not exist yet)."""
        for c in self.changes.values():
            if c.starts >= now.date():
                continue
            if set(keys) & ({a.key for a in c.articles} | {p.sku for p in c.products}):
                return c.key
        return None

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
            about_change = self.change_for(targets(r), at)
            self.raised.append(Raised(week, at, "pack", f"{r.kind}: {r.title}", ids,
                                      about_change))  # fmt: skip


def targets(rec: PackRecommendation) -> list[str]:
    """The knowledge items a ``fix_knowledge`` recommendation says to update (its cited
    article chunks and products, as item keys)."""
    if rec.kind != "fix_knowledge":
        return []
    return [str(c).split("#", 1)[0] for c in rec.evidence.get("cited") or []]
