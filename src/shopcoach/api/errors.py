"""One error envelope for the whole API: ``{"error": {"code", "message", "hint"}}``.

Domain errors map to HTTP here and only here; ``tests/api/test_error_shape.py`` pins it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shopcoach.errors import ShopcoachError

log = logging.getLogger("shopcoach.api")


def envelope(
    status: int, code: str, message: str, hint: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "hint": hint, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ShopcoachError)
    async def _domain(_: Request, exc: ShopcoachError) -> JSONResponse:
        return envelope(exc.http_status, exc.code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
        ]
        return envelope(
            422,
            "invalid_request",
            "The request is not valid.",
            "See 'problems' for each field to fix.",
            problems=problems,
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return envelope(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return envelope(
            500,
            "internal_error",
            "Shopcoach hit an unexpected error.",
            "Nothing from this request was stored; retry it, and report the "
            "server log if it keeps failing.",
        )


__all__ = ["envelope", "install"]
