"""Updating or removing a document replaces it in the lexical index (tantivy and bm25s)."""

from __future__ import annotations

import pytest

from shopcoach.search import Document, SearchIndex


@pytest.mark.parametrize("backend", ["tantivy", "bm25s"])
def test_updated_and_removed_documents_leave_no_ghosts(backend: str) -> None:
    index = SearchIndex(embedder=None, lexical_backend=backend)
    mug = Document(id="MUG-1", title="Stoneware coffee mug", price=14.0)
    index.sync([mug, Document(id="K", title="Gooseneck kettle")])
    index.sync([Document(id="MUG-1", title="Stoneware coffee mug", price=15.0),
                Document(id="K", title="Gooseneck kettle")])  # fmt: skip
    hits = index.search("stoneware mug", k=1)
    assert [h.doc_id for h in hits] == ["MUG-1"]
    assert index.get("MUG-1").price == 15.0  # type: ignore[union-attr]
    assert len(index.lexical) == 2
    index.remove(["MUG-1"])
    assert [h.doc_id for h in index.search("stoneware mug", k=5)] == []
