"""Packed columns (metrics/packed.py): SQLite's group_concat parsed by numpy, and the row
fetch it falls back to when values do not fit, giving the same series."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import sqlalchemy as sa

from shopcoach.metrics import metric_series
from shopcoach.metrics.packed import NULL_INT, Packed, PackingFailed, epoch_ms, packed
from shopcoach.store.engine import Database
from shopcoach.store.tables import conversations
from shopcoach.stores import Store
from tests.metrics.builders import conv, ingest

meta = sa.MetaData()
t = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("h", sa.String), sa.Column("at", sa.DateTime),
             sa.Column("x", sa.Float), sa.Column("n", sa.Integer))  # fmt: skip


def test_every_kind_round_trips() -> None:
    engine = sa.create_engine("sqlite://")
    meta.create_all(engine)
    h1, h2 = "ab" * 32, "0123456789abcdef" * 4
    with engine.begin() as conn:
        conn.execute(t.insert(), [
            {"id": 1, "h": h1, "at": datetime(2026, 11, 2, 10, 0, 0, 250_000), "x": 1.5, "n": 7},
            {"id": 2, "h": None, "at": datetime(1970, 1, 1, 0, 0, 1), "x": None, "n": None},
            {"id": 3, "h": h2, "at": datetime(2026, 11, 2, 23, 59, 59), "x": 1e-3, "n": -2},
        ])  # fmt: skip
        got = packed(conn, [Packed(t.c.id, "int"), Packed(t.c.h, "hex64"),
                            Packed(epoch_ms(t.c.at), "int"), Packed(t.c.x, "float"),
                            Packed(t.c.n, "int_or_null"), Packed(t.c.n > 0, "flag")],
                     t, [t.c.id > 0])  # fmt: skip
        assert packed(conn, [Packed(t.c.id, "int")], t, [t.c.id > 9]) is None
    assert got is not None
    ids, keys, ms, x, n, flag = got
    assert ids.tolist() == [1, 2, 3]
    assert keys.tolist() == [int(h1[-16:], 16), 0, int(h2[-16:], 16)]
    assert ms.tolist() == [1_793_613_600_250, 1_000, 1_793_663_999_000]
    assert np.isnan(x[1]) and x[[0, 2]].tolist() == [1.5, 1e-3]
    assert n.tolist() == [7, NULL_INT, -2] and flag.tolist() == [True, False, False]


def test_a_key_that_is_not_sha256_hex_fails_packing() -> None:
    engine = sa.create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"id": 1, "h": "short"}, {"id": 2, "h": "z" * 64}])
        with pytest.raises(PackingFailed):
            packed(conn, [Packed(t.c.h, "hex64")], t, [t.c.id == 1])
        with pytest.raises(PackingFailed):
            packed(conn, [Packed(t.c.h, "hex64")], t, [t.c.id == 2])


def test_series_is_the_same_when_packing_falls_back(db: Database, store: Store) -> None:
    """Customer keys written by something other than the SHA-256 of ingest (here: short
    strings) make the SQLite path fetch rows; repeats and times to resolution agree."""
    records = [conv(f"r{i}", datetime(2026, 11, 2 + i // 3, 9 + i % 3), customer=f"c{i % 2}",
                    seconds=60 * (i + 1)) for i in range(12)]  # fmt: skip
    ingest(db, store, records)
    since, until = datetime(2026, 11, 2), datetime(2026, 11, 9)
    with db.connect() as conn:
        before = metric_series(conn, store.id, grain="day", since=since, until=until)
    with db.begin() as conn:  # same customers, keys that do not pack
        conn.execute(sa.update(conversations).values(
            customer_hash=sa.func.substr(conversations.c.customer_hash, 1, 5)))  # fmt: skip
    with db.connect() as conn:
        after = metric_series(conn, store.id, grain="day", since=since, until=until)
    fields = ("conversations", "repeat_contacts", "ttr_median_s", "ttr_p90_s",
              "resolved_with_time")  # fmt: skip
    rows = [[getattr(p, f) for f in fields] for p in before.points]
    assert rows == [[getattr(p, f) for f in fields] for p in after.points]
    assert sum(p.repeat_contacts for p in before.points) > 0
