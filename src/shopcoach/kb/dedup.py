"""Exact and near-duplicate detection over item texts. Pure and vectorised (numpy).

* **Exact** duplicates share a content hash (:attr:`shopcoach.kb.records.KbRecord.content_hash`:
  every normalised field but the key). :func:`exact_duplicates` maps each later copy to the
  first one.
* **Near** duplicates have a high Jaccard similarity of their word 3-shingles, estimated with
  MinHash (64 hash functions) and found with LSH banding (16 bands of 4 rows), so the cost is
  linear in the catalog size instead of quadratic. A pair found by LSH is kept when its
  estimated similarity is at least ``threshold``; pairs are joined into clusters (union-find)
  and each member is reported against the cluster's first item.

Texts are cut to their first ``max_words`` words: near-duplicate products and articles show it
in their title and opening text, and the cap bounds the work on long bodies.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.8
MAX_WORDS = 256
SHINGLE = 3

_WORD = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Item ``index`` is a near copy of item ``of_index`` (estimated Jaccard ``similarity``)."""

    index: int
    of_index: int
    similarity: float


def exact_duplicates(hashes: Sequence[str]) -> dict[int, int]:
    """``{later index: first index}`` for every repeated hash."""
    first: dict[str, int] = {}
    dupes: dict[int, int] = {}
    for i, h in enumerate(hashes):
        j = first.setdefault(h, i)
        if j != i:
            dupes[i] = j
    return dupes


def _shingle_hashes(texts: Sequence[str], max_words: int) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes (uint64) concatenated, and each text's start offset."""
    ids: list[int] = []
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    for i, t in enumerate(texts):
        # crc32 through map() runs at C speed and, unlike hash(), is the same in every run
        ids.extend(map(zlib.crc32, map(str.encode, _WORD.findall(t.casefold())[:max_words])))
        starts[i + 1] = len(ids)
    word_ids = np.asarray(ids, dtype=np.uint64) + np.uint64(1)
    lengths = np.diff(starts)
    # A shingle starts at every word that has SHINGLE-1 more words in the same text; texts
    # shorter than that contribute one shingle made of what they have.
    n = len(word_ids)
    pos = np.arange(n, dtype=np.int64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    end = starts[1:][owner] if n else np.zeros(0, dtype=np.int64)
    valid = (pos + SHINGLE <= end) | ((pos == starts[:-1][owner]) & (lengths[owner] < SHINGLE))
    h = np.zeros(n, dtype=np.uint64)
    mults = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B1))
    for k in range(SHINGLE):
        idx = pos + k
        ok = idx < end
        part = np.zeros(n, dtype=np.uint64)
        part[ok] = word_ids[idx[ok]]
        h = (h ^ (part * mults[k])) * np.uint64(0xFF51AFD7ED558CCD)
    sel = np.flatnonzero(valid)
    counts = np.bincount(owner[sel], minlength=len(texts)) if len(sel) else np.zeros(
        len(texts), dtype=np.int64
    )
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return h[sel], offsets


def minhash_signatures(
    texts: Sequence[str], *, num_perm: int = NUM_PERM, max_words: int = MAX_WORDS, seed: int = 1
) -> np.ndarray:
    """A ``(len(texts), num_perm)`` uint32 MinHash matrix; empty texts get all-max rows."""
    shingles, offsets = _shingle_hashes(texts, max_words)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _MASK64, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, _MASK64, size=num_perm, dtype=np.uint64)
    sig = np.full((len(texts), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    if not len(nonempty):
        return sig
    starts = offsets[:-1][nonempty]
    for k in range(num_perm):
        # multiply-shift hashing: the top 32 bits of a*x+b (mod 2^64) are near-universal
        v = ((shingles * a[k] + b[k]) >> np.uint64(32)).astype(np.uint32)
        sig[nonempty, k] = np.minimum.reduceat(v, starts)
    return sig


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = int(parent[i])
    return i


def near_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = THRESHOLD,
    bands: int = BANDS,
    rows: int = ROWS,
    max_words: int = MAX_WORDS,
    skip: Sequence[int] = (),
) -> list[NearDuplicate]:
    """Near-duplicate items among ``texts`` (indexes in ``skip`` are left out, e.g. exact
    copies already handled). Each reported item points at its cluster's first item."""
    n = len(texts)
    if n < 2:
        return []
    sig = minhash_signatures(texts, num_perm=bands * rows, max_words=max_words)
    empty = (sig == np.iinfo(np.uint32).max).all(axis=1)
    active = np.ones(n, dtype=bool)
    active[list(skip)] = False
    active &= ~empty
    idx = np.flatnonzero(active)
    parent = np.arange(n)
    band_mult = np.uint64(0x100000001B3)
    for band in range(bands):
        block = sig[idx, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.zeros(len(idx), dtype=np.uint64)
        for r in range(rows):
            key = (key ^ block[:, r]) * band_mult
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        if not len(same):
            continue
        # each member of a bucket is compared with the bucket's first member only (linear)
        bucket_start = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        first_of = bucket_start[np.searchsorted(bucket_start, same + 1, side="right") - 1]
        a = idx[order[first_of]]
        b = idx[order[same + 1]]
        sim = (sig[a] == sig[b]).mean(axis=1)
        for i, j in zip(a[sim >= threshold].tolist(), b[sim >= threshold].tolist(), strict=True):
            ri, rj = _find(parent, i), _find(parent, j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([_find(parent, i) for i in range(n)])
    members = np.flatnonzero(roots != np.arange(n))
    if not len(members):
        return []
    sims = (sig[members] == sig[roots[members]]).mean(axis=1)
    return [
        NearDuplicate(int(i), int(r), round(float(s), 3))
        for i, r, s in zip(members, roots[members], sims, strict=True)
    ]
