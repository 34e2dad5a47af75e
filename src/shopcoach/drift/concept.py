"""Concept drift: answers that cite knowledge which has since been (or already was) replaced.

Inputs are plain records: every knowledge version the agent could cite
(:class:`KnowledgeVersion`: item, version, when it was superseded, if ever) and the answers with
the versions they cited (:class:`CitedAnswer`). A citation is *stale* when its version had been
superseded before the answer was given, and *outdated* when it has been superseded since (the
answer was right then, the catalog or policy moved on). The effect is the share of current
answers citing at least one stale (or, with ``count_outdated``, outdated) version; with a
reference window it must also have grown by ``min_increase``. ``moved`` lists the items behind
most such answers, ``examples`` the answers themselves.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, severity_of, stat


@dataclass(frozen=True)
class KnowledgeVersion:
    item_id: str
    version: str
    superseded_at: datetime | None = None
    superseded_by: str | None = None


@dataclass(frozen=True)
class CitedAnswer:
    answer_id: str
    answered_at: datetime
    citations: Sequence[tuple[str, str]] = field(default_factory=tuple)
    """``(item_id, version)`` pairs the answer cited."""
    text: str = ""


@dataclass(frozen=True)
class ConceptConfig:
    stale_share_threshold: float = 0.05
    min_increase: float = 0.02
    count_outdated: bool = False
    top_k: int = 5
    max_examples: int = 5


@dataclass(frozen=True)
class _Window:
    n: int
    flagged: list[tuple[CitedAnswer, list[tuple[str, str, str]]]]
    unknown: int
    outdated_answers: int

    @property
    def share(self) -> float:
        return len(self.flagged) / self.n if self.n else 0.0


def _scan(
    answers: Sequence[CitedAnswer],
    versions: dict[tuple[str, str], KnowledgeVersion],
    count_outdated: bool,
    now: datetime | None,
) -> _Window:
    flagged: list[tuple[CitedAnswer, list[tuple[str, str, str]]]] = []
    unknown = outdated_answers = 0
    for ans in answers:
        bad: list[tuple[str, str, str]] = []
        outdated = False
        for item_id, version in ans.citations:
            kv = versions.get((item_id, version))
            if kv is None:
                unknown += 1
                continue
            if kv.superseded_at is None or (now is not None and kv.superseded_at > now):
                continue
            if kv.superseded_at <= ans.answered_at:
                bad.append((item_id, version, "stale"))
            else:
                outdated = True
                if count_outdated:
                    bad.append((item_id, version, "outdated"))
        outdated_answers += outdated
        if bad:
            flagged.append((ans, bad))
    return _Window(len(answers), flagged, unknown, outdated_answers)


@register_detector(
    "concept", ConceptConfig, "Answers cite superseded catalog/policy versions (share, by item)."
)
def detect_concept(
    reference: Sequence[CitedAnswer] | None,
    current: Sequence[CitedAnswer],
    *,
    versions: Sequence[KnowledgeVersion],
    now: datetime | None = None,
    config: ConceptConfig,
) -> DriftResult:
    """``reference`` may be ``None`` (no earlier window: the share alone decides)."""
    index = {(v.item_id, v.version): v for v in versions}
    cur = _scan(current, index, config.count_outdated, now)
    ref = _scan(reference, index, config.count_outdated, now) if reference is not None else None
    statistics = [
        stat("stale_answer_share", cur.share, config.stale_share_threshold),
        stat("outdated_answer_share", cur.outdated_answers / cur.n if cur.n else 0.0, None,
             role="info"),
        stat("unknown_citations", cur.unknown, None, role="info"),
    ]
    drifted = statistics[0].fired
    if ref is not None:
        inc = stat("stale_share_increase", cur.share - ref.share, config.min_increase,
                   role="guard")
        statistics.append(inc)
        drifted = drifted and inc.fired
    by_item: Counter[str] = Counter()
    latest: dict[str, str] = {}
    for _, bad in cur.flagged:
        for item_id in {b[0] for b in bad}:
            by_item[item_id] += 1
    for v in versions:
        if v.superseded_at is None:
            latest[v.item_id] = v.version
    ref_items: Counter[str] = Counter()
    if ref is not None:
        for _, bad in ref.flagged:
            ref_items.update({b[0] for b in bad})
    moved = [
        Movement(
            item=item_id,
            before=(ref_items[item_id] / ref.n if ref is not None and ref.n else None),
            after=count / cur.n,
            change=(count / cur.n - ref_items[item_id] / ref.n) if ref is not None and ref.n
            else None,
            unit="share of answers", drifted=drifted,
            detail=f"{count} answers cite a superseded version; current is "
            f"{latest.get(item_id, 'unknown')}",
        )
        for item_id, count in by_item.most_common(config.top_k)
    ]
    examples = [
        Example(
            id=ans.answer_id, text=ans.text or f"answer {ans.answer_id}",
            reason="cites " + ", ".join(f"{i}@{v} ({kind})" for i, v, kind in bad),
        )
        for ans, bad in cur.flagged[: config.max_examples]
    ] if drifted else []
    before = f" (was {ref.share:.1%})" if ref is not None else ""
    summary = (
        f"{cur.share:.1%} of answers cite superseded knowledge{before}; top item: "
        f"{moved[0].item}." if drifted and moved
        else f"{cur.share:.1%} of answers cite superseded knowledge{before}: within threshold."
    )
    if cur.unknown:
        summary += f" {cur.unknown} citations name versions not in the knowledge list."
    return DriftResult(
        detector="concept", drifted=drifted, severity=severity_of(statistics, drifted),
        statistics=statistics, moved=moved, examples=examples, summary=summary,
        n_reference=ref.n if ref is not None else 0, n_current=cur.n,
        config=dataclasses.asdict(config),
    )
