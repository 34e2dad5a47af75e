"""Threshold dials (R-AGT-3): per intent, tighten or loosen the escalation threshold, with a
what-if curve from historical conversations and the evidence behind each recommendation.

This module is the pure core (numpy): :func:`whatif` and :func:`recommend` take a
:class:`DialData` — one array per column, one element per conversation — and return plain
objects. ``review/dials_store.py`` is the edge: it fetches those columns with one set-based
query and applies a recommendation as a new draft agent version, audited. The definitions
are in docs/review.md.

Per conversation (window: ``since``..``until``, default the last 28 days of data):

* *simple human*: handled by a human or hybrid, resolved, exactly one human message, and
  time to resolution (``ended_at`` − ``started_at``; the last message when ``ended_at`` is
  missing) under 2 minutes;
* *repeat*: a ``repeat_contact`` signal, or the same customer started another conversation
  of the same intent within 24 h after this one started;
* *low CSAT*: CSAT (the conversation's, else the mean of its ``csat`` signals) below 4 of 5;
* *wrong* (the expected AI error): repeat, or low CSAT, or a thumbs-down, or the AI handled
  it alone and it ended escalated, or a human/hybrid took it and it was not simple human.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from shopcoach.agent.escalation import EscalationPolicy

THRESHOLDS = np.round(np.arange(0.0, 1.0 + 1e-9, 0.05), 2)
HANDLED = ("ai", "human", "hybrid")
OUTCOMES = ("resolved", "escalated", "abandoned")


@dataclass(frozen=True)
class DialsConfig:
    """The rule's numbers (documented in docs/review.md)."""

    target_error: float = 0.05  # recommended point: lowest threshold with error ≤ this
    min_conversations: int = 30  # intents with fewer (with a confidence) get no advice
    min_handoffs: int = 20  # tighten needs at least this many human/hybrid conversations
    tighten_share: float = 0.80  # … of which at least this share were simple human
    fast_seconds: float = 120.0
    csat_satisfied: float = 0.70  # loosen when the AI-alone satisfied share is under this
    min_csat: int = 10  # … measured on at least this many CSAT answers
    repeat_max: float = 0.10  # loosen when more AI-alone conversations than this come back
    human_request_max: float = 0.10  # … or ask for a human
    repeat_hours: float = 24.0
    examples: int = 5


@dataclass
class DialData:
    """Columns of the historical conversations (one element per conversation)."""

    intents: list[str]  # code → intent name
    intent: np.ndarray  # int codes into ``intents``
    external_id: np.ndarray  # object
    confidence: np.ndarray  # float, nan when unknown
    handled: np.ndarray  # int8 index into HANDLED
    outcome: np.ndarray  # int8 index into OUTCOMES, -1 unknown
    csat: np.ndarray  # float 1..5, nan unknown
    human_msgs: np.ndarray  # int
    ttr: np.ndarray  # float seconds, nan unknown
    repeat: np.ndarray  # bool
    thumbs_down: np.ndarray  # bool
    human_request: np.ndarray  # bool
    since: datetime | None = None
    until: datetime | None = None

    def flags(self, cfg: DialsConfig) -> dict[str, np.ndarray]:
        """The derived per-conversation flags, by the module docstring's definitions."""
        ai = self.handled == 0
        resolved = self.outcome == 0
        simple = ~ai & resolved & (self.human_msgs == 1) & (self.ttr < cfg.fast_seconds)
        low_csat = self.csat < 4  # nan compares False: no answer is not "low"
        wrong = (self.repeat | low_csat | self.thumbs_down | (ai & (self.outcome == 1))
                 | (~ai & ~simple))  # fmt: skip
        return {"ai": ai, "simple": simple, "low_csat": low_csat, "wrong": wrong}


@dataclass
class Curve:
    intent: str
    conversations: int
    thresholds: list[float]
    automation_rate: list[float]  # share with confidence >= threshold
    error_rate: list[float | None]  # share of those that went wrong; None when none answered
    answered: list[int]
    errors: list[int]
    target_error: float
    recommended: float | None  # lowest threshold with error_rate <= target_error
    current: float | None = None

    def at(self, threshold: float) -> tuple[float, float | None]:
        i = int(np.argmin(np.abs(np.asarray(self.thresholds) - threshold)))
        return self.automation_rate[i], self.error_rate[i]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Recommendation:
    intent: str
    direction: str  # tighten (AI answers more) | loosen (escalate more)
    current: float
    proposed: float
    reason: str
    evidence: dict[str, Any]
    effect: dict[str, Any]  # automation and error rates before/after, conversations moved
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DialsReport:
    since: datetime | None
    until: datetime | None
    version: str | None
    target_error: float
    recommendations: list[Recommendation]
    clean: list[str]  # intents checked with nothing to change
    too_few: list[str]  # intents with under min_conversations

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "version": self.version, "target_error": self.target_error,
                "recommendations": [r.to_dict() for r in self.recommendations],
                "clean": self.clean, "too_few": self.too_few}  # fmt: skip


# --- pure core ------------------------------------------------------------------------------


def curve_arrays(
    confidence: np.ndarray, wrong: np.ndarray, thresholds: np.ndarray = THRESHOLDS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(answered, errors, n) per threshold: answered = confidence >= t (what ``decide`` does:
    escalate below the threshold); errors = wrong among them. Sort once, then suffix sums."""
    known = ~np.isnan(confidence)
    conf, bad = confidence[known], wrong[known]
    order = np.argsort(conf, kind="stable")
    conf, bad = conf[order], bad[order].astype(np.int64)
    suffix = np.concatenate([np.cumsum(bad[::-1])[::-1], [0]])  # errors among conf[i:]
    first = np.searchsorted(conf, thresholds, side="left")
    return len(conf) - first, suffix[first], np.asarray(len(conf))


def whatif(
    data: DialData, intent: str, cfg: DialsConfig | None = None, current: float | None = None
) -> Curve:
    """Automation rate vs expected error rate for ``intent`` at thresholds 0.00..1.00."""
    cfg = cfg or DialsConfig()
    mask = _intent_mask(data, intent)
    wrong = data.flags(cfg)["wrong"][mask]
    answered, errors, n = curve_arrays(data.confidence[mask], wrong)
    total = int(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.where(answered > 0, errors / np.maximum(answered, 1), np.nan)
    auto = answered / total if total else np.zeros(len(THRESHOLDS))
    ok = np.flatnonzero((answered > 0) & (err <= cfg.target_error + 1e-12))
    return Curve(intent, total, [float(t) for t in THRESHOLDS], [round(float(a), 4) for a in auto],
                 [None if np.isnan(e) else round(float(e), 4) for e in err],
                 [int(a) for a in answered], [int(e) for e in errors], cfg.target_error,
                 float(THRESHOLDS[ok[0]]) if len(ok) else None, current)  # fmt: skip


def _intent_mask(data: DialData, intent: str) -> np.ndarray:
    if intent not in data.intents:
        return np.zeros(len(data.intent), dtype=bool)
    return data.intent == data.intents.index(intent)


def recommend(
    data: DialData, policy: EscalationPolicy, cfg: DialsConfig | None = None,
    version: str | None = None,
) -> DialsReport:  # fmt: skip
    """Tighten / loosen recommendations for every intent, strongest evidence first."""
    cfg = cfg or DialsConfig()
    flags = data.flags(cfg)
    recs: list[Recommendation] = []
    clean: list[str] = []
    too_few: list[str] = []
    for code, intent in enumerate(data.intents):
        mask = data.intent == code
        if int((mask & ~np.isnan(data.confidence)).sum()) < cfg.min_conversations:
            too_few.append(intent)
            continue
        rec = _recommend_one(data, flags, mask, intent, policy.threshold_for(intent), cfg)
        if rec is None:
            clean.append(intent)
        else:
            recs.append(rec)
    recs.sort(key=lambda r: -abs(r.effect["conversations_moved"]))
    return DialsReport(data.since, data.until, version, cfg.target_error, recs, clean, too_few)


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _recommend_one(
    data: DialData, flags: dict[str, np.ndarray], mask: np.ndarray, intent: str,
    current: float, cfg: DialsConfig,
) -> Recommendation | None:  # fmt: skip
    ai = mask & flags["ai"]
    handoff = mask & ~flags["ai"]
    n_ai, n_handoff = int(ai.sum()), int(handoff.sum())
    n_simple = int((handoff & flags["simple"]).sum())
    has_csat = ai & ~np.isnan(data.csat)
    n_csat, n_sat = int(has_csat.sum()), int((has_csat & (data.csat >= 4)).sum())
    n_repeat = int((ai & data.repeat).sum())
    n_human_req = int((ai & data.human_request).sum())
    evidence: dict[str, Any] = {
        "conversations": int(mask.sum()), "ai_alone": n_ai, "handed_to_human": n_handoff,
        "simple_human": n_simple, "simple_human_share": _rate(n_simple, n_handoff),
        "csat_answers": n_csat, "csat_satisfied_share": _rate(n_sat, n_csat),
        "repeat_contacts": n_repeat, "repeat_rate": _rate(n_repeat, n_ai),
        "human_requests": n_human_req, "human_request_rate": _rate(n_human_req, n_ai),
    }  # fmt: skip
    curve = whatif(data, intent, cfg, current)
    point = curve.recommended
    loosen: list[str] = []
    sat = evidence["csat_satisfied_share"]
    if n_csat >= cfg.min_csat and sat is not None and sat < cfg.csat_satisfied:
        loosen.append(f"only {sat:.0%} of {n_csat} CSAT answers were satisfied (4-5 of 5)")
    if n_ai and n_repeat / n_ai > cfg.repeat_max:
        loosen.append(f"{n_repeat / n_ai:.0%} of {n_ai} came back within "
                      f"{cfg.repeat_hours:g} h")  # fmt: skip
    if n_ai and n_human_req / n_ai > cfg.human_request_max:
        loosen.append(f"{n_human_req / n_ai:.0%} of {n_ai} asked for a human")
    if loosen:
        if point is None:
            proposed = 1.0
            loosen.append(f"no threshold reaches {cfg.target_error:.0%} expected error")
        else:
            proposed = point if point > current else min(1.0, round(current + 0.05, 2))
        if proposed <= current:
            return None
        direction, pick = "loosen", flags["wrong"] & ai
        reason = (f"loosen the threshold for {intent} from {current:.2f} to {proposed:.2f} — "
                  f"of {n_ai} answered by the AI alone, " + "; ".join(loosen))  # fmt: skip
    elif (n_handoff >= cfg.min_handoffs and n_simple / n_handoff >= cfg.tighten_share
          and point is not None and point < current):  # fmt: skip
        proposed, direction, pick = point, "tighten", handoff & flags["simple"]
        reason = (f"tighten the threshold for {intent} from {current:.2f} to {proposed:.2f} — "
                  f"humans resolved {n_simple / n_handoff:.0%} of {n_handoff} in one message "
                  f"under {cfg.fast_seconds / 60:g} minutes")  # fmt: skip
    else:
        return None
    (auto0, err0), (auto1, err1) = curve.at(current), curve.at(proposed)
    conf = data.confidence[mask]
    lo, hi = sorted((current, proposed))
    moved = int(((conf >= lo) & (conf < hi)).sum())
    effect = {"automation_rate_before": auto0, "automation_rate_after": auto1,
              "error_rate_before": err0, "error_rate_after": err1,
              "conversations_moved": moved if direction == "tighten" else -moved,
              "target_error": cfg.target_error}  # fmt: skip
    if err0 is not None and err1 is not None:
        reason += f" (expected error {err0:.1%} → {err1:.1%})"
    examples = [str(x) for x in data.external_id[mask & pick][: cfg.examples]]
    return Recommendation(intent, direction, current, proposed, reason, evidence, effect, examples)


def from_rows(rows: Any, since: datetime | None = None, until: datetime | None = None) -> DialData:
    """Rows of (external_id, intent, confidence, handled_by, outcome, csat, human messages,
    time to resolution s, repeat, thumbs down, human request) → :class:`DialData`."""
    return from_columns(list(zip(*rows, strict=True)) if rows else [()] * 11, since, until)


def from_columns(
    cols: Sequence[Any], since: datetime | None = None, until: datetime | None = None
) -> DialData:
    """The same, from the 11 columns (sequences or arrays)."""
    codes: dict[str, int] = {}
    intent = np.fromiter((codes.setdefault(x, len(codes)) for x in cols[1]), np.int32,
                         len(cols[1]))  # fmt: skip
    handled_ix = {h: i for i, h in enumerate(HANDLED)}
    outcome_ix = {o: i for i, o in enumerate(OUTCOMES)}
    return DialData(
        intents=list(codes), intent=intent, external_id=np.array(cols[0], dtype=object),
        confidence=np.array(cols[2], dtype=float).reshape(-1),
        handled=np.fromiter((handled_ix.get(h, 1) for h in cols[3]), np.int8, len(cols[3])),
        outcome=np.fromiter((outcome_ix.get(o, -1) for o in cols[4]), np.int8, len(cols[4])),
        csat=np.array(cols[5], dtype=float).reshape(-1),
        human_msgs=np.array(cols[6], dtype=np.int64).reshape(-1),
        ttr=np.array(cols[7], dtype=float).reshape(-1),
        repeat=np.array(cols[8], dtype=np.int64).reshape(-1) > 0,
        thumbs_down=np.array(cols[9], dtype=np.int64).reshape(-1) > 0,
        human_request=np.array(cols[10], dtype=np.int64).reshape(-1) > 0,
        since=since, until=until,
    )  # fmt: skip
