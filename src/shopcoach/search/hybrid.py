"""Hybrid search: BM25 + dense embeddings, fused, with filters and incremental updates.

>>> index = SearchIndex(embedder="hashing")
>>> index.upsert([Document(id="p1", title="Red running shoes", price=59.0)])
UpsertResult(added=1, updated=0, unchanged=0, removed=0, embedded=1)
>>> [h.doc_id for h in index.search("running shoe", k=5)]
['p1']

``embedder="auto"`` (the default) uses the first installed model extra (``minilm``, else
``e5-small``); pass ``embedder=["minilm", "e5-small"]`` to average both. With none installed the
index is lexical-only and logs one warning per process saying so; ``mode="hybrid"`` or
``"dense"`` searches then return lexical results.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from shopcoach.search.dense import DEFAULT_HNSW_THRESHOLD, VectorIndex
from shopcoach.search.documents import (
    DEFAULT_REPRESENTATION,
    Document,
    Representation,
    embedding_text,
    lexical_fields,
)
from shopcoach.search.embedders import (
    Embedder,
    EmbeddingCache,
    get_embedder,
    installed_embedders,
)
from shopcoach.search.filters import AttributeTable, Filters
from shopcoach.search.fusion import FusionConfig, fuse
from shopcoach.search.lexical import FieldWeights, LexicalIndex, make_lexical_index
from shopcoach.search.persist import SaveResult, load_into, save_index
from shopcoach.search.rewrite import Rewrite, Vocabulary, drop_negated, rewrite_query

log = logging.getLogger(__name__)

SearchMode = Literal["lexical", "dense", "hybrid"]
FALLBACK_MESSAGE = (
    "semantic search is off: no embeddings extra is installed "
    "(pip install 'shopcoach[embeddings-minilm]' or 'shopcoach[embeddings-e5]'); "
    "search falls back to lexical BM25"
)
NO_EMBEDDER_MESSAGE = (
    "semantic search was requested but this index has no embedder; "
    "search falls back to lexical BM25"
)
_fallback_warned = False


def _warn_fallback_once(message: str = FALLBACK_MESSAGE) -> None:
    global _fallback_warned
    if not _fallback_warned:
        _fallback_warned = True
        log.warning(message)


def reset_fallback_warning() -> None:
    """Let the next lexical fallback warn again (tests)."""
    global _fallback_warned
    _fallback_warned = False


@dataclass(frozen=True, slots=True)
class Hit:
    """One result. Ranks are 1-based positions in each retriever's filtered list (None: not
    retrieved by it); ``dense_score`` is the cosine, ``lexical_score`` the weighted BM25."""

    doc_id: str
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    dense_score: float | None = None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    added: int
    updated: int
    unchanged: int
    removed: int
    embedded: int  # texts actually sent to the embedder (cache misses)


@dataclass(frozen=True, slots=True)
class Retrieval:
    """What each retriever found for one query, before fusion (rows, best first)."""

    lexical: list[tuple[int, float]]
    dense: list[list[tuple[int, float]]]  # one list per embedder
    cosines: list[dict[int, float]]  # per embedder: cosine of every candidate


EmbedderSpec = Embedder | str


class SearchIndex:
    """An in-memory hybrid index over :class:`Document` objects.

    ``embedder``: an :class:`Embedder` or registered name, a list of them (their dense scores
    are averaged in fusion), ``"auto"`` (the first installed model extra: ``minilm``, ``e5-small``)
    or ``None`` (lexical only). ``representation``: how documents become embedding text; by
    default each embedder's own (``embedder.representation``) or
    :data:`~shopcoach.search.documents.DEFAULT_REPRESENTATION`. ``cache``: an
    :class:`EmbeddingCache` to share or persist vectors across rebuilds.

    Persistence: :meth:`save` / :meth:`open` (:mod:`shopcoach.search.persist`).

    Threads: any number of threads may call :meth:`search`/:meth:`search_many` at once (they
    only read; the model runtimes and tantivy release the GIL). :meth:`upsert`, :meth:`remove`,
    :meth:`sync` and :meth:`save` must not run concurrently with each other *or* with
    searches: a server guards them with a readers-writer lock, or builds/opens a new index
    and swaps the reference it searches (one assignment, atomic in Python).
    """

    def __init__(
        self,
        embedder: EmbedderSpec | Sequence[EmbedderSpec] | None = "auto",
        *,
        lexical_backend: str | None = None,
        field_weights: FieldWeights | None = None,
        fusion: FusionConfig | None = None,
        representation: Representation | None = None,
        cache: EmbeddingCache | None = None,
        dense_backend: str = "auto",
        hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD,
        spelling: bool = True,
    ) -> None:
        self._auto_fallback = False
        if embedder == "auto":
            # The first installed extra only: the minilm + e5-small pair ranks better on
            # products but its e5 query latency is not yet within budget (docs/search.md).
            embedders = installed_embedders()[:1]
            if not embedders:
                self._auto_fallback = True
                _warn_fallback_once()
        elif embedder is None:
            embedders = []
        elif isinstance(embedder, str) or not isinstance(embedder, Sequence):
            embedders = [_resolve(embedder)]
        else:
            embedders = [_resolve(e) for e in embedder]
        self.embedders: list[Embedder] = embedders
        self.representations: list[Representation] = [
            representation or getattr(e, "representation", None) or DEFAULT_REPRESENTATION
            for e in embedders
        ]
        self.fusion = fusion or FusionConfig()
        self.cache = cache if cache is not None else EmbeddingCache()
        self.lexical: LexicalIndex = make_lexical_index(lexical_backend, field_weights)
        self.dense: list[VectorIndex] = [
            VectorIndex(e.dim, backend=dense_backend, hnsw_threshold=hnsw_threshold)
            for e in embedders
        ]
        self.attributes = AttributeTable()
        # Words of the indexed texts, to rewrite unknown query words before BM25 (rewrite.py).
        self.spelling = spelling
        self.vocabulary = Vocabulary()
        self._docs: dict[str, Document] = {}
        self._row_of: dict[str, int] = {}
        self._id_of_row: list[str | None] = []
        self._free_rows: list[int] = []
        self._pool: ThreadPoolExecutor | None = None
        # Persistence bookkeeping (persist.py): rows changed/freed since the last save, and
        # (directory, generation) of that save.
        self._dirty: set[int] = set()
        self._freed: set[int] = set()
        self._saved: tuple[Path, int] | None = None

    # ------------------------------------------------------------------ contents

    @property
    def semantic(self) -> bool:
        """True when a dense retriever is available (hybrid/dense modes are real)."""
        return bool(self.embedders)

    @property
    def embedder_name(self) -> str | None:
        return "+".join(e.name for e in self.embedders) or None

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def get(self, doc_id: str) -> Document | None:
        return self._docs.get(doc_id)

    def documents(self) -> list[Document]:
        return list(self._docs.values())

    def doc_id(self, row: int) -> str:
        doc_id = self._id_of_row[row]
        if doc_id is None:
            raise KeyError(row)
        return doc_id

    def _new_row(self, doc_id: str) -> int:
        if self._free_rows:
            row = self._free_rows.pop()
            self._id_of_row[row] = doc_id
        else:
            row = len(self._id_of_row)
            self._id_of_row.append(doc_id)
        self._row_of[doc_id] = row
        return row

    def upsert(self, docs: Iterable[Document]) -> UpsertResult:
        """Add new documents and replace changed ones (by ``content_hash``); unchanged ones are
        skipped. Only texts the cache has not seen are embedded."""
        latest: dict[str, Document] = {}
        for d in docs:
            latest[d.id] = d
        added = updated = 0
        changed: list[Document] = []
        for d in latest.values():
            old = self._docs.get(d.id)
            if old is not None and old.content_hash == d.content_hash:
                continue
            if old is None:
                added += 1
            else:
                updated += 1
            changed.append(d)
        unchanged = len(latest) - len(changed)
        if not changed:
            return UpsertResult(0, 0, unchanged, 0, 0)
        rows = []
        for d in changed:
            row = self._row_of.get(d.id)
            if row is None:
                row = self._new_row(d.id)
            rows.append(row)
            old = self._docs.get(d.id)
            if old is not None:
                self.vocabulary.remove(_lexical_text(old))
            self.vocabulary.add(_lexical_text(d))
            self._docs[d.id] = d
            self.attributes.set(row, d)
        self._dirty.update(rows)
        self.lexical.upsert(changed)
        embedded = 0
        for emb, rep, dense in zip(self.embedders, self.representations, self.dense, strict=True):
            texts = [embedding_text(d, rep) for d in changed]
            misses = self.cache.misses
            vectors = self.cache.embed(emb, texts)
            embedded += self.cache.misses - misses
            dense.set(rows, vectors)
        return UpsertResult(added, updated, unchanged, 0, embedded)

    def remove(self, ids: Iterable[str]) -> UpsertResult:
        gone = [i for i in dict.fromkeys(ids) if i in self._docs]
        if not gone:
            return UpsertResult(0, 0, 0, 0, 0)
        rows = [self._row_of.pop(i) for i in gone]
        for doc_id, row in zip(gone, rows, strict=True):
            self.vocabulary.remove(_lexical_text(self._docs.pop(doc_id)))
            self._id_of_row[row] = None
            self.attributes.clear(row)
            self._free_rows.append(row)
        self._freed.update(rows)
        self.lexical.remove(gone)
        for dense in self.dense:
            dense.delete(rows)
        return UpsertResult(0, 0, 0, len(gone), 0)

    def sync(self, docs: Iterable[Document]) -> UpsertResult:
        """Make the index hold exactly ``docs``: upsert them and remove every other document."""
        docs = list(docs)
        keep = {d.id for d in docs}
        removed = self.remove([i for i in self._docs if i not in keep]).removed
        r = self.upsert(docs)
        return UpsertResult(r.added, r.updated, r.unchanged, removed, r.embedded)

    # ------------------------------------------------------------------ persistence

    def save(self, directory: str | Path) -> SaveResult:
        """Save to ``directory`` (see :mod:`shopcoach.search.persist`): after :meth:`open` or a
        previous save there, only what changed since is written (an append-only segment)."""
        return save_index(self, directory)

    @classmethod
    def open(
        cls,
        directory: str | Path,
        embedder: EmbedderSpec | Sequence[EmbedderSpec] | None = "auto",
        **kwargs: Any,
    ) -> SearchIndex:
        """Open an index saved with :meth:`save`. ``embedder`` and ``kwargs`` are as for the
        constructor; the embedder(s) must be those the index was saved with, else
        :class:`~shopcoach.search.persist.IndexMismatch` is raised (with a rebuild hint)."""
        return load_into(cls(embedder, **kwargs), directory)

    def _restore_rows(self, n_rows: int, rows: Sequence[int], docs: Sequence[Document]) -> None:
        self._id_of_row = [None] * n_rows
        for row, d in zip(rows, docs, strict=True):
            self._id_of_row[row] = d.id
            self._row_of[d.id] = row
            self._docs[d.id] = d
            self.attributes.set(row, d)
            self.vocabulary.add(_lexical_text(d))
        self._free_rows = [r for r in range(n_rows - 1, -1, -1) if self._id_of_row[r] is None]
        self.lexical.upsert(list(docs))

    # ------------------------------------------------------------------ search

    def _mask(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.is_empty():
            return None
        return self.attributes.mask(filters, len(self._id_of_row))

    def products_only(self, filters: Filters | None = None) -> bool:
        """Whether a search with ``filters`` can only return products: the filter asks for
        them, or the index holds nothing else."""
        if filters is not None and filters.kind is not None:
            return filters.kind == "product"
        return bool(self._docs) and not self.attributes.has_kind_other_than("product")

    def rewrite(self, query: str, filters: Filters | None = None) -> Rewrite:
        """The query as the retrievers search it (:mod:`shopcoach.search.rewrite`): negated
        words dropped in a product search, unknown words corrected or split against the
        indexed vocabulary for the lexical retriever (unless ``spelling`` is off)."""
        return rewrite_query(
            query,
            products=self.products_only(filters),
            vocabulary=self.vocabulary if self.spelling else None,
            known=self._known,
        )

    def _semantic_text(self, query: str, filters: Filters | None) -> str:
        """What the dense retrievers embed: the query without negated words in a product
        search (the vocabulary rewrite is for the lexical side only, so not computed here)."""
        return drop_negated(query)[0] if self.products_only(filters) else query

    def _known(self, word: str) -> bool:
        """Whether any document matches ``word`` lexically (its stem, in any field)."""
        return bool(self.lexical.search(word, 1))

    def _lexical(self, query: str, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """BM25 over ``query`` as given (already rewritten), ``n`` rows passing ``mask``."""
        total = len(self.lexical)
        if total == 0:
            return []
        if mask is None:
            limit = min(n, total)
        else:
            allowed = int(mask.sum())
            if allowed == 0:
                return []
            limit = min(total, math.ceil(n * total / allowed * 1.5))
        while True:
            raw = self.lexical.search(query, limit)
            out = []
            for doc_id, score in raw:
                row = self._row_of.get(doc_id)
                if row is not None and (mask is None or mask[row]):
                    out.append((row, score))
            if len(out) >= n or len(raw) < limit or limit >= total:
                return out[:n]
            limit = total

    def embed_queries(self, queries: Sequence[str]) -> list[np.ndarray]:
        """Per embedder, a ``(len(queries), dim)`` matrix. Several embedders run in parallel
        threads (the model runtimes release the GIL)."""
        if not self.embedders:
            return []
        if len(self.embedders) == 1:
            return [self.embedders[0].embed(list(queries), kind="query")]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=len(self.embedders))
        futures = [self._pool.submit(e.embed, list(queries), "query") for e in self.embedders]
        return [f.result() for f in futures]

    def retrieve(
        self,
        query: str,
        n: int,
        filters: Filters | None = None,
        query_vectors: Sequence[np.ndarray] | None = None,
        lexical: bool = True,
        dense: bool = True,
    ) -> Retrieval:
        """Each retriever's top ``n`` rows that pass ``filters``, and, when both lexical and
        dense run, the cosine of every candidate under every embedder."""
        mask = self._mask(filters)
        rw = self.rewrite(query, filters)
        lex = self._lexical(rw.text, n, mask) if lexical else []
        dense_lists: list[list[tuple[int, float]]] = []
        cosines: list[dict[int, float]] = []
        if dense and self.embedders:
            if query_vectors is None:
                query_vectors = [m[0] for m in self.embed_queries([rw.semantic or query])]
            for index, qv in zip(self.dense, query_vectors, strict=True):
                dense_lists.append(index.search(qv, n, mask))
            cand = list(dict.fromkeys([r for r, _ in lex] + [r for d in dense_lists for r, _ in d]))
            rows = np.asarray(cand, dtype=np.int64)
            for index, qv in zip(self.dense, query_vectors, strict=True):
                cos = index.scores(qv, rows) if rows.size else np.zeros(0, dtype=np.float32)
                cosines.append(dict(zip(cand, cos.tolist(), strict=True)))
        return Retrieval(lex, dense_lists, cosines)

    def fuse(self, retrieval: Retrieval, k: int, fusion: FusionConfig | None = None) -> list[Hit]:
        """Fuse a :class:`Retrieval` into the top ``k`` hits."""
        cfg = fusion or self.fusion
        n = cfg.candidates
        ids = self._id_of_row
        docs = self._docs
        fused = fuse(
            retrieval.lexical[:n],
            [d[:n] for d in retrieval.dense],
            cfg,
            retrieval.cosines,
            kind_of=lambda row: docs[ids[row]].kind,  # type: ignore[index]
        )
        return [
            Hit(
                str(ids[int(f.key)]),  # type: ignore[call-overload]
                f.score,
                f.lexical_rank,
                f.dense_rank,
                f.lexical_score,
                f.dense_score,
            )
            for f in fused[:k]
        ]

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: SearchMode | None = None,
        query_vectors: Sequence[np.ndarray] | None = None,
    ) -> list[Hit]:
        """Top ``k`` documents for ``query`` that pass ``filters``.

        ``mode`` defaults to ``"hybrid"`` when an embedder is configured, else ``"lexical"``.
        ``query_vectors`` (one per embedder) lets a caller pass precomputed query embeddings.
        """
        if mode not in (None, "lexical", "dense", "hybrid"):
            raise ValueError(f"unknown search mode {mode!r}")
        if k <= 0 or not self._docs:
            return []
        if mode is None:
            mode = "hybrid" if self.semantic else "lexical"
        if mode != "lexical" and not self.semantic:
            _warn_fallback_once(FALLBACK_MESSAGE if self._auto_fallback else NO_EMBEDDER_MESSAGE)
            mode = "lexical"
        ids = self._id_of_row
        if mode == "lexical":
            lex = self._lexical(self.rewrite(query, filters).text, k, self._mask(filters))
            return [
                Hit(str(ids[r]), s, lexical_rank=i, lexical_score=s)
                for i, (r, s) in enumerate(lex, 1)
            ]
        if mode == "dense" and len(self.embedders) == 1:
            got = self.retrieve(query, k, filters, query_vectors, lexical=False)
            return [
                Hit(str(ids[r]), s, dense_rank=i, dense_score=s)
                for i, (r, s) in enumerate(got.dense[0], 1)
            ]
        n = max(k, self.fusion.candidates)
        got = self.retrieve(query, n, filters, query_vectors, lexical=mode == "hybrid")
        cfg = (
            self.fusion
            if mode == "hybrid"
            else replace(self.fusion, method="convex", alpha=1.0, product_alpha=None)
        )
        return self.fuse(got, k, replace(cfg, candidates=n))

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 10,
        filters: Sequence[Filters | None] | None = None,
        mode: SearchMode | None = None,
    ) -> list[list[Hit]]:
        """Search several queries; query embeddings are computed in one batch per embedder."""
        vectors: list[np.ndarray] = []
        use_dense = (mode or ("hybrid" if self.semantic else "lexical")) != "lexical"
        if use_dense and self.semantic and queries:
            fs = filters if filters is not None else [None] * len(queries)
            vectors = self.embed_queries(
                [self._semantic_text(q, f) for q, f in zip(queries, fs, strict=True)]
            )
        out = []
        for i, q in enumerate(queries):
            f = filters[i] if filters is not None else None
            qv = [v[i] for v in vectors] if vectors else None
            out.append(self.search(q, k, f, mode, query_vectors=qv))
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


def _lexical_text(doc: Document) -> str:
    """What the query-rewriting vocabulary holds of a document (:mod:`.rewrite`): every
    lexical field, except a product's description (the bulk of a catalog's text)."""
    if doc.kind == "product":
        return " ".join((doc.title, doc.brand, *doc.category, *doc.attributes.values()))
    return " ".join(lexical_fields(doc).values())


def _resolve(spec: EmbedderSpec) -> Embedder:
    return get_embedder(spec) if isinstance(spec, str) else spec
