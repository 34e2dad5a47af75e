"""The review calendar over HTTP: ``GET /api/v1/review/weekly`` (the weekly pack: JSON, HTML or
Markdown), ``/review/monthly`` (the leadership summary) and ``/review/campaign``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from shopcoach.api.auth import ReadKey
from shopcoach.review.calendar import campaign_report, monthly_summary
from shopcoach.review.calendar_render import campaign_markdown, monthly_markdown
from shopcoach.review.pack_load import build_weekly_pack
from shopcoach.review.pack_render import html, markdown
from shopcoach.stores import get_store

router = APIRouter(prefix="/api/v1")


@router.get("/review/weekly", tags=["review"], summary="The weekly coaching pack")
def weekly(
    request: Request,
    key: ReadKey,
    week: Annotated[str | None, Query(description="ISO week, e.g. 2026-W47.")] = None,
    format: Annotated[str, Query(pattern="^(json|html|md)$")] = "json",
    gaps: bool = True,
) -> Any:
    db, settings = request.app.state.db, request.app.state.settings
    embedder = None if settings.embedder == "none" else settings.embedder
    with db.connect() as conn:
        store = get_store(conn, key.store_slug)
        pack = build_weekly_pack(conn, store, week, embedder=embedder, gaps=gaps).to_dict()
    if format == "html":
        return HTMLResponse(html(pack))
    if format == "md":
        return PlainTextResponse(markdown(pack), media_type="text/markdown")
    return pack


@router.get("/review/monthly", tags=["review"], summary="The monthly leadership summary")
def monthly(
    request: Request,
    key: ReadKey,
    month: Annotated[str | None, Query(description="A month, e.g. 2026-11.")] = None,
    format: Annotated[str, Query(pattern="^(json|md)$")] = "json",
) -> Any:
    with request.app.state.db.connect() as conn:
        data = monthly_summary(conn, get_store(conn, key.store_slug), month).to_dict()
    if format == "md":
        return PlainTextResponse(monthly_markdown(data), media_type="text/markdown")
    return data


@router.get("/review/campaign", tags=["review"], summary="A post-campaign report")
def campaign(
    request: Request,
    key: ReadKey,
    since: datetime,
    until: datetime,
    tag: str | None = None,
    baseline: str | None = None,
    baseline_since: datetime | None = None,
    baseline_until: datetime | None = None,
    format: Annotated[str, Query(pattern="^(json|md)$")] = "json",
) -> Any:
    with request.app.state.db.connect() as conn:
        data = campaign_report(
            conn, get_store(conn, key.store_slug), since=_naive(since), until=_naive(until),
            tag=tag, baseline=baseline, baseline_since=_naive(baseline_since),
            baseline_until=_naive(baseline_until),
        ).to_dict()  # fmt: skip
    if format == "md":
        return PlainTextResponse(campaign_markdown(data), media_type="text/markdown")
    return data


def _naive(value: datetime | None) -> Any:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
