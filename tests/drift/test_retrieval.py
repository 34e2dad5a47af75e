"""retrieval_pollution: stale, expired, archived and out-of-season retrievals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shopcoach.drift import get_detector
from shopcoach.drift.retrieval import Retrieval, in_season, pollution_reasons

NOW = datetime(2025, 7, 15)


def _clean(i: int, at: datetime) -> Retrieval:
    return Retrieval(f"faq-{i % 20}", at, valid_from=datetime(2024, 1, 1),
                     reviewed_at=at - timedelta(days=30), query=f"q{i}")


def test_polluted_retrievals_fire_by_reason() -> None:
    ref = [_clean(i, NOW - timedelta(days=30)) for i in range(400)]
    cur = [_clean(i, NOW) for i in range(320)]
    cur += [Retrieval("xmas-returns", NOW, season=(11, 1), query="can I return a gift")] * 40
    cur += [Retrieval("promo-spring", NOW, valid_to=datetime(2025, 5, 31))] * 25
    cur += [Retrieval("old-faq", NOW, reviewed_at=datetime(2023, 1, 1))] * 15
    r = get_detector("retrieval_pollution")(ref, cur)
    assert r.drifted
    assert r.statistic("polluted_share").value == pytest.approx(80 / 400)
    assert [m.item for m in r.moved[:3]] == ["out_of_season", "expired", "stale"]
    assert r.moved[0].after == pytest.approx(0.1) and r.moved[0].before == 0
    assert "item: xmas-returns" in {m.item for m in r.moved}
    assert r.examples[0].reason.endswith("out_of_season")


def test_clean_retrievals_do_not_fire() -> None:
    ref = [_clean(i, NOW - timedelta(days=30)) for i in range(400)]
    cur = [_clean(i, NOW) for i in range(400)]
    cur += [Retrieval("summer-sale", NOW, season=(6, 8))] * 20  # in season: fine
    r = get_detector("retrieval_pollution")(ref, cur)
    assert not r.drifted and r.statistic("polluted_share").value == 0


def test_constant_pollution_is_not_drift() -> None:
    bad = Retrieval("legacy", NOW, archived=True)
    ref = [_clean(i, NOW) for i in range(85)] + [bad] * 15
    r = get_detector("retrieval_pollution")(ref, list(ref))
    assert r.statistic("polluted_share").fired and not r.drifted


def test_reasons_and_wrapping_seasons() -> None:
    assert in_season(12, (11, 1)) and in_season(1, (11, 1)) and not in_season(7, (11, 1))
    r = Retrieval("x", NOW, valid_from=NOW + timedelta(days=1), archived=True, season=(1, 3),
                  reviewed_at=NOW - timedelta(days=400))
    assert pollution_reasons(r, timedelta(days=365)) == [
        "archived", "expired", "out_of_season", "stale"]
