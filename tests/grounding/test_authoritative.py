"""Authoritative facts outrank help articles; quotes from the knowledge an answer used."""

from __future__ import annotations

from shopcoach.agent.compose import _unwrap, best_sentences
from shopcoach.grounding import Evidence, check_answer, policy_facts

ARTICLE = policy_facts("policies/returns@1", "You can return items within 30 days. Gift "
                       "wrapping is $4.99 per item.")  # fmt: skip
RECORD = policy_facts("policy-system/returns@2", "Return window: 14 days from delivery.", True)


def test_an_authoritative_fact_outranks_the_article() -> None:
    assert RECORD and all(f.authoritative for f in RECORD)
    assert not any(f.authoritative for f in ARTICLE)
    both = Evidence(policies=ARTICLE + RECORD)
    claim = check_answer("You can return it within 30 days of delivery.", both).claims[0]
    assert (claim.verdict, claim.verified, claim.source) == (
        "contradicted", "14 days", "policy-system/returns@2")  # fmt: skip
    assert check_answer("You have 14 days to return it.", both).ok
    # without an authoritative source the article backs its own figure, as before
    assert check_answer("You can return it within 30 days.", Evidence(policies=ARTICLE)).ok
    # and the authoritative record does not silence other subjects
    assert check_answer("Gift wrapping is $4.99 per item.", both).ok


def test_quoted_amounts_and_dates_are_supported_but_not_others() -> None:
    deadlines = ("To arrive by December 24, order by December 17 with\nstandard shipping or "
                 "by December 21 with express shipping.")  # fmt: skip
    ev = Evidence(policies=ARTICLE, passages=[deadlines])
    assert check_answer("Gift wrapping is $4.99 per item.", ev).ok
    assert not check_answer("Gift wrapping is $5.99 per item.", ev).ok
    quoted = "To arrive by December 24, order by December 17 with standard shipping or by " \
             "December 21 with express shipping."  # fmt: skip
    assert check_answer(quoted, ev).ok
    assert not check_answer("Order by December 19 for delivery before Christmas.", ev).ok


def test_wrapped_lines_are_one_sentence_for_the_extractive_draft() -> None:
    text = "## Gifts\n\nItems bought by December 24 can be\nreturned until January 15.\n- a list"
    assert "can be returned until" in _unwrap(text)
    assert _unwrap(text).endswith("January 15.\n- a list")
    picked = best_sentences("can gifts be returned in january", text)
    assert picked[0] == "Items bought by December 24 can be returned until January 15."
