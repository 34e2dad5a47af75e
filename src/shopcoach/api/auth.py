"""API-key authentication as a FastAPI dependency: ``Depends(require("ingest"))``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from shopcoach.errors import MissingKey
from shopcoach.keys import KeyInfo, verify_key
from shopcoach.store.engine import Database


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def require(*scopes: str) -> Callable[[Request], KeyInfo]:
    """A dependency that returns the caller's key info, or raises 401/403. With several
    scopes, a key with any one of them is accepted."""
    scope = scopes[0]

    def dependency(request: Request) -> KeyInfo:
        key = presented_key(request)
        if key is None:
            raise MissingKey(
                "This endpoint needs an API key.",
                hint="Send 'Authorization: Bearer <key>'; create a key with "
                f"`shopcoach keys create --scope {scope}`.",
            )
        db: Database = request.app.state.db
        with db.begin() as conn:
            return verify_key(conn, key, scopes)

    dependency.__name__ = f"require_{'_or_'.join(scopes)}"
    return dependency


# The caller's key, checked for a scope: use as a parameter type in route functions.
IngestKey = Annotated[KeyInfo, Depends(require("ingest"))]
ReadKey = Annotated[KeyInfo, Depends(require("read"))]
AdminKey = Annotated[KeyInfo, Depends(require("admin"))]
