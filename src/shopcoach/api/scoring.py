"""Scoring endpoints (R-SCO-1..5): run (admin), read scores/flags/agreement/queue (read),
post a human label (ingest: labels are captured data like signals; admin also passes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from shopcoach import scoring
from shopcoach.api.auth import AdminKey, IngestKey, ReadKey
from shopcoach.scoring.judges import describe

router = APIRouter(prefix="/api/v1/scoring", tags=["scoring"])


class LabelIn(BaseModel):
    dimension: Literal["accuracy", "relevance", "tone", "resolution"]
    label: Literal["pass", "partial", "fail"]
    labeler: str = Field(min_length=1, max_length=200, description="Who labels.")
    note: str | None = Field(default=None, max_length=5000)


class RunIn(BaseModel):
    full: bool = Field(default=False, description="Rescore every conversation.")
    since: datetime | None = Field(default=None, description="Only conversations since (UTC).")


@router.post("/run", summary="Score new and changed conversations (admin)")
def run(
    request: Request, key: AdminKey, body: Annotated[RunIn | None, Body()] = None
) -> dict[str, Any]:
    body = body or RunIn()
    since = body.since.replace(tzinfo=None) if body.since else None
    report = scoring.score_conversations(
        request.app.state.db,
        key.store_id,
        settings=request.app.state.settings,
        full=body.full,
        since=since,
    )
    return report.to_dict()


@router.get("/summary", summary="Counts and mean points per dimension")
def summary(request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return scoring.summary(conn, key.store_id)


@router.get("/conversations/{external_id}", summary="One conversation's score and flags")
def score(request: Request, external_id: str, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return scoring.get_score(conn, key.store_id, external_id)


@router.post(
    "/conversations/{external_id}/labels",
    summary="Record a human label (ingest); the conversation is rescored",
)
def label(request: Request, external_id: str, body: LabelIn, key: IngestKey) -> dict[str, Any]:
    return scoring.record_label(
        request.app.state.db,
        key.store_id,
        external_id,
        body.dimension,
        body.label,
        labeler=body.labeler,
        note=body.note,
        settings=request.app.state.settings,
    )


@router.get("/agreement", summary="Cohen's kappa of each judge against human labels")
def agreement(request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"agreement": [a.to_dict() for a in scoring.agreement(conn, key.store_id)]}


@router.get("/review-queue", summary="Conversations the review rule sent to humans")
def review_queue(
    request: Request, key: ReadKey, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"conversations": scoring.review_queue(conn, key.store_id, limit=limit)}


@router.get("/flags", summary="Hallucination flags with the verified values")
def flags(
    request: Request,
    key: ReadKey,
    kind: Annotated[
        str | None, Query(description="price, stock, size, delivery_time, policy_window or product")
    ] = None,
    since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        rows = scoring.list_flags(
            conn,
            key.store_id,
            kind=kind,
            limit=limit,
            since=since.replace(tzinfo=None) if since else None,
        )
    return {"flags": rows}


@router.get("/config", summary="The active scoring config (version 0: the default)")
def get_config(request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        active = scoring.active_config(conn, key.store_id)
    return {"version": active.version, "config": active.config.dump()}


@router.put("/config", summary="Save a scoring config as a new version (admin)")
def put_config(
    request: Request, key: AdminKey, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    config = scoring.parse_config(body.get("config", body), where="the request body")
    with request.app.state.db.begin() as conn:
        active, created = scoring.save_config(conn, key.store_id, config, actor=f"key:{key.prefix}")
    return {"version": active.version, "created": created, "config": active.config.dump()}


@router.get("/judges", summary="Registered judges and their dimensions")
def list_judges(key: ReadKey) -> dict[str, Any]:
    return {"judges": [describe(spec) for spec in scoring.judges().values()]}
