"""What every command shares: settings from global options, the open store, consoles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from shopcoach.settings import Settings, load_settings
from shopcoach.store.engine import Database, open_store

if TYPE_CHECKING:
    from shopcoach.stores import Store

# soft_wrap: summary lines are left to the terminal to wrap, so they stay greppable.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@dataclass
class _State:
    overrides: dict[str, Any] = field(default_factory=dict)
    ctx: typer.Context | None = None


state = _State()


def settings() -> Settings:
    return load_settings(**state.overrides)


def store_db(*, check: bool = True) -> tuple[Settings, Database]:
    """Settings and the open store (refusing an out-of-date schema unless ``check=False``)."""
    s = settings()
    db = open_store(s.resolved_database_url(), check=check)
    if state.ctx is not None:
        state.ctx.call_on_close(db.close)  # release pooled connections when the command ends
    return s, db


@contextmanager
def store_conn(slug: str | None = None, *, write: bool = False) -> Iterator[tuple[Any, Store]]:
    """A connection (a transaction with ``write``) and the store named by ``slug`` (default:
    the settings' default store): the opening lines every store command shares."""
    from shopcoach.stores import get_store

    s, db = store_db()
    with db.begin() if write else db.connect() as conn:
        yield conn, get_store(conn, slug or s.default_store)
