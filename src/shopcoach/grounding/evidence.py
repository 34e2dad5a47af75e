"""Verified data a draft answer is checked against: products, policies, orders (plain data).

The agent fills an :class:`Evidence` from what it retrieved (current knowledge-base versions,
order-tool results); conversation scoring fills it from what was current when the answer was
sent. ``lookup`` optionally resolves a product name against the whole catalog, for products the
answer names that were not among the retrieved ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from shopcoach.grounding.facts import Duration, Money, amounts, durations

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
STOPWORDS = frozenset(
    "a an and the of for with in on to by from or is are it its this that your our my you we "
    "new set pack size sizes inch in. x".split()
)


@lru_cache(maxsize=65536)
def name_tokens(text: str) -> frozenset[str]:
    """Lower-case content tokens of a product name or sentence (for mention matching)."""
    return frozenset(t for t in _TOKEN_RE.findall(text.lower()) if t not in STOPWORDS)


@dataclass(frozen=True)
class ProductFact:
    """A product as the catalog knows it now."""

    key: str
    name: str
    price: float | None = None
    currency: str = "USD"
    in_stock: bool | None = None
    sizes: tuple[str, ...] = ()
    brand: str | None = None
    version: str | None = None  # knowledge-base version id, for R-KB-4 traces

    @property
    def tokens(self) -> frozenset[str]:
        return name_tokens(self.name)


@dataclass(frozen=True)
class PolicyFact:
    """One checkable statement of a policy article: a window (duration) or an amount."""

    source: str  # article key (and version) the fact comes from
    duration: Duration | None = None
    money: Money | None = None
    # From a source of truth (the store's policy system, an article marked ``authoritative:
    # true``): when any fact of a subject is authoritative, only those support a claim.
    authoritative: bool = False

    @property
    def subject(self) -> str | None:
        return (
            self.duration.subject if self.duration else self.money.subject if self.money else None
        )


@dataclass(frozen=True)
class OrderFact:
    """An order as the order tool reported it."""

    order_id: str
    status: str | None = None
    total: float | None = None
    item_prices: tuple[float, ...] = ()
    eta: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None


@dataclass
class Evidence:
    products: Sequence[ProductFact] = ()
    policies: Sequence[PolicyFact] = ()
    orders: Sequence[OrderFact] = ()
    lookup: Callable[[str], ProductFact | None] | None = None
    today: date | None = None
    extra_names: Sequence[str] = field(default_factory=tuple)  # brands, store name, carriers
    # Texts of the knowledge the answer drew on (the agent's retrieved articles): a date
    # claim quoted from one of them ("order by December 17") is what the store says.
    passages: Sequence[str] = field(default_factory=tuple)

    def policy_durations(self, subject: str | None) -> list[PolicyFact]:
        """The duration facts of ``subject`` a claim is checked against: the authoritative
        ones when there are any (the policy system outranks a help article), else all."""
        return _precedence([f for f in self.policies
                            if f.duration is not None and f.duration.subject == subject])

    def policy_amounts(self, subject: str | None) -> list[PolicyFact]:
        """The amount facts of ``subject``, authoritative ones first as for durations."""
        return _precedence([f for f in self.policies
                            if f.money is not None and f.money.subject == subject])


def _precedence(facts: list[PolicyFact]) -> list[PolicyFact]:
    ruling = [f for f in facts if f.authoritative]
    return ruling or facts


def policy_facts(source: str, text: str, authoritative: bool = False) -> list[PolicyFact]:
    """The windows and amounts a policy article states, each tagged with its source (and
    whether that source is authoritative, see :class:`PolicyFact`)."""
    return list(_policy_facts(source, text, authoritative))


@lru_cache(maxsize=4096)
def _policy_facts(source: str, text: str, authoritative: bool) -> tuple[PolicyFact, ...]:
    # Cached: the same article versions back many answers (~10 ms for a 5 kB article).
    facts = [PolicyFact(source, duration=d, authoritative=authoritative)
             for d in durations(text) if d.subject]  # fmt: skip
    facts += [PolicyFact(source, money=m, authoritative=authoritative) for m in amounts(text)]
    return tuple(facts)
