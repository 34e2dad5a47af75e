"""File formats the importer reads, registered by a stable name.

A reader turns an open binary file, positioned at a byte offset, into
``(line_no, end_offset, record)`` triples, where ``record`` is a raw dict in the capture
schema (``docs/import-schema.md``) or a :class:`ParseError`. ``end_offset`` is the byte
position just after the record, which the importer checkpoints. Helpdesk exports (Zendesk,
Gorgias, Intercom) and OpenTelemetry GenAI traces slot in here as further readers that map
their shapes onto the capture schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson


@dataclass(frozen=True)
class ParseError:
    reason: str


Reader = Callable[[IO[bytes], int], Iterator[tuple[int, int, Any]]]

_READERS: dict[str, tuple[Reader, str]] = {}


def register_reader(name: str, doc: str) -> Callable[[Reader], Reader]:
    """Register a reader under ``name`` with a one-line description."""

    def wrap(fn: Reader) -> Reader:
        _READERS[name] = (fn, doc)
        return fn

    return wrap


def get_reader(name: str) -> Reader:
    try:
        return _READERS[name][0]
    except KeyError:
        from shopcoach.errors import ValidationFailed

        raise ValidationFailed(
            f"Unknown import format {name!r}.",
            hint=f"Use one of: {', '.join(sorted(_READERS))}.",
        ) from None


def readers() -> dict[str, str]:
    """Registered format names and their descriptions."""
    return {name: doc for name, (_, doc) in sorted(_READERS.items())}


@register_reader("jsonl", "One JSON object per line (UTF-8); blank lines are skipped.")
def read_jsonl(fh: IO[bytes], start_line: int) -> Iterator[tuple[int, int, Any]]:
    """Yield records from a JSON Lines file; ``fh`` is already at the resume offset."""
    offset = fh.tell()
    line_no = start_line
    for line in fh:
        line_no += 1
        offset += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        try:
            yield line_no, offset, orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            yield (
                line_no,
                offset,
                ParseError(f"not valid JSON ({exc}); each line must be one complete JSON object"),
            )
