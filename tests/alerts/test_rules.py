"""Alert rules with planted degradation (must fire) and clean data (must not), the upsert by
fingerprint, auto-resolve, the state machine and user-defined threshold rules (R-MON-2/5).

Weeks are ISO weeks starting Monday 2026-09-28 (W0) .. 2026-11-02 (W5); ``check_alerts`` runs
at NOW, in week W6, so W5 is the week judged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from shopcoach import audit
from shopcoach.alerts import (
    acknowledge,
    add_rule,
    check_alerts,
    delete_rule,
    diagnose,
    get_alert,
    list_alerts,
    list_rules,
    resolve,
    set_rule_enabled,
)
from shopcoach.errors import ValidationFailed
from shopcoach.store.engine import Database
from shopcoach.store.tables import alerts
from shopcoach.stores import Store
from tests.metrics.builders import conv, ingest, scores

W0 = datetime(2026, 9, 28)
NOW = datetime(2026, 11, 10, 9)  # Tuesday of W6


def monday(i: int) -> datetime:
    return W0 + timedelta(days=7 * i)


def week(
    db: Database,
    store: Store,
    i: int,
    *,
    n: int = 20,
    resolved: int | None = None,
    accuracy: float = 80.0,
    csat: int = 5,
) -> None:
    """``n`` AI conversations in week ``i``: ``resolved`` of them resolved (default all), each
    scored ``accuracy`` (other dimensions 90, total 85)."""
    resolved = n if resolved is None else resolved
    start = monday(i) + timedelta(hours=8)
    records = [
        conv(
            f"w{i}-{k}",
            start + timedelta(minutes=20 * k),
            csat=csat,
            outcome="resolved" if k < resolved else "escalated",
            customer=f"w{i}-{k}",
        )  # fmt: skip
        for k in range(n)
    ]
    ingest(db, store, records)
    dims = {"relevance": 90.0, "tone": 90.0, "resolution": 90.0, "total": 85.0}
    rows = {r["external_id"]: {"accuracy": accuracy, **dims} for r in records}
    # The week's worst, balanced so the mean stays ``accuracy``.
    for k, delta in ((0, -10.0), (1, 5.0), (2, 5.0)):
        rows[f"w{i}-{k}"] = {**rows[f"w{i}-{k}"], "accuracy": accuracy + delta}
    scores(db, store, rows)


def history(db: Database, store: Store, *, last_accuracy: float, last_resolved: int) -> None:
    """W1..W4 accuracy 80 (W0 90: outside the 4-week window), 160/200 resolved in W4; W5
    planted with ``last_accuracy`` and ``last_resolved``/200."""
    week(db, store, 0, accuracy=90)
    for i in (1, 2, 3):
        week(db, store, i)
    week(db, store, 4, n=200, resolved=160)
    week(db, store, 5, n=200, resolved=last_resolved, accuracy=last_accuracy)


def check(db: Database, store: Store, now: datetime = NOW) -> dict[str, list[int]]:
    with db.begin() as conn:
        result = check_alerts(conn, store.id, now=now)
    return {"opened": result.opened, "updated": result.updated, "resolved": result.resolved}


def open_alerts(db: Database, store: Store) -> list[dict]:
    with db.connect() as conn:
        return list_alerts(conn, store.id, state="open")


def test_dimension_four_points_below_fires_with_evidence(db: Database, store: Store) -> None:
    history(db, store, last_accuracy=76, last_resolved=160)
    assert len(check(db, store)["opened"]) == 1
    (alert,) = open_alerts(db, store)
    assert alert["rule"] == "dimension-drop"
    assert alert["subject"] == {"metric": "score_accuracy", "dimension": "accuracy"}
    assert alert["value"] == 76.0 and alert["threshold"] == 77.0
    assert alert["period_start"].startswith("2026-11-02")
    assert "4.0 points below its 4-week rolling average of 80.0" in alert["message"]
    details = alert["details"]
    assert [p["value"] for p in details["series"]] == [80.0, 80.0, 80.0, 80.0, 76.0]
    assert details["examples"][0] == {"conversation": "w5-0", "score": 66.0, "total": 85.0}
    assert len(details["examples"]) == 5


def test_dimension_two_points_below_does_not_fire(db: Database, store: Store) -> None:
    history(db, store, last_accuracy=78, last_resolved=160)
    assert check(db, store) == {"opened": [], "updated": [], "resolved": []}


def test_resolution_rate_down_three_points_fires(db: Database, store: Store) -> None:
    history(db, store, last_accuracy=80, last_resolved=154)  # 80% → 77%
    check(db, store)
    (alert,) = open_alerts(db, store)
    assert alert["rule"] == "resolution-drop" and alert["value"] == 0.77
    assert "from 80.0% (week of 2026-10-26) to 77.0% (week of 2026-11-02)" in alert["message"]
    assert "3.0 percentage points" in alert["message"]
    assert alert["details"]["drop_pp"] == 3.0


def test_resolution_rate_down_one_and_a_half_points_does_not_fire(
    db: Database, store: Store
) -> None:
    history(db, store, last_accuracy=80, last_resolved=157)  # 78.5%
    check(db, store)
    assert open_alerts(db, store) == []


def test_recheck_updates_never_duplicates(db: Database, store: Store) -> None:
    history(db, store, last_accuracy=76, last_resolved=154)
    first = check(db, store)
    assert len(first["opened"]) == 2
    again = check(db, store, NOW + timedelta(days=2))  # same week judged
    assert again["opened"] == [] and sorted(again["updated"]) == sorted(first["opened"])
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar() == 2


def test_clear_next_week_auto_resolves_open_but_not_acknowledged(
    db: Database, store: Store
) -> None:
    history(db, store, last_accuracy=76, last_resolved=154)
    check(db, store)
    by_rule = {a["rule"]: a["id"] for a in open_alerts(db, store)}
    with db.begin() as conn:
        acknowledge(conn, store.id, by_rule["resolution-drop"], actor="sam")
    week(db, store, 6, n=200, resolved=156, accuracy=80)  # back to normal
    result = check(db, store, NOW + timedelta(days=7))
    assert result["resolved"] == [by_rule["dimension-drop"]] and result["opened"] == []
    with db.connect() as conn:
        dim = get_alert(conn, store.id, by_rule["dimension-drop"])
        res = get_alert(conn, store.id, by_rule["resolution-drop"])
        actions = [e.action for e in audit.entries(conn, store_id=store.id)]
    assert (dim["state"], dim["resolved_by"]) == ("resolved", "system")
    assert res["state"] == "acknowledged"
    assert "alerts.auto_resolve" in actions and "alerts.acknowledge" in actions


def test_state_machine_and_diagnosis(db: Database, store: Store) -> None:
    history(db, store, last_accuracy=76, last_resolved=160)
    (alert_id,) = check(db, store)["opened"]
    with db.begin() as conn:
        acked = acknowledge(conn, store.id, alert_id, actor="sam")
        assert (acked["state"], acked["acknowledged_by"]) == ("acknowledged", "sam")
        with pytest.raises(ValidationFailed, match="only an open alert"):
            acknowledge(conn, store.id, alert_id, actor="sam")
        noted = diagnose(conn, store.id, alert_id, diagnosis="returns article lost the window",
                         remediation="restored v3", actor="sam")  # fmt: skip
        assert noted["diagnosis"] == "returns article lost the window"
        with pytest.raises(ValidationFailed, match="diagnosis"):
            diagnose(conn, store.id, alert_id, diagnosis=None, remediation=None, actor="sam")
        done = resolve(conn, store.id, alert_id, actor="sam")
        assert (done["state"], done["resolved_by"]) == ("resolved", "sam")
        with pytest.raises(ValidationFailed, match="already resolved"):
            resolve(conn, store.id, alert_id, actor="sam")
    # The same breach checked again updates the record but does not reopen it.
    assert check(db, store)["updated"] == [alert_id]
    with db.connect() as conn:
        assert get_alert(conn, store.id, alert_id)["state"] == "resolved"


def test_user_threshold_rule_and_disabling(db: Database, store: Store) -> None:
    for i in (3, 4):
        week(db, store, i, n=12, csat=5)
    week(db, store, 5, n=12, csat=3)
    with db.begin() as conn:
        add_rule(conn, store.id, "csat-low", metric="csat_ai", op="<", threshold=4,
                 actor="sam")  # fmt: skip
        add_rule(conn, store.id, "email-escalations", metric="escalation_rate", op=">",
                 threshold=0.5, filters={"channel": "email"}, actor="sam")  # fmt: skip
        with pytest.raises(ValidationFailed, match="not a metric"):
            add_rule(conn, store.id, "x", metric="nope", op="<", threshold=1, actor="sam")
        with pytest.raises(ValidationFailed, match="already an alert rule"):
            add_rule(conn, store.id, "csat-low", metric="csat_ai", op="<", threshold=4,
                     actor="sam")  # fmt: skip
        names = [r.name for r in list_rules(conn, store.id)]
    assert names == ["dimension-drop", "resolution-drop", "csat-low", "email-escalations"]
    check(db, store)
    (alert,) = open_alerts(db, store)
    assert alert["rule"] == "csat-low" and alert["value"] == 3.0 and alert["threshold"] == 4.0
    assert "csat_ai was 3 on the week of 2026-11-02" in alert["message"]
    with db.begin() as conn:
        set_rule_enabled(conn, store.id, "csat-low", False, actor="sam")
        set_rule_enabled(conn, store.id, "dimension-drop", False, actor="sam")
        rules = {r.name: r for r in list_rules(conn, store.id)}
        delete_rule(conn, store.id, "email-escalations", actor="sam")
        with pytest.raises(ValidationFailed, match="built-in"):
            delete_rule(conn, store.id, "resolution-drop", actor="sam")
    assert not rules["csat-low"].enabled and not rules["dimension-drop"].enabled
    assert rules["dimension-drop"].params["points"] == 3.0  # the override keeps defaults
    assert check(db, store)["updated"] == []  # disabled: not evaluated
