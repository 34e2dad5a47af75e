"""The weekly coaching pack over HTTP: ``GET /api/v1/review/weekly`` (JSON, HTML or Markdown)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from shopcoach.api.auth import ReadKey
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
