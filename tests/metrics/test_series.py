"""Metric series against values computed by hand from a small fixture (R-MET-1/2).

Week 1 (Monday 2026-11-02) has six conversations, week 2 has two. Every number asserted
below is worked out in the comments from the records, and the same test runs on SQLite and
on PostgreSQL (SHOPCOACH_TEST_DATABASE_URL).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.metrics import Filters, metric_series
from shopcoach.metrics.periods import align, bucket_keys
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.metrics.builders import conv, ingest, scores, signals

W1 = datetime(2026, 11, 2)  # a Monday
W2 = datetime(2026, 11, 9)
END = datetime(2026, 11, 16)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


@pytest.fixture
def fixture(db: Database, store: Store) -> Store:
    ingest(
        db,
        store,
        [
            # c1: AI, resolved in 270 s, CSAT 5, customer A.
            conv(
                "c1",
                at(2, 10, 15),
                seconds=270,
                csat=5,
                confidence=0.91,
                customer="A",
                latencies=(1800,),
            ),  # fmt: skip
            # c2: AI, escalated (outcome), e-mail, customer B.
            conv(
                "c2",
                at(3, 9),
                seconds=600,
                outcome="escalated",
                channel="email",
                intent="returns",
                confidence=0.45,
                customer="B",
                latencies=(500,),
            ),  # fmt: skip
            # c3: human, resolved in 1800 s, CSAT 3; B again 11 h after c2: a repeat contact.
            conv(
                "c3",
                at(3, 20),
                seconds=1800,
                handled_by="human",
                csat=3,
                intent="returns",
                agent_version=None,
                customer="B",
            ),  # fmt: skip
            # c4: AI, resolved in 120 s; CSAT 4 arrives as a signal.
            conv(
                "c4", at(5, 12), seconds=120, confidence=0.95, customer="C", latencies=(1000, 3000)
            ),  # fmt: skip
            # c5: hybrid (an escalation), resolved in 900 s, CSAT 2; A again, but 4 days later.
            conv(
                "c5",
                at(6),
                seconds=900,
                handled_by="hybrid",
                csat=2,
                confidence=0.2,
                customer="A",
                latencies=(2000,),
            ),  # fmt: skip
            # c6: AI, abandoned; an escalation signal and a repeat_contact signal.
            conv(
                "c6",
                at(7, 23, 59),
                seconds=None,
                outcome="abandoned",
                confidence=0.6,
                customer="D",
                latencies=(700,),
            ),  # fmt: skip
            # Week 2: two AI conversations, one resolved.
            conv("c7", at(10), seconds=60, csat=4, customer="D", latencies=(100,)),
            conv("c8", at(15, 23, 59), seconds=30, outcome="abandoned", customer="E"),
        ],
    )
    signals(
        db,
        store,
        [("c4", "csat", 4), ("c6", "escalation", None), ("c6", "repeat_contact", 1),
         ("c1", "csat", 1)],  # c1 has its own CSAT (5): the signal does not count twice
    )  # fmt: skip
    scores(
        db,
        store,
        {
            "c1": {"accuracy": 100, "relevance": 100, "tone": 100, "resolution": 100, "total": 100},
            "c2": {"accuracy": 50, "relevance": 100, "tone": 50, "resolution": 0, "total": 50},
            "c4": {"accuracy": 0, "relevance": 50, "tone": None, "resolution": 100, "total": 40},
            "c7": {"accuracy": 100, "relevance": 100, "tone": 100, "resolution": 100},
        },
    )
    return store


def test_weekly_series_by_hand(db: Database, fixture: Store) -> None:
    with db.connect() as conn:
        series = metric_series(conn, fixture.id, grain="week", since=W1, until=END)
    assert [p.period_start for p in series.points] == [date(2026, 11, 2), date(2026, 11, 9)]
    w1, w2 = series.points
    assert (w1.conversations, w1.ai_conversations) == (6, 4)
    assert w1.automated_resolution_rate == round(2 / 6, 6)  # c1, c4
    assert w1.escalation_rate == 0.5  # c2 outcome, c5 hybrid, c6 signal
    assert (w1.csat_ai, w1.csat_ai_responses) == (4.5, 2)  # c1 5, c4 4 (signal)
    assert (w1.csat_human, w1.csat_human_responses) == (2.5, 2)  # c3 3, c5 2
    assert w1.repeat_contacts == 2 and w1.repeat_contact_rate == round(2 / 6, 6)  # c3, c6
    # Resolved with an end: 120, 270, 900, 1800 s → median 585, p90 900 + 0.7·900.
    assert (w1.ttr_median_s, w1.ttr_p90_s, w1.resolved_with_time) == (585.0, 1530.0, 4)
    assert w1.confidence_histogram == [0, 0, 1, 0, 1, 0, 1, 0, 0, 2]
    assert w1.confidence_mean == round((0.91 + 0.45 + 0.95 + 0.2 + 0.6) / 5, 6)
    # AI latencies 500 700 1000 1800 2000 3000 → p50 1400, p95 2000 + 0.75·1000.
    assert (w1.latency_p50_ms, w1.latency_p95_ms, w1.latency_samples) == (1400.0, 2750.0, 6)
    assert w1.scored == 3
    assert w1.score_accuracy == 50.0 and w1.score_relevance == round(250 / 3, 6)
    assert w1.score_tone == 75.0  # c4's tone does not apply (NULL)
    assert w1.score_resolution == round(200 / 3, 6)
    assert w1.score_total == round((100 + 50 + 40) / 3, 6)
    # Week 2: D's c7 is 2 days after c6 (not a repeat); c8 ends the week at 23:59.
    assert (w2.conversations, w2.automated_resolution_rate, w2.repeat_contacts) == (2, 0.5, 0)
    assert (w2.ttr_median_s, w2.score_total, w2.csat_ai) == (60.0, 100.0, 4.0)
    assert w2.latency_p50_ms == 100.0 and w2.confidence_mean is None


def test_daily_series_has_every_day_and_gaps_are_empty(db: Database, fixture: Store) -> None:
    with db.connect() as conn:
        series = metric_series(conn, fixture.id, grain="day", since=W1, until=W2)
    assert len(series.points) == 7
    by_day = {p.period_start.day: p for p in series.points}
    assert [by_day[d].conversations for d in range(2, 9)] == [1, 2, 0, 1, 1, 1, 0]
    assert by_day[4].automated_resolution_rate is None  # no conversations: no rate
    assert by_day[3].repeat_contacts == 1 and by_day[7].repeat_contacts == 1
    assert by_day[7].period_end == date(2026, 11, 8)  # 23:59 stays on its own day


def test_grouped_by_channel_and_agent_version(db: Database, fixture: Store) -> None:
    with db.connect() as conn:
        by_channel = metric_series(conn, fixture.id, grain="week", since=W1, until=W2, by="channel")
        by_version = metric_series(
            conn, fixture.id, grain="week", since=W1, until=W2, by="agent_version"
        )
    chat = by_channel.for_segment("chat")[0]
    email = by_channel.for_segment("email")[0]
    assert (chat.conversations, chat.automated_resolution_rate) == (5, 0.4)
    assert (email.conversations, email.escalation_rate, email.ttr_median_s) == (1, 1.0, None)
    assert chat.repeat_contacts == 2  # c3 (chat) repeats c2 (e-mail): still a repeat
    assert by_version.segments() == ["unknown", "v2"]
    assert by_version.for_segment("unknown")[0].csat_human == 3.0
    assert by_version.for_segment("v2")[0].latency_samples == 6


def test_filters_restrict_every_metric(db: Database, fixture: Store) -> None:
    with db.connect() as conn:
        returns = metric_series(
            conn, fixture.id, grain="all", since=W1, until=END, filters=Filters(intent="returns")
        )
        v2 = metric_series(
            conn, fixture.id, grain="all", since=W1, until=END,
            filters=Filters(agent_version="v2", channel="chat"),
        )  # fmt: skip
        with pytest.raises(NotFound, match="agent version 'v9'"):
            metric_series(
                conn, fixture.id, since=W1, until=END, filters=Filters(agent_version="v9")
            )
        with pytest.raises(ValidationFailed, match="group metrics by 'store'"):
            metric_series(conn, fixture.id, since=W1, until=END, by="store")
    (r,) = returns.points
    assert (r.conversations, r.escalation_rate, r.repeat_contacts, r.score_accuracy) == (
        2, 0.5, 1, 50.0,
    )  # fmt: skip
    (v,) = v2.points
    assert v.conversations == 6 and v.scored == 3 and v.period_start == date(2026, 11, 2)


def test_weeks_align_to_monday_and_to_dict(db: Database, fixture: Store) -> None:
    since, until = align("week", datetime(2026, 11, 4, 13), datetime(2026, 11, 10, 1))
    assert (since, until) == (W1, datetime(2026, 11, 16))
    assert len(bucket_keys("week", since, until)) == 2
    with db.connect() as conn:
        data = metric_series(
            conn, fixture.id, grain="week", since=datetime(2026, 11, 4), until=W2
        ).to_dict()
    assert data["since"] == "2026-11-02T00:00:00" and data["until"] == "2026-11-09T00:00:00"
    assert data["points"][0]["period_start"] == "2026-11-02"
    assert data["metrics"]["escalation_rate"]["better"] == "down"


def test_empty_store_gives_empty_periods(db: Database, store: Store) -> None:
    with db.connect() as conn:
        series = metric_series(conn, store.id, grain="week", since=W1, until=END)
    assert [p.conversations for p in series.points] == [0, 0]
    assert series.points[0].score_total is None


def test_repeat_contacts_edges(db: Database, store: Store) -> None:
    """Conversations without a customer never repeat each other; a previous contact in the
    day before the window makes a repeat; a channel filter does not hide the previous
    contact; the time to resolution of a filtered-out conversation is not counted."""
    ingest(db, store, [
        conv("p1", datetime(2026, 11, 1, 22), customer="F", channel="email"),  # before W1
        conv("q1", at(2, 8), customer="F", seconds=100),  # 10 h after p1: a repeat
        conv("a1", at(3, 9), customer=None, seconds=200),
        conv("a2", at(3, 10), customer=None, seconds=300),  # anonymous: no repeat
        conv("g1", at(4, 9), customer="G", seconds=400, channel="email"),
        conv("g2", at(4, 9), customer="G", seconds=500),  # same second as g1: one repeat
    ])  # fmt: skip
    with db.connect() as conn:
        [w1] = metric_series(conn, store.id, grain="week", since=W1, until=W2).points
        [chat] = metric_series(conn, store.id, grain="week", since=W1, until=W2,
                               filters=Filters(channel="chat")).points  # fmt: skip
    assert (w1.conversations, w1.repeat_contacts) == (5, 2)  # q1, and one of g1/g2
    assert (w1.ttr_median_s, w1.resolved_with_time) == (300.0, 5)
    # q1's previous contact (p1) is an e-mail: still a repeat. g2 repeats g1 (e-mail).
    assert (chat.conversations, chat.repeat_contacts) == (4, 2)
    assert (chat.ttr_median_s, chat.resolved_with_time) == (250.0, 4)  # 100, 200, 300, 500
