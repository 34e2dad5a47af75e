"""Knowledge-gap mining on a store with planted gaps (SQLite and PostgreSQL), CLI and API."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from shopcoach.agent.runtime import AgentTurn
from shopcoach.agent.traces import save_turns
from shopcoach.capture.writer import ingest_conversations
from shopcoach.cli import app
from shopcoach.errors import ValidationFailed
from shopcoach.kb.api import import_kb
from shopcoach.review.gaps import GapQuestion, mine_gaps
from shopcoach.review.gaps_report import (
    gap_report,
    load_gap_questions,
    substantive,
    trend_of,
)
from shopcoach.review.weeks import week_bounds
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import conversation_scores, conversations, hallucination_flags
from shopcoach.stores import Store
from tests.conftest import make_key

WEEK = "2026-W47"  # Monday 2026-11-16
MONDAY = datetime(2026, 11, 16, 9, 0)

GIFT = [
    "How do I check my gift card balance?", "What's the balance on my gift card {n}?",
    "gift card balance check please", "how much is left on my gift card {n}",
    "I want to know my gift card balance", "can you tell me the remaining balance of gift card {n}",
    "where can I see the balance of my gift card", "gift card {n} balance?",
    "is there still money on my gift card {n}", "check balance gift card {n}",
]  # fmt: skip
BIKE = [
    "What is the range of the Voltra e-bike battery?",
    "Does the Voltra e-bike come with a charger?",
    "When will the Voltra electric bike ship?", "How heavy is the Voltra e-bike frame?",
    "Can I ride the Voltra e-bike in the rain?", "What motor does the Voltra e-bike have?",
    "Is there a warranty on the Voltra e-bike battery?", "how fast does the voltra ebike go",
]  # fmt: skip
PRINTER = [
    "I can't print my return label", "the return label will not print", "how do I print a return "
    "label without a printer", "return label printing fails", "my printer won't print the label",
]  # fmt: skip
NOISE = [
    "Do you ship to Iceland?", "my coupon code does not work", "can I change my password",
    "is the Alpine tent waterproof", "where is your store in Denver", "I was charged twice",
    "how do I unsubscribe from your emails", "do you price match other shops",
    "can I pick up my order in store", "what sizes do the hiking boots come in",
]  # fmt: skip


def _conv(ext: str, text: str, at: datetime, outcome: str, handled: str = "ai") -> dict[str, Any]:
    iso = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    msgs = [{"role": "customer", "text": text, "sent_at": iso}]
    if handled != "human":
        msgs.append({"role": "ai", "text": "Let me check that for you.", "sent_at": iso})
    return {"external_id": ext, "channel": "chat", "started_at": iso, "handled_by": handled,
            "outcome": outcome, "intent": "other", "confidence": 0.4, "messages": msgs}  # fmt: skip


def _fill(rng: random.Random, templates: list[str], n: int) -> list[str]:
    return [rng.choice(templates).format(n=rng.randint(1000, 9999)) for _ in range(n)]


def plant(db: Database, store: Store) -> None:
    """This week: 30 gift-card-balance escalations (3 of them as agent turns only, 2 scored
    wrong), 20 Voltra e-bike questions, 10 one-off questions, resolved and human-only
    conversations. Last week: 10 gift card balance, 15 return-label printing."""
    rng = random.Random(7)
    convs: list[dict[str, Any]] = []

    def add(prefix: str, texts: list[str], start: datetime, outcome: str, handled: str = "ai"
            ) -> None:  # fmt: skip
        for i, text in enumerate(texts):
            at = start + timedelta(hours=i * 2 % 120, minutes=i)
            convs.append(_conv(f"{prefix}-{i}", text, at, outcome, handled))

    add("gift", _fill(rng, GIFT, 25), MONDAY, "escalated")
    add("giftw", _fill(rng, GIFT, 2), MONDAY, "resolved")  # resolved but scored wrong below
    add("bike", _fill(rng, BIKE, 18), MONDAY, "abandoned")
    add("bikeh", _fill(rng, BIKE, 2), MONDAY, "resolved", "hybrid")  # handed to a human
    add("noise", NOISE, MONDAY, "escalated")
    add("ok", _fill(rng, GIFT, 12), MONDAY, "resolved")  # answered fine: not gaps
    add("human", _fill(rng, BIKE, 6), MONDAY, "escalated", "human")  # never saw the AI
    add("policy", _fill(rng, BIKE, 4), MONDAY, "escalated")  # escalated on request only
    add("lastgift", _fill(rng, GIFT, 10), MONDAY - timedelta(days=7), "escalated")
    add("print", _fill(rng, PRINTER, 15), MONDAY - timedelta(days=7), "escalated")
    with db.begin() as conn:
        assert ingest_conversations(conn, store, list(enumerate(convs))).accepted == len(convs)
        ids = {
            e: i
            for e, i in conn.execute(sa.select(conversations.c.external_id, conversations.c.id))
        }
        now = datetime(2026, 11, 23)
        conn.execute(sa.insert(conversation_scores), [
            {"store_id": store.id, "conversation_id": ids["giftw-0"], "config_version": 1,
             "input_hash": "x", "started_at": MONDAY, "accuracy": 0.0, "accuracy_label": "fail",
             "total": 10.0, "needs_review": True, "details": {}, "scored_at": now}
        ] + [
            {"store_id": store.id, "conversation_id": ids[f"ok-{i}"], "config_version": 1,
             "input_hash": "x", "started_at": MONDAY, "accuracy": 100.0,
             "accuracy_label": "pass", "total": 95.0, "needs_review": False, "details": {},
             "scored_at": now} for i in range(12)
        ])  # fmt: skip
        conn.execute(sa.insert(hallucination_flags), [{
            "store_id": store.id, "conversation_id": ids["giftw-1"], "message_seq": 1,
            "kind": "price", "claim": "It costs $5", "claimed": "$5", "verified": "$7",
            "occurred_at": MONDAY, "detected_at": now}])  # fmt: skip
        turns = [_turn(f"turn-{i}", t, ["no_answer"]) for i, t in enumerate(_fill(rng, GIFT, 3))]
        turns += [_turn(f"policy-{i}", "x", ["asked_for_human"]) for i in range(4)]
        save_turns(conn, store.id, turns)


def _turn(ext: str, message: str, reasons: list[str]) -> AgentTurn:
    return AgentTurn(
        conversation_id=ext, agent_version="v1", message=message, reply="", action="escalate",
        reasons=reasons, intent=None, confidence=0.3, out_of_scope=False, sentiment=None,
        retrieved=[], used=[], draft="", draft_source="none", grounding={}, tool_calls=[],
        triage=None, handoff=None, latency_ms=5.0, stage_ms={},
        created_at=MONDAY + timedelta(hours=1),
    )  # fmt: skip


def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "gift-cards.md").write_text(
        "# Gift cards\n\nOur gift cards come in amounts of $25, $50 and $100 and never expire. "
        "Buy a gift card online or in any of our stores and send it by email.\n"
    )
    (folder / "shipping.md").write_text(
        "# Shipping\n\nWe ship within 2 business days. Standard delivery takes 3-5 days; "
        "express delivery arrives the next day.\n"
    )
    (folder / "returns.md").write_text(
        "# Returns\n\nReturn unworn items within 30 days for a full refund. Start a return "
        "online and we email you a prepaid label.\n"
    )
    return folder


@pytest.fixture
def planted(db: Database, store: Store, tmp_path: Path) -> Store:
    plant(db, store)
    assert import_kb(db, articles(tmp_path), kind="article").created == 3
    return store


def test_gap_rules_pick_exactly_the_planted_questions(db: Database, planted: Store) -> None:
    start = datetime(2026, 11, 16)
    with db.connect() as conn:
        qs = load_gap_questions(conn, planted.id, start, start + timedelta(days=7))
    ids = {q.id for q in qs}
    assert len(qs) == 60
    assert not any(i.startswith(("ok-", "human-", "policy-")) for i in ids)
    by_id = {q.id: q for q in qs}
    assert by_id["gift-0"].reasons == ("escalated",)
    assert by_id["bike-0"].reasons == ("abandoned",)
    assert by_id["bikeh-0"].reasons == ("escalated",)
    assert by_id["giftw-0"].reasons == by_id["giftw-1"].reasons == ("wrong",)
    assert by_id["turn-0"].reasons == ("no_answer",)


def test_gap_report_finds_the_planted_topics(db: Database, planted: Store) -> None:
    with db.connect() as conn:
        report = gap_report(conn, planted.id, WEEK, store_slug=planted.slug)
    assert (report.week, report.previous_week) == ("2026-W47", "2026-W46")
    assert (report.n_questions, report.n_previous) == (60, 25)
    assert len(report.topics) == 2, [(t.label, t.count) for t in report.topics]
    gift, bike = report.topics
    assert "gift card" in gift.label and "balance" in " ".join(gift.terms[:3])
    assert 28 <= gift.count <= 31 and gift.reasons["no_answer"] == 3
    assert gift.reasons["wrong"] == 2 and gift.reasons["escalated"] >= 25
    assert (gift.last_week_count, gift.trend) == (10, "growing")
    assert "voltra" in bike.label
    assert 18 <= bike.count <= 21 and bike.reasons["abandoned"] >= 17
    assert (bike.last_week_count, bike.trend) == (0, "new")
    assert [t.trend for t in report.gone] == ["gone"] and report.gone[0].last_week_count == 15
    assert "label" in report.gone[0].label or "print" in report.gone[0].label
    # The gift-card article almost covers the balance questions; nothing covers the e-bike.
    assert gift.article is not None and gift.article.article_id == "gift-cards"
    assert bike.article is not None and not bike.article.covered
    assert bike.article.score < gift.article.score
    assert len(gift.examples) == 5 and all("gift card" in e.text.lower() for e in gift.examples)
    assert gift.share == pytest.approx(gift.count / 60)
    data = json.loads(json.dumps(report.to_dict(), default=str))
    assert data["topics"][0]["key"] == gift.key and data["topics"][0]["trend"] == "growing"


def test_stable_key_across_weeks(db: Database, planted: Store) -> None:
    with db.connect() as conn:
        this = gap_report(conn, planted.id, WEEK)
        last = gap_report(conn, planted.id, "2026-W46")
    gift_last = next(t for t in last.topics if "gift" in t.label)
    assert this.topics[0].key == gift_last.key


def test_mine_gaps_pure_with_lsa_fallback() -> None:
    rng = random.Random(3)
    qs = [GapQuestion(f"g{i}", t, ("no_answer",)) for i, t in enumerate(_fill(rng, GIFT, 30))]
    qs += [GapQuestion(f"p{i}", t, ("escalated",)) for i, t in enumerate(_fill(rng, PRINTER, 20))]
    qs += [GapQuestion(f"n{i}", t) for i, t in enumerate(NOISE)]
    topics = mine_gaps(qs, embedder="lsa")
    assert [t.count for t in topics][:2] == [30, 20], [(t.label, t.count) for t in topics]
    assert "gift card" in topics[0].label and "label" in " ".join(topics[1].terms)
    assert topics[0].reasons["no_answer"] == 30 and topics[1].reasons["escalated"] == 20
    assert mine_gaps([], embedder="lsa") == []


def test_trend_and_week_parsing() -> None:
    assert [trend_of(*p) for p in ((5, 0), (0, 5), (13, 10), (7, 10), (11, 10))] == [
        "new", "gone", "growing", "shrinking", "steady"]  # fmt: skip
    monday = datetime(2026, 11, 16)
    for text in ("2026-W47", "2026w47", " 2026-W47 "):
        assert week_bounds(text) == ("2026-W47", monday, monday + timedelta(days=7))
    assert week_bounds(None, datetime(2026, 11, 25).date())[0] == "2026-W47"
    assert week_bounds(datetime(2026, 11, 25).date())[0] == "2026-W48"
    for bad in ("2026-47", "2026-W54", "week 47"):
        with pytest.raises(ValidationFailed, match="ISO week"):
            week_bounds(bad)


def test_cli_and_api(db: Database, planted: Store, settings: Settings, client: Any) -> None:
    # The real path, `shopcoach review gaps`, whose root callback sets the database.
    root = ["--db", settings.database_url, "--home", str(settings.home), "review", "gaps"]
    result = CliRunner().invoke(app, [*root, "--week", WEEK, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["topics"]) == 2 and data["topics"][0]["trend"] == "growing"
    table = CliRunner().invoke(app, [*root, "--week", WEEK])
    assert table.exit_code == 0 and "Knowledge gaps 2026-W47" in table.output
    assert "2 topics" in table.output and "gift" in table.output.lower()
    headers = {"Authorization": f"Bearer {make_key(db, planted, 'read')}"}
    r = client.get("/api/v1/review/gaps", params={"week": WEEK}, headers=headers)
    assert r.status_code == 200, r.text
    assert [t["key"] for t in r.json()["topics"]] == [t["key"] for t in data["topics"]]
    bad = client.get("/api/v1/review/gaps", params={"week": "nope"}, headers=headers)
    assert bad.status_code == 422 and "YYYY-Www" in bad.text
    assert client.get("/api/v1/review/gaps").status_code == 401


def test_a_large_week_is_mined_on_a_sample_with_counts_scaled(
    db: Database, planted: Store
) -> None:
    """Above ``max_questions`` the week is sampled; topic counts are scaled to the full week."""
    with db.connect() as conn:
        sampled = gap_report(conn, planted.id, WEEK, max_questions=40)
    assert (sampled.n_questions, sampled.n_previous) == (60, 25)  # the whole weeks
    gift = next(t for t in sampled.topics if "gift" in t.label)
    assert 22 <= gift.count <= 38  # ~30 in the full week; counted on 40 of 60, scaled by 1.5


def test_the_question_is_the_first_substantive_customer_message(
    db: Database, store: Store
) -> None:
    """A greeting is not the question: the next customer message is; a conversation of only
    greetings and requests for a person is no knowledge gap."""
    assert not substantive("hi") and not substantive("Hello? is anyone there?")
    assert not substantive("get me a human agent please")
    assert substantive("what's the balance on my gift card")
    at = MONDAY.replace(hour=10)
    greeted = _conv("greet-1", "hi", at, "escalated")
    greeted["messages"].append({"role": "customer", "text": "what is my gift card balance",
                                "sent_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})  # fmt: skip
    empty = _conv("greet-2", "hello?", at, "escalated")
    empty["messages"].append({"role": "customer", "text": "let me talk to a human",
                              "sent_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})  # fmt: skip
    with db.begin() as conn:
        assert ingest_conversations(conn, store, [(0, greeted), (1, empty)]).accepted == 2
        qs = load_gap_questions(conn, store.id, MONDAY, MONDAY + timedelta(days=7))
    assert [(q.id, q.text) for q in qs] == [("greet-1", "what is my gift card balance")]
