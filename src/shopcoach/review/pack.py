"""The weekly coaching pack (R-REV-1): what the AI coach opens every Monday.

Pure core: :func:`recommend` turns the week's findings (plain dicts gathered by
``review/pack_load.py``) into 3-5 concrete, ranked changes, and :class:`WeeklyPack` is the
whole pack as one object (``to_dict`` for JSON; ``review/pack_render.py`` for Markdown and
HTML).

Every recommendation carries an *estimated impact*: conversations per week that would end
well instead of badly if the change is made, and that number as points of the week's
automated-resolution rate. The estimates are deliberately simple and stated with each
recommendation (``impact_note``):

* add an article for a knowledge gap: the topic's questions this week × the share of
  AI-answered conversations that resolved this week (an answered question resolves about as
  often as the others do);
* fix knowledge that contradicts verified data: every contradicting answer this week becomes a
  correct one (× 1.0), and wrong answers cost CSAT as well, so they rank first at equal counts;
* tighten a threshold: the conversations the what-if curve moves to the AI × (1 − the expected
  error rate at the proposed threshold);
* loosen a threshold: the wrong AI answers the curve expects to avoid;
* an open critical alert without a diagnosis: ranked after the others (impact unknown).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

MAX_RECOMMENDATIONS = 5
MIN_RECOMMENDATIONS = 3
RESOLUTION_DROP_PP = 2.0  # flag a week-over-week drop of the resolution rate over this


@dataclass
class PackRecommendation:
    kind: str  # add_article | fix_knowledge | tighten_threshold | loosen_threshold | diagnose_alert
    title: str  # the concrete change, in one sentence
    impact: float  # estimated conversations per week that end well instead of badly
    impact_points: float | None  # the same as points of the automated-resolution rate
    impact_note: str  # how the estimate was made
    action: str  # how to make the change (a command or a place in the product)
    evidence: dict[str, Any] = field(default_factory=dict)  # counts, ids, links

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WeeklyPack:
    store: str
    week: str
    start: datetime
    end: datetime
    generated_at: datetime
    resolution: dict[str, Any]
    escalations: dict[str, Any]
    worst: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    knowledge_changes: list[dict[str, Any]]
    contradictions: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    drift: list[dict[str, Any]]
    dials: list[dict[str, Any]]
    fix_items: dict[str, Any]
    recommendations: list[PackRecommendation]
    notes: list[str] = field(default_factory=list)  # what could not be computed, and why

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "recommendations"}
        for k in ("start", "end", "generated_at"):
            out[k] = getattr(self, k).isoformat()
        out["recommendations"] = [r.to_dict() for r in self.recommendations]
        return out


def resolution_trend(
    this_rate: float | None, last_rate: float | None, this_n: int, last_n: int
) -> dict[str, Any]:
    """This week's automated-resolution rate against last week's; drops over 2 points flagged."""
    delta = None
    if this_rate is not None and last_rate is not None:
        delta = round((this_rate - last_rate) * 100, 2)
    return {
        "this_week": this_rate,
        "last_week": last_rate,
        "delta_points": delta,
        "dropped": delta is not None and delta < -RESOLUTION_DROP_PP,
        "conversations": this_n,
        "conversations_last_week": last_n,
    }


def _points(impact: float, conversations: int) -> float | None:
    return round(impact / conversations * 100, 2) if conversations else None


def example_texts(g: dict[str, Any], k: int = 3) -> list[str]:
    return [str(e["text"] if isinstance(e, dict) else e) for e in (g.get("examples") or [])][:k]


def _gap_recs(gaps: list[dict[str, Any]], success: float, n: int) -> list[PackRecommendation]:
    """One per topic (``review/gaps.GapTopic.to_dict``): add an article, or improve the one
    that covers the topic on paper while its questions still fail."""
    out = []
    for g in gaps:
        count = int(g.get("count") or 0)
        if count <= 0 or g.get("trend") == "gone":
            continue
        label = g.get("label") or "unnamed topic"
        examples = example_texts(g)
        near = g.get("article") or {}
        if near.get("covered"):
            what = f"improve '{near.get('title')}' for '{label}'"
        else:
            what = f"add an article for '{label}'"
        quoted = "; ".join(f"“{e}”" for e in examples)
        title = f"{what[0].upper()}{what[1:]} — {count} unanswered this week"
        if quoted:
            title += f", e.g. {quoted}"
        impact = count * success
        ids = list(g.get("question_ids") or [e.get("id") for e in g.get("examples") or []
                                             if isinstance(e, dict)])  # fmt: skip
        out.append(PackRecommendation(
            kind="add_article", title=title, impact=round(impact, 2),
            impact_points=_points(impact, n),
            impact_note=f"{count} questions × {success:.0%} of answered conversations resolve",
            action="shopcoach kb import <folder with the new or improved article>",
            evidence={"topic": g.get("key") or label, "count": count, "examples": examples,
                      "conversation_ids": ids[:10], "nearest_article": near or None,
                      "trend": g.get("trend"), "last_week_count": g.get("last_week_count")},
        ))  # fmt: skip
    return out


def _contradiction_recs(items: list[dict[str, Any]], n: int) -> list[PackRecommendation]:
    out = []
    for c in items:
        count = int(c.get("answers") or 0)
        if count <= 0:
            continue
        subject = c.get("title") or c.get("source") or "this knowledge"
        cited = [str(x) for x in (c.get("cited") or [])][:3]
        verified, claimed = c.get("verified"), c.get("claimed")
        fix = f"update {', '.join(repr(x) for x in cited)}" if cited else f"update '{subject}'"
        what = f"contradicts the current {c.get('kind', 'fact').replace('_', ' ')}"
        what += f" '{verified}'" if verified else ""
        title = f"{fix[0].upper()}{fix[1:]} — {what} in {count} answers this week"
        if claimed:
            title += f" (they said '{claimed}')"
        out.append(PackRecommendation(
            kind="fix_knowledge", title=title, impact=float(count),
            impact_points=_points(count, n),
            impact_note=f"{count} wrong answers this week become correct",
            action="shopcoach kb import <folder with the corrected article> (a new version)",
            evidence={"source": c.get("source"), "kind": c.get("kind"), "verified": verified,
                      "claimed": claimed, "cited": cited,
                      "conversation_ids": list(c.get("conversation_ids") or [])[:10]},
        ))  # fmt: skip
    return out


def _dial_recs(dials: list[dict[str, Any]], n: int, weeks: float) -> list[PackRecommendation]:
    """``weeks``: how many weeks of history the dials were computed over (scaled to one)."""
    out = []
    for d in dials:
        effect = d.get("effect") or {}
        moved = abs(float(effect.get("conversations_moved") or 0)) / max(weeks, 1e-9)
        if d.get("direction") == "tighten":
            err = float(effect.get("error_rate_after") or 0)
            impact = moved * (1 - err)
            note = (f"{moved:.1f} conversations a week move to the AI × {1 - err:.0%} "
                    "expected right (what-if curve)")  # fmt: skip
        else:
            err = float(effect.get("error_rate_before") or 0)
            impact = moved * err
            note = (f"{moved:.1f} conversations a week go to a human instead × {err:.0%} "
                    "expected AI error (what-if curve)")  # fmt: skip
        intent = d.get("intent", "?")
        reason = str(d.get("reason") or f"{d.get('direction')} the threshold for {intent}")
        out.append(PackRecommendation(
            kind=f"{d.get('direction', 'tighten')}_threshold", title=reason[0].upper() + reason[1:],
            impact=round(impact, 2), impact_points=_points(impact, n), impact_note=note,
            action=f"shopcoach dials apply {intent} --threshold {d.get('proposed', 0):.2f}",
            evidence={"intent": intent, "current": d.get("current"),
                      "proposed": d.get("proposed"), "evidence": d.get("evidence"),
                      "effect": effect, "conversation_ids": list(d.get("examples") or [])[:10]},
        ))  # fmt: skip
    return out


def _alert_recs(alerts: list[dict[str, Any]]) -> list[PackRecommendation]:
    out = []
    for a in alerts:
        if a.get("state") != "open" or a.get("diagnosis"):
            continue
        out.append(PackRecommendation(
            kind="diagnose_alert",
            title=f"Diagnose alert #{a.get('id')}: {a.get('title')}",
            impact=0.0, impact_points=None, impact_note="impact unknown until diagnosed",
            action=f"shopcoach alerts diagnose {a.get('id')} --diagnosis … --remediation …",
            evidence={"alert_id": a.get("id"), "severity": a.get("severity"),
                      "message": a.get("message")},
        ))  # fmt: skip
    severity = {"critical": 0, "warning": 1, "info": 2}
    out.sort(key=lambda r: severity.get(str(r.evidence.get("severity")), 3))
    return out


def recommend(
    *,
    gaps: list[dict[str, Any]],
    contradictions: list[dict[str, Any]],
    dials: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    conversations: int,
    answered_success: float,
    dial_weeks: float = 4.0,
) -> list[PackRecommendation]:
    """The 3-5 changes of the week, ranked by estimated impact (see the module docstring).

    Wrong answers rank before missing ones at equal impact (they also cost CSAT); alerts
    without a diagnosis fill the list up to three when the data has fewer findings.
    """
    ranked = [
        *_contradiction_recs(contradictions, conversations),
        *_gap_recs(gaps, answered_success, conversations),
        *_dial_recs(dials, conversations, dial_weeks),
    ]
    order = {"fix_knowledge": 0, "loosen_threshold": 1, "add_article": 2, "tighten_threshold": 3}
    ranked.sort(key=lambda r: (-r.impact, order.get(r.kind, 9)))
    top = [r for r in ranked if r.impact > 0][:MAX_RECOMMENDATIONS]
    if len(top) < MIN_RECOMMENDATIONS:
        top += _alert_recs(alerts)[: MIN_RECOMMENDATIONS - len(top)]
    return top
