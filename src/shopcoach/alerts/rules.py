"""Alert rules (R-MON-2): definitions and their pure evaluation over metric series.

Built-in rules, on by default with no row needed (a row of the same name in ``alert_rules``
overrides their params or disables them):

- ``dimension-drop`` — a scoring dimension (accuracy, relevance, tone, resolution, total) of
  the last complete ISO week is more than ``points`` (3) below the mean of the ``weeks`` (4)
  weeks before it;
- ``resolution-drop`` — the automated-resolution rate fell by more than ``points`` (2)
  percentage points from the week before.

User-defined ``threshold`` rules compare one metric of the last complete day or week (of
all conversations, or of a segment filter) with a threshold.

:func:`evaluate` is pure: metric series in, :class:`Evaluation` values out — breached or
clear, each with a fingerprint (rule + subject + period) the records layer upserts on.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shopcoach.errors import ValidationFailed
from shopcoach.metrics.model import DIMENSIONS, METRICS, Filters, MetricPoint, check_metric

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
SEVERITIES = ("info", "warning", "critical")
WINDOWS = ("day", "week")

BUILTIN: dict[str, tuple[str, dict[str, Any]]] = {
    "dimension-drop": (
        "dimension_drop",
        {
            "points": 3.0,
            "weeks": 4,
            "min_scored": 10,
            "dimensions": list(DIMENSIONS),
            "severity": "warning",
        },  # fmt: skip
    ),
    "resolution-drop": (
        "resolution_drop",
        {"points": 2.0, "min_conversations": 20, "severity": "warning"},
    ),
}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # dimension_drop | resolution_drop | threshold
    params: dict[str, Any]
    enabled: bool = True
    builtin: bool = False

    @property
    def severity(self) -> str:
        return str(self.params.get("severity", "warning"))

    @property
    def window(self) -> str:
        return "week" if self.kind != "threshold" else str(self.params.get("window", "week"))

    @property
    def filters(self) -> Filters:
        return Filters.from_dict(self.params.get("filters"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "params": self.params,
            "enabled": self.enabled,
            "builtin": self.builtin,
        }


@dataclass
class Evaluation:
    """One rule on one subject for one period: breached (an alert) or clear."""

    rule: str
    subject: dict[str, Any]
    period_start: date
    period_end: date
    breached: bool
    value: float | None
    threshold: float | None
    severity: str = "warning"
    title: str = ""
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def subject_key(self) -> str:
        return ";".join(f"{k}={v}" for k, v in sorted(self.subject.items()))

    @property
    def fingerprint(self) -> str:
        return f"{self.rule}|{self.subject_key}|{self.period_start.isoformat()}"


def threshold_params(
    metric: str,
    op: str,
    threshold: float,
    *,
    window: str = "week",
    filters: dict[str, Any] | None = None,
    severity: str = "warning",
    min_conversations: int = 1,
) -> dict[str, Any]:
    """Checked params of a user-defined threshold rule."""
    check_metric(metric)
    if op not in OPS:
        raise ValidationFailed(f"{op!r} is not a comparator.", hint="Use one of: < <= > >=.")
    if window not in WINDOWS:
        raise ValidationFailed(f"{window!r} is not a rule window.", hint="Use day or week.")
    if severity not in SEVERITIES:
        raise ValidationFailed(
            f"{severity!r} is not a severity.", hint=f"Use one of: {', '.join(SEVERITIES)}."
        )
    return {
        "metric": metric,
        "op": op,
        "threshold": float(threshold),
        "window": window,
        "filters": Filters.from_dict(filters).to_dict(),
        "severity": severity,
        "min_conversations": int(min_conversations),
    }


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    unit = METRICS[metric].unit
    if unit == "share":
        return f"{100 * value:.1f}%"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def dimension_drop(rule: Rule, weekly: list[MetricPoint]) -> list[Evaluation]:
    """The last week of ``weekly`` against the mean of the ``weeks`` weeks before it."""
    p = rule.params
    weeks, points, min_scored = int(p["weeks"]), float(p["points"]), int(p["min_scored"])
    if len(weekly) < weeks + 1:
        return []
    current, history = weekly[-1], weekly[-1 - weeks : -1]
    out = []
    for dim in p.get("dimensions", DIMENSIONS):
        metric = f"score_{dim}"
        value = current.value(metric)
        past = [h.value(metric) for h in history if h.scored >= min_scored]
        if value is None or current.scored < min_scored or len(past) < weeks:
            continue  # not enough data: neither breached nor clear
        mean = round(sum(v for v in past if v is not None) / weeks, 6)
        drop = round(mean - value, 6)
        ev = Evaluation(
            rule=rule.name,
            subject={"metric": metric, "dimension": dim},
            period_start=current.period_start,
            period_end=current.period_end,
            breached=drop > points,
            value=value,
            threshold=round(mean - points, 6),
            severity="critical" if drop > 2 * points else rule.severity,
        )
        ev.title = f"{dim} score down {drop:.1f} points"
        ev.message = (
            f"The {dim} score was {value:.1f} in the week of {current.period_start}, "
            f"{drop:.1f} points below its {weeks}-week rolling average of {mean:.1f} "
            f"(alert when more than {points:g} points below; {current.scored} scored "
            "conversations)."
        )
        ev.details = {
            "rolling_mean": mean,
            "drop_points": drop,
            "allowed_points": points,
            "series": [
                {"week": h.period_start.isoformat(), "value": h.value(metric), "scored": h.scored}
                for h in [*history, current]
            ],
        }
        out.append(ev)
    return out


def resolution_drop(rule: Rule, weekly: list[MetricPoint]) -> list[Evaluation]:
    """The last week's automated-resolution rate against the week before."""
    p = rule.params
    points, min_n = float(p["points"]), int(p["min_conversations"])
    if len(weekly) < 2:
        return []
    prev, cur = weekly[-2], weekly[-1]
    before, after = prev.automated_resolution_rate, cur.automated_resolution_rate
    if before is None or after is None or min(prev.conversations, cur.conversations) < min_n:
        return []
    drop_pp = round(100 * (before - after), 6)
    ev = Evaluation(
        rule=rule.name,
        subject={"metric": "automated_resolution_rate"},
        period_start=cur.period_start,
        period_end=cur.period_end,
        breached=drop_pp > points,
        value=after,
        threshold=round(before - points / 100, 6),
        severity="critical" if drop_pp > 2 * points else rule.severity,
    )
    ev.title = f"Automated resolution down {drop_pp:.1f} pp week over week"
    ev.message = (
        f"The automated-resolution rate fell from {100 * before:.1f}% (week of "
        f"{prev.period_start}) to {100 * after:.1f}% (week of {cur.period_start}): "
        f"{drop_pp:.1f} percentage points (alert when more than {points:g}; "
        f"{cur.conversations} conversations)."
    )
    ev.details = {
        "drop_pp": drop_pp,
        "allowed_pp": points,
        "series": [
            {
                "week": x.period_start.isoformat(),
                "value": x.automated_resolution_rate,
                "conversations": x.conversations,
                "ai_conversations": x.ai_conversations,
            }
            for x in (prev, cur)
        ],  # fmt: skip
    }
    return [ev]


def threshold(rule: Rule, series: list[MetricPoint]) -> list[Evaluation]:
    """The last period's metric against the rule's threshold."""
    p = rule.params
    if not series:
        return []
    cur = series[-1]
    metric, op, limit = p["metric"], p["op"], float(p["threshold"])
    value = cur.value(metric)
    if value is None or cur.conversations < int(p.get("min_conversations", 1)):
        return []
    subject: dict[str, Any] = {"metric": metric, **rule.filters.to_dict()}
    ev = Evaluation(
        rule=rule.name,
        subject=subject,
        period_start=cur.period_start,
        period_end=cur.period_end,
        breached=OPS[op](value, limit),
        value=value,
        threshold=limit,
        severity=rule.severity,
    )
    scope = ", ".join(f"{k} {v}" for k, v in rule.filters.to_dict().items()) or "all"
    ev.title = f"{metric} {op} {_fmt(metric, limit)} ({scope})"
    ev.message = (
        f"{metric} was {_fmt(metric, value)} on the {rule.window} of {cur.period_start} "
        f"({scope} conversations: {cur.conversations}); the rule {rule.name!r} alerts when "
        f"it is {op} {_fmt(metric, limit)}."
    )
    ev.details = {
        "series": [
            {
                "period": x.period_start.isoformat(),
                "value": x.value(metric),
                "conversations": x.conversations,
            }
            for x in series
        ],  # fmt: skip
    }
    return [ev]


EVALUATORS: dict[str, Callable[[Rule, list[MetricPoint]], list[Evaluation]]] = {
    "dimension_drop": dimension_drop,
    "resolution_drop": resolution_drop,
    "threshold": threshold,
}


def evaluate(rules: list[Rule], series: dict[str, list[MetricPoint]]) -> list[Evaluation]:
    """Every enabled rule over its series (``series[rule.name]``, complete periods in order,
    the last one being the period judged)."""
    out: list[Evaluation] = []
    for rule in rules:
        if rule.enabled and rule.name in series:
            out.extend(EVALUATORS[rule.kind](rule, series[rule.name]))
    return out
