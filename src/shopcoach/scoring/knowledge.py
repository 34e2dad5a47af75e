"""The knowledge valid at a past moment: catalog and article versions, as grounding evidence.

A stored conversation is judged against what the store knew when it happened, not now
(R-SCO-3). A version of an item is valid at time ``t`` when it was created at or before
``t`` and not superseded by then (``created_at <= t < superseded_at``), the item was not
archived by then, and ``t``'s date lies inside its ``valid_from``/``valid_to`` window. When no
version of an item existed yet at ``t`` (a catalog imported after the conversations it should
judge), its first version stands in: the oldest knowledge on record — except for an
authoritative item (the policy system's record, docs/kb.md), which is true from when it was
recorded.

All versions of a store are loaded once per run; the set valid at ``t`` only changes at a
version boundary, so :class:`Knowledge` caches one :class:`Epoch` (products, a name index,
policy facts) per interval between boundaries.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.grounding import PolicyFact, ProductFact, policy_facts
from shopcoach.grounding.evidence import name_tokens
from shopcoach.store.tables import kb_items, kb_versions

FAR_FUTURE = datetime(9999, 1, 1)


@dataclass(frozen=True)
class _Version:
    kind: str
    key: str
    version_id: int
    first: bool  # the item's first version (stands in before anything existed)
    start: datetime
    end: datetime  # superseded_at, or the item's archived_at, or FAR_FUTURE
    valid_from: date | None
    valid_to: date | None
    title: str
    body: str
    brand: str | None
    price: float | None
    in_stock: bool | None
    sizes: tuple[str, ...]
    authoritative: bool = False  # a source of truth (front matter ``authoritative: true``)

    def valid_at(self, t: datetime) -> bool:
        if t >= self.end:
            return False
        if t < self.start and not self.first:
            return False
        day = t.date()
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


_MEMO_LIMIT = 50_000


@dataclass
class Epoch:
    """What was valid during one interval: products by key, a name index, policy facts."""

    products: dict[str, ProductFact]
    policies: list[PolicyFact]
    digest: str  # of the valid version ids: part of each score's input hash
    # Article key → its text: what an answer citing the article may quote (grounding passages).
    articles: dict[str, str] = field(default_factory=dict)
    _index: dict[str, list[ProductFact]] = field(default_factory=dict)
    # name → lookup result: answers repeat the same product names across a scoring run, and
    # the epoch does not change under it. Cleared when it reaches _MEMO_LIMIT names.
    _memo: dict[str, ProductFact | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, list[ProductFact]] = defaultdict(list)
        for p in self.products.values():
            for t in p.tokens | name_tokens(p.brand or ""):
                index[t].append(p)
        self._index = dict(index)

    def lookup(self, name: str) -> ProductFact | None:
        """The product a name refers to (75% of the name's words in its name or brand),
        found through an inverted index instead of a scan of the catalog; remembered."""
        try:
            return self._memo[name]
        except KeyError:
            pass
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        found = self._memo[name] = self._lookup(name)
        return found

    def _lookup(self, name: str) -> ProductFact | None:
        tokens = name_tokens(name)
        if not tokens:
            return None
        postings = [self._index.get(t, []) for t in tokens]
        need = 0.75 * len(tokens)
        best: tuple[float, ProductFact] | None = None
        seen: set[str] = set()
        for plist in sorted(postings, key=len)[: max(1, len(tokens) - int(need) + 1)]:
            for p in plist:
                if p.key in seen:
                    continue
                seen.add(p.key)
                covered = len(tokens & (p.tokens | name_tokens(p.brand or "")))
                if covered >= need and (best is None or covered > best[0]):
                    best = (covered, p)
        return best[1] if best else None


def _sizes(attributes: Any) -> tuple[str, ...]:
    raw = (attributes or {}).get("sizes") or (attributes or {}).get("size") or ""
    if isinstance(raw, list):
        return tuple(str(s).strip() for s in raw if str(s).strip())
    return tuple(s.strip() for s in str(raw).split(",") if s.strip())


def _authoritative(row: Any) -> bool:
    return row.kind == "article" and bool((row.metadata or {}).get("authoritative"))


class Knowledge:
    """Every product and article version of a store, answerable as of any moment."""

    def __init__(self, versions: Sequence[_Version]) -> None:
        self.versions = list(versions)
        bounds: set[datetime] = set()
        for v in self.versions:
            bounds.update((v.start, v.end))
            if v.valid_from:
                bounds.add(datetime.combine(v.valid_from, time()))
            if v.valid_to:
                bounds.add(datetime.combine(v.valid_to + timedelta(days=1), time()))
        self.bounds = sorted(b for b in bounds if b < FAR_FUTURE)
        self._epochs: dict[int, Epoch] = {}

    @classmethod
    def load(cls, conn: sa.Connection, store_id: int) -> Knowledge:
        v, i = kb_versions, kb_items
        rows = conn.execute(
            sa.select(
                i.c.kind,
                i.c.key,
                i.c.archived_at,
                v.c.id,
                v.c.version_no,
                v.c.created_at,
                v.c.superseded_at,
                v.c.valid_from,
                v.c.valid_to,
                v.c.title,
                v.c.body,
                v.c.brand,
                v.c.price,
                v.c.in_stock,
                v.c.attributes,
                v.c.metadata,
            )
            .select_from(i.join(v, v.c.item_id == i.c.id))
            .where(i.c.store_id == store_id)
            .order_by(v.c.id)
        )
        firsts: dict[tuple[str, str], int] = {}
        raw = list(rows)
        for r in raw:
            firsts.setdefault((r.kind, r.key), r.id)
        versions = [
            _Version(
                r.kind,
                r.key,
                r.id,
                # A source of truth is true from when it was recorded: it never stands in
                # for times before it existed (the old policy held then).
                firsts[(r.kind, r.key)] == r.id and not _authoritative(r),
                r.created_at,
                min(r.superseded_at or FAR_FUTURE, r.archived_at or FAR_FUTURE),
                r.valid_from,
                r.valid_to,
                r.title,
                r.body if r.kind == "article" else "",
                r.brand,
                r.price,
                r.in_stock,
                _sizes(r.attributes),
                _authoritative(r),
            )
            for r in raw
        ]
        return cls(versions)

    def epoch_at(self, t: datetime) -> Epoch:
        """The knowledge valid at ``t`` (cached per interval between version boundaries)."""
        n = bisect.bisect_right(self.bounds, t)
        epoch = self._epochs.get(n)
        if epoch is None:
            epoch = self._epochs[n] = self._build(t)
        return epoch

    def _build(self, t: datetime) -> Epoch:
        valid = [v for v in self.versions if v.valid_at(t)]
        products = {
            v.key: ProductFact(
                v.key,
                v.title,
                price=v.price,
                in_stock=v.in_stock,
                sizes=v.sizes,
                brand=v.brand,
                version=str(v.version_id),
            )
            for v in valid
            if v.kind == "product"
        }
        policies = [
            f
            for v in valid
            if v.kind == "article"
            for f in policy_facts(f"{v.key}@{v.version_id}", v.body, v.authoritative)
        ]
        ids = ",".join(str(v.version_id) for v in valid)
        articles = {v.key: v.body for v in valid if v.kind == "article"}
        return Epoch(products, policies, hashlib.sha256(ids.encode()).hexdigest()[:16],
                     articles)  # fmt: skip

    def article_titles(self) -> dict[str, str]:
        """Article key → its newest title (for intent–article agreement)."""
        return {v.key: v.title for v in self.versions if v.kind == "article"}
