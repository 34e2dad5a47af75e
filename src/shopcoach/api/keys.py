"""Key management endpoints (admin scope): list, create, revoke keys of the caller's store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from shopcoach.api.auth import AdminKey
from shopcoach.keys import KeyInfo, create_key, list_keys, revoke_key
from shopcoach.keys import get_key as lookup_key

router = APIRouter(prefix="/api/v1/keys", tags=["admin"])


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, examples=[["ingest"]])


def key_dict(info: KeyInfo) -> dict[str, Any]:
    return {
        "prefix": info.prefix,
        "name": info.name,
        "store": info.store_slug,
        "scopes": list(info.scopes),
        "created_at": info.created_at.isoformat() + "Z",
        "last_used_at": info.last_used_at.isoformat() + "Z" if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() + "Z" if info.revoked_at else None,
    }


@router.get("", summary="List the store's API keys")
def get_keys(request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"keys": [key_dict(k) for k in list_keys(conn, key.store_id)]}


@router.post("", status_code=201, summary="Create an API key (the key is shown only once)")
def post_key(body: NewKey, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        plain, info = create_key(
            conn, key.store_id, body.name, body.scopes, actor=f"api-key:{key.prefix}"
        )
    return {"key": plain, **key_dict(info)}


@router.delete("/{prefix}", summary="Revoke an API key")
def delete_key(prefix: str, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        target = lookup_key(conn, prefix)
        if target.store_id != key.store_id:
            from shopcoach.errors import NotFound

            raise NotFound(
                f"There is no API key with prefix {prefix!r} in this store.",
                hint="List keys with GET /api/v1/keys.",
            )
        return key_dict(revoke_key(conn, prefix, actor=f"api-key:{key.prefix}"))
