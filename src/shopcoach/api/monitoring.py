"""Monitoring routes: Prometheus ``GET /metrics`` (read scope) and alert sinks (admin).

``/metrics`` is scraped with the store's API key as a bearer token (Prometheus
``authorization: {credentials: sc_...}``); it exposes the key's store only.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from shopcoach.alerts import prometheus
from shopcoach.alerts.delivery import (
    add_sink,
    deliver_pending_db,
    list_sinks,
    remove_sink,
    send_test_message,
    set_sink_enabled,
)
from shopcoach.api.auth import AdminKey, ReadKey

router = APIRouter()


@router.get(
    "/metrics",
    tags=["monitoring"],
    summary="Prometheus metrics of the key's store (text format 0.0.4)",
    response_class=Response,
)
def metrics(request: Request, key: ReadKey) -> Response:
    from shopcoach.drift import detector_names

    names = tuple(n for n in detector_names() if n != "tabular")
    with request.app.state.db.connect() as conn:
        families = prometheus.collect(conn, key.store_id, detectors=names)
    return Response(prometheus.render(key.store_slug, families), media_type=prometheus.CONTENT_TYPE)


class NewSink(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["ops-slack"])
    kind: Literal["webhook", "slack", "email"]
    config: dict[str, Any] = Field(examples=[{"url": "https://hooks.slack.com/services/..."}])
    enabled: bool = True


class SinkPatch(BaseModel):
    enabled: bool


@router.get("/api/v1/alert-sinks", tags=["monitoring"], summary="List alert sinks")
def get_sinks(request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"sinks": [s.to_dict() for s in list_sinks(conn, key.store_id)]}


@router.post(
    "/api/v1/alert-sinks",
    status_code=201,
    tags=["monitoring"],
    summary="Add an alert sink (config validated per kind)",
)
def post_sink(body: NewSink, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        sink = add_sink(
            conn,
            key.store_id,
            body.name,
            body.kind,
            body.config,
            enabled=body.enabled,
            actor=f"api-key:{key.prefix}",
        )
    return sink.to_dict()


@router.patch(
    "/api/v1/alert-sinks/{name}", tags=["monitoring"], summary="Enable or disable an alert sink"
)
def patch_sink(name: str, body: SinkPatch, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return set_sink_enabled(
            conn, key.store_id, name, body.enabled, actor=f"api-key:{key.prefix}"
        ).to_dict()


@router.delete("/api/v1/alert-sinks/{name}", tags=["monitoring"], summary="Remove an alert sink")
def delete_sink(name: str, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return remove_sink(conn, key.store_id, name, actor=f"api-key:{key.prefix}").to_dict()


@router.post(
    "/api/v1/alert-sinks/{name}/test",
    tags=["monitoring"],
    summary="Send a test message through one sink",
)
def post_test(name: str, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return send_test_message(conn, key.store_id, name, settings=request.app.state.settings)


@router.post(
    "/api/v1/alert-sinks/deliver",
    tags=["monitoring"],
    summary="Send pending alert notifications to every enabled sink now",
)
def post_deliver(request: Request, key: AdminKey) -> dict[str, Any]:
    report = deliver_pending_db(
        request.app.state.db, key.store_id, settings=request.app.state.settings
    )
    return report.to_dict()
