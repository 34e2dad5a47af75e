"""Hallucination flags (R-SCO-3) from the grounding results of a conversation (pure).

Every contradicted claim becomes a flag with the verified value it contradicts and the
document (and knowledge-base version) that value comes from; a product the catalog valid at
the time does not know becomes a ``product`` flag with no verified value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shopcoach.grounding import Claim
from shopcoach.scoring.checks import MessageCheck

KINDS = ("price", "stock", "size", "delivery_time", "policy_window", "product")


@dataclass(frozen=True)
class Flag:
    message_seq: int
    kind: str
    claim: str
    claimed: str
    verified: str | None
    source: str | None
    source_version_id: int | None
    occurred_at: datetime


def flag_kind(claim: Claim) -> str:
    if claim.kind in ("price", "amount"):
        return "price"
    if claim.kind == "delivery_date" or (
        claim.kind == "policy_window" and claim.subject == "delivery"
    ):
        return "delivery_time"
    return claim.kind  # stock | size | policy_window | product


def _version_id(source: str | None) -> int | None:
    if not source or "@" not in source:
        return None
    tail = source.rsplit("@", 1)[1]
    return int(tail) if tail.isdigit() else None


def flags_for(checks: list[MessageCheck], occurred_at: datetime) -> list[Flag]:
    """The flags of one conversation's grounding results."""
    out: list[Flag] = []
    for check in checks:
        for c in check.result.claims:
            hallucinated = c.verdict == "contradicted" or (
                c.kind == "product" and c.verdict == "unsupported"
            )
            if not hallucinated:
                continue
            out.append(
                Flag(
                    check.seq,
                    flag_kind(c),
                    c.sentence[:5000],
                    c.text[:300],
                    c.verified[:300] if c.verified else None,
                    c.source[:320] if c.source else None,
                    _version_id(c.source),
                    occurred_at,
                )
            )
    return out
