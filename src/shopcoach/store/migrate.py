"""Schema migrations: upgrade, and the check that refuses to run on an old schema."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from shopcoach.errors import SchemaOutOfDate


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("shopcoach.store") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest revision this version of Shopcoach ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to ``revision``; returns (before, after)."""
    before = current_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


def check_schema(engine: sa.Engine, url_for_humans: str) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaOutOfDate(
            f"The database at {url_for_humans} has no Shopcoach schema yet.",
            hint="Run `shopcoach db upgrade` (or `shopcoach init`) to create it.",
        )
    raise SchemaOutOfDate(
        f"The database at {url_for_humans} is at schema revision {current}, but this "
        f"version of Shopcoach needs {head}.",
        hint="Run `shopcoach db upgrade` to migrate it.",
    )
