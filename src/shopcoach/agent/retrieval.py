"""Retrievers for the agent: a :class:`~shopcoach.search.SearchIndex` as ``Retrieved`` items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from shopcoach.agent.compose import Retrieved
from shopcoach.search import Filters, SearchIndex


class IndexRetriever:
    """Hybrid (or lexical) search over current knowledge, filtered to what is valid today.

    ``versions`` maps document ids to knowledge-base version ids, recorded with each turn so
    the store knows which versions every answer used (R-KB-4).
    """

    def __init__(self, index: SearchIndex, versions: Mapping[str, str] | None = None,
                 today: date | None = None,
                 authoritative: Iterable[str] = ()) -> None:  # fmt: skip
        self.index = index
        self.versions = dict(versions or {})
        self.today = today
        # Keys of items marked ``authoritative`` (the store's policy system): their facts
        # outrank help articles in the grounding check (docs/kb.md).
        self.authoritative = frozenset(authoritative)

    def retrieve(self, query: str, k: int) -> list[Retrieved]:
        filters = Filters(valid_at=self.today or date.today())
        out = []
        for hit in self.index.search(query, k=k, filters=filters):
            doc = self.index.get(hit.doc_id)
            if doc is None:
                continue
            sizes = doc.attributes.get("sizes") or doc.attributes.get("size") or ""
            out.append(Retrieved(
                doc_id=doc.id, kind=doc.kind, title=doc.title, text=doc.text, score=hit.score,
                version=self.versions.get(doc.id), price=doc.price, in_stock=doc.in_stock,
                sizes=tuple(s.strip() for s in sizes.split(",") if s.strip()),
                brand=doc.brand or None,
                authoritative=doc.id.split("#", 1)[0] in self.authoritative,
            ))  # fmt: skip
        return out
