"""The pure rule evaluation over hand-made metric points (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shopcoach.alerts.rules import BUILTIN, Rule, evaluate, threshold_params
from shopcoach.errors import ValidationFailed
from shopcoach.metrics.model import MetricPoint

MON = date(2026, 10, 5)


def weeks(totals: list[float], rates: list[float] | None = None) -> list[MetricPoint]:
    out = []
    for i, total in enumerate(totals):
        start = MON + timedelta(days=7 * i)
        p = MetricPoint(start, start + timedelta(days=7), conversations=100, scored=100)
        p.score_total = total
        p.automated_resolution_rate = (rates or [0.8] * len(totals))[i]
        out.append(p)
    return out


def builtin(name: str, **params: object) -> Rule:
    kind, defaults = BUILTIN[name]
    return Rule(name, kind, {**defaults, **params, "dimensions": ["total"]}, builtin=True)


@pytest.mark.parametrize(
    "last,fires", [(76.0, True), (76.9, True), (77.0, False), (78.0, False), (85.0, False)]
)
def test_dimension_drop_is_strictly_more_than_three_points(last: float, fires: bool) -> None:
    (ev,) = evaluate([builtin("dimension-drop")],
                     {"dimension-drop": weeks([60, 80, 78, 82, 80, last])})  # fmt: skip
    assert ev.breached is fires  # the mean of the four weeks before is 80; week 0 is ignored
    assert ev.fingerprint == "dimension-drop|dimension=total;metric=score_total|2026-11-09"


def test_not_enough_history_is_neither_breached_nor_clear() -> None:
    assert evaluate([builtin("dimension-drop")], {"dimension-drop": weeks([80, 80, 70])}) == []
    thin = weeks([80, 80, 80, 80, 70])
    thin[1].scored = 3  # below min_scored: the week does not count
    assert evaluate([builtin("dimension-drop")], {"dimension-drop": thin}) == []


@pytest.mark.parametrize("after,fires", [(0.77, True), (0.785, False), (0.78, False)])
def test_resolution_drop_in_percentage_points(after: float, fires: bool) -> None:
    (ev,) = evaluate([builtin("resolution-drop")],
                     {"resolution-drop": weeks([80, 80], [0.8, after])})  # fmt: skip
    assert ev.breached is fires


def test_disabled_rules_and_threshold_params() -> None:
    off = Rule("resolution-drop", "resolution_drop", BUILTIN["resolution-drop"][1], False)
    assert evaluate([off], {"resolution-drop": weeks([80, 80], [0.9, 0.1])}) == []
    params = threshold_params("score_total", "<=", 70, window="day", filters={"intent": "x"})
    (ev,) = evaluate([Rule("low", "threshold", params)], {"low": weeks([80, 70])})
    assert ev.breached and ev.subject == {"metric": "score_total", "intent": "x"}
    with pytest.raises(ValidationFailed, match="comparator"):
        threshold_params("score_total", "==", 1)
    with pytest.raises(ValidationFailed, match="Unknown filter"):
        threshold_params("score_total", "<", 1, filters={"shop": "x"})
