"""Word handling shared by the lexical judges: tokens, a light stemmer, stopwords (pure)."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i i'm i've i'd
    if in into is it it's its itself just let's me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such than
    that that's the their theirs them themselves then there these they this those through to
    too under until up very was we we're we've were what when where which while who whom why
    will with would you you're you've your yours yourself yourselves hi hello hey thanks thank
    please pls ok okay yes yeah sure also get got can't cannot don't didn't doesn't won't
    would've could i'll you'll we'll want wanted need needs needed like know help able one
    still there's here's im ive dont cant wont u ur""".split()
)
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "returns"/"returning"/"returned"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]  # shipped → ship
            return base
    return word


@lru_cache(maxsize=8192)
def content_stems(text: str) -> frozenset[str]:
    """Stemmed content words of ``text`` (stopwords and one-letter tokens dropped); cached,
    as several judges read the same messages."""
    return frozenset(
        stem(w) for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS and len(w) > 1
    )


def words(text: str) -> int:
    return len(text.split())
