"""The AI fix list (R-REV-2): conversations someone flagged, with a note, an owner, a status.

Anyone can add a conversation (CLI, HTTP API, SDK); the weekly pack shows the open items and
the ones closed that week with the change that fixed them (:func:`open_items_for_pack`).
Statuses: ``open`` → ``in_progress`` → ``done`` (needs a ``fix_ref``: what fixed it, e.g.
``agent_version:v7``, ``kb:article/returns@4``, a commit) or ``wont_fix``. Every change is
written to the audit log with its before and after.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.review.weeks import week_bounds
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import conversations, fix_items

STATUSES = ("open", "in_progress", "done", "wont_fix")
OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("done", "wont_fix")
MAX_NOTE = 10_000
_UNSET: Any = object()


@dataclass(frozen=True)
class FixItem:
    id: int
    conversation_id: str | None  # the conversation's external id
    note: str
    status: str
    owner: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    fix_ref: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("created_at", "updated_at", "closed_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class PackItems:
    """What the weekly pack shows: open items, and items closed during the week."""

    week: str
    start: datetime
    end: datetime
    open: list[FixItem]
    closed: list[FixItem]

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "open": [i.to_dict() for i in self.open],
                "closed": [i.to_dict() for i in self.closed]}  # fmt: skip


def _item(row: Any) -> FixItem:
    return FixItem(row.id, row.conversation_external_id, row.note, row.status, row.owner,
                   row.created_by, row.created_at, row.updated_at, row.closed_at,
                   row.fix_ref)  # fmt: skip


def _clean(value: str | None, field: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise ValidationFailed(f"Fix item {field} is {len(value)} characters; at most {limit}.",
                               hint=f"Shorten the {field}.")  # fmt: skip
    return value


def add_item(
    conn: sa.Connection, store_id: int, conversation_id: str, note: str, *, actor: str,
    owner: str | None = None,
) -> FixItem:  # fmt: skip
    """Flag a conversation (by its external id) with a note; returns the new open item."""
    clean_note = _clean(note, "note", MAX_NOTE)
    if not clean_note:
        raise ValidationFailed(
            f"A fix item for conversation {conversation_id!r} needs a note.",
            hint="Say what went wrong, e.g. --note 'quoted the old 30-day return window'.",
        )
    conv_id = conn.execute(
        sa.select(conversations.c.id).where(
            conversations.c.store_id == store_id, conversations.c.external_id == conversation_id
        )
    ).scalar()
    if conv_id is None:
        raise NotFound(
            f"No conversation {conversation_id!r} in this store.",
            hint="Use the conversation's external id as captured (see `shopcoach show ID`).",
        )
    now = utcnow()
    values = dict(store_id=store_id, conversation_id=conv_id,
                  conversation_external_id=conversation_id, note=clean_note, status="open",
                  owner=_clean(owner, "owner"), created_by=actor, created_at=now,
                  updated_at=now)  # fmt: skip
    new_id = conn.execute(fix_items.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
    item = get_item(conn, store_id, int(new_id))
    audit.record(conn, actor, "fix_item.add", store_id=store_id, target=f"fix_item:{item.id}",
                 details=item.to_dict())  # fmt: skip
    return item


def get_item(conn: sa.Connection, store_id: int, item_id: int) -> FixItem:
    row = conn.execute(
        sa.select(fix_items).where(fix_items.c.store_id == store_id, fix_items.c.id == item_id)
    ).first()
    if row is None:
        raise NotFound(f"No fix item {item_id} in this store.",
                       hint="List the items with `shopcoach fix list`.")  # fmt: skip
    return _item(row)


def list_items(
    conn: sa.Connection, store_id: int, *, status: str | None = None, limit: int = 1000
) -> list[FixItem]:
    """Items of the store, newest first; ``status`` filters (one of :data:`STATUSES`)."""
    stmt = sa.select(fix_items).where(fix_items.c.store_id == store_id)
    if status is not None:
        stmt = stmt.where(fix_items.c.status == _check_status(status))
    stmt = stmt.order_by(fix_items.c.id.desc()).limit(limit)
    return [_item(r) for r in conn.execute(stmt)]


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValidationFailed(f"Unknown fix item status {status!r}.",
                               hint=f"Use one of: {', '.join(STATUSES)}.")  # fmt: skip
    return status


def update_item(
    conn: sa.Connection, store_id: int, item_id: int, *, actor: str, status: str | None = None,
    owner: str | None = _UNSET, note: str | None = None, fix_ref: str | None = None,
) -> FixItem:  # fmt: skip
    """Change status, owner, note and/or fix_ref in one audited step.

    Closing as ``done`` needs a ``fix_ref`` (given now or already on the item); closing sets
    ``closed_at``; reopening clears ``closed_at`` and ``fix_ref``. ``owner=None`` unassigns.
    """
    before = get_item(conn, store_id, item_id)
    changes: dict[str, Any] = {}
    if owner is not _UNSET:
        changes["owner"] = _clean(owner, "owner")
    if note is not None:
        changes["note"] = _clean(note, "note", MAX_NOTE)
        if not changes["note"]:
            raise ValidationFailed(f"Fix item {item_id}: the note cannot be empty.",
                                   hint="Give the new note text.")  # fmt: skip
    ref = _clean(fix_ref, "fix_ref", 300)
    if ref is not None:
        changes["fix_ref"] = ref
    now = utcnow()
    if status is not None:
        _check_status(status)
        changes["status"] = status
        if status == "done" and not (ref or (before.status == "done" and before.fix_ref)):
            raise ValidationFailed(
                f"Closing fix item {item_id} needs a fix_ref: what fixed it.",
                hint="E.g. --fix-ref 'agent_version:v7', 'kb:article/returns@4' or a commit.",
            )
        if status in CLOSED_STATUSES and before.status not in CLOSED_STATUSES:
            changes["closed_at"] = now
        elif status in OPEN_STATUSES:
            changes["closed_at"] = None
            changes["fix_ref"] = ref  # reopening forgets the old fix unless a new one is given
    if not changes:
        return before
    conn.execute(sa.update(fix_items).where(fix_items.c.id == item_id)
                 .values(**changes, updated_at=now))  # fmt: skip
    after = get_item(conn, store_id, item_id)
    diff = {k: [before.to_dict()[k], after.to_dict()[k]] for k in changes}
    audit.record(conn, actor, "fix_item.update", store_id=store_id, target=f"fix_item:{item_id}",
                 details={"changes": diff})  # fmt: skip
    return after


def assign(conn: sa.Connection, store_id: int, item_id: int, owner: str, *, actor: str) -> FixItem:
    return update_item(conn, store_id, item_id, actor=actor, owner=owner)


def set_status(
    conn: sa.Connection, store_id: int, item_id: int, status: str, *, actor: str
) -> FixItem:
    return update_item(conn, store_id, item_id, actor=actor, status=status)


def close(conn: sa.Connection, store_id: int, item_id: int, fix_ref: str, *, actor: str) -> FixItem:
    """Mark done, linking the change that fixed it (``agent_version:v7``, a commit, …)."""
    if not (fix_ref or "").strip():
        raise ValidationFailed(
            f"Closing fix item {item_id} needs a fix_ref: what fixed it.",
            hint="E.g. --fix-ref 'agent_version:v7', 'kb:article/returns@4' or a commit.",
        )
    return update_item(conn, store_id, item_id, actor=actor, status="done", fix_ref=fix_ref)


def open_items_for_pack(conn: sa.Connection, store_id: int, week: str | date) -> PackItems:
    """The fix list as the weekly pack shows it for ``week``: items still open (created before
    the week ended), and items closed during the week with their ``fix_ref``."""
    label, start, end = week_bounds(week)
    f = fix_items
    base = sa.select(f).where(f.c.store_id == store_id, f.c.created_at < end)
    open_rows = conn.execute(base.where(f.c.status.in_(OPEN_STATUSES))
                             .order_by(f.c.created_at, f.c.id))  # fmt: skip
    closed_rows = conn.execute(
        base.where(
            f.c.status.in_(CLOSED_STATUSES), f.c.closed_at >= start, f.c.closed_at < end
        ).order_by(f.c.closed_at, f.c.id)
    )
    return PackItems(label, start, end, [_item(r) for r in open_rows],
                     [_item(r) for r in closed_rows])  # fmt: skip
