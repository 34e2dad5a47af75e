"""Metrics endpoints: series, baselines (list, pin), compare (R-MET-1..3)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shopcoach.api.auth import AdminKey, ReadKey
from shopcoach.metrics import (
    Filters,
    compare_baseline,
    default_window,
    list_baselines,
    metric_series,
    pin_baseline,
)
from shopcoach.metrics.periods import parse_when

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


class PinBaseline(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["pre-launch"])
    since: str = Field(examples=["2026-09-01"])
    until: str = Field(examples=["2026-10-01"], description="Exclusive.")
    filters: dict[str, str] = Field(default_factory=dict, examples=[{"channel": "chat"}])


@router.get("", summary="Daily or weekly metric series (optionally grouped or filtered)")
def series(
    request: Request,
    key: ReadKey,
    grain: Annotated[Literal["day", "week", "all"], Query()] = "week",
    days: Annotated[int, Query(ge=1, le=3660, description="Window up to the latest data.")] = 28,
    since: Annotated[str | None, Query(description="YYYY-MM-DD or ISO time (UTC).")] = None,
    until: Annotated[str | None, Query(description="Exclusive.")] = None,
    by: Annotated[Literal["channel", "intent", "agent_version"] | None, Query()] = None,
    channel: str | None = None,
    intent: str | None = None,
    agent_version: str | None = None,
) -> dict[str, Any]:
    filters = Filters(channel=channel, intent=intent, agent_version=agent_version)
    with request.app.state.db.connect() as conn:
        start, end = default_window(
            conn, key.store_id, days=days, since=parse_when(since, field="since"),
            until=parse_when(until, field="until"),
        )  # fmt: skip
        return metric_series(conn, key.store_id, grain=grain, since=start, until=end, by=by,
                             filters=filters).to_dict()  # fmt: skip


@router.get("/baselines", summary="Pinned baselines with their frozen metrics")
def baselines(request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"baselines": [b.to_dict() for b in list_baselines(conn, key.store_id)]}


@router.post("/baselines", status_code=201, summary="Pin a baseline (admin)")
def pin(body: PinBaseline, request: Request, key: AdminKey) -> dict[str, Any]:
    since = parse_when(body.since, field="since")
    until = parse_when(body.until, field="until")
    assert since is not None and until is not None  # the model requires both
    with request.app.state.db.begin() as conn:
        return pin_baseline(conn, key.store_id, body.name, since=since, until=until,
                            filters=Filters.from_dict(body.filters),
                            actor=f"api-key:{key.prefix}").to_dict()  # fmt: skip


@router.get("/baselines/{name}/compare", summary="A period against a pinned baseline")
def compare(
    name: str,
    request: Request,
    key: ReadKey,
    since: Annotated[str | None, Query(description="Default: the latest week.")] = None,
    until: Annotated[str | None, Query(description="Exclusive.")] = None,
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return compare_baseline(conn, key.store_id, name, since=parse_when(since, field="since"),
                                until=parse_when(until, field="until")).to_dict()  # fmt: skip
