"""Opening the database: ``open_store(url)`` returns a :class:`Database`.

No engine exists at import time; callers open one and pass it (or a connection) on. SQLite
runs with WAL and foreign keys on; PostgreSQL is used as is. JSON goes through orjson.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from shopcoach.errors import ConfigError, StoreError
from shopcoach.store.migrate import check_schema


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


@dataclass
class Database:
    """An open store: the engine plus what callers need to know about it."""

    engine: sa.Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A connection inside a transaction, committed on success."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` with Shopcoach's connection settings; creates SQLite folders."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            f"The database URL {url!r} is not a valid SQLAlchemy URL.",
            hint="Use e.g. sqlite:///path/to/shopcoach.db or "
            "postgresql+psycopg://user@host:5432/db (SHOPCOACH_DATABASE_URL).",
        ) from exc
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    elif backend == "postgresql":
        if parsed.get_driver_name() in ("psycopg2", "postgresql"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs["pool_pre_ping"] = True
        # No server-side prepared statements: a generic plan for "external_id = ANY(:ids)"
        # chose a sequential scan once the table grew (measured: import of 40k conversations
        # 72 s with psycopg's default prepare_threshold, 22 s without). Planning is cheap.
        kwargs["connect_args"] = {"prepare_threshold": None}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"The driver for {parsed.drivername} is not installed ({exc.name}).",
            hint="Install the extra: pip install 'shopcoach[postgres]'.",
        ) from exc
    if backend == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL still never corrupts; a power cut may lose the last commits only.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def open_store(url: str, *, check: bool = True) -> Database:
    """Open the store at ``url``. With ``check`` (the default), refuse an out-of-date schema.

    >>> db = open_store("sqlite:///shop.db", check=False)  # doctest: +SKIP
    """
    engine = create_engine(url)
    db = Database(engine=engine, url=url)
    if check:
        try:
            check_schema(engine, db.display_url)
        except sa.exc.OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"Cannot connect to the database at {db.display_url}: {exc.orig}.",
                hint="Check SHOPCOACH_DATABASE_URL and that the server is running.",
            ) from exc
        except BaseException:
            engine.dispose()
            raise
    return db
