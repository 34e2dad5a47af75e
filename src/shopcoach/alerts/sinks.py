"""Alert sinks: where an alert is sent (R-MON-3). Registered by kind, each with a pydantic config.

* ``webhook`` — POSTs the alert as JSON (:func:`alert_payload`) to ``url``.
* ``slack`` — POSTs ``{"text": ..., "blocks": [...]}`` in Slack's incoming-webhook format
  (Mattermost, Rocket.Chat and Teams' Slack-compatible hooks take it too).
* ``email`` — one message over SMTP (``smtplib``), plain text and HTML alternatives.

Everything here is about *one* send: config validation, payload formatting and the transport.
Which alerts go to which sink, retries and the record of attempts live in ``delivery.py``.
A send raises :class:`SendFailed` with a one-line reason; it never leaks secrets into it.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shopcoach.errors import ValidationFailed

Event = Literal["opened", "resolved", "test"]
SEVERITY_EMOJI = {
    "critical": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":information_source:",
}


class SendFailed(Exception):
    """One send did not go through; ``str()`` is the reason recorded in ``alert_deliveries``."""


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timeout: float = Field(default=10.0, gt=0, le=120, description="Seconds per request.")


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


class WebhookConfig(_Config):
    url: str = Field(description="Where the alert JSON is POSTed.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers.")

    _check_url = field_validator("url")(_http_url)


class SlackConfig(_Config):
    url: str = Field(description="The incoming-webhook URL (https://hooks.slack.com/...).")

    _check_url = field_validator("url")(_http_url)


class EmailConfig(_Config):
    smtp_host: str = Field(min_length=1)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    from_addr: str = Field(min_length=3, description="Sender address.")
    to: list[str] = Field(min_length=1, description="Recipient addresses.")

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if "@" not in a]
        if bad:
            raise ValueError(f"not e-mail addresses: {bad}")
        return value


@dataclass(frozen=True)
class SinkKind:
    name: str
    config: type[_Config]
    send: Callable[[Any, dict[str, Any], httpx.Client], None]
    summary: str


SINK_KINDS: dict[str, SinkKind] = {}

FIX = {
    "url": "pass the full webhook URL, e.g. --url https://hooks.example.com/alerts",
    "smtp_host": "pass --smtp-host mail.example.com",
    "from_addr": "pass --from alerts@example.com",
    "to": "pass at least one --to address",
    "security": "use one of starttls, ssl, none",
}


def validate_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The config of a ``kind`` sink, checked and with defaults filled in, as a plain dict.

    Raises :class:`ValidationFailed` naming the kind, each bad field and the fix.
    """
    spec = SINK_KINDS.get(kind)
    if spec is None:
        raise ValidationFailed(
            f"Unknown alert sink kind {kind!r}.", hint=f"Use one of: {', '.join(SINK_KINDS)}."
        )
    try:
        return spec.config.model_validate(dict(config)).model_dump()
    except ValidationError as exc:
        problems = []
        fixes = []
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"]) or "config"
            problems.append(f"{field}: {e['msg']}")
            fixes.append(FIX.get(str(e["loc"][0]) if e["loc"] else "", ""))
        allowed = ", ".join(spec.config.model_fields)
        raise ValidationFailed(
            f"Invalid {kind} sink config: {'; '.join(problems)}.",
            hint="; ".join(f for f in dict.fromkeys(fixes) if f) or f"Valid fields: {allowed}.",
        ) from None


def register_sink(name: str, config: type[_Config], summary: str) -> Callable[[Any], Any]:
    def wrap(func: Any) -> Any:
        SINK_KINDS[name] = SinkKind(name, config, func, summary)
        return func

    return wrap


def send(
    kind: str, config: Mapping[str, Any], payload: dict[str, Any], client: httpx.Client
) -> None:
    """Send ``payload`` (an :func:`alert_payload`) through a sink; :class:`SendFailed` if not."""
    spec = SINK_KINDS[kind]
    spec.send(spec.config.model_validate(dict(config)), payload, client)


def alert_payload(row: Mapping[str, Any], event: Event, store: str) -> dict[str, Any]:
    """The JSON every sink starts from: the alert record, the store and the event."""

    def iso(value: Any) -> str | None:
        return value.isoformat() + "Z" if value is not None else None

    return {
        "event": event,
        "store": store,
        "id": row["id"],
        "rule": row["rule"],
        "fingerprint": row["fingerprint"],
        "state": row["state"],
        "severity": row["severity"],
        "title": row["title"],
        "message": row["message"],
        "subject": row["subject"],
        "value": row["value"],
        "threshold": row["threshold"],
        "period_start": iso(row["period_start"]),
        "period_end": iso(row["period_end"]),
        "details": row["details"],
        "diagnosis": row["diagnosis"],
        "remediation": row["remediation"],
        "opened_at": iso(row["opened_at"]),
        "resolved_at": iso(row["resolved_at"]),
    }


def headline(payload: Mapping[str, Any]) -> str:
    event = {"opened": "ALERT", "resolved": "RESOLVED", "test": "TEST"}[payload["event"]]
    return f"[{event}] [{payload['severity']}] {payload['title']} ({payload['store']})"


def _facts(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    facts = [("Rule", str(payload["rule"])), ("Severity", str(payload["severity"]))]
    if payload.get("value") is not None:
        facts.append(("Value", f"{payload['value']:g}"))
    if payload.get("threshold") is not None:
        facts.append(("Threshold", f"{payload['threshold']:g}"))
    if payload.get("period_start"):
        facts.append(("Period", f"{payload['period_start']} – {payload.get('period_end') or ''}"))
    for name in ("diagnosis", "remediation"):
        if payload.get(name):
            facts.append((name.capitalize(), str(payload[name])))
    return facts


def _post(
    client: httpx.Client, url: str, body: Any, headers: Mapping[str, str], timeout: float
) -> None:
    try:
        response = client.post(url, json=body, headers=dict(headers), timeout=timeout)
    except httpx.HTTPError as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise SendFailed(f"HTTP {response.status_code}: {response.text[:200]}")


@register_sink("webhook", WebhookConfig, "POST the alert as JSON to a URL.")
def send_webhook(cfg: WebhookConfig, payload: dict[str, Any], client: httpx.Client) -> None:
    _post(client, cfg.url, payload, {"User-Agent": "shopcoach-alerts", **cfg.headers}, cfg.timeout)


def slack_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The Slack incoming-webhook body: ``text`` (notifications, fallbacks) and ``blocks``."""
    emoji = (
        ":white_check_mark:"
        if payload["event"] == "resolved"
        else SEVERITY_EMOJI.get(payload["severity"], ":bell:")
    )
    text = f"{emoji} {headline(payload)}"
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in _facts(payload)[:10]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(payload)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": payload["message"][:3000]}},
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"alert #{payload['id']} · {payload['fingerprint']} · "
                    f"state {payload['state']}",
                }
            ],
        }
    )
    return {"text": text, "blocks": blocks}


@register_sink("slack", SlackConfig, "POST a Slack incoming-webhook message (text + blocks).")
def send_slack(cfg: SlackConfig, payload: dict[str, Any], client: httpx.Client) -> None:
    _post(client, cfg.url, slack_message(payload), {}, cfg.timeout)


def email_message(payload: Mapping[str, Any], sender: str, to: list[str]) -> EmailMessage:
    """A multipart/alternative message: plain text first, then HTML."""
    msg = EmailMessage()
    msg["Subject"] = headline(payload)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    facts = _facts(payload)
    plain = "\n".join(
        [
            payload["message"],
            "",
            *(f"{k}: {v}" for k, v in facts),
            "",
            f"alert #{payload['id']} ({payload['fingerprint']})",
        ]
    )
    rows = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in facts
    )
    body = (
        f"<h2>{html.escape(headline(payload))}</h2><p>{html.escape(payload['message'])}</p>"
        f"<table>{rows}</table><p><small>alert #{payload['id']} "
        f"({html.escape(str(payload['fingerprint']))})</small></p>"
    )
    msg.set_content(plain)
    msg.add_alternative(f"<html><body>{body}</body></html>", subtype="html")
    return msg


@register_sink("email", EmailConfig, "Send an e-mail over SMTP (plain text + HTML).")
def send_email(cfg: EmailConfig, payload: dict[str, Any], client: httpx.Client) -> None:
    msg = email_message(payload, cfg.from_addr, cfg.to)
    try:
        smtp: smtplib.SMTP
        if cfg.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                cfg.smtp_host,
                cfg.smtp_port,
                timeout=cfg.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.username:
                smtp.login(cfg.username, cfg.password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"SMTP {cfg.smtp_host}:{cfg.smtp_port}: {type(exc).__name__}: {exc}"
        raise SendFailed(reason) from None
    if refused:
        raise SendFailed(f"SMTP refused recipients: {sorted(refused)}")


def redacted(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config for display: passwords and header values hidden."""
    out = dict(config)
    if out.get("password"):
        out["password"] = "***"
    if out.get("headers"):
        out["headers"] = {k: "***" for k in out["headers"]}
    return out
