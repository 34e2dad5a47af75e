"""The one result shape every drift detector returns (pydantic v2, JSON for the dashboard).

A :class:`DriftResult` says *whether* something drifted (``drifted``, ``severity``), *how we
know* (``statistics``: each value with its threshold and whether it fired), *what moved* and by
how much (``moved``: the top contributors, before/after), *what it looks like* (``examples``)
and a one-line ``summary`` a person can read in an alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["none", "low", "medium", "high"]
Role = Literal["effect", "guard", "info"]
Op = Literal[">=", "<"]


class Statistic(BaseModel):
    """One number behind the verdict.

    ``role``: ``effect`` statistics measure how much moved (severity is derived from how far
    they pass their threshold); ``guard`` statistics (p-values) must also pass so that small
    samples do not raise false alarms; ``info`` ones are reported only.
    """

    name: str
    value: float
    threshold: float | None = None
    op: Op = ">="
    fired: bool = False
    role: Role = "effect"
    scope: str | None = Field(default=None, description="column, component or item it is about")


class Movement(BaseModel):
    """One contributor: an intent, a column, a cluster, an item, with its before/after."""

    item: str
    before: float | None = None
    after: float | None = None
    change: float | None = None
    unit: str = "share"
    drifted: bool = False
    detail: str = ""


class Example(BaseModel):
    """A current record that shows the drift, and why it was picked."""

    text: str
    reason: str
    id: str | None = None
    score: float | None = None


class DriftResult(BaseModel):
    detector: str
    drifted: bool
    severity: Severity
    statistics: list[Statistic]
    moved: list[Movement] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    summary: str
    n_reference: int
    n_current: int
    config: dict[str, Any] = Field(default_factory=dict)

    def statistic(self, name: str, scope: str | None = None) -> Statistic:
        """The statistic called ``name`` (and ``scope``), e.g. ``result.statistic("psi")``."""
        for s in self.statistics:
            if s.name == name and (scope is None or s.scope == scope):
                return s
        known = sorted({f"{s.name}@{s.scope}" if s.scope else s.name for s in self.statistics})
        raise KeyError(f"{self.detector} has no statistic {name!r} (scope {scope!r}); has {known}")


def stat(
    name: str,
    value: float,
    threshold: float | None = None,
    *,
    op: Op = ">=",
    role: Role = "effect",
    scope: str | None = None,
) -> Statistic:
    """Build a :class:`Statistic`, deciding ``fired`` from ``value op threshold``."""
    v = float(value)
    if threshold is None:
        fired = False
    elif op == ">=":
        fired = v >= threshold
    else:
        fired = v < threshold
    return Statistic(
        name=name, value=v, threshold=threshold, op=op, fired=fired, role=role, scope=scope
    )


def severity_of(statistics: Iterable[Statistic], drifted: bool) -> Severity:
    """``none`` unless drifted; else by the largest ratio value/threshold among fired effects.

    Ratio < 1.5 is ``low``, < 3 ``medium``, else ``high``.
    """
    if not drifted:
        return "none"
    ratios = [
        s.value / s.threshold
        for s in statistics
        if s.role == "effect" and s.fired and s.op == ">=" and s.threshold and s.threshold > 0
    ]
    worst = max(ratios, default=1.0)
    if worst >= 3:
        return "high"
    if worst >= 1.5:
        return "medium"
    return "low"
