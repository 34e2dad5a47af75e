"""concept: answers citing superseded policy/catalog versions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shopcoach.drift import get_detector
from shopcoach.drift.concept import CitedAnswer, KnowledgeVersion

T0 = datetime(2025, 3, 1)
VERSIONS = [
    KnowledgeVersion("returns-policy", "v1", superseded_at=T0 + timedelta(days=10),
                     superseded_by="v2"),
    KnowledgeVersion("returns-policy", "v2"),
    KnowledgeVersion("sku-123", "2025-01", superseded_at=T0 + timedelta(days=12)),
    KnowledgeVersion("sku-123", "2025-03"),
    KnowledgeVersion("shipping", "v7"),
]


def _answers(start: datetime, n: int, stale_every: int) -> list[CitedAnswer]:
    out = []
    for i in range(n):
        cites: list[tuple[str, str]] = [("shipping", "v7")]
        if stale_every and i % stale_every == 0:
            cites.append(("returns-policy", "v1") if i % 2 == 0 else ("sku-123", "2025-01"))
        else:
            cites.append(("returns-policy", "v2"))
        out.append(CitedAnswer(f"a{start:%d}-{i}", start + timedelta(hours=i), cites,
                               text=f"answer {i}"))
    return out


def test_answers_citing_superseded_versions_fire() -> None:
    ref = _answers(T0, 200, stale_every=0)  # before the change: v1 was current
    cur = _answers(T0 + timedelta(days=20), 200, stale_every=5)  # after: 20% still cite v1
    r = get_detector("concept")(ref, cur, versions=VERSIONS)
    assert r.drifted
    assert r.statistic("stale_answer_share").value == pytest.approx(0.2)
    assert r.moved[0].item == "returns-policy" and "current is v2" in r.moved[0].detail
    assert {m.item for m in r.moved} == {"returns-policy", "sku-123"}
    assert "returns-policy@v1 (stale)" in r.examples[0].reason
    # The reference answers cited v1 while it was still current: outdated, not stale.
    assert r.statistic("stale_share_increase").value == pytest.approx(0.2)


def test_answers_from_current_versions_do_not_fire() -> None:
    cur = [CitedAnswer(f"b{i}", T0 + timedelta(days=30), [("returns-policy", "v2")])
           for i in range(100)]
    r = get_detector("concept")(None, cur, versions=VERSIONS)
    assert not r.drifted and r.statistic("stale_answer_share").value == 0


def test_outdated_and_unknown_citations_are_counted() -> None:
    early = [CitedAnswer(f"c{i}", T0, [("returns-policy", "v1"), ("faq", "v9")])
             for i in range(10)]
    r = get_detector("concept")(None, early, versions=VERSIONS)
    assert not r.drifted
    assert r.statistic("outdated_answer_share").value == 1.0
    assert r.statistic("unknown_citations").value == 10
    assert "not in the knowledge list" in r.summary
    assert get_detector("concept")(None, early, versions=VERSIONS,
                                   config={"count_outdated": True}).drifted
