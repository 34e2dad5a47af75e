"""Hybrid product and help-article search: BM25 + embeddings, fused, filtered, incremental.

Pure library code: plain data in (:class:`Document`), plain results out (:class:`Hit`); no
database and no CLI here. See ``docs/search.md``.
"""

from __future__ import annotations

from shopcoach.search.documents import Document, Representation, embedding_text, normalize_text
from shopcoach.search.embedders import (
    Embedder,
    EmbedderUnavailable,
    EmbeddingCache,
    HashingEmbedder,
    get_embedder,
    register_embedder,
)
from shopcoach.search.filters import Filters
from shopcoach.search.fusion import FusionConfig
from shopcoach.search.hybrid import Hit, SearchIndex, UpsertResult
from shopcoach.search.lexical import FieldWeights
from shopcoach.search.persist import IndexMismatch, IndexNotFound, SaveResult

__all__ = [
    "Document",
    "Embedder",
    "EmbedderUnavailable",
    "EmbeddingCache",
    "FieldWeights",
    "Filters",
    "FusionConfig",
    "HashingEmbedder",
    "Hit",
    "IndexMismatch",
    "IndexNotFound",
    "Representation",
    "SaveResult",
    "SearchIndex",
    "UpsertResult",
    "embedding_text",
    "get_embedder",
    "normalize_text",
    "register_embedder",
]
