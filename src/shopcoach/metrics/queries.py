"""The statements behind a series: set-based, each a range scan of the period or window.

Aggregates (``counts``, ``scores``) run once per period, restricting
``started_at`` to it, so each is a range scan of the ``(store_id, started_at)`` index of
``conversations`` or ``conversation_scores``; segments are the only GROUP BY. Results are raw
sums and counts (:class:`Raw`); ``series.py`` divides.

What is not plain SQL, and why (both fetch their rows once for the whole window and split
them by period with numpy, so a daily series costs one fetch, not one per day):

- percentiles (time to resolution, AI latency): the column is fetched and reduced with numpy
  (SQLite has no ``percentile_cont``; numpy's default linear interpolation is what
  PostgreSQL's ``percentile_cont`` computes);
- repeat contacts: each customer's previous contact needs an ordering per customer. The SQL
  form (``LAG() OVER (PARTITION BY customer_hash …)``) made SQLite sort every row by a 64-char
  key — measured at 1M conversations, 3x the cost of fetching (customer, epoch second) and
  sorting in numpy, which is what this does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from shopcoach.errors import NotFound
from shopcoach.metrics.model import CONFIDENCE_BINS, DIMENSIONS, Filters
from shopcoach.metrics.packed import (
    JULIAN_EPOCH,
    NULL_INT,
    Packed,
    PackingFailed,
    epoch_ms,
    epoch_second,
    packed,
)
from shopcoach.metrics.periods import epoch_seconds, seconds_between
from shopcoach.store.bulk import Encoder
from shopcoach.store.tables import agent_versions, conversation_scores, conversations, messages
from shopcoach.store.tables import signals as sig

c = conversations
FETCH = 100_000
DAY_S = 86_400
SIGNAL_GRACE = timedelta(days=1)  # how far before its conversation a signal may be stamped


@dataclass
class Raw:
    """Sums and counts of one (period, segment), before any division."""

    n: int = 0
    n_ai: int = 0
    auto: int = 0
    escalated: int = 0
    csat_ai: float = 0.0
    csat_ai_n: int = 0
    csat_human: float = 0.0
    csat_human_n: int = 0
    conf_sum: float = 0.0
    conf_n: int = 0
    conf_below: list[int] = field(default_factory=lambda: [0] * (CONFIDENCE_BINS - 1))
    repeats: int = 0
    scored: int = 0
    dim_sum: dict[str, float] = field(default_factory=dict)
    dim_n: dict[str, int] = field(default_factory=dict)
    ttr: np.ndarray = field(default_factory=lambda: np.empty(0))
    latency: np.ndarray = field(default_factory=lambda: np.empty(0))

    def plus(self, other: Raw) -> Raw:
        """Field-wise sum (arrays joined): the figures of two disjoint halves of one work."""
        out = Raw()
        for name, mine in vars(self).items():
            theirs = getattr(other, name)
            if isinstance(mine, np.ndarray):
                value: Any = mine if not theirs.size else theirs if not mine.size else (
                    np.concatenate([mine, theirs]))
            elif isinstance(mine, dict):
                value = {k: mine.get(k, 0) + theirs.get(k, 0) for k in mine.keys() | theirs}
            elif isinstance(mine, list):
                value = [x + y for x, y in zip(mine, theirs, strict=True)]
            else:
                value = mine + theirs
            setattr(out, name, value)
        return out


def tagged(tag: str) -> Any:
    """Conversations whose ``tags`` (a JSON list) hold ``tag``: a LIKE on the JSON text, the
    same on SQLite (TEXT) and PostgreSQL (JSONB cast to text); a campaign report is occasional,
    so no index is needed."""
    quoted = json.dumps(tag, ensure_ascii=False)
    escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(c.c.tags, sa.Text).like(f"%{escaped}%", escape="\\")


class PeriodQuery:
    """The statements of one series call, sharing store, period, segment and filters."""

    def __init__(
        self,
        conn: sa.Connection,
        store_id: int,
        since: datetime,
        until: datetime,
        by: str | None,
        filters: Filters,
    ) -> None:
        self.conn, self.store_id = conn, store_id
        self.since, self.until, self.by = since, until, by
        self.where: list[Any] = []
        if filters.channel is not None:
            self.where.append(c.c.channel == filters.channel)
        if filters.intent is not None:
            self.where.append(c.c.intent == filters.intent)
        if filters.agent_version is not None:
            self.where.append(c.c.agent_version_id == self._version_id(filters.agent_version))
        if filters.tag is not None:
            self.where.append(tagged(filters.tag))

    def period(self, since: datetime, until: datetime) -> PeriodQuery:
        other = copy.copy(self)
        other.since, other.until = since, until
        return other

    def _version_id(self, label: str) -> int:
        vid = self.conn.execute(
            sa.select(agent_versions.c.id).where(
                agent_versions.c.store_id == self.store_id, agent_versions.c.label == label
            )
        ).scalar()
        if vid is None:
            raise NotFound(
                f"There is no agent version {label!r} in this store.",
                hint="Agent versions appear when conversations name them (agent_version).",
            )
        return int(vid)

    def version_labels(self) -> dict[Any, str]:
        rows = self.conn.execute(
            sa.select(agent_versions.c.id, agent_versions.c.label).where(
                agent_versions.c.store_id == self.store_id
            )
        )
        return {r.id: r.label for r in rows}

    # -- helpers -------------------------------------------------------------------------

    def keys(self) -> list[Any]:
        """GROUP BY keys: the segment column when grouped (never a constant: PostgreSQL
        refuses GROUP BY a constant)."""
        if self.by is None:
            return []
        return [c.c["agent_version_id" if self.by == "agent_version" else self.by]]

    def split(self, row: Any) -> tuple[Any, Any]:
        """(segment, rest of the row) of a row that starts with :meth:`keys`."""
        return (None, row) if self.by is None else (row[0], row[1:])

    def scope(self, *extra: Any) -> list[Any]:
        """The period's conversations (and the filters)."""
        return [
            c.c.store_id == self.store_id,
            c.c.started_at >= self.since,
            c.c.started_at < self.until,
            *self.where,
            *extra,
        ]

    def _signal_join(self, kind: str) -> Any:
        """Signals of ``kind`` joined to their conversations. A signal is recorded at or after
        its conversation's start (a day's grace for clocks), so bounding ``occurred_at`` lets
        the (store, type, occurred_at) index drive the join: without it SQLite walked every
        conversation of the window and probed signals for each (measured at 1M: 0.5 s a
        statement, against a few ms)."""
        return sig.join(c, c.c.id == sig.c.conversation_id), [
            sig.c.store_id == self.store_id,
            sig.c.type == kind,
            sig.c.occurred_at >= self.since - SIGNAL_GRACE,
        ]

    # -- statements ----------------------------------------------------------------------

    def counts(self, raws: dict[Any, Raw]) -> None:
        """Volumes, automated resolutions, escalations, CSAT, confidence: one scan."""
        ai = c.c.handled_by == "ai"
        human = c.c.handled_by.in_(("human", "hybrid"))
        escalated = sa.or_(c.c.outcome == "escalated", c.c.handled_by == "hybrid")
        conf = c.c.confidence

        def count_if(cond: Any) -> Any:
            return sa.func.sum(sa.case((cond, 1), else_=0))

        # Cumulative counts below each bin edge (no GROUP BY per bin: SQLite would sort).
        edges = [(i + 1) / CONFIDENCE_BINS for i in range(CONFIDENCE_BINS - 1)]
        keys = self.keys()
        stmt = sa.select(
            *keys,
            sa.func.count(),
            count_if(ai),
            count_if(sa.and_(ai, c.c.outcome == "resolved")),
            count_if(escalated),
            sa.func.sum(sa.case((ai, c.c.csat))),
            sa.func.count(sa.case((ai, c.c.csat))),
            sa.func.sum(sa.case((human, c.c.csat))),
            sa.func.count(sa.case((human, c.c.csat))),
            sa.func.sum(conf),
            sa.func.count(conf),
            *[count_if(conf < e) for e in edges],
        ).where(*self.scope())
        for row in self.conn.execute(stmt.group_by(*keys) if keys else stmt):
            seg, rest = self.split(row)
            if not rest[0]:
                continue
            r = raws[seg]
            r.n, r.n_ai, r.auto, r.escalated = (int(x) for x in rest[:4])
            r.csat_ai, r.csat_ai_n = float(rest[4] or 0), int(rest[5])
            r.csat_human, r.csat_human_n = float(rest[6] or 0), int(rest[7])
            r.conf_sum, r.conf_n = float(rest[8] or 0), int(rest[9])
            r.conf_below = [int(x) for x in rest[10:]]

    def signal_counts(self, edges: list[datetime], raws: list[dict[Any, Raw]]) -> None:
        """CSAT signals of conversations without their own CSAT (one mean per conversation),
        and escalation signals of conversations not already counted as escalated. Signals
        are few: one statement each for the whole window, rows placed by period here."""
        started = epoch_seconds(self.conn, c.c.started_at)
        joined, on = self._signal_join("csat")
        stmt = (
            sa.select(started, c.c.handled_by, sa.func.avg(sig.c.value), *self.keys())
            .select_from(joined)
            .where(*on, *self.scope(c.c.csat.is_(None)))
            .group_by(c.c.id, c.c.started_at, c.c.handled_by, *self.keys())
        )
        rows = self.conn.execute(stmt).all()
        periods = _period_of(_seconds(self.conn, [r[0] for r in rows]), edges)
        for b, (_, handled_by, mean, *seg) in zip(periods.tolist(), rows, strict=True):
            r = raws[b][seg[0] if seg else None]
            if handled_by == "ai":
                r.csat_ai, r.csat_ai_n = r.csat_ai + float(mean), r.csat_ai_n + 1
            else:
                r.csat_human, r.csat_human_n = r.csat_human + float(mean), r.csat_human_n + 1
        joined, on = self._signal_join("escalation")
        not_yet = sa.and_(
            sa.func.coalesce(c.c.outcome, "") != "escalated", c.c.handled_by != "hybrid"
        )
        stmt = (
            sa.select(started, *self.keys())
            .select_from(joined)
            .where(*on, *self.scope(not_yet))
            .group_by(c.c.id, c.c.started_at, *self.keys())
        )
        rows = self.conn.execute(stmt).all()
        periods = _period_of(_seconds(self.conn, [r[0] for r in rows]), edges)
        for b, (_, *seg) in zip(periods.tolist(), rows, strict=True):
            raws[b][seg[0] if seg else None].escalated += 1

    def repeats(self, edges: list[datetime], raws: list[dict[Any, Raw]]) -> None:
        """Repeat contacts and times to resolution, from one scan of the window.

        A repeat contact is a conversation whose customer had another one in the 24 h
        before (the later of two, by start then id), or that carries a ``repeat_contact``
        signal. The previous contact may be of any channel, intent or version (a chat, then
        an e-mail about it, is a repeat whatever the filter), and may lie in the day before
        the window. Each value lands in its period (``edges``: period starts, then the
        window's end).

        On SQLite (ungrouped) the columns come packed (``packed.py``); otherwise as rows.
        Either way only narrow columns: the signal flag as 0/1 from an IN over the window's
        signals, the scope flag only when filters apply."""
        sqlite = self.conn.dialect.name == "sqlite"
        resolved = sa.and_(c.c.outcome == "resolved", c.c.ended_at.is_not(None))
        ttr = sa.cast(seconds_between(self.conn, c.c.ended_at, c.c.started_at), sa.Float)
        _, on = self._signal_join("repeat_contact")
        flagged = c.c.id.in_(sa.select(sig.c.conversation_id).where(*on))
        in_scope = sa.and_(*self.where) if self.where else None
        window = [
            c.c.store_id == self.store_id,
            c.c.started_at >= self.since - timedelta(days=1),
            c.c.started_at < self.until,
        ]
        segs: list[Any] | None = None
        got: list[np.ndarray] | None = None
        if sqlite and self.by is None:
            # Start and (resolved) end as whole epoch milliseconds: integers print and parse
            # cheaply, and each time is parsed once; time to resolution keeps 1 ms.
            cols = [Packed(c.c.id, "int"), Packed(c.c.customer_hash, "hex64"),
                    Packed(epoch_ms(c.c.started_at), "int"),
                    Packed(sa.case((resolved, epoch_ms(c.c.ended_at))), "int_or_null"),
                    Packed(flagged, "flag")]
            if in_scope is not None:
                cols.append(Packed(in_scope, "flag"))
            try:
                got = packed(self.conn, cols, c, window)
            except PackingFailed:
                got = None  # customer keys that are not SHA-256 hex: fetch rows
            else:
                if got is None:
                    return
        if got is not None:
            cid, code, start_ms, end_ms, flags = got[:5]
            code = code.view(np.int64)
            anonymous = code == 0  # no customer hash (see packed.py)
            t = start_ms // 1000
            ttr_all = np.where(end_ms == NULL_INT, np.nan, (end_ms - start_ms) / 1000.0)
            scoped = got[5] if in_scope is not None else None
        else:
            extra = [sa.case((in_scope, 1), else_=0)] if in_scope is not None else []
            stmt = sa.select(c.c.id, c.c.customer_hash, epoch_seconds(self.conn, c.c.started_at),
                             sa.case((resolved, ttr)), sa.case((flagged, 1), else_=0),
                             *extra, *self.keys()).where(*window)  # fmt: skip
            columns = _columns(self.conn, stmt, 5 + len(extra) + len(self.keys()))
            if not columns[0]:
                return
            ids, hashes, raw_t, ends, flag_col = columns[:5]
            cid, t = np.asarray(ids, dtype=np.int64), _seconds(self.conn, raw_t)
            # Python's 64-bit string hash as the customer key: ~20x faster than a dict of
            # codes at 1M rows; a collision needs ~2^32 customers to become likely.
            code = np.fromiter(map(hash, hashes), dtype=np.int64, count=len(hashes))
            anonymous = np.fromiter((h is None for h in hashes), dtype=bool, count=len(hashes))
            ttr_all = np.asarray(ends, dtype=np.float64)  # None (not resolved) → NaN
            flags = np.asarray(flag_col, dtype=np.int8) == 1
            scoped = np.asarray(columns[5], dtype=np.int8) == 1 if extra else None
            segs = columns[-1] if self.by else None
        keep = t >= int((self.since - _EPOCH).total_seconds())
        if scoped is not None:
            keep &= scoped
        if anonymous.any():  # no customer: a key of its own, never a match
            code = code.copy()
            code[anonymous] = np.arange(int(anonymous.sum()), dtype=np.int64) - (1 << 62)
        order = np.lexsort((cid, t, code))
        again = np.zeros(t.size, dtype=bool)
        again[order[1:]] = (code[order][1:] == code[order][:-1]) & (np.diff(t[order]) <= DAY_S)
        again |= flags
        hit = np.flatnonzero(again & keep)
        for (b, seg), values in _split(t[hit], np.ones(hit.size), segs, hit, edges).items():
            raws[b][seg].repeats += int(values.size)
        done = np.flatnonzero(~np.isnan(ttr_all) & keep)
        for (b, seg), values in _split(t[done], ttr_all[done], segs, done, edges).items():
            raws[b][seg].ttr = values

    def scores(self, raws: dict[Any, Raw]) -> None:
        s = conversation_scores
        keys = self.keys()
        cols: list[Any] = [sa.func.count()]
        for d in DIMENSIONS:
            cols += [sa.func.sum(s.c[d]), sa.func.count(s.c[d])]
        stmt = sa.select(*keys, *cols).where(
            s.c.store_id == self.store_id, s.c.started_at >= self.since, s.c.started_at < self.until
        )
        if self.by is not None or self.where:
            stmt = stmt.select_from(s.join(c, c.c.id == s.c.conversation_id)).where(*self.where)
        for row in self.conn.execute(stmt.group_by(*keys) if keys else stmt):
            seg, rest = self.split(row)
            if not rest[0]:
                continue
            r = raws[seg]
            r.scored = int(rest[0])
            for i, d in enumerate(DIMENSIONS):
                r.dim_sum[d] = float(rest[1 + 2 * i] or 0)
                r.dim_n[d] = int(rest[2 + 2 * i])

    def latencies(self, edges: list[datetime], raws: list[dict[Any, Raw]]) -> None:
        """AI message latencies: one fetch for the whole window, split by period/segment."""
        m = messages
        joined = c.join(m, m.c.conversation_id == c.c.id)
        where = self.scope(m.c.role == "ai", m.c.latency_ms.is_not(None))
        segs = None
        if self.conn.dialect.name == "sqlite" and self.by is None:
            got = packed(self.conn, [Packed(epoch_second(c.c.started_at), "int"),
                                     Packed(m.c.latency_ms, "float")], joined, where)
            if got is None:
                return
            t, values = got
        else:
            stmt = sa.select(epoch_seconds(self.conn, c.c.started_at), m.c.latency_ms,
                             *self.keys()).select_from(joined).where(*where)  # fmt: skip
            columns = _columns(self.conn, stmt, 3 if self.by else 2)
            if not columns[0]:
                return
            t = _seconds(self.conn, columns[0])
            values = np.asarray(columns[1], dtype=np.float64)
            segs = columns[2] if self.by else None
        for (b, seg), v in _split(t, values, segs, np.arange(t.size), edges).items():
            raws[b][seg].latency = v


def _split(
    seconds: np.ndarray,
    values: np.ndarray,
    segs: list[Any] | None,
    rows: np.ndarray,
    edges: list[datetime],
) -> dict[tuple[int, Any], np.ndarray]:
    """``values`` per (period, segment); ``rows`` index ``segs`` (the fetched segment column)."""
    if values.size == 0:
        return {}
    period = _period_of(seconds, edges)
    names: list[Any] = [None]
    code = np.zeros(period.size, dtype=np.int64)
    if segs is not None:
        lookup: dict[Any, int] = {}
        code = np.fromiter((lookup.setdefault(segs[i], len(lookup)) for i in rows.tolist()),
                           dtype=np.int64, count=rows.size)  # fmt: skip
        names = list(lookup)
    key = period * len(names) + code
    order = np.argsort(key, kind="stable")
    key, values = key[order], values[order]
    cuts = np.flatnonzero(np.diff(key)) + 1
    out = {}
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, key.size], strict=True):
        k = int(key[lo])
        out[(k // len(names), names[k % len(names)])] = values[lo:hi]
    return out


def _period_of(seconds: np.ndarray, edges: list[datetime]) -> np.ndarray:
    """The index of the period each epoch second falls in (``edges``: starts, then the end)."""
    bounds = np.array([int((e - _EPOCH).total_seconds()) for e in edges], dtype=np.int64)
    return np.searchsorted(bounds, seconds, side="right") - 1


_EPOCH = datetime(1970, 1, 1)


def _seconds(conn: sa.Connection, values: list[Any]) -> np.ndarray:
    """Whole epoch seconds from what :func:`epoch_seconds` selected (julian days on SQLite:
    cheaper per row than strftime; 0.1 ms is added before the floor because a julian day
    double resolves ~40 µs, so a whole second may come back as x.99999995)."""
    arr = np.asarray(values, dtype=np.float64)
    if conn.dialect.name == "sqlite":
        arr = np.floor((arr - JULIAN_EPOCH) * 86_400.0 + 1e-4)
    return arr.astype(np.int64)




def _columns(conn: sa.Connection, stmt: Any, width: int) -> list[list[Any]]:
    """Run a SELECT of plain columns on the driver's cursor and return its columns.

    Bypasses SQLAlchemy's row objects, which cost twice the query itself for the ~100k rows
    a week of percentile inputs has (measured). Only parameters are processed here:
    datetimes become SQLite's stored text form, everything else goes as is.
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any
    if conn.dialect.name == "sqlite":
        enc = Encoder(sqlite=True)
        args = tuple(
            enc.time(v) if isinstance(v, datetime) else v
            for v in (params[k] for k in compiled.positiontup or ())
        )
    else:
        args = params
    out: list[list[Any]] = [[] for _ in range(width)]
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        while rows := cursor.fetchmany(FETCH):
            for i, col in enumerate(out):
                col.extend([r[i] for r in rows])
    finally:
        cursor.close()
    return out
