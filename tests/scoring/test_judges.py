"""The pure parts: each judge's pass/partial/fail, weights, overrides, review rule, kappa."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from shopcoach.errors import ConfigError, ValidationFailed
from shopcoach.grounding import check_answer
from shopcoach.grounding.evidence import Evidence, ProductFact, policy_facts
from shopcoach.scoring import ScoringConfig, cohen_kappa, combine, judges, parse_config
from shopcoach.scoring.checks import MessageCheck
from shopcoach.scoring.flags import flags_for
from shopcoach.scoring.judges import build_judges
from shopcoach.scoring.model import DimensionScore
from shopcoach.scoring.rules import GroundingJudge, OutcomeSignalsJudge, OverlapJudge
from shopcoach.scoring.tone import BrandVoiceJudge
from tests.conftest import ROOT
from tests.scoring.helpers import T0, item, view

CFG = ScoringConfig()
EVIDENCE = Evidence(
    products=[ProductFact("JP-BPK", "Alpine 30L Backpack", price=129.99, in_stock=True,
                          sizes=("S", "M"), version="7")],
    policies=policy_facts("returns-policy@3", "Returns are accepted within 14 days of delivery."),
    today=T0.date(),
)  # fmt: skip


def accuracy(answer: str) -> tuple[str | None, list[MessageCheck]]:
    checks = [MessageCheck(1, check_answer(answer, EVIDENCE))]
    v = GroundingJudge(CFG).judge("accuracy", item(view(("customer", "?"), ("ai", answer)),
                                                   checks=checks))  # fmt: skip
    return (v.label if v else None), checks


def test_accuracy_pass_partial_fail_and_not_applicable() -> None:
    assert accuracy("The Alpine 30L Backpack is $129.99 and in stock.")[0] == "pass"
    assert accuracy("Happy to help with that!")[0] == "pass"  # no checkable claim
    assert accuracy("Shipping takes 3-5 business days.")[0] == "partial"  # no policy states it
    label, checks = accuracy("The Alpine 30L Backpack is $99.99. You have 30 days to return it.")
    assert label == "fail"
    flags = {f.kind: f for f in flags_for(checks, T0)}
    assert flags["price"].verified == "129.99 USD" and flags["price"].source_version_id == 7
    assert flags["policy_window"].verified == "14 days"
    assert flags["policy_window"].source == "returns-policy@3"
    no_ai = item(view(("customer", "hello?")))
    assert GroundingJudge(CFG).judge("accuracy", no_ai) is None
    strict = parse_config({"accuracy": {"no_claims": "not_applicable"}})
    assert GroundingJudge(strict).judge("accuracy", item(view(("ai", "Hi!")), checks=[
        MessageCheck(0, check_answer("Hi!", EVIDENCE))])) is None  # fmt: skip


def test_relevance_overlap_and_intent_articles() -> None:
    j = OverlapJudge(CFG)
    on_topic = view(("customer", "Can I return my hiking boots?"),
                    ("ai", "Yes, hiking boots can be returned within 14 days."))  # fmt: skip
    assert j.judge("relevance", item(on_topic)).label == "pass"  # type: ignore[union-attr]
    partly = view(("customer", "Can I return my hiking boots and get a refund to my card?"),
                  ("ai", "Your refund goes back to the original payment method."))  # fmt: skip
    assert j.judge("relevance", item(partly)).label == "partial"  # type: ignore[union-attr]
    off = view(("customer", "Can I return my hiking boots?"),
               ("ai", "Our gift cards never expire and work online."))  # fmt: skip
    assert j.judge("relevance", item(off)).label == "fail"  # type: ignore[union-attr]
    assert j.judge("relevance", item(view(("customer", "hi")))) is None
    cite = ({"source": "article", "id": "gift-cards"},)
    wrong_article = view(("customer", "Can I return my hiking boots?"),
                         ("ai", "Yes, hiking boots can be returned within 14 days."),
                         intent="return_request", cite1=cite)  # fmt: skip
    v = j.judge("relevance", item(wrong_article))
    assert v is not None and v.label == "partial" and "intent" in v.reason
    right = view(
        ("customer", "Can I return my hiking boots?"),
        ("ai", "Yes, hiking boots can be returned within 14 days."),
        intent="return_request",
        cite1=({"source": "article", "id": "returns-policy"},),
    )
    assert j.judge("relevance", item(right)).label == "pass"  # type: ignore[union-attr]


def test_tone_banned_phrase_empathy_formality_length() -> None:
    cfg = parse_config({"brand_voice": {"formality": "formal", "banned_phrases": ["no problemo"],
                                        "max_words": 30}})  # fmt: skip
    j = BrandVoiceJudge(cfg)
    good = view(
        ("customer", "My stove arrived dented. Order 12345."),
        ("ai", "I'm sorry about that. I have opened a claim; a replacement ships today."),
    )
    assert j.judge("tone", item(good)).label == "pass"  # type: ignore[union-attr]
    cold = view(("customer", "My stove arrived dented. Order 12345."),
                ("ai", "A replacement for order 12345 ships today."))  # fmt: skip
    v = j.judge("tone", item(cold))
    assert v is not None and v.label == "partial" and v.evidence[0]["issue"] == "no_empathy"
    angry_vader = view(("customer", "This is the worst, most useless service I have had."),
                       ("ai", "Here is the link to our help centre."))  # fmt: skip
    assert j.judge("tone", item(angry_vader)).label == "partial"  # type: ignore[union-attr]
    sloppy = view(("customer", "Where is order 1?"),
                  ("ai", "yeah gonna ship soon lol " + "word " * 40))  # fmt: skip
    v = j.judge("tone", item(sloppy))
    assert v is not None and v.label == "fail"  # informal + too long
    banned = view(("customer", "thanks"), ("ai", "No problemo, have a great day."))
    assert j.judge("tone", item(banned)).label == "fail"  # type: ignore[union-attr]
    assert j.judge("tone", item(view(("customer", "hi")))) is None


def test_resolution_signals() -> None:
    j = OutcomeSignalsJudge(CFG)

    def label(**kw: object) -> str | None:
        v = j.judge("resolution", item(view(("customer", "?"), ("ai", "Done."), **kw)))
        return v.label if v else None

    assert label(outcome="resolved") == "pass"
    assert label(outcome="resolved", signals=[("csat", 5), ("thumbs", 1)]) == "pass"
    assert label(outcome="escalated") == "fail"
    assert label(outcome="resolved", repeat_after_hours=3.0) == "fail"
    assert label(outcome="resolved", repeat_after_hours=30.0) == "pass"  # after 24 h
    assert label(outcome="resolved", signals=[("thumbs", -1)]) == "partial"
    assert label(signals=[("thumbs", -1), ("csat", 1)]) == "fail"
    assert label(signals=[("human_request", None)]) == "fail"
    thanks = view(("customer", "?"), ("ai", "Done."), ("customer", "great, thanks!"))
    assert j.judge("resolution", item(thanks)).label == "pass"  # type: ignore[union-attr]
    assert label() is None  # no outcome, no signal, no last word


def dims(**labels: str | None) -> dict[str, DimensionScore]:
    return {d: DimensionScore(d, "x", labels.get(d), "", []) for d in
            ("accuracy", "relevance", "tone", "resolution")}  # fmt: skip


def test_weights_renormalise_and_overrides_and_review_rule() -> None:
    r = combine(1, dims(accuracy="pass", relevance="pass", tone="pass", resolution="fail"), CFG)
    assert r.total == 85.0 and not r.needs_review
    r = combine(1, dims(accuracy="partial", relevance="fail", tone="pass", resolution="pass"), CFG)
    assert r.total == pytest.approx((40 * 50 + 25 * 0 + 20 * 100 + 15 * 100) / 100)
    # accuracy does not apply: 25/20/15 renormalised
    r = combine(1, dims(relevance="pass", tone="fail", resolution="pass"), CFG)
    assert r.total == pytest.approx((25 * 100 + 15 * 100) / 60) and r.points["accuracy"] is None
    assert combine(1, dims(), CFG).total is None
    assert combine(1, dims(accuracy="fail", relevance="pass", tone="pass"), CFG).needs_review
    both = combine(1, dims(accuracy="pass", relevance="partial", tone="partial"), CFG)
    assert both.needs_review
    one = combine(1, dims(accuracy="pass", relevance="partial", tone="pass"), CFG)
    assert not one.needs_review
    human = combine(1, dims(accuracy="fail", relevance="pass", tone="pass", resolution="pass"),
                    CFG, {"accuracy": ("pass", "ana")})  # fmt: skip
    assert human.total == 100.0 and not human.needs_review
    assert human.dimensions["accuracy"].judge_label == "fail"


def test_kappa_matches_sklearn() -> None:
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randrange(5, 60)
        a = [rng.choice(["pass", "partial", "fail"]) for _ in range(n)]
        b = [x if rng.random() < 0.6 else rng.choice(["pass", "partial", "fail"]) for x in a]
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(["pass"] * 4, ["pass"] * 4) == 1.0


def test_config_validation_and_judge_registry_documented() -> None:
    with pytest.raises(ValidationFailed, match="weights"):
        parse_config({"weights": {"accuracy": 0, "relevance": 0, "tone": 0, "resolution": 0}})
    with pytest.raises(ValidationFailed, match="brand_voice.formality"):
        parse_config({"brand_voice": {"formality": "pirate"}})
    with pytest.raises(ConfigError, match="not registered"):
        build_judges(parse_config({"judges": {"accuracy": "nope", "relevance": "overlap",
                                              "tone": "brand_voice",
                                              "resolution": "outcome_signals"}}))  # fmt: skip
    with pytest.raises(ConfigError, match="no LLM"):
        build_judges(parse_config({"judges": {**CFG.judges, "tone": "llm"}}))
    doc = (ROOT / "docs" / "scoring.md").read_text()
    for name, spec in judges().items():
        assert re.search(rf"`{name}`", doc), f"judge {name} is not documented"
        assert spec.summary


def test_default_config_weights() -> None:
    assert CFG.weights.as_dict() == {"accuracy": 40, "relevance": 25, "tone": 20,
                                     "resolution": 15}  # fmt: skip
    assert Path(ROOT / "docs" / "scoring.md").is_file()


def test_complaint_prefilter_never_changes_vaders_verdict() -> None:
    """``is_complaint`` skips VADER when no token can make the compound negative; on real
    customer requests (Bitext) and crafted negations/idioms it agrees with VADER itself."""
    import csv

    from shopcoach.scoring import tone
    from shopcoach.search.datasets import data_dir

    vader = tone._vader()
    texts = ["this is not good", "yeah right", "I can't believe it", "worst :(", "great!!!",
             "kiss of death", "least helpful ever", "I didnt get it", "thanks so much"]  # fmt: skip
    path = data_dir() / "bitext-customer-support" / "bitext_train.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [r["instruction"] for r in csv.DictReader(fh)]
    skipped = 0
    for text in texts:
        if tone._COMPLAINT_RE.search(text):
            continue
        skipped += not tone._may_be_negative(text)
        assert tone.is_complaint(text, -0.4) == (vader.polarity_scores(text)["compound"] <= -0.4)
    assert skipped > 0
