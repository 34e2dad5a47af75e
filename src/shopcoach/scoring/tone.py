"""The ``brand_voice`` tone judge: formality, banned phrases, empathy on complaints, length.

Each AI message is held to the store's brand voice (``ScoringConfig.brand_voice``). A banned
phrase fails the conversation outright; otherwise each issue found (informal or stiff
wording for the formality asked, a complaint answered without an empathy phrase, an answer
shorter or longer than the bounds) counts, and ``fail_issues`` of them fail it, one gives
partial. A customer message is a complaint when VADER's compound sentiment is at or below
``complaint_sentiment`` or it uses a complaint word ("damaged", "never arrived", …).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from shopcoach.scoring.config import BrandVoice, ScoringConfig
from shopcoach.scoring.judges import JudgeInput, register_judge
from shopcoach.scoring.model import Verdict
from shopcoach.scoring.text import words

if TYPE_CHECKING:
    from shopcoach.settings import Settings

_INFORMAL_RE = re.compile(
    r"\b(gonna|wanna|gotta|yeah|yep|yup|nope|lol|lmao|omg|btw|dude|bro|u|ur|thx|pls|plz|"
    r"kinda|sorta|ya|cuz|no worries mate)\b|!!|[\U0001F600-\U0001F64F\U0001F44D\U0001F389]",
    re.I,
)
_SLANG_RE = re.compile(r"\b(lol|lmao|omg|dude|bro|wtf)\b", re.I)
_STIFF_RE = re.compile(
    r"\b(dear sir or madam|we regret to inform|pursuant to|herewith|kindly be advised|"
    r"please be advised|the undersigned)\b",
    re.I,
)
_COMPLAINT_RE = re.compile(
    r"\b(damaged|broken|dented|defective|wrong (?:item|size|colou?r|order)|never (?:arrived|"
    r"came|received)|missing|late|still (?:waiting|not)|charged twice|ridiculous|terrible|"
    r"awful|unacceptable|disappointed|angry|furious|worst|complain|third time|again\?)"
    r"|!{2,}",
    re.I,
)


@lru_cache(maxsize=1)
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # the agent extra is not installed: complaint words only
        return None
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _negative_triggers() -> frozenset[str]:
    """Every token that can make VADER's compound score negative: lexicon words with a
    negative valence, negations (they flip a positive word) and the words of its negative
    idioms. A text with none of them scores >= 0, so VADER need not run on it."""
    from vaderSentiment import vaderSentiment as v

    lexicon = _vader().lexicon
    words_ = {w for w, valence in lexicon.items() if valence < 0}
    words_ |= {w.lower() for w in v.NEGATE} | {"least"}
    words_ |= {t for phrase, val in v.SPECIAL_CASES.items() if val < 0 for t in phrase.split()}
    return frozenset(words_)


def _may_be_negative(text: str) -> bool:
    triggers = _negative_triggers()
    for raw in text.lower().split():
        if raw in triggers or "n't" in raw or raw.strip(string.punctuation) in triggers:
            return True
    return False




def is_complaint(text: str, threshold: float) -> bool:
    if _COMPLAINT_RE.search(text):
        return True
    vader = _vader()
    if vader is None:
        return False
    if threshold < 0 and not _may_be_negative(text):
        return False  # no token can push the compound below 0 (see _negative_triggers)
    return bool(vader.polarity_scores(text)["compound"] <= threshold)


class BrandVoiceJudge:
    name = "brand_voice"

    def __init__(self, config: ScoringConfig) -> None:
        self.voice: BrandVoice = config.brand_voice
        self.banned = [p.lower() for p in self.voice.banned_phrases if p.strip()]
        self.empathy = [p.lower() for p in self.voice.empathy_phrases if p.strip()]

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None:
        conv = item.conversation
        if not conv.ai_messages:
            return None
        v = self.voice
        banned: list[dict[str, Any]] = []
        issues: list[dict[str, Any]] = []
        complaint_seq: int | None = None
        for m in conv.messages:
            if m.role == "customer":
                if v.empathy_on_complaints and is_complaint(m.text, v.complaint_sentiment):
                    complaint_seq = m.seq
                continue
            if m.role == "human":
                complaint_seq = None  # a person took the complaint
                continue
            if m.role != "ai":
                continue
            low = m.text.lower()
            banned += [
                {"message_seq": m.seq, "issue": "banned_phrase", "phrase": p}
                for p in self.banned
                if p in low
            ]
            issue = self._formality(m.text)
            if issue:
                issues.append({"message_seq": m.seq, "issue": "formality", "found": issue})
            if complaint_seq is not None:
                if not any(p in low for p in self.empathy):
                    issues.append(
                        {
                            "message_seq": m.seq,
                            "issue": "no_empathy",
                            "complaint_seq": complaint_seq,
                        }
                    )
                complaint_seq = None
            n = words(m.text)
            if n < v.min_words or n > v.max_words:
                issues.append(
                    {
                        "message_seq": m.seq,
                        "issue": "length",
                        "words": n,
                        "bounds": [v.min_words, v.max_words],
                    }
                )
        if banned:
            phrases = sorted({b["phrase"] for b in banned})
            return Verdict("fail", f"banned phrase(s): {', '.join(phrases)}", banned + issues)
        if not issues:
            return Verdict("pass", f"{len(conv.ai_messages)} answer(s) match the brand voice")
        label = "fail" if len(issues) >= v.fail_issues else "partial"
        kinds = ", ".join(sorted({i["issue"] for i in issues}))
        return Verdict(label, f"{len(issues)} brand-voice issue(s): {kinds}", issues)

    def _formality(self, text: str) -> str | None:
        if self.voice.formality == "formal":
            m = _INFORMAL_RE.search(text)
        elif self.voice.formality == "neutral":
            m = _SLANG_RE.search(text)
        else:
            m = _STIFF_RE.search(text)
        return m.group() if m else None


@register_judge(
    "brand_voice",
    dimensions=("tone",),
    summary="Formality, banned phrases, empathy on complaints, answer length.",
)
def _brand_voice(config: ScoringConfig, settings: Settings | None) -> BrandVoiceJudge:
    return BrandVoiceJudge(config)
