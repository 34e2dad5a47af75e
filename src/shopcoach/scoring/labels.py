"""Human labels (R-SCO-4): record one, and measure each judge's agreement with them.

A label overrides the judge's label for its dimension at the next scoring of that
conversation (the label is part of the input hash). Agreement is Cohen's kappa between the
judge's own label (kept in ``conversation_scores.details``) and the newest human label, per
dimension and judge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.scoring.config import DIMENSIONS, LABELS
from shopcoach.store.sql import insert_for, utcnow
from shopcoach.store.tables import conversation_scores, conversations, human_labels


def cohen_kappa(a: Sequence[str], b: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Unweighted Cohen's kappa of two raters; 1.0 when both agree on a single class
    (sklearn returns NaN there: no disagreement is possible, so we call it perfect)."""
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in labels) / (n * n)
    if expected >= 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def conversation_id(conn: sa.Connection, store_id: int, external_id: str) -> int:
    cid = conn.execute(
        sa.select(conversations.c.id).where(
            conversations.c.store_id == store_id, conversations.c.external_id == external_id
        )
    ).scalar()
    if cid is None:
        raise NotFound(
            f"There is no conversation {external_id!r} in this store.",
            hint="Check the id with `shopcoach show ID`.",
        )
    return int(cid)


def add_label(
    conn: sa.Connection,
    store_id: int,
    external_id: str,
    dimension: str,
    label: str,
    *,
    labeler: str,
    note: str | None = None,
) -> int:
    """Store (or replace) ``labeler``'s label; returns the conversation's id. Audited."""
    if dimension not in DIMENSIONS:
        raise ValidationFailed(
            f"Unknown dimension {dimension!r}.", hint=f"Use one of: {', '.join(DIMENSIONS)}."
        )
    if label not in LABELS:
        raise ValidationFailed(
            f"Unknown label {label!r} for {dimension}.", hint=f"Use one of: {', '.join(LABELS)}."
        )
    cid = conversation_id(conn, store_id, external_id)
    values = {
        "store_id": store_id,
        "conversation_id": cid,
        "dimension": dimension,
        "label": label,
        "labeler": labeler,
        "note": note,
        "created_at": utcnow(),
    }
    stmt = insert_for(conn, human_labels).values(**values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["conversation_id", "dimension", "labeler"],
            set_={"label": label, "note": note, "created_at": values["created_at"]},
        )
    )
    audit.record(
        conn,
        labeler,
        "scoring.label",
        store_id=store_id,
        target=f"conversation:{external_id}",
        details={"dimension": dimension, "label": label},
    )
    return cid


@dataclass
class Agreement:
    dimension: str
    judge: str
    n: int
    kappa: float | None
    observed: float | None
    confusion: dict[str, dict[str, int]]  # human label → judge label → count

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def agreement(conn: sa.Connection, store_id: int) -> list[Agreement]:
    """Cohen's kappa of each (dimension, judge) against the newest human labels."""
    h, cs = human_labels, conversation_scores
    rows = conn.execute(
        sa.select(h.c.conversation_id, h.c.dimension, h.c.label, cs.c.details)
        .select_from(h.join(cs, cs.c.conversation_id == h.c.conversation_id))
        .where(h.c.store_id == store_id)
        .order_by(h.c.created_at, h.c.id)
    )
    newest: dict[tuple[int, str], tuple[str, dict[str, Any]]] = {}
    for cid, dim, label, details in rows:
        newest[(cid, dim)] = (label, details or {})
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for (_, dim), (human, details) in newest.items():
        d = details.get(dim) or {}
        judged = d.get("judge_label")
        if judged is not None:
            pairs[(dim, d.get("judge", "?"))].append((human, judged))
    out: list[Agreement] = []
    for (dim, judge), items in sorted(pairs.items()):
        humans, judged = [x for x, _ in items], [y for _, y in items]
        confusion: dict[str, dict[str, int]] = {x: dict.fromkeys(LABELS, 0) for x in LABELS}
        for x, y in items:
            confusion[x][y] += 1
        observed = sum(x == y for x, y in items) / len(items)
        out.append(
            Agreement(
                dim,
                judge,
                len(items),
                round(cohen_kappa(humans, judged), 4),
                round(observed, 4),
                confusion,
            )
        )
    return out
