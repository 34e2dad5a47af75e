"""Retrieval pollution: how many retrievals hit stale, expired or out-of-season content?

Each :class:`Retrieval` is one retrieved item with its validity window, last review date,
archived flag and optional season (months in which it applies, e.g. ``(11, 1)`` for a
November–January holiday policy; windows may wrap the year end), and the date it was
retrieved. A retrieval is polluted when, at that date, the item was archived, outside
``valid_from``/``valid_to`` (``expired``), out of its season, or not reviewed within
``max_review_age_days`` (``stale``). The effect is the polluted share of current retrievals;
given a reference window it must also have grown by ``min_increase``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, severity_of, stat

REASONS = ("archived", "expired", "out_of_season", "stale")


@dataclass(frozen=True)
class Retrieval:
    item_id: str
    retrieved_at: datetime
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    reviewed_at: datetime | None = None
    archived: bool = False
    season: tuple[int, int] | None = None
    """First and last month (1–12, inclusive) in which the item applies."""
    query: str = ""


@dataclass(frozen=True)
class RetrievalPollutionConfig:
    polluted_share_threshold: float = 0.1
    min_increase: float = 0.05
    max_review_age_days: int = 365
    top_k: int = 5
    max_examples: int = 5


def in_season(month: int, season: tuple[int, int]) -> bool:
    start, end = season
    return start <= month <= end if start <= end else (month >= start or month <= end)


def pollution_reasons(r: Retrieval, max_review_age: timedelta) -> list[str]:
    """Why this retrieval is polluted (empty list: it is clean)."""
    at = r.retrieved_at
    reasons = []
    if r.archived:
        reasons.append("archived")
    if (r.valid_to is not None and at > r.valid_to) or (
        r.valid_from is not None and at < r.valid_from
    ):
        reasons.append("expired")
    if r.season is not None and not in_season(at.month, r.season):
        reasons.append("out_of_season")
    if r.reviewed_at is not None and at - r.reviewed_at > max_review_age:
        reasons.append("stale")
    return reasons


def _scan(items: Sequence[Retrieval], age: timedelta) -> tuple[list[list[str]], Counter[str]]:
    reasons = [pollution_reasons(r, age) for r in items]
    counts: Counter[str] = Counter(x for rs in reasons for x in rs)
    return reasons, counts


@register_detector(
    "retrieval_pollution", RetrievalPollutionConfig,
    "Share of retrievals hitting stale, expired, archived or out-of-season content.",
)
def detect_retrieval_pollution(
    reference: Sequence[Retrieval] | None,
    current: Sequence[Retrieval],
    *,
    config: RetrievalPollutionConfig,
) -> DriftResult:
    if not current:
        raise ValueError("retrieval_pollution: the current window has no retrievals.")
    age = timedelta(days=config.max_review_age_days)
    cur_reasons, cur_counts = _scan(current, age)
    n = len(current)
    polluted = [i for i, rs in enumerate(cur_reasons) if rs]
    share = len(polluted) / n
    statistics = [stat("polluted_share", share, config.polluted_share_threshold)]
    statistics += [stat(f"{k}_share", cur_counts[k] / n, None, role="info") for k in REASONS]
    drifted = statistics[0].fired
    ref_share: float | None = None
    ref_counts: Counter[str] = Counter()
    ref_n = 0
    if reference:
        ref_reasons, ref_counts = _scan(reference, age)
        ref_n = len(reference)
        ref_share = sum(1 for rs in ref_reasons if rs) / ref_n
        inc = stat("polluted_share_increase", share - ref_share, config.min_increase,
                   role="guard")
        statistics.append(inc)
        drifted = drifted and inc.fired
    moved = [
        Movement(
            item=reason, before=ref_counts[reason] / ref_n if ref_n else None,
            after=cur_counts[reason] / n,
            change=(cur_counts[reason] / n - ref_counts[reason] / ref_n) if ref_n else None,
            unit="share of retrievals", drifted=drifted and cur_counts[reason] > 0,
        )
        for reason in sorted(REASONS, key=lambda k: -cur_counts[k])
    ]
    item_counts: Counter[str] = Counter(current[i].item_id for i in polluted)
    for item_id, count in item_counts.most_common(config.top_k):
        why = sorted({x for i in polluted if current[i].item_id == item_id for x in cur_reasons[i]})
        moved.append(Movement(item=f"item: {item_id}", after=count / n, unit="share of retrievals",
                              drifted=drifted, detail=", ".join(why)))
    examples = [
        Example(
            id=current[i].item_id,
            text=current[i].query or f"retrieval of {current[i].item_id}",
            reason=f"{current[i].item_id} retrieved {current[i].retrieved_at:%Y-%m-%d}: "
            + ", ".join(cur_reasons[i]),
        )
        for i in polluted[: config.max_examples]
    ] if drifted else []
    was = f" (was {ref_share:.1%})" if ref_share is not None else ""
    top = ", ".join(f"{k} {cur_counts[k] / n:.1%}" for k in REASONS if cur_counts[k])
    summary = (
        f"{share:.1%} of retrievals hit polluted content{was}: {top}."
        if drifted
        else f"Retrieval pollution {share:.1%}{was}: within threshold."
    )
    return DriftResult(
        detector="retrieval_pollution", drifted=drifted,
        severity=severity_of(statistics, drifted), statistics=statistics, moved=moved,
        examples=examples, summary=summary, n_reference=ref_n, n_current=n,
        config=dataclasses.asdict(config),
    )
