"""Row-level columns packed inside SQLite and unpacked by numpy (the metrics' bulk fetches).

Fetching a million rows through the driver builds a Python tuple and an object per value, and
holds the GIL for each; a series needs two such fetches (repeat contacts, latencies). On
SQLite, ``packed(conn, columns, from_, where)`` instead asks for one ``group_concat`` per
column — every aggregate of one statement consumes the same rows in the same order, so the
columns stay aligned — and numpy parses each string in C. SQLite releases the GIL while it
steps, so the work runs alongside the other half of a series (``series._run_both``).

Column kinds (``Packed(expr, kind)``):

* ``int``: an integer expression, comma-separated (e.g. whole epoch seconds);
* ``int_or_null``: the same, NULL given as ``NULL_INT`` (integers parse ~4x faster than
  reals: a time to resolution in whole milliseconds);
* ``float``: a real expression, comma-separated; NULL becomes NaN. SQLite prints 15
  significant digits, so a duration in seconds keeps ~1 µs — but a julian day keeps only
  ~1 ms, which is why times are packed as integer seconds;
* ``flag``: a 0/1 expression, one character per row;
* ``hex64``: a 64-bit key from the last 16 characters of a hex string (a customer's SHA-256),
  one fixed-width field per row; NULL gives 0 (a SHA-256 ending in 16 zeros: odds 2^-64).

When values do not fit (a key shorter than 16 characters, a count that does not match),
:class:`PackingFailed` is raised and the caller falls back to fetching rows.

Pure SQL and numpy: PostgreSQL and grouped series keep the row fetch (``queries._columns``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import sqlalchemy as sa

Kind = Literal["int", "int_or_null", "float", "flag", "hex64"]
JULIAN_EPOCH = 2440587.5  # julianday('1970-01-01')
NULL_INT = -(1 << 62)  # what an int_or_null column holds for NULL


@dataclass(frozen=True)
class Packed:
    expr: Any
    kind: Kind


def _lit(sql: str) -> Any:
    """A constant written into the statement: SQLite folds literal constants out of the row
    loop, bound parameters it re-reads per row (measured: 0.5 s of 2.5 s at 1M rows)."""
    return sa.literal_column(sql)


_COMMA, _NOTHING = _lit("','"), _lit("''")


def epoch_second(col: Any) -> Any:
    """Whole epoch seconds of a SQLite datetime column, as an integer (floor; 0.1 ms is added
    first because a julian day double resolves ~40 µs)."""
    return sa.cast((sa.func.julianday(col) - _lit(str(JULIAN_EPOCH))) * _lit("86400.0")
                   + _lit("0.0001"), sa.Integer)  # fmt: skip


def epoch_ms(col: Any) -> Any:
    """Whole epoch milliseconds (floor, after the same 0.1 ms): ``ms // 1000`` is exactly
    :func:`epoch_second`, and differences of two give durations to the millisecond."""
    return sa.cast((sa.func.julianday(col) - _lit(str(JULIAN_EPOCH))) * _lit("86400000.0")
                   + _lit("0.1"), sa.Integer)  # fmt: skip


def packed(conn: sa.Connection, columns: list[Packed], from_: Any,
           where: list[Any]) -> list[np.ndarray] | None:  # fmt: skip
    """The columns over the rows ``from_`` / ``where`` selects, as numpy arrays (None when
    there are no rows)."""
    aggs = []
    for col in columns:
        if col.kind == "int":
            aggs.append(sa.func.group_concat(col.expr, _COMMA))
        elif col.kind == "int_or_null":
            aggs.append(sa.func.group_concat(sa.func.coalesce(col.expr, _lit(str(NULL_INT))),
                                             _COMMA))  # fmt: skip
        elif col.kind == "float":
            aggs.append(sa.func.group_concat(sa.func.coalesce(col.expr, _lit("'nan'")), _COMMA))
        elif col.kind == "flag":
            aggs.append(sa.func.group_concat(sa.case((col.expr, _lit("'1'")), else_=_lit("'0'")),
                                             _NOTHING))  # fmt: skip
        else:
            zeros = _lit("'" + "0" * 16 + "'")
            last16 = sa.func.coalesce(sa.func.substr(col.expr, _lit("-16")), zeros)
            aggs.append(sa.func.group_concat(last16, _NOTHING))
    row = conn.execute(sa.select(sa.func.count(), *aggs).select_from(from_).where(*where)).one()
    n = int(row[0])
    if not n:
        return None
    return [_unpack(text, col.kind, n) for text, col in zip(row[1:], columns, strict=True)]


def _unpack(text: str, kind: Kind, n: int) -> np.ndarray:
    if kind == "int":
        out = np.fromstring(text, dtype=np.int64, sep=",")
    elif kind == "float":
        out = np.fromstring(text, dtype=np.float64, sep=",")
    elif kind == "flag":
        out = np.frombuffer(text.encode("ascii"), dtype=np.uint8) == ord("1")
    elif kind == "int_or_null":
        out = np.fromstring(text, dtype=np.int64, sep=",")
    else:
        if len(text) != 16 * n:  # a key shorter than 16 characters: not a SHA-256
            raise PackingFailed(f"hex64 column of {n} rows is {len(text)} characters")
        try:
            out = np.frombuffer(bytes.fromhex(text), dtype=">u8").astype(np.uint64)
        except ValueError as exc:
            raise PackingFailed(f"hex64 column is not hexadecimal: {exc}") from None
    if out.size != n:  # a value printed with the separator in it would shift every column
        raise PackingFailed(f"packed column of {n} rows unpacked to {out.size} values")
    return out


class PackingFailed(ValueError):
    """The packed form does not fit these values; the caller fetches rows instead."""
