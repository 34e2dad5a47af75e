"""Small SQL helpers shared by the bulk paths: dialect-aware INSERT, chunked IN lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

# SQLite before 3.32 allowed 999 variables per statement; stay well under every limit.
IN_CHUNK = 500


def insert_for(conn: sa.Connection, table: sa.Table) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` on SQLite and PostgreSQL."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"Shopcoach supports SQLite and PostgreSQL, not {conn.dialect.name}")


def member_of(conn: sa.Connection, column: sa.ColumnElement[Any], values: Sequence[Any]) -> Any:
    """``column IN values``: one array parameter on PostgreSQL (``= ANY``), a plain IN list on
    SQLite (callers chunk the values with :func:`chunks` there)."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.literal(list(values), postgresql.ARRAY(column.type)))
    return column.in_(values)


def one_of(conn: sa.Connection, values: Sequence[str]) -> tuple[str, str, Any]:
    """For hand-written hot-path SQL: ``column {sql}`` tests membership in ``values`` (strings)
    with a single parameter, so the statement text is the same for any number of values.

    Returns (sql, parameter mark, parameter): ``IN (SELECT value FROM json_each(?))`` with a
    JSON array on SQLite, ``= ANY(%s)`` with a list on PostgreSQL.
    """
    if conn.dialect.name == "postgresql":
        return "= ANY(%s)", "%s", list(values)
    return "IN (SELECT value FROM json_each(?))", "?", orjson.dumps(list(values)).decode()


def in_chunks(conn: sa.Connection, values: Sequence[T]) -> Iterator[Sequence[T]]:
    """The values as IN-list chunks: all at once on PostgreSQL, small pages on SQLite."""
    if conn.dialect.name == "postgresql":
        if values:
            yield values
        return
    yield from chunks(values)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def utcnow() -> datetime:
    """Now, as naive UTC (how times are stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
