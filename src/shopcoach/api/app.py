"""``create_app(settings)``: the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shopcoach import __version__
from shopcoach.api import (
    agent,
    drift,
    errors,
    gaps,
    ingest,
    keys,
    monitoring,
    pack,
    read,
    review,
    scoring,
)
from shopcoach.api import alerts as alerts_api
from shopcoach.api import metrics as metrics_api
from shopcoach.capture.schema import ConversationIn, SignalIn
from shopcoach.settings import Settings, load_settings
from shopcoach.store.engine import Database, open_store


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the API. Opens the store (refusing an out-of-date schema) unless ``db`` is given."""
    settings = settings or load_settings()
    db = db or open_store(settings.resolved_database_url())
    app = FastAPI(
        title="Shopcoach API",
        version=__version__,
        description="Capture conversations and signals; read what Shopcoach measured. "
        "Authenticate with 'Authorization: Bearer <api key>'.",
    )
    app.state.settings = settings
    app.state.db = db
    errors.install(app)
    for module in (ingest, read, keys, agent, monitoring, drift, review, scoring, pack, gaps):
        app.include_router(module.router)
    app.include_router(metrics_api.router)
    app.include_router(alerts_api.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document, plus the capture record schemas for the batch bodies."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    for name, model, field in (
        ("ConversationBatch", ConversationIn, "conversations"),
        ("SignalBatch", SignalIn, "signals"),
    ):
        schema = model.model_json_schema(ref_template=template)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
        components[name] = {
            "type": "object",
            "required": [field],
            "properties": {
                field: {"type": "array", "items": {"$ref": template.format(model=model.__name__)}}
            },
        }
    for path in doc["paths"].values():
        for op in path.values():
            body = op.pop("x-shopcoach-body", None)
            if body:
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": template.format(model=body)}}
                    },
                }
    app.openapi_schema = doc
    return doc
