"""Feed the pure hygiene audit (``kb/audit.py``) from the store: current versions and usage.

``retrievals`` of an article is how many answers used any of its versions in the last
``window_days`` (``kb_answer_sources``, R-KB-4): the "most-retrieved articles" the biweekly
review covers are the ones customers actually got answers from.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from shopcoach.kb.audit import AuditArticle, AuditConfig, AuditProduct, AuditReport, audit_kb
from shopcoach.store.tables import kb_answer_sources, kb_items, kb_versions


def load_audit_inputs(
    conn: sa.Connection, store_id: int, *, today: date, window_days: int = 14
) -> tuple[list[AuditArticle], list[AuditProduct]]:
    v = kb_versions
    since = datetime.combine(today - timedelta(days=window_days), datetime.min.time())
    uses = (
        sa.select(v.c.item_id, sa.func.count().label("n"))
        .select_from(kb_answer_sources.join(v, v.c.id == kb_answer_sources.c.version_id))
        .where(kb_answer_sources.c.store_id == store_id, kb_answer_sources.c.recorded_at >= since)
        .group_by(v.c.item_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(kb_items.c.kind, kb_items.c.key, kb_items.c.archived_at, v.c.title, v.c.body,
                  v.c.category, v.c.brand, v.c.valid_from, v.c.valid_to, v.c.reviewed_at,
                  sa.func.coalesce(uses.c.n, 0).label("retrievals"))
        .select_from(kb_items.join(v, v.c.id == kb_items.c.current_version_id)
                     .outerjoin(uses, uses.c.item_id == kb_items.c.id))
        .where(kb_items.c.store_id == store_id)
        .order_by(kb_items.c.id)
    )  # fmt: skip
    articles: list[AuditArticle] = []
    products: list[AuditProduct] = []
    for r in rows:
        category = tuple(r.category or ())
        if r.kind == "article":
            articles.append(AuditArticle(
                key=r.key, title=r.title, text=r.body,
                category=" > ".join(category) or None, reviewed_at=r.reviewed_at,
                valid_from=r.valid_from, valid_to=r.valid_to, retrievals=int(r.retrievals),
                archived=r.archived_at is not None,
            ))  # fmt: skip
        else:
            products.append(AuditProduct(key=r.key, title=r.title, description=r.body or "",
                                         brand=r.brand or "", category=category,
                                         active=r.archived_at is None))  # fmt: skip
    return articles, products


def audit_store(
    conn: sa.Connection, store_id: int, *, today: date, config: AuditConfig | None = None
) -> AuditReport:
    """The hygiene audit of a store's current knowledge base."""
    cfg = config or AuditConfig()
    articles, products = load_audit_inputs(conn, store_id, today=today,
                                           window_days=cfg.review_every_days)  # fmt: skip
    return audit_kb(articles, products, today=today, config=cfg)
