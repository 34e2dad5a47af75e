"""Lexical BM25 retrieval with per-field weights and incremental updates.

Two backends behind one interface (:class:`LexicalIndex`):

* ``tantivy`` (preferred; the Rust search library): one BM25 field per document field
  (title, brand, category, attributes, body) with English stemming; a query term's score is
  the weighted sum of its per-field BM25 scores. Add, update and delete are incremental
  (tantivy segments), committed once per call.
* ``bm25s`` (light fallback): one text per document in which each field is repeated in
  proportion to its weight, the classic approximation of field weighting; English stemming
  when ``PyStemmer`` is installed. bm25s indexes are static, so
  changes mark the index stale and it is rebuilt on the next search (fast: see the benchmark).

:func:`make_lexical_index` picks tantivy when importable, else bm25s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from shopcoach.search.documents import LEXICAL_FIELDS, Document, lexical_fields

_QUERY_CLEAN_RE = re.compile(r"[^\w]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """BM25 score multipliers per field.

    Defaults (title 3, body 0.5) were chosen by 5-fold cross-validation over a small grid on
    ESCI (docs/search.md): titles are the most reliable product text, long bodies the noisiest.
    """

    title: float = 3.0
    brand: float = 1.0
    category: float = 1.0
    attributes: float = 1.0
    body: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return {f: float(getattr(self, f)) for f in LEXICAL_FIELDS}


def clean_query(query: str) -> str:
    """Lower-case and keep word characters only: no query syntax reaches the backend."""
    return " ".join(_QUERY_CLEAN_RE.sub(" ", query.lower()).split())


class LexicalIndex(Protocol):
    """What the hybrid index needs from a lexical backend."""

    backend: str

    def upsert(self, docs: Sequence[Document]) -> None: ...

    def remove(self, ids: Iterable[str]) -> None: ...

    def search(self, query: str, limit: int) -> list[tuple[str, float]]: ...

    def __len__(self) -> int: ...


def _tantivy() -> Any:
    import tantivy

    return tantivy


def _bm25s() -> Any:
    import bm25s

    return bm25s


def available_backends() -> list[str]:
    out = []
    for name, probe in (("tantivy", _tantivy), ("bm25s", _bm25s)):
        try:
            probe()
        except ImportError:
            continue
        out.append(name)
    return out


def make_lexical_index(
    backend: str | None = None, weights: FieldWeights | None = None
) -> LexicalIndex:
    """A lexical index on ``backend`` (``"tantivy"``, ``"bm25s"``, or None for the best one)."""
    weights = weights or FieldWeights()
    names = [backend] if backend else available_backends()
    for name in names:
        if name == "tantivy":
            return TantivyIndex(weights)
        if name == "bm25s":
            return Bm25sIndex(weights)
        raise ValueError(f"unknown lexical backend {name!r} (expected 'tantivy' or 'bm25s')")
    raise ImportError(
        "no lexical search backend installed: install the 'search' extra "
        "(pip install 'shopcoach[search]') for tantivy, or bm25s"
    )


class TantivyIndex:
    """In-memory tantivy index; documents are keyed by a u64 assigned here."""

    backend = "tantivy"

    def __init__(self, weights: FieldWeights | None = None, heap_bytes: int = 64_000_000) -> None:
        tv = _tantivy()
        self._tv = tv
        self.weights = weights or FieldWeights()
        sb = tv.SchemaBuilder()
        # An i64 key: tantivy-py binds Python ints as i64 terms, so deleting by the term of
        # an unsigned field silently matched nothing and updated documents stayed twice.
        sb.add_integer_field("key", indexed=True, fast=True)
        for name in LEXICAL_FIELDS:
            sb.add_text_field(name, tokenizer_name="en_stem", index_option="freq")
        self._schema = sb.build()
        self._index = tv.Index(self._schema)
        self._writer = self._index.writer(heap_size=heap_bytes, num_threads=1)
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._next_key = 0
        self._boosts = {f: w for f, w in self.weights.as_dict().items() if w > 0}
        self._fields = list(self._boosts)
        self._searcher = self._index.searcher()

    def __len__(self) -> int:
        return len(self._key_of)

    def _delete(self, doc_id: str) -> None:
        key = self._key_of.pop(doc_id, None)
        if key is not None:
            del self._id_of[key]
            self._writer.delete_documents_by_term("key", key)

    def upsert(self, docs: Sequence[Document]) -> None:
        tv = self._tv
        for doc in docs:
            self._delete(doc.id)
            key = self._next_key
            self._next_key += 1
            self._key_of[doc.id] = key
            self._id_of[key] = doc.id
            tdoc = tv.Document()
            tdoc.add_integer("key", key)
            for name, value in lexical_fields(doc).items():
                if value:
                    tdoc.add_text(name, value)
            self._writer.add_document(tdoc)
        self._commit()

    def remove(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            self._delete(doc_id)
        self._commit()

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, query: str, limit: int) -> list[tuple[str, float]]:
        text = clean_query(query)
        if not text or not self._key_of or limit <= 0:
            return []
        parsed, _errors = self._index.parse_query_lenient(
            text, self._fields, field_boosts=self._boosts
        )
        searcher = self._searcher
        result = searcher.search(parsed, limit=limit, count=False)
        if not result.hits:
            return []
        addresses = [addr for _, addr in result.hits]
        keys = searcher.fast_field_values("key", addresses)
        id_of = self._id_of
        out = []
        for (score, _), key in zip(result.hits, keys, strict=True):
            doc_id = id_of.get(key)
            if doc_id is not None:
                out.append((doc_id, float(score)))
        return out


class Bm25sIndex:
    """bm25s over field-weighted concatenated text; rebuilt lazily after changes."""

    backend = "bm25s"

    def __init__(self, weights: FieldWeights | None = None) -> None:
        self._bm25s = _bm25s()
        self.weights = weights or FieldWeights()
        self._texts: dict[str, str] = {}
        self._ids: list[str] = []
        self._model: Any = None
        self._stale = True
        self._stemmer = _stemmer()

    def __len__(self) -> int:
        return len(self._texts)

    def _weighted_text(self, fields: Mapping[str, str]) -> str:
        # Repeat each field in proportion to its weight, the lightest positive weight once.
        weights = {f: w for f, w in self.weights.as_dict().items() if w > 0}
        unit = min(weights.values(), default=1.0)
        parts: list[str] = []
        for name, weight in weights.items():
            value = fields.get(name, "")
            if value:
                parts.extend([value] * max(1, round(weight / unit)))
        return "\n".join(parts)

    def upsert(self, docs: Sequence[Document]) -> None:
        for doc in docs:
            self._texts[doc.id] = self._weighted_text(lexical_fields(doc))
        self._stale = True

    def remove(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            self._texts.pop(doc_id, None)
        self._stale = True

    def _tokenize(self, texts: list[str]) -> Any:
        return self._bm25s.tokenize(
            texts, stopwords="en", stemmer=self._stemmer, show_progress=False
        )

    def rebuild(self) -> None:
        self._ids = list(self._texts)
        if self._ids:
            model = self._bm25s.BM25()
            model.index(self._tokenize([self._texts[i] for i in self._ids]), show_progress=False)
            self._model = model
        else:
            self._model = None
        self._stale = False

    def search(self, query: str, limit: int) -> list[tuple[str, float]]:
        if self._stale:
            self.rebuild()
        text = clean_query(query)
        if not text or self._model is None or limit <= 0:
            return []
        tokens = self._tokenize([text])
        vocab_inv = {v: k for k, v in tokens.vocab.items()}
        words = [vocab_inv[t] for t in tokens.ids[0]]
        if not words:
            return []
        scores = np.asarray(self._model.get_scores(words), dtype=np.float32)
        n = scores.shape[0]
        limit = min(limit, n)
        top = np.argpartition(-scores, limit - 1)[:limit] if limit < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _stemmer() -> Any:
    try:
        import Stemmer  # PyStemmer, optional

        return Stemmer.Stemmer("english")
    except ImportError:
        return None
