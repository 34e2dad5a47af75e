"""Escalation dials stored per agent version (``agent_versions.config["escalation"]``).

Changing a dial creates no new version by itself: the coach edits the dials of a *draft*
version, tests it on past conversations, then activates it. Active and retired versions are
immutable (what ran must stay knowable); every change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from shopcoach import audit
from shopcoach.agent.escalation import EscalationPolicy
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.store.sql import insert_for, utcnow
from shopcoach.store.tables import agent_versions

CONFIG_KEY = "escalation"
EDITABLE_STATUSES = ("draft", "observed")


def _version(conn: sa.Connection, store_id: int, label: str) -> Any:
    row = conn.execute(
        sa.select(agent_versions).where(
            agent_versions.c.store_id == store_id, agent_versions.c.label == label
        )
    ).first()
    if row is None:
        raise NotFound(
            f"No agent version {label!r} in this store.",
            hint="Create it with `shopcoach agent create-version LABEL`, or list versions "
            "with `shopcoach agent versions`.",
        )
    return row


def get_policy(conn: sa.Connection, store_id: int, label: str) -> EscalationPolicy:
    """The dials of a version (defaults for any dial it does not set)."""
    row = _version(conn, store_id, label)
    return EscalationPolicy.model_validate((row.config or {}).get(CONFIG_KEY, {}))


def create_version(
    conn: sa.Connection, store_id: int, label: str, *, actor: str,
    model: str | None = None, prompt: str | None = None, copy_from: str | None = None,
) -> None:  # fmt: skip
    """A new draft version, optionally copying another version's config (dials included)."""
    config: dict[str, Any] = {}
    if copy_from:
        config = dict(_version(conn, store_id, copy_from).config or {})
    stmt = insert_for(conn, agent_versions).values(
        store_id=store_id, label=label, model=model, prompt=prompt, config=config,
        status="draft", created_at=utcnow(), created_by=actor,
    )  # fmt: skip
    # RETURNING, not rowcount: a skipped row is reported as -1 by some drivers.
    inserted = conn.execute(
        stmt.on_conflict_do_nothing(index_elements=["store_id", "label"]).returning(
            agent_versions.c.id
        )
    ).first()
    if inserted is None:
        existing = _version(conn, store_id, label)
        if existing.status != "draft" or (existing.config or {}) != config:
            raise ValidationFailed(
                f"Agent version {label!r} already exists (status {existing.status}).",
                hint="Choose a new label: versions are never overwritten.",
            )
    audit.record(conn, actor, "agent_version.create", store_id=store_id, target=label,
                 details={"copy_from": copy_from, "model": model})  # fmt: skip


def set_dials(
    conn: sa.Connection, store_id: int, label: str, changes: dict[str, Any], *, actor: str
) -> EscalationPolicy:
    """Apply ``changes`` (dial name → value; ``thresholds`` merged per intent) to a draft."""
    row = _version(conn, store_id, label)
    if row.status not in EDITABLE_STATUSES:
        raise ValidationFailed(
            f"Agent version {label!r} is {row.status}; its dials cannot change.",
            hint=f"Create a draft from it: `shopcoach agent create-version NEW --from {label}`.",
        )
    before = EscalationPolicy.model_validate((row.config or {}).get(CONFIG_KEY, {}))
    data = before.model_dump(mode="json")
    for key, value in changes.items():
        if key == "thresholds" and isinstance(value, dict):
            data["thresholds"] = {**data["thresholds"], **value}
        else:
            data[key] = value
    try:
        after = EscalationPolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "dials"
        raise ValidationFailed(
            f"Dial {field!r} of version {label!r}: {first['msg']}.",
            hint="Thresholds are numbers between 0 and 1; lists are intent names.",
        ) from exc
    config = {**(row.config or {}), CONFIG_KEY: after.model_dump(mode="json")}
    conn.execute(sa.update(agent_versions).where(agent_versions.c.id == row.id)
                 .values(config=config))  # fmt: skip
    audit.record(conn, actor, "agent_version.dials", store_id=store_id, target=label,
                 details={"before": before.model_dump(mode="json"),
                          "after": after.model_dump(mode="json")})  # fmt: skip
    return after
