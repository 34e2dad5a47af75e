"""store/leases.py: one holder at a time, expired leases taken over, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from shopcoach.errors import Busy
from shopcoach.store import leases
from shopcoach.store.engine import Database, open_store
from shopcoach.store.migrate import upgrade
from shopcoach.store.tables import leases as leases_table

T0 = datetime(2026, 11, 30, 9, 0)
MINUTE = timedelta(minutes=1)


def rows(db: Database) -> list[tuple[str, str]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(leases_table.c.name,
                                                         leases_table.c.holder))]  # fmt: skip


def test_second_holder_is_refused_naming_the_first(db: Database) -> None:
    first = leases.acquire(db, "job", MINUTE, holder="host-a:1:x", now=T0)
    with pytest.raises(Busy) as exc:
        leases.acquire(db, "job", MINUTE, holder="host-b:2:y", now=T0 + timedelta(seconds=30))
    assert "host-a:1:x" in exc.value.message and "09:01:00" in exc.value.message
    assert exc.value.http_status == 409 and "lapses" in (exc.value.hint or "")
    assert rows(db) == [("job", "host-a:1:x")]
    # Other names are independent.
    leases.acquire(db, "other-job", MINUTE, holder="host-b:2:y", now=T0)
    leases.release(db, first)
    again = leases.acquire(db, "job", MINUTE, holder="host-b:2:y", now=T0 + timedelta(seconds=31))
    assert again.holder == "host-b:2:y"


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_extend_it(db: Database) -> None:
    old = leases.acquire(db, "job", MINUTE, holder="crashed", now=T0)
    new = leases.acquire(db, "job", MINUTE, holder="fresh", now=T0 + 2 * MINUTE)
    assert rows(db) == [("job", "fresh")]
    with pytest.raises(Busy, match="taken over"):
        leases.extend(db, old, MINUTE)
    leases.release(db, old)  # a no-op: not the holder any more
    assert rows(db) == [("job", "fresh")]
    extended = leases.extend(db, new, 10 * MINUTE, now=T0 + 2 * MINUTE)
    assert extended.expires_at == T0 + 12 * MINUTE
    with pytest.raises(Busy):  # not expired, thanks to the extension
        leases.acquire(db, "job", MINUTE, holder="third", now=T0 + 5 * MINUTE)


def test_held_releases_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), leases.held(db, "job", MINUTE):
        assert len(rows(db)) == 1
        raise RuntimeError("the job failed")
    assert rows(db) == []


def test_racing_contenders_exactly_one_wins(db_url: str) -> None:
    """Eight threads with their own connections race for one lease: one wins, the others get
    Busy (no other error, e.g. no 'database is locked' on SQLite)."""
    db = open_store(db_url, check=False)
    upgrade(db.engine)
    try:
        barrier = threading.Barrier(8)
        outcome: list[str] = []
        lock = threading.Lock()

        def contend(i: int) -> None:
            barrier.wait()
            try:
                leases.acquire(db, "race", MINUTE, holder=f"t{i}")
                result = "won"
            except Busy:
                result = "busy"
            except Exception as exc:  # recorded, so the assertion below shows it
                result = f"{type(exc).__name__}: {exc}"
            with lock:
                outcome.append(result)

        threads = [threading.Thread(target=contend, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcome) == ["busy"] * 7 + ["won"], outcome
    finally:
        db.close()
