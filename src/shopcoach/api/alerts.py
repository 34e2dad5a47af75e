"""Alert endpoints: list/show, check (admin), ack/resolve/diagnosis, rules (R-MON-2/3/5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shopcoach.alerts import (
    acknowledge,
    add_rule,
    check_alerts,
    delete_rule,
    diagnose,
    get_alert,
    list_alerts,
    list_rules,
    resolve,
    set_rule_enabled,
)
from shopcoach.api.auth import AdminKey, ReadKey
from shopcoach.metrics.periods import parse_when

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


class Diagnosis(BaseModel):
    diagnosis: str | None = Field(default=None, max_length=20_000)
    remediation: str | None = Field(default=None, max_length=20_000)


class NewRule(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["csat-low"])
    metric: str = Field(examples=["csat_ai"])
    op: Literal["<", "<=", ">", ">="]
    threshold: float
    window: Literal["day", "week"] = "week"
    filters: dict[str, str] = Field(default_factory=dict, examples=[{"channel": "email"}])
    severity: Literal["info", "warning", "critical"] = "warning"
    min_conversations: int = Field(default=1, ge=0)


class RulePatch(BaseModel):
    enabled: bool


def _actor(key: Any) -> str:
    return f"api-key:{key.prefix}"


# Rules first: "/rules" must not be read as an alert id.
@router.get("/rules", summary="Built-in and user-defined alert rules")
def rules(request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"rules": [r.to_dict() for r in list_rules(conn, key.store_id)]}


@router.post("/rules", status_code=201, summary="Add a threshold rule (admin)")
def post_rule(body: NewRule, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return add_rule(conn, key.store_id, body.name, metric=body.metric, op=body.op,
                        threshold=body.threshold, window=body.window, filters=body.filters,
                        severity=body.severity, min_conversations=body.min_conversations,
                        actor=_actor(key)).to_dict()  # fmt: skip


@router.patch("/rules/{name}", summary="Enable or disable a rule (admin)")
def patch_rule(name: str, body: RulePatch, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return set_rule_enabled(conn, key.store_id, name, body.enabled,
                                actor=_actor(key)).to_dict()  # fmt: skip


@router.delete("/rules/{name}", summary="Delete a user-defined rule (admin)")
def remove_rule(name: str, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        delete_rule(conn, key.store_id, name, actor=_actor(key))
    return {"deleted": name}


@router.get("", summary="Alerts, newest first")
def get_alerts(
    request: Request,
    key: ReadKey,
    state: Annotated[Literal["open", "acknowledged", "resolved"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return {"alerts": list_alerts(conn, key.store_id, state=state, limit=limit)}


@router.post("/check", summary="Evaluate the rules now; open, update, resolve (admin)")
def check(
    request: Request,
    key: AdminKey,
    now: Annotated[str | None, Query(description="Judge periods before this time.")] = None,
) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        result = check_alerts(conn, key.store_id, now=parse_when(now, field="now"),
                              actor=_actor(key))  # fmt: skip
    return result.to_dict()


@router.get("/{alert_id}", summary="One alert with its evidence")
def one(alert_id: int, request: Request, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return get_alert(conn, key.store_id, alert_id)


@router.post("/{alert_id}/ack", summary="Acknowledge an open alert (admin)")
def ack(alert_id: int, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return acknowledge(conn, key.store_id, alert_id, actor=_actor(key))


@router.post("/{alert_id}/resolve", summary="Resolve an alert (admin)")
def post_resolve(alert_id: int, request: Request, key: AdminKey) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return resolve(conn, key.store_id, alert_id, actor=_actor(key))


@router.post("/{alert_id}/diagnosis", summary="Record diagnosis and remediation (admin)")
def post_diagnosis(
    alert_id: int, body: Diagnosis, request: Request, key: AdminKey
) -> dict[str, Any]:
    with request.app.state.db.begin() as conn:
        return diagnose(conn, key.store_id, alert_id, diagnosis=body.diagnosis,
                        remediation=body.remediation, actor=_actor(key))  # fmt: skip
