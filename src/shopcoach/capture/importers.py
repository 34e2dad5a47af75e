"""File formats the importer reads, registered by a stable name.

A format does three things, split between the reading process and the workers:

* ``split`` cuts an open binary file, positioned at a byte offset, into raw chunks
  (:class:`RawChunk`) of ``size`` lines: an opaque payload plus the line numbers it spans
  and the byte offset just after it, which the importer checkpoints. This runs in the
  reading process, so it does as little as it can (for JSONL: read lines and join them).
* ``units`` expands a payload into ``(line_no, unit)`` pairs, one per record; it runs in
  a worker process.
* ``parse`` turns one unit into a raw dict in the capture schema
  (``docs/import-schema.md``) or a :class:`ParseError`; also in the worker.

Helpdesk exports (Zendesk, Gorgias, Intercom) and OpenTelemetry GenAI traces slot in here as
further formats that map their shapes onto the capture schema.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson


@dataclass(frozen=True)
class ParseError:
    reason: str


@dataclass(frozen=True)
class RawChunk:
    """A piece of the file as read: ``payload`` (what ``Format.units`` expands), the line
    number before its first line and of its last line, and the byte offset after it."""

    payload: Any
    first_line: int
    last_line: int
    end: int


Splitter = Callable[[IO[bytes], int, int], Iterator[RawChunk]]
Expander = Callable[[Any, int], list[tuple[int, bytes]]]
Parser = Callable[[bytes], Any]


@dataclass(frozen=True)
class Format:
    """A file format: ``split`` cuts the file into raw chunks (cheap, in the reading
    process); ``units`` expands a chunk into numbered records and ``parse`` turns one into
    a raw record dict or a :class:`ParseError` (both may run in a worker process, so they
    must be module-level functions)."""

    name: str
    doc: str
    split: Splitter
    units: Expander
    parse: Parser


_FORMATS: dict[str, Format] = {}


def register_format(fmt: Format) -> Format:
    """Register a file format under its name."""
    _FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    try:
        return _FORMATS[name]
    except KeyError:
        from shopcoach.errors import ValidationFailed

        raise ValidationFailed(
            f"Unknown import format {name!r}.",
            hint=f"Use one of: {', '.join(sorted(_FORMATS))}.",
        ) from None


def readers() -> dict[str, str]:
    """Registered format names and their descriptions."""
    return {name: f.doc for name, f in sorted(_FORMATS.items())}


def split_lines(fh: IO[bytes], start_line: int, size: int) -> Iterator[RawChunk]:
    """Chunks of ``size`` lines (blank ones included), joined into one bytes payload."""
    offset = fh.tell()
    line_no = start_line
    while lines := list(itertools.islice(fh, size)):
        payload = b"".join(lines)
        offset += len(payload)
        yield RawChunk(payload, line_no, line_no + len(lines), offset)
        line_no += len(lines)


def line_units(payload: bytes, first_line: int) -> list[tuple[int, bytes]]:
    """The non-blank lines of a payload with their 1-based line numbers."""
    lines = payload.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    return [(first_line + i, line) for i, line in enumerate(lines, 1)
            if line and not line.isspace()]  # fmt: skip


def parse_json(unit: bytes) -> Any:
    try:
        return orjson.loads(unit)
    except orjson.JSONDecodeError as exc:
        return ParseError(f"not valid JSON ({exc}); each line must be one complete JSON object")


register_format(
    Format(
        "jsonl",
        "One JSON object per line (UTF-8); blank lines are skipped.",
        split_lines,
        line_units,
        parse_json,
    )
)
