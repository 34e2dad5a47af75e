"""File formats the importer reads, registered by a stable name.

A format splits an open binary file, positioned at a byte offset, into
``(line_no, end_offset, unit)`` triples and parses each unit into a raw dict in the capture
schema (``docs/import-schema.md``) or a :class:`ParseError`. ``end_offset`` is the byte
position just after the unit, which the importer checkpoints. Helpdesk exports (Zendesk,
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


Splitter = Callable[[IO[bytes], int], Iterator[tuple[int, int, bytes]]]
Parser = Callable[[bytes], Any]


@dataclass(frozen=True)
class Format:
    """A file format: ``split`` cuts the file into raw units (cheap, in the reading
    process); ``parse`` turns one unit into a raw record dict or a :class:`ParseError`
    (it may run in a worker process, so it must be a module-level function)."""

    name: str
    doc: str
    split: Splitter
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


def split_lines(fh: IO[bytes], start_line: int) -> Iterator[tuple[int, int, bytes]]:
    """Non-blank lines with their 1-based number and the byte offset just after them."""
    offset = fh.tell()
    line_no = start_line
    for line in fh:
        line_no += 1
        offset += len(line)
        if line.strip():
            yield line_no, offset, line


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
        parse_json,
    )
)
