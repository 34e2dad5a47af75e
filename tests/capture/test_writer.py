"""The one write path (R-SIG-1..4): idempotency, partial batches, redaction, linking."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from shopcoach.capture.writer import ingest_conversations, ingest_signals
from shopcoach.store.engine import Database
from shopcoach.store.tables import agent_versions, conversations, messages, signals
from shopcoach.stores import Store, ensure_store
from tests.conftest import conversation, signal


def _ingest(db: Database, store: Store, records: list, **kw):  # type: ignore[no-untyped-def]
    with db.begin() as conn:
        return ingest_conversations(conn, store, list(enumerate(records)), **kw)


def _count(db: Database, table: sa.Table) -> int:
    with db.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_conversation_with_messages_is_stored(db: Database, store: Store) -> None:
    result = _ingest(db, store, [conversation("c-1"), conversation("c-2")])
    assert (result.created, result.updated, result.unchanged, result.rejected) == (2, 0, 0, [])
    assert _count(db, conversations) == 2
    assert _count(db, messages) == 6
    with db.connect() as conn:
        row = conn.execute(
            sa.select(conversations).where(conversations.c.external_id == "c-1")
        ).one()
        version = conn.execute(sa.select(agent_versions)).one()
        texts = [
            m.text
            for m in conn.execute(
                sa.select(messages.c.text, messages.c.seq).order_by(messages.c.id)
            )
        ]
    assert row.customer_hash and "cust-0042" not in row.customer_hash
    assert len(row.customer_hash) == 64
    assert row.message_count == 3 and row.outcome == "resolved" and row.csat == 5
    assert (version.label, version.status) == ("v2", "observed")
    assert row.agent_version_id == version.id
    assert texts[1] == "Order #10234 shipped with UPS on Nov 1."


def test_retry_is_idempotent_and_changes_update(db: Database, store: Store) -> None:
    batch = [conversation("c-1"), conversation("c-2")]
    _ingest(db, store, batch)
    again = _ingest(db, store, batch)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _count(db, conversations) == 2 and _count(db, messages) == 6

    changed = conversation(
        "c-2", outcome="escalated", messages=[{"role": "customer", "text": "I want a person"}]
    )
    result = _ingest(db, store, [conversation("c-1"), changed])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _count(db, messages) == 4
    with db.connect() as conn:
        outcome = conn.execute(
            sa.select(conversations.c.outcome).where(conversations.c.external_id == "c-2")
        ).scalar_one()
    assert outcome == "escalated"


def test_bad_records_are_reported_and_good_ones_kept(db: Database, store: Store) -> None:
    naive = conversation("c-naive", started_at="2026-11-02T10:15:00")
    no_start = conversation("c-nostart")
    del no_start["started_at"]
    bad_role = conversation("c-role")
    bad_role["messages"][1]["role"] = "bot"
    extra = conversation("c-extra", shop_url="x")
    result = _ingest(
        db,
        store,
        [conversation("ok-1"), naive, no_start, bad_role, "nope", extra, conversation("ok-2")],
    )
    assert result.created == 2
    by_index = {e.index: e for e in result.rejected}
    assert sorted(by_index) == [1, 2, 3, 4, 5]
    assert by_index[1].field == "started_at" and "timezone" in by_index[1].reason
    assert by_index[2].field == "started_at" and "required" in by_index[2].reason
    assert by_index[3].field == "messages[1].role" and "'customer'" in by_index[3].reason
    assert by_index[4].reason == "each record must be a JSON object"
    assert by_index[5].field == "shop_url" and "metadata" in by_index[5].reason
    assert by_index[3].external_id == "c-role"
    assert _count(db, conversations) == 2


def test_ended_before_started_is_rejected_with_fix(db: Database, store: Store) -> None:
    result = _ingest(db, store, [conversation(ended_at="2026-11-01T00:00:00Z")])
    assert result.rejected[0].reason.startswith("ended_at is before started_at")


def test_last_duplicate_in_a_batch_wins(db: Database, store: Store) -> None:
    result = _ingest(db, store, [conversation("c-1", csat=1), conversation("c-1", csat=3)])
    assert (result.created, result.unchanged) == (1, 1)
    with db.connect() as conn:
        assert conn.execute(sa.select(conversations.c.csat)).scalar_one() == 3


def test_pii_is_redacted_before_storage(db: Database, store: Store) -> None:
    record = conversation(
        messages=[
            {
                "role": "customer",
                "text": "I'm jane.doe@example.com, call +1 415 555 0132 about order #10234",
            }
        ]
    )
    _ingest(db, store, [record])
    with db.connect() as conn:
        row = conn.execute(sa.select(messages.c.text, messages.c.redactions)).one()
    assert "jane.doe" not in row.text and "555" not in row.text
    assert "[EMAIL]" in row.text and "[PHONE]" in row.text and "#10234" in row.text
    assert row.redactions == {"email": 1, "phone": 1}


def test_times_and_citations_read_back_as_sent(db: Database, store: Store) -> None:
    """Timestamps in any accepted spelling are stored as naive UTC (SQLite re-spells the
    common ``…Z`` form without a datetime round trip); citations keep their fields."""
    sent = [
        ("2026-11-02T10:15:00Z", datetime(2026, 11, 2, 10, 15)),
        ("2026-11-02T10:15:01.25Z", datetime(2026, 11, 2, 10, 15, 1, 250_000)),
        ("2026-11-02 10:15:02.123456Z", datetime(2026, 11, 2, 10, 15, 2, 123_456)),
        ("2026-11-02T12:15:03+02:00", datetime(2026, 11, 2, 10, 15, 3)),
        ("2026-11-02T10:15:04.5+00:00", datetime(2026, 11, 2, 10, 15, 4, 500_000)),
        ("2026-11-02T05:15:05-05:00", datetime(2026, 11, 2, 10, 15, 5)),
    ]
    cites = [{"source": "article", "id": " returns ", "version": None, "title": "Returns"}]
    record = conversation(
        started_at="2026-11-02T11:14:59.999999+01:00",
        ended_at="2026-11-02T10:20:00.000001Z",
        messages=[{"role": "ai", "text": f"m{i}", "sent_at": text, "citations": cites}
                  for i, (text, _) in enumerate(sent)] + [{"role": "customer", "text": "ok"}],
    )  # fmt: skip
    _ingest(db, store, [record])
    with db.connect() as conn:
        conv = conn.execute(sa.select(conversations)).one()
        rows = conn.execute(
            sa.select(messages.c.sent_at, messages.c.citations).order_by(messages.c.seq)
        ).all()
    assert conv.started_at == datetime(2026, 11, 2, 10, 14, 59, 999_999)
    assert conv.ended_at == datetime(2026, 11, 2, 10, 20, 0, 1)
    assert [r.sent_at for r in rows] == [when for _, when in sent] + [sent[-1][1]]
    assert rows[0].citations == [{"source": "article", "id": "returns", "title": "Returns"}]
    assert rows[-1].citations is None


def test_records_naming_other_stores(db: Database, store: Store) -> None:
    with db.begin() as conn:
        other, _ = ensure_store(conn, "other", actor="test")
    result = _ingest(
        db, store, [conversation("a", store="other"), conversation("b", store="missing")]
    )
    assert result.created == 1
    assert result.rejected[0].field == "store"
    assert "shopcoach stores create missing" in result.rejected[0].reason
    limited = _ingest(db, store, [conversation("c", store="other")], allowed_store_ids={store.id})
    assert "may not write to store 'other'" in limited.rejected[0].reason
    with db.connect() as conn:
        owners = conn.execute(sa.select(conversations.c.store_id)).scalars().all()
    assert owners == [other.id]


def test_signals_are_idempotent_and_linked_late(db: Database, store: Store) -> None:
    early = [
        signal("s-1", conversation_id="c-9"),
        {
            "type": "thumbs",
            "value": -1,
            "occurred_at": "2026-11-02T10:20:00Z",
            "conversation_id": "c-9",
            "message_index": 1,
        },
    ]
    with db.begin() as conn:
        first = ingest_signals(conn, store, list(enumerate(early)))
    with db.begin() as conn:
        again = ingest_signals(conn, store, list(enumerate(early)))
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    with db.connect() as conn:
        assert conn.execute(sa.select(signals.c.conversation_id)).scalars().all() == [None, None]
    _ingest(db, store, [conversation("c-9")])
    with db.connect() as conn:
        conv_id = conn.execute(sa.select(conversations.c.id)).scalar_one()
        linked = conn.execute(sa.select(signals.c.conversation_id)).scalars().all()
    assert linked == [conv_id, conv_id]


def test_signal_value_rules(db: Database, store: Store) -> None:
    bad = [
        signal("a", value=7),
        signal("b", type="thumbs", value=0.5),
        signal("c", type="custom", value=1),
        signal("d", value=None),
        signal("e", message_index=2, conversation_id=None),
        signal("f", value=float("nan")),
    ]
    with db.begin() as conn:
        result = ingest_signals(conn, store, list(enumerate(bad)))
    reasons = [e.reason for e in result.rejected]
    assert result.created == 0 and len(reasons) == 6
    assert reasons[0] == "value 7 is out of range for csat between 1 and 5"
    assert reasons[1] == "a thumbs signal takes value 1 (up) or -1 (down)"
    assert "context.name" in reasons[2]
    assert reasons[3] == "a csat signal needs a value between 1 and 5"
    assert "message_index needs conversation_id" in reasons[4]
    assert "finite" in reasons[5]
