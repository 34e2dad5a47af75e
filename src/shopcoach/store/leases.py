"""Named, expiring leases: one holder at a time for a job that must not run twice at once.

A lease is a row of ``leases`` (name, holder, acquired_at, expires_at). Acquiring inserts
the row; the primary key makes two contenders race on the database, on SQLite and PostgreSQL
alike, and exactly one wins. A lease whose ``expires_at`` has passed (its holder crashed or
hung) is taken over by an ``UPDATE … WHERE expires_at < now``, which again only one contender
can win. The holder extends a lease it still needs and deletes it when done.

    with held(db, f"alerts.deliver:{store_id}", timedelta(minutes=2)) as lease:
        ...                                   # raises Busy if another process holds it
        extend(db, lease, timedelta(minutes=10))

Each step is its own short transaction: nothing stays open while the job works.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from shopcoach.errors import Busy
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import leases


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str  # host:pid:random, so a message can say who holds it
    acquired_at: datetime
    expires_at: datetime


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(
    db: Database, name: str, ttl: timedelta, *, holder: str | None = None,
    now: datetime | None = None,
) -> Lease:  # fmt: skip
    """Take the lease ``name`` for ``ttl``; raise :class:`Busy` naming the current holder if
    another holder has it and it has not expired."""
    now = now or utcnow()
    lease = Lease(name, holder or new_holder(), now, now + ttl)
    row = {"name": name, "holder": lease.holder, "acquired_at": now, "expires_at": lease.expires_at}
    try:
        with db.begin() as conn:
            conn.execute(leases.insert().values(**row))
        return lease
    except sa.exc.IntegrityError:
        pass  # someone has (or had) it: take it over only if it expired
    with db.begin() as conn:
        taken = conn.execute(
            leases.update()
            .where(leases.c.name == name, leases.c.expires_at < now)
            .values(holder=lease.holder, acquired_at=now, expires_at=lease.expires_at)
        ).rowcount
        if taken == 1:
            return lease
        current = conn.execute(sa.select(leases).where(leases.c.name == name)).first()
    if current is None:  # released between our two steps: try once more from the start
        return acquire(db, name, ttl, holder=lease.holder, now=now)
    raise Busy(
        f"{name!r} is held by {current.holder} since {current.acquired_at:%Y-%m-%d %H:%M:%S} "
        f"UTC, until {current.expires_at:%H:%M:%S} UTC at the latest: another run of the same "
        "job is in progress, and nothing was done by this one.",
        hint="Wait for it to finish and run again. If that process is gone, the lease lapses "
        "by itself at the time given.",
    )


def extend(db: Database, lease: Lease, ttl: timedelta, *, now: datetime | None = None) -> Lease:
    """Push the lease's expiry to ``now + ttl``; :class:`Busy` if it was lost meanwhile."""
    now = now or utcnow()
    with db.begin() as conn:
        n = conn.execute(
            leases.update()
            .where(leases.c.name == lease.name, leases.c.holder == lease.holder)
            .values(expires_at=now + ttl)
        ).rowcount
    if n != 1:
        raise Busy(
            f"the lease {lease.name!r} expired and was taken over by another run",
            hint="Give the job a longer lease, or make it do less per run.",
        )
    return Lease(lease.name, lease.holder, lease.acquired_at, now + ttl)


def release(db: Database, lease: Lease) -> None:
    """Give the lease up (a no-op if it already lapsed and went to someone else)."""
    with db.begin() as conn:
        conn.execute(
            leases.delete().where(leases.c.name == lease.name, leases.c.holder == lease.holder)
        )


@contextmanager
def held(db: Database, name: str, ttl: timedelta) -> Iterator[Lease]:
    """Hold the lease ``name`` for the block (see :func:`acquire`); released on exit."""
    lease = acquire(db, name, ttl)
    try:
        yield lease
    finally:
        release(db, lease)
