"""``GET /api/v1/review/gaps``: a week's knowledge-gap topics with their trend (read scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from shopcoach.api.auth import ReadKey
from shopcoach.review.gaps_report import gap_report

router = APIRouter(prefix="/api/v1")


@router.get("/review/gaps", tags=["review"], summary="Knowledge-gap topics of an ISO week")
def gaps(
    request: Request,
    key: ReadKey,
    week: Annotated[
        str | None,
        Query(description="ISO week, e.g. 2026-W47 (default: the last complete week)."),
    ] = None,
) -> dict[str, Any]:
    settings = request.app.state.settings
    embedder = "lsa" if settings.embedder == "none" else settings.embedder
    with request.app.state.db.connect() as conn:
        report = gap_report(conn, key.store_id, week, store_slug=key.store_slug,
                            embedder=embedder)  # fmt: skip
    return report.to_dict()
