"""Scoring runs on a real database: incremental, idempotent, versions valid then, labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach import scoring
from shopcoach.store.engine import Database
from shopcoach.store.tables import audit_log, conversation_scores, hallucination_flags
from shopcoach.stores import Store
from tests.conftest import conversation, signal
from tests.scoring.helpers import article, ingest, product, utc, write_kb

OCT = datetime(2026, 10, 1)
NOV = datetime(2026, 11, 1)


def priced(cid: str, when: datetime, answer: str, **kw: Any) -> dict[str, Any]:
    return conversation(cid, started_at=utc(when), ended_at=None, messages=[
        {"role": "customer", "text": "How much is the Alpine 30L Backpack?", "sent_at": utc(when)},
        {"role": "ai", "text": answer, "sent_at": utc(when),
         "citations": [{"source": "product", "id": "JP-BPK"}]},
        {"role": "customer", "text": "great thanks", "sent_at": utc(when)},
    ], **kw)  # fmt: skip


def seed_kb(db: Database, store: Store) -> None:
    with db.begin() as conn:
        write_kb(conn, store, "product", [product("JP-BPK", "Alpine 30L Backpack", 129.99)], OCT)
        write_kb(conn, store, "article", [article("returns-policy", "Returns",
                 "Returns are accepted within 30 days of delivery.")], OCT)  # fmt: skip
        # On Nov 1 the price and the return window changed.
        write_kb(conn, store, "product", [product("JP-BPK", "Alpine 30L Backpack", 99.99)], NOV)
        write_kb(conn, store, "article", [article("returns-policy", "Returns",
                 "Returns are accepted within 14 days of delivery.")], NOV)  # fmt: skip


def count(db: Database, table: sa.Table) -> int:
    with db.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def test_flags_use_the_versions_valid_then(db: Database, store: Store) -> None:
    seed_kb(db, store)
    with db.begin() as conn:
        ingest(conn, store, [
            priced("oct-right", datetime(2026, 10, 10), "The Alpine 30L Backpack is $129.99."),
            priced("nov-old", datetime(2026, 11, 10), "The Alpine 30L Backpack is $129.99."),
            priced("nov-right", datetime(2026, 11, 10), "The Alpine 30L Backpack is $99.99."),
            priced("nov-window", datetime(2026, 11, 12),
                   "The Alpine 30L Backpack is $99.99 and you have 30 days to return it."),
            priced("oct-window", datetime(2026, 10, 12),
                   "The Alpine 30L Backpack is $129.99 and you have 30 days to return it."),
        ])  # fmt: skip
    report = scoring.score_conversations(db, store.id)
    assert report.scored == 5
    with db.connect() as conn:
        flags = {(f["conversation"], f["kind"]): f for f in scoring.list_flags(conn, store.id)}
        old = scoring.get_score(conn, store.id, "nov-old")
        right = scoring.get_score(conn, store.id, "oct-right")
    assert set(flags) == {("nov-old", "price"), ("nov-window", "policy_window")}
    assert flags[("nov-old", "price")]["verified"] == "99.99 USD"
    assert flags[("nov-old", "price")]["claimed"] == "$129.99"
    assert flags[("nov-window", "policy_window")]["verified"] == "14 days"
    assert flags[("nov-window", "policy_window")]["source_version_id"] is not None
    assert old["dimensions"]["accuracy"]["label"] == "fail" and old["needs_review"]
    assert right["dimensions"]["accuracy"]["label"] == "pass" and not right["needs_review"]


def test_incremental_idempotent_and_rescored_on_change(db: Database, store: Store) -> None:
    seed_kb(db, store)
    with db.begin() as conn:
        ingest(conn, store, [priced(f"c-{i}", datetime(2026, 11, 3, 9, i),
                                    "The Alpine 30L Backpack is $99.99.") for i in range(6)]
               + [conversation("human-only", handled_by="human")])  # fmt: skip
    first = scoring.score_conversations(db, store.id, chunk_size=4)
    assert (first.considered, first.scored, first.unchanged) == (6, 6, 0)
    with db.connect() as conn:
        before = conn.execute(sa.select(conversation_scores.c.id, conversation_scores.c.scored_at)
                              .order_by(conversation_scores.c.id)).all()  # fmt: skip
    second = scoring.score_conversations(db, store.id, chunk_size=4)
    assert (second.scored, second.unchanged, second.flags) == (0, 6, 0)
    with db.connect() as conn:
        after = conn.execute(sa.select(conversation_scores.c.id, conversation_scores.c.scored_at)
                             .order_by(conversation_scores.c.id)).all()  # fmt: skip
    assert before == after  # nothing written
    # A changed conversation and a new signal: only those two are rescored.
    with db.begin() as conn:
        ingest(conn, store, [priced("c-1", datetime(2026, 11, 3, 9, 1),
                                    "The Alpine 30L Backpack is $129.99.")],
               [signal("s-9", conversation_id="c-2", type="thumbs", value=-1)])  # fmt: skip
    third = scoring.score_conversations(db, store.id)
    assert (third.scored, third.unchanged, third.flags) == (2, 4, 1)
    assert count(db, hallucination_flags) == 1
    # Rescoring replaces the conversation's flags: fixed again → flag gone.
    with db.begin() as conn:
        ingest(conn, store, [priced("c-1", datetime(2026, 11, 3, 9, 1),
                                    "The Alpine 30L Backpack is $99.99.")])  # fmt: skip
    assert scoring.score_conversations(db, store.id).scored == 1
    assert count(db, hallucination_flags) == 0
    # A new config version rescores everything, once; an identical save is a no-op.
    cfg = scoring.parse_config({"weights": {"accuracy": 10}})
    with db.begin() as conn:
        v1, created = scoring.save_config(conn, store.id, cfg, actor="test")
        again, created_again = scoring.save_config(conn, store.id, cfg, actor="test")
    assert (v1.version, created, again.version, created_again) == (1, True, 1, False)
    fourth = scoring.score_conversations(db, store.id)
    assert fourth.scored == 6 and fourth.config_version == 1
    assert scoring.score_conversations(db, store.id).scored == 0
    with db.connect() as conn:
        versions = {v for (v,) in conn.execute(sa.select(conversation_scores.c.config_version))}
        actions = [a for (a,) in conn.execute(sa.select(audit_log.c.action))]
    assert versions == {1} and actions.count("scoring.config.set") == 1
    assert scoring.score_conversations(db, store.id, full=True).scored == 6


def test_repeat_contact_and_labels_override_and_agreement(db: Database, store: Store) -> None:
    seed_kb(db, store)
    base = datetime(2026, 11, 5, 9)
    convs = [priced(f"c-{i}", base.replace(hour=9 + i), "The Alpine 30L Backpack is $99.99.",
                    customer_id=f"cust-{i}") for i in range(4)]  # fmt: skip
    # The customer of c-0 came back 2 hours later about the same thing.
    convs.append(priced("c-0b", base.replace(hour=11), "The Alpine 30L Backpack is $99.99.",
                        customer_id="cust-0"))  # fmt: skip
    with db.begin() as conn:
        ingest(conn, store, convs)
    scoring.score_conversations(db, store.id)
    with db.connect() as conn:
        c0 = scoring.get_score(conn, store.id, "c-0")
    assert c0["dimensions"]["resolution"]["label"] == "fail"
    assert "came back" in c0["dimensions"]["resolution"]["reason"]
    result = scoring.record_label(db, store.id, "c-1", "accuracy", "fail", labeler="ana")
    assert result["dimensions"]["accuracy"]["label"] == "fail"
    assert result["dimensions"]["accuracy"]["judge_label"] == "pass"
    assert result["needs_review"] and result["total"] < 100
    scoring.record_label(db, store.id, "c-2", "accuracy", "pass", labeler="ana")
    scoring.record_label(db, store.id, "c-3", "accuracy", "pass", labeler="ana")
    scoring.record_label(db, store.id, "c-0", "resolution", "fail", labeler="ana")
    with db.connect() as conn:
        agree = {a.dimension: a for a in scoring.agreement(conn, store.id)}
        queue = [q["conversation"] for q in scoring.review_queue(conn, store.id)]
    assert agree["accuracy"].n == 3 and agree["accuracy"].judge == "grounding"
    # judge said pass ×3, human said fail, pass, pass: kappa 0 (judge never says fail)
    assert agree["accuracy"].kappa == 0.0 and agree["accuracy"].observed == round(2 / 3, 4)
    assert agree["resolution"].kappa == 1.0
    assert queue == ["c-1"]
    # Labels are part of the input: the next run writes nothing more.
    assert scoring.score_conversations(db, store.id).scored == 0
