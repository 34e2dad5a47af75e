"""Split an article into retrieval chunks by heading, keeping each chunk's heading path.

Pure: text in, chunks out. An article body keeps Markdown heading lines (``## Returns``; HTML
articles are converted to the same form on import). Each section (the text under one heading,
up to the next heading) becomes a chunk whose ``heading_path`` is the chain of headings above
it, e.g. ``("Returns", "Holiday returns")``. Sizes:

* a section longer than ``max_words`` is cut at line, then sentence boundaries into pieces of
  at most ``max_words`` (a single longer sentence is cut at ``max_words``);
* a section shorter than ``min_words`` is appended to the chunk before it when they share a
  parent heading and the result stays within ``max_words``, so one-line sections do not become
  near-empty documents;
* a heading with no text of its own only contributes to its children's path.

The defaults (200 / 40 words) keep a chunk within the 256-token window of small sentence
embedders (MiniLM: ~1.3 tokens a word) and above the length where BM25 scores become noisy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 200
MIN_WORDS = 40

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


@dataclass(frozen=True, slots=True)
class Chunk:
    seq: int
    heading_path: tuple[str, ...]
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def sections(body: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """``(heading_path, lines)`` per section, in order; text before any heading has path ()."""
    out: list[tuple[tuple[str, ...], list[str]]] = []
    stack: list[tuple[int, str]] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if any(line.strip() for line in current):
            out.append((tuple(h for _, h in stack), list(current)))
        current.clear()

    for line in body.splitlines():
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line.strip())
        if match is None:
            current.append(line)
            continue
        flush()
        level = len(match.group(1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, match.group(2).strip()))
    flush()
    return out


def _pieces(lines: list[str], max_words: int) -> list[str]:
    """Pack lines (then sentences, then words) into pieces of at most ``max_words``."""
    units: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if len(line.split()) <= max_words:
            units.append(line)
            continue
        for sentence in _SENTENCE_END.split(line):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                units.append(" ".join(words[start : start + max_words]))
    pieces: list[str] = []
    buf: list[str] = []
    size = 0
    for unit in units:
        n = len(unit.split())
        if buf and size + n > max_words:
            pieces.append("\n".join(buf))
            buf, size = [], 0
        buf.append(unit)
        size += n
    if buf:
        pieces.append("\n".join(buf))
    return pieces


def _label(heading: str) -> str:
    return heading if heading[-1:] in ".!?:" else heading + ":"


def chunk_article(
    body: str, *, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS
) -> list[Chunk]:
    """The chunks of an article body (see the module docstring for the rules).

    >>> body = "# Returns\\nWithin 30 days.\\n## Sale items\\nFinal sale."
    >>> [(c.heading_path, c.text) for c in chunk_article(body)]
    [(('Returns',), 'Within 30 days.\\nSale items:\\nFinal sale.')]
    """
    if max_words < 1 or min_words < 0:
        raise ValueError("max_words must be at least 1 and min_words at least 0")
    merged: list[tuple[tuple[str, ...], str]] = []
    for path, lines in sections(body):
        for piece in _pieces(lines, max_words):
            n = len(piece.split())
            if merged and n < min_words:
                prev_path, prev_text = merged[-1]
                same_parent = prev_path[:-1] == path[:-1] or prev_path == path[:-1]
                # "Costs:" — the colon keeps a reader (and the answer composer, which joins
                # hard-wrapped lines) from running the heading into its first sentence.
                heading = _label(path[-1]) + "\n" if path and path != prev_path else ""
                size = len(prev_text.split()) + n + len(heading.split())
                if same_parent and size <= max_words:
                    merged[-1] = (prev_path, f"{prev_text}\n{heading}{piece}")
                    continue
            merged.append((path, piece))
    return [Chunk(seq, path, text) for seq, (path, text) in enumerate(merged)]
