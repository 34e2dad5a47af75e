"""Review endpoints: the AI fix list (R-REV-2) and the threshold dials (R-AGT-3).

Scopes: adding or changing fix items needs ``ingest`` (or ``admin``) — anyone who can send
conversations can flag one; reading needs ``read``; applying a dial change needs ``admin``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shopcoach.api.auth import AdminKey, IngestKey, ReadKey
from shopcoach.review import fixlist
from shopcoach.review.dials import DialsConfig
from shopcoach.review.dials_store import apply_for, recommendations, whatif_for

router = APIRouter(prefix="/api/v1")
Status = Annotated[str, Field(pattern="^(open|in_progress|done|wont_fix)$")]


def _actor(key: Any) -> str:
    return f"api-key:{key.prefix}"


class FixItemIn(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=200, description="External id.")
    note: str = Field(min_length=1, max_length=fixlist.MAX_NOTE)
    owner: str | None = Field(None, max_length=200)


class FixItemPatch(BaseModel):
    status: Status | None = None
    owner: str | None = Field(None, max_length=200, description="Empty string unassigns.")
    note: str | None = Field(None, min_length=1, max_length=fixlist.MAX_NOTE)
    fix_ref: str | None = Field(None, max_length=300, description="Required to close as done.")


@router.post("/fix-items", tags=["review"], status_code=201, summary="Add to the AI fix list")
def add_fix_item(request: Request, body: FixItemIn, key: IngestKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        item = fixlist.add_item(conn, key.store_id, body.conversation_id, body.note,
                                actor=_actor(key), owner=body.owner)  # fmt: skip
    return item.to_dict()


@router.get("/fix-items", tags=["review"], summary="The fix list, newest first")
def list_fix_items(
    request: Request, key: ReadKey,
    status: Annotated[str | None, Query(pattern="^(open|in_progress|done|wont_fix)$")] = None,
    week: Annotated[str | None, Query(description="ISO week (2026-W47): as the pack shows it.",
                                      pattern=r"^\d{4}-[Ww]\d{1,2}$")] = None,
) -> dict[str, Any]:  # fmt: skip
    with request.app.state.db.connect() as conn:
        if week:
            return fixlist.open_items_for_pack(conn, key.store_id, week).to_dict()
        items = fixlist.list_items(conn, key.store_id, status=status)
    return {"items": [i.to_dict() for i in items]}


@router.get("/fix-items/{item_id}", tags=["review"], summary="One fix item")
def get_fix_item(request: Request, item_id: int, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return fixlist.get_item(conn, key.store_id, item_id).to_dict()


@router.patch("/fix-items/{item_id}", tags=["review"], summary="Assign, change status, close")
def patch_fix_item(
    request: Request, item_id: int, body: FixItemPatch, key: IngestKey
) -> dict[str, Any]:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"owner"})
    if "owner" in body.model_fields_set:
        changes["owner"] = body.owner or None
    with request.app.state.db.begin() as conn:
        item = fixlist.update_item(conn, key.store_id, item_id, actor=_actor(key), **changes)
    return item.to_dict()


# --- dials ----------------------------------------------------------------------------------

Days = Annotated[int, Query(ge=1, le=3660, description="Window ending at the latest conversation.")]
Target = Annotated[float, Query(gt=0, le=1, description="Expected error target (default 5%).")]


@router.get("/dials/recommendations", tags=["review"], summary="Tighten/loosen per intent")
def dial_recommendations(
    request: Request, key: ReadKey, days: Days = 28, since: datetime | None = None,
    target_error: Target = 0.05, version: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    with request.app.state.db.connect() as conn:
        return recommendations(conn, key.store_id, since=since, days=days, version=version,
                               cfg=DialsConfig(target_error=target_error)).to_dict()  # fmt: skip


@router.get("/dials/whatif/{intent}", tags=["review"], summary="Automation vs expected error")
def dial_whatif(
    request: Request, intent: str, key: ReadKey, days: Days = 28, target_error: Target = 0.05,
    version: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    with request.app.state.db.connect() as conn:
        return whatif_for(conn, key.store_id, intent, days=days, version=version,
                          cfg=DialsConfig(target_error=target_error)).to_dict()  # fmt: skip


class ApplyIn(BaseModel):
    intent: str = Field(min_length=1, max_length=200)
    threshold: float | None = Field(None, ge=0, le=1, description="Default: the recommendation.")
    from_version: str | None = Field(None, max_length=200, description="Default: current.")
    as_version: str | None = Field(None, min_length=1, max_length=200)
    days: int = Field(28, ge=1, le=3660)


@router.post("/dials/apply", tags=["review"], status_code=201,
             summary="New draft agent version with one threshold changed")  # fmt: skip
def dial_apply(request: Request, body: ApplyIn, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return apply_for(conn, key.store_id, body.intent, actor=_actor(key),
                         threshold=body.threshold, from_version=body.from_version,
                         as_version=body.as_version, days=body.days)  # fmt: skip
