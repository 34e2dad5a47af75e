"""Bulk writes at driver speed, for the capture hot path.

SQLAlchemy Core's executemany runs a bind processor per value (JSON encoding, datetime
formatting); at hundreds of thousands of message rows that dominates the import. Here rows
arrive as tuples already in driver form (see :class:`Encoder`) and go straight to the
driver: ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL, and multi-row
``INSERT … ON CONFLICT DO NOTHING RETURNING`` where the caller needs to know which rows
were new. Values are always bound parameters, never interpolated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

# Rows per multi-VALUES statement: stays under SQLite's 32,766-variable limit for our
# widest table (~20 columns) and keeps PostgreSQL statements a sensible size.
VALUES_PAGE = 1000


class Encoder:
    """Turns Python values into what the connection's driver stores for our column types.

    SQLite: datetimes as SQLAlchemy's text format (so reads through SQLAlchemy parse them),
    JSON as text. PostgreSQL: datetimes as is (psycopg adapts them), JSON as text (sent as
    'unknown' type, which PostgreSQL casts to jsonb).
    """

    def __init__(self, conn: sa.Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"

    def time(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return value.isoformat(" ", "microseconds")

    @staticmethod
    def json(value: Any) -> str | None:
        if value is None:
            return None
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _placeholder(conn: sa.Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def insert_rows(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, driver-encoded) as fast as the driver can."""
    if not rows:
        return
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        dbapi: Any = conn.connection.dbapi_connection  # a psycopg connection: it has COPY
        with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["?"] * len(columns))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", list(rows))


def insert_new_returning(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """INSERT … ON CONFLICT (conflict) DO NOTHING RETURNING …: the rows this call created."""
    out: list[tuple[Any, ...]] = []
    if not rows:
        return out
    mark = _placeholder(conn)
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    tail = f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING {', '.join(returning)}"
    for start in range(0, len(rows), VALUES_PAGE):
        page = rows[start : start + VALUES_PAGE]
        params = tuple(v for row in page for v in row)
        result = conn.exec_driver_sql(head + ", ".join([one] * len(page)) + tail, params)
        out.extend(tuple(r) for r in result)
    return out
