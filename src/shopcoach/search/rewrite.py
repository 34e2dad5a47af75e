"""The query as the retrievers search it: negated product words dropped, unknown words fixed.

**Negation, in product searches.** "cat treats without chicken", "knife sets without block",
"white desk chair without wheels": a fifth of the shared ESCI queries say what the product
must *not* have. BM25 rewards a product for every query word it contains, and an embedding
of "treats without chicken" lies near chicken treats, so both retrievers favour exactly the
products the shopper ruled out. In a search over products only (the index holds no articles,
or the filter asks for products), the words from "without" up to the next "with" or the end
are left out of what both retrievers see: "lights without wiring with switch" → "lights with
switch". Support questions keep them: "can I return it without a receipt" is about the
receipt. Only "without" is read this way: "not" and "no" are too often part of a name ("watch
the game not your phone tshirt", "no-show socks").

**Unknown words, for the lexical retriever.** Shoppers and support customers type "shpping",
"availble", "fragon book", "firestick" and "2gallon". BM25 scores a word the indexed documents
never use as nothing, so such a query loses its most important term. Every query word the
documents never use (case-folded; numbers and words of one to four letters are left alone) is
rewritten:

1. letters glued to digits are split at the boundary: "2gallon" → "2 gallon",
   "order732201349959" → "order 732201349959";
2. a word of five letters or more becomes the most frequent indexed word one edit away
   (Damerau-Levenshtein: one letter deleted, inserted, replaced, or two neighbours swapped):
   "shpping" → "shipping", "availble" → "available"; ties go to the alphabetically first;
3. failing that, a word of six letters or more that is two indexed words of at least three
   letters each run together is split, choosing the split whose rarer half is most frequent:
   "firestick" → "fire stick".

Otherwise the word stays as typed. Words the index knows are never touched. The vocabulary
of a :class:`~shopcoach.search.hybrid.SearchIndex` holds every lexical field of articles, and
of products all but the description (descriptions are most of a catalog's text: counting their
words took 7 s per 100k ESCI products); a word the vocabulary lacks is looked up in the lexical
index itself before it is rewritten, so a word found only in some description is kept.
Dense retrieval embeds the words as typed (minus negated ones): the model copes with typos its
own way.
Shorter words are left alone because a four-letter word has many one-edit neighbours that are
real words ("till" → "tell").

Measured on the shared data (``docs/search.md``): lexical nDCG@10 rises on ESCI, Bitext and
HINT3 alike, and hybrid on ESCI. Pure: :class:`Vocabulary` holds document frequencies and is
updated as documents come and go; :func:`drop_negated` is a function of the query alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_RUNS_RE = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

MIN_CORRECT = 5  # letters a word needs before it is corrected
MIN_SPLIT = 6  # letters a word needs before it is split in two
MIN_PART = 3  # letters each half of a split needs


def words(text: str) -> list[str]:
    """Case-folded word tokens, as the vocabulary and the rewriter see them."""
    return _WORD_RE.findall(text.lower())


@dataclass(frozen=True)
class Rewrite:
    """A query as searched: ``text`` for the lexical retriever, ``semantic`` for the dense
    one, each ``(typed, searched)`` spelling change, and the negated words left out."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()
    dropped: tuple[str, ...] = ()
    semantic: str | None = None  # None: the query as typed

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.dropped)

    def to_dict(self) -> dict[str, object] | None:
        """What a user is shown ("searched for …"), or None when nothing was rewritten."""
        if not self.changed:
            return None
        return {
            "lexical": self.text,
            "corrections": [{"typed": t, "searched": w} for t, w in self.changes],
            "left_out": list(self.dropped),
        }

    def describe(self) -> str:
        """One line for a terminal, e.g. ``Searched for "shipping cost" (shpping → shipping)``."""
        parts = [f"{t} → {w}" for t, w in self.changes]
        if self.dropped:
            parts.append(f"left out: {' '.join(self.dropped)}")
        return f'Searched for "{self.text}" ({"; ".join(parts)})'


_NEGATED_RE = re.compile(r"\bwithout\b(?P<what>.*?)(?=\bwith\b|$)", re.IGNORECASE)


def drop_negated(query: str) -> tuple[str, tuple[str, ...]]:
    """``query`` without its "without …" clauses (up to the next "with" or the end), and the
    words left out; the query unchanged if nothing would be left."""
    dropped: list[str] = []

    def cut(m: re.Match[str]) -> str:
        dropped.extend(m.group("what").split())
        return " "

    text = " ".join(_NEGATED_RE.sub(cut, query).split())
    if not text or text == query and not dropped:
        return query, ()
    return text, tuple(dropped)


def rewrite_query(
    query: str,
    *,
    products: bool = False,
    vocabulary: Vocabulary | None = None,
    known: Callable[[str], bool] | None = None,
) -> Rewrite:
    """``query`` as the retrievers search it: in a product search (``products``) without its
    negated words, then, given a ``vocabulary``, with unknown words fixed for the lexical side
    (``known``: see :meth:`Vocabulary.rewrite`)."""
    dropped: tuple[str, ...] = ()
    if products:
        query, dropped = drop_negated(query)
    semantic = query if dropped else None
    if vocabulary is None:
        return Rewrite(query, (), dropped, semantic)
    text, changes = vocabulary._spell(query, known)
    return Rewrite(text, changes, dropped, semantic)


@dataclass
class Vocabulary:
    """Document frequency of every word of the indexed texts."""

    df: Counter[str] = field(default_factory=Counter)

    def add(self, text: str) -> None:
        self.df.update(set(words(text)))

    def remove(self, text: str) -> None:
        df = self.df
        for w in set(words(text)):
            n = df[w] - 1
            if n > 0:
                df[w] = n
            else:
                del df[w]

    def __contains__(self, word: object) -> bool:
        return word in self.df

    def __len__(self) -> int:
        return len(self.df)

    def rewrite(
        self, query: str, *, products: bool = False, known: Callable[[str], bool] | None = None
    ) -> Rewrite:
        """``query`` with its unknown words rewritten and, in a product search
        (``products``), its negated words dropped (see the module docstring). ``known``: asks
        the index itself about a word this vocabulary lacks (which may hold only part of each
        document); a word it knows is kept."""
        return rewrite_query(query, products=products, vocabulary=self, known=known)

    def _spell(
        self, query: str, known: Callable[[str], bool] | None
    ) -> tuple[str, tuple[tuple[str, str], ...]]:
        """``query`` as lower-cased words with unknown ones fixed, and each change made."""
        out: list[str] = []
        changes: list[tuple[str, str]] = []
        for w in words(query):
            fixed = self._fix(w, known)
            out.extend(fixed)
            if fixed != [w]:
                changes.append((w, " ".join(fixed)))
        return " ".join(out), tuple(changes)

    def _fix(self, w: str, known: Callable[[str], bool] | None = None) -> list[str]:
        df = self.df
        if w in df or not df or w.isdigit():
            return [w]
        if (len(w) >= MIN_CORRECT or not w.isalpha()) and known is not None and known(w):
            return [w]
        if not w.isalpha():
            runs = _RUNS_RE.findall(w)
            return runs if len(runs) > 1 else [w]
        if len(w) < MIN_CORRECT or not w.isascii():
            return [w]
        near = [c for c in edits1(w) if c in df]
        if near:
            return [max(near, key=lambda c: (df[c], _reverse(c)))]
        if len(w) >= MIN_SPLIT:
            best: tuple[int, list[str]] | None = None
            for i in range(MIN_PART, len(w) - MIN_PART + 1):
                a, b = w[:i], w[i:]
                if a in df and b in df:
                    rarer = min(df[a], df[b])
                    if best is None or rarer > best[0]:
                        best = (rarer, [a, b])
            if best is not None:
                return best[1]
        return [w]


def _reverse(word: str) -> tuple[int, ...]:
    """Sort key under which ``max`` picks the alphabetically first of equally frequent words."""
    return (*(-ord(c) for c in word), 1)


def edits1(word: str) -> set[str]:
    """Every string one Damerau-Levenshtein edit from ``word`` (a-z alphabet)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


def vocabulary_of(texts: Iterable[str]) -> Vocabulary:
    vocab = Vocabulary()
    for t in texts:
        vocab.add(t)
    return vocab
