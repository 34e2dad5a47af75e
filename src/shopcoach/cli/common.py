"""What every command shares: settings from global options, the open store, consoles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console

from shopcoach.settings import Settings, load_settings
from shopcoach.store.engine import Database, open_store

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
