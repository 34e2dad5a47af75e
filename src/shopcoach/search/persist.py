"""Saving a :class:`~shopcoach.search.hybrid.SearchIndex` to a directory and opening it again.

Layout of a saved index (all files written by this module; nothing else is touched)::

    manifest.json                 format version, generation, embedders, segments
    docs-000001.jsonl             one line per document: row, content hash, embedding-text
                                  hashes, the document (``Document.to_dict``)
    vectors-000001-0.npy          float32 vectors of those lines, one file per embedder
    removed-000002.npy            rows removed since the previous segment (int64)
    hnsw-000002-0.usearch         the HNSW graph of embedder 0, when it has one

Segments are **append-only**: saving an index that was opened from (or last saved to) the same
directory writes one new segment holding only the documents upserted since, plus the rows
removed, then replaces ``manifest.json`` atomically. A row written by a later segment
overrides the same row in earlier ones. When superseded lines outnumber live documents (or
there are more than :data:`MAX_SEGMENTS` segments) the save compacts into a single segment.
Files are written under new names before the manifest names them, and files the manifest no
longer names are deleted after it is replaced, so a crash mid-save leaves the previous
generation readable.

What is not stored: the BM25 index (rebuilt on open: 100k products take a few seconds, and a
rebuilt index can never disagree with the documents; see ``docs/search.md`` for the
measurement) and the filter columns (recomputed from the documents). The HNSW graph is stored
because rebuilding it is the slowest part of opening a large index.

An index saved by another embedder (name, dimension or representation) or by another format
version is refused with :class:`IndexMismatch`, whose hint says how to rebuild it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from shopcoach.errors import ShopcoachError
from shopcoach.search.documents import Document, embedding_text, restore_document, text_hash

if TYPE_CHECKING:
    from shopcoach.search.hybrid import SearchIndex

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_SEGMENTS = 16
_OWN_PREFIXES = ("docs-", "vectors-", "removed-", "hnsw-")


class IndexMismatch(ShopcoachError):
    """A saved search index cannot be used with this configuration or version."""

    code = "search_index_mismatch"


class IndexNotFound(ShopcoachError):
    code = "search_index_not_found"


@dataclass(frozen=True, slots=True)
class SaveResult:
    directory: Path
    generation: int
    compacted: bool  # True: every live document was written (first save or compaction)
    written: int  # document lines written
    removed: int  # removed rows recorded
    seconds: float


def _rebuild_hint(index: SearchIndex | None, directory: Path) -> str:
    names = index.embedder_name if index is not None else None
    return (
        f"Rebuild it: build a SearchIndex with the embedder you want "
        f"({names or 'e.g. minilm'}), upsert the documents and call .save('{directory}'), "
        "or open it with the embedder it was saved with."
    )


def _embedders_meta(index: SearchIndex) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "dim": int(e.dim), "representation": rep.key()}
        for e, rep in zip(index.embedders, index.representations, strict=True)
    ]


def read_manifest(directory: str | Path) -> dict[str, Any]:
    root = Path(directory)
    path = root / MANIFEST
    if not path.exists():
        raise IndexNotFound(
            f"no saved search index in {root} ({MANIFEST} is missing)",
            hint="Build one with SearchIndex(...).upsert(docs) and .save(directory).",
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


def _remove_unreferenced(root: Path, manifest: dict[str, Any]) -> None:
    keep = {MANIFEST}
    for seg in manifest["segments"]:
        keep.add(seg["docs"])
        keep.update(seg["vectors"])
        if seg.get("removed"):
            keep.add(seg["removed"])
    keep.update(h for h in manifest.get("hnsw", []) if h)
    for p in root.iterdir():
        if p.name not in keep and p.name.startswith(_OWN_PREFIXES):
            p.unlink()


def _write_segment(
    index: SearchIndex, root: Path, gen: int, rows: list[int], removed: list[int]
) -> dict[str, Any]:
    tag = f"{gen:06d}"
    docs_name = f"docs-{tag}.jsonl"
    with open(root / docs_name, "wb") as fh:
        for row in rows:
            doc = index._docs[index.doc_id(row)]
            hashes = [text_hash(embedding_text(doc, rep)) for rep in index.representations]
            fh.write(
                orjson.dumps({"r": row, "h": doc.content_hash, "e": hashes, "d": doc.to_dict()})
            )
            fh.write(b"\n")
    vector_names = []
    rows_arr = np.asarray(rows, dtype=np.int64)
    for i, dense in enumerate(index.dense):
        name = f"vectors-{tag}-{i}.npy"
        np.save(root / name, dense.vectors(rows_arr).astype(np.float32, copy=False))
        vector_names.append(name)
    seg: dict[str, Any] = {"docs": docs_name, "count": len(rows), "vectors": vector_names}
    if removed:
        seg["removed"] = f"removed-{tag}.npy"
        np.save(root / seg["removed"], np.asarray(sorted(removed), dtype=np.int64))
    return seg


def save_index(index: SearchIndex, directory: str | Path) -> SaveResult:
    """Write ``index`` to ``directory``: a new append-only segment when the directory holds
    this index's previous save, else (or when compaction is due) a complete snapshot."""
    t0 = time.perf_counter()
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    old: dict[str, Any] | None = None
    if (root / MANIFEST).exists():
        old = read_manifest(root)
    same = (
        old is not None
        and index._saved is not None
        and index._saved[0] == root.resolve()
        and index._saved[1] == old.get("generation")
        and old.get("format") == FORMAT_VERSION
    )
    live = [r for r, i in enumerate(index._id_of_row) if i is not None]
    if same and old is not None:
        dirty = sorted(r for r in index._dirty if index._id_of_row[r] is not None)
        removed = sorted(r for r in index._freed if index._id_of_row[r] is None)
        if not dirty and not removed:
            return SaveResult(root, int(old["generation"]), False, 0, 0, 0.0)
        lines = sum(int(s["count"]) for s in old["segments"]) + len(dirty)
        compact = len(old["segments"]) >= MAX_SEGMENTS or lines > 2 * max(1, len(live))
    else:
        dirty, removed, compact = live, [], True
    gen = int(old["generation"]) + 1 if old is not None else 1
    if compact:
        segments = [_write_segment(index, root, gen, live, [])]
        written, n_removed = len(live), 0
    else:
        assert old is not None
        segments = [*old["segments"], _write_segment(index, root, gen, dirty, removed)]
        written, n_removed = len(dirty), len(removed)
    hnsw: list[str | None] = []
    for i, dense in enumerate(index.dense):
        name = f"hnsw-{gen:06d}-{i}.usearch"
        hnsw.append(name if dense.save_hnsw(root / name) else None)
    manifest = {
        "format": FORMAT_VERSION,
        "generation": gen,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": len(live),
        "rows": len(index._id_of_row),
        "embedders": _embedders_meta(index),
        "lexical_backend": index.lexical.backend,
        "segments": segments,
        "hnsw": hnsw,
    }
    _write_manifest(root, manifest)
    _remove_unreferenced(root, manifest)
    index._saved = (root.resolve(), gen)
    index._dirty.clear()
    index._freed.clear()
    return SaveResult(root, gen, compact, written, n_removed, time.perf_counter() - t0)


def check_compatible(manifest: dict[str, Any], index: SearchIndex, directory: Path) -> None:
    """Raise :class:`IndexMismatch` unless ``index`` is configured like the saved one."""
    fmt = manifest.get("format")
    if fmt != FORMAT_VERSION:
        raise IndexMismatch(
            f"the search index in {directory} has format version {fmt}; this version of "
            f"Shopcoach reads format {FORMAT_VERSION}",
            hint=_rebuild_hint(index, directory),
        )
    saved = manifest.get("embedders", [])
    ours = _embedders_meta(index)
    if saved != ours:

        def fmt_list(items: list[dict[str, Any]]) -> str:
            return ", ".join(f"{e['name']} ({e['representation']})" for e in items) or "none"

        raise IndexMismatch(
            f"the search index in {directory} was saved with embedder(s) {fmt_list(saved)}, "
            f"but this index is configured with {fmt_list(ours)}: its vectors cannot be mixed",
            hint=_rebuild_hint(index, directory),
        )


def load_into(index: SearchIndex, directory: str | Path) -> SearchIndex:
    """Fill an empty, freshly configured ``index`` from ``directory`` (see module doc)."""
    root = Path(directory)
    manifest = read_manifest(root)
    check_compatible(manifest, index, root)
    if len(index):
        raise ValueError("load_into needs an empty SearchIndex")
    n_rows = int(manifest["rows"])
    docs_of_row: dict[int, tuple[Document, list[str]]] = {}
    dims = [d.dim for d in index.dense]
    vectors = [np.zeros((n_rows, dim), dtype=np.float32) for dim in dims]
    for seg in manifest["segments"]:
        if seg.get("removed"):
            for r in np.load(root / seg["removed"]).tolist():
                docs_of_row.pop(int(r), None)
        rows: list[int] = []
        with open(root / seg["docs"], "rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = orjson.loads(line)
                row = int(rec["r"])
                docs_of_row[row] = (restore_document(rec["d"], rec["h"]), rec["e"])
                rows.append(row)
        if len(rows) != int(seg["count"]):
            raise IndexMismatch(
                f"the search index in {root} is damaged: {seg['docs']} has {len(rows)} "
                f"documents, the manifest says {seg['count']}",
                hint=_rebuild_hint(index, root),
            )
        for i, name in enumerate(seg["vectors"]):
            block = np.load(root / name)
            if block.shape != (len(rows), dims[i]):
                raise IndexMismatch(
                    f"the search index in {root} is damaged: {name} has shape {block.shape}, "
                    f"expected ({len(rows)}, {dims[i]})",
                    hint=_rebuild_hint(index, root),
                )
            vectors[i][np.asarray(rows, dtype=np.int64)] = block
    live = sorted(docs_of_row)
    docs = [docs_of_row[r][0] for r in live]
    index._restore_rows(n_rows, live, docs)
    live_arr = np.asarray(live, dtype=np.int64)
    hnsw_files = manifest.get("hnsw") or [None] * len(index.dense)
    for i, (emb, dense) in enumerate(zip(index.embedders, index.dense, strict=True)):
        hnsw = hnsw_files[i]
        dense.restore(live_arr, vectors[i][live_arr], root / hnsw if hnsw else None)
        hashes = [docs_of_row[r][1][i] for r in live]
        index.cache.put_hashes(emb.name, hashes, vectors[i][live_arr])
    index._saved = (root.resolve(), int(manifest["generation"]))
    index._dirty.clear()
    index._freed.clear()
    return index
