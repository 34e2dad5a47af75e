"""Drift routes: stored findings and detectors (read scope), run the detectors (admin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shopcoach.api.auth import AdminKey, ReadKey
from shopcoach.drift import get_detector
from shopcoach.drift.store import STORE_DETECTORS, list_findings, run_drift

router = APIRouter(prefix="/api/v1/drift", tags=["drift"])


@router.get("/findings", summary="Stored drift findings, newest window first")
def findings(
    request: Request,
    key: ReadKey,
    detector: Annotated[str | None, Query(description="Only this detector.")] = None,
    drifted: Annotated[bool | None, Query(description="Only drifted (true) or not.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {
            "findings": list_findings(
                conn, key.store_id, detector=detector, drifted=drifted, limit=limit
            )
        }


@router.get("/detectors", summary="Detectors that run on the store, with default thresholds")
def detectors(key: ReadKey) -> dict[str, Any]:
    specs = [get_detector(n) for n in STORE_DETECTORS]
    return {
        "detectors": [
            {"name": s.name, "summary": s.summary, "defaults": s.defaults()} for s in specs
        ]
    }


class RunRequest(BaseModel):
    detectors: list[str] | None = Field(default=None, examples=[["intent_mix"]])
    days: int = Field(default=7, ge=1, le=366, description="Current window: the last N days.")
    reference_days: int = Field(
        default=28, ge=1, le=3660, description="Reference window: the N days before it."
    )
    config: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Threshold overrides per detector, e.g. "
        '{"intent_mix": {"js_threshold": 0.05}}.',
    )


@router.post("/run", summary="Run the drift detectors now and store the findings")
def run(body: RunRequest, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        results = run_drift(
            conn,
            key.store_id,
            detectors=body.detectors,
            window=timedelta(days=body.days),
            reference=timedelta(days=body.reference_days),
            config=body.config,
        )
    return {"results": [r.model_dump(mode="json") for r in results]}
