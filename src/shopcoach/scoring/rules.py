"""Built-in judges without an LLM: accuracy, relevance, resolution (pure; tone is in tone.py).

* ``grounding`` (accuracy): the grounding check of every AI message against the catalog,
  policies and orders valid at the conversation's time — any contradicted claim fails, any
  unsupported claim gives ``accuracy.unsupported`` (partial), otherwise pass.
* ``overlap`` (relevance): the share of each question's content words that its answer takes
  up (stemmed), weighted by question length; plus intent–article agreement.
* ``outcome_signals`` (resolution): escalation, abandonment, repeat contact, thumbs, CSAT,
  resolution signals and the customer's last message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopcoach.scoring.config import ScoringConfig
from shopcoach.scoring.judges import JudgeInput, register_judge
from shopcoach.scoring.model import Verdict
from shopcoach.scoring.text import content_stems, stem

if TYPE_CHECKING:
    from shopcoach.settings import Settings

_GENERIC_INTENT_WORDS = frozenset({"request", "question", "help", "issue", "info", "general"})
_THANKS_RE = re.compile(
    r"\b(thanks?|thank you|thx|ty|cheers|perfect|great|awesome|solved|that helps|that worked|"
    r"gracias|danke)\b",
    re.I,
)
_UNHAPPY_RE = re.compile(
    r"\b(not helpful|useless|still (?:waiting|not|no)|doesn'?t help|didn'?t help|wrong|"
    r"ridiculous|terrible|worst|speak to (?:a )?(?:human|person|agent)|real person)\b",
    re.I,
)


class GroundingJudge:
    name = "grounding"

    def __init__(self, config: ScoringConfig) -> None:
        self.rules = config.accuracy

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None:
        if not item.checks:
            return None  # no AI message: nothing the AI said can be wrong
        claims = [(c.seq, claim) for c in item.checks for claim in c.result.claims]
        bad = [(s, c) for s, c in claims if c.verdict == "contradicted"]
        unsupported = [(s, c) for s, c in claims if c.verdict == "unsupported"]
        evidence = [{"message_seq": s, **c.__dict__} for s, c in bad + unsupported]
        if bad:
            what = "; ".join(f"{c.kind} {c.text!r}: {c.reason}" for _, c in bad[:3])
            return Verdict("fail", f"{len(bad)} contradicted claim(s): {what}", evidence)
        if unsupported:
            what = "; ".join(f"{c.kind} {c.text!r}" for _, c in unsupported[:3])
            return Verdict(
                self.rules.unsupported,
                f"{len(unsupported)} claim(s) nothing verified backs: {what}",
                evidence,
            )
        if not claims:
            if self.rules.no_claims == "not_applicable":
                return None
            return Verdict("pass", "no checkable claims (prices, stock, windows, dates)")
        return Verdict(
            "pass",
            f"all {len(claims)} checkable claim(s) match verified data",
            [{"message_seq": s, "kind": c.kind, "text": c.text} for s, c in claims],
        )


class OverlapJudge:
    name = "overlap"

    def __init__(self, config: ScoringConfig) -> None:
        self.rules = config.relevance

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None:
        conv = item.conversation
        pairs: list[tuple[int, float, int]] = []  # (ai seq, overlap, question size)
        question: set[str] = set()
        for m in conv.messages:
            if m.role == "customer":
                question |= content_stems(m.text)
            elif m.role in ("ai", "human"):
                if m.role == "ai" and question:
                    answer = content_stems(m.text)
                    pairs.append((m.seq, len(question & answer) / len(question), len(question)))
                question = set()
        if not pairs:
            return None
        score = sum(o * n for _, o, n in pairs) / sum(n for _, _, n in pairs)
        label = (
            "pass"
            if score >= self.rules.pass_at
            else "partial"
            if score >= self.rules.partial_at
            else "fail"
        )
        reason = f"answers take up {score:.0%} of the questions' content words"
        evidence: list[object] = [
            {"message_seq": s, "overlap": round(o, 3), "question_words": n} for s, o, n in pairs
        ]
        agreement = self._intent_articles(item)
        if agreement is not None:
            evidence.append(agreement)
            if not agreement["agrees"] and label == "pass":
                label = "partial"
                reason += f"; cited articles do not match intent {conv.intent!r}"
        return Verdict(label, reason, evidence)

    def _intent_articles(self, item: JudgeInput) -> dict[str, object] | None:
        conv = item.conversation
        if not self.rules.check_intent_articles or not conv.intent:
            return None
        cited = sorted(
            {
                str(c.get("id"))
                for m in conv.ai_messages
                for c in m.citations
                if c.get("source") in ("article", "policy")
            }
        )
        if not cited:
            return None
        explicit = self.rules.intent_articles.get(conv.intent)
        if explicit is not None:
            agrees = any(k in explicit for k in cited)
        else:
            intent = {
                stem(w)
                for w in re.split(r"[^a-z0-9]+", conv.intent.lower())
                if w and w not in _GENERIC_INTENT_WORDS
            }
            agrees = any(
                intent
                & content_stems(
                    k.replace("-", " ").replace("_", " ") + " " + item.article_titles.get(k, "")
                )
                for k in cited
            )
        return {"intent": conv.intent, "cited_articles": cited, "agrees": agrees}


class OutcomeSignalsJudge:
    name = "outcome_signals"

    def __init__(self, config: ScoringConfig) -> None:
        self.rules = config.resolution

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None:
        conv = item.conversation
        r = self.rules
        strong: list[str] = []
        weak: list[str] = []
        good: list[str] = []
        if conv.outcome == "escalated":
            strong.append("outcome escalated")
        elif conv.outcome == "abandoned":
            strong.append("outcome abandoned")
        elif conv.outcome == "resolved":
            good.append("outcome resolved")
        kinds = {s.type for s in conv.signals}
        for kind in ("escalation", "human_request", "abandonment"):
            if kind in kinds:
                strong.append(f"{kind} signal")
        if (
            conv.repeat_after_hours is not None
            and conv.repeat_after_hours <= r.repeat_contact_hours
        ):
            strong.append(f"customer came back after {conv.repeat_after_hours:.1f} h")
        for s in conv.signals:
            if s.type == "resolution" and s.value is not None:
                (good if s.value >= 1 else strong).append(f"resolution signal {s.value:g}")
            elif s.type == "thumbs" and s.value is not None:
                (good if s.value > 0 else weak).append(f"thumbs {'up' if s.value > 0 else 'down'}")
            elif s.type == "complaint":
                weak.append("complaint signal")
        csats = [s.value for s in conv.signals if s.type == "csat" and s.value is not None]
        if conv.csat is not None:
            csats.append(float(conv.csat))
        if csats:
            csat = csats[-1]
            if csat <= r.csat_bad:
                weak.append(f"CSAT {csat:g}")
            elif csat >= r.csat_good:
                good.append(f"CSAT {csat:g}")
        last = next(
            (m for m in reversed(conv.messages) if m.role in ("customer", "ai", "human")), None
        )
        if last is not None and last.role == "customer":
            if _UNHAPPY_RE.search(last.text):
                weak.append("customer's last message is unhappy")
            elif _THANKS_RE.search(last.text):
                good.append("customer's last message thanks")
        evidence: list[object] = [{"negative": strong + weak, "positive": good}]
        if strong:
            return Verdict("fail", "; ".join(strong), evidence)
        if weak:
            label = "partial" if good or len(weak) == 1 else "fail"
            return Verdict(label, "; ".join(weak + good), evidence)
        if good:
            return Verdict("pass", "; ".join(good), evidence)
        return None  # no outcome, no signal: nothing to judge resolution by


@register_judge(
    "grounding",
    dimensions=("accuracy",),
    summary="Grounding check against catalog, policies and orders valid then.",
)
def _grounding(config: ScoringConfig, settings: Settings | None) -> GroundingJudge:
    return GroundingJudge(config)


@register_judge(
    "overlap",
    dimensions=("relevance",),
    summary="Question-answer word overlap plus intent-article agreement.",
)
def _overlap(config: ScoringConfig, settings: Settings | None) -> OverlapJudge:
    return OverlapJudge(config)


@register_judge(
    "outcome_signals",
    dimensions=("resolution",),
    summary="Escalation, repeat contact within 24 h, thumbs, CSAT, last message.",
)
def _outcome(config: ScoringConfig, settings: Settings | None) -> OutcomeSignalsJudge:
    return OutcomeSignalsJudge(config)
