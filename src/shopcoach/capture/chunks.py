"""One chunk of an import file, prepared in a worker process (or in-process).

Kept apart from ``capture/fileimport.py`` so that worker processes import only what
preparing needs (parsing, validation, redaction, encoding) and not the database layer
around the import loop: a worker's start-up is paid once per import and per worker.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from shopcoach.capture.importers import ParseError, RawChunk, get_format
from shopcoach.capture.prepare import prepare_conversations, prepare_signals
from shopcoach.capture.validate import Problem, RecordError
from shopcoach.store.bulk import paused_gc
from shopcoach.store.records import Store

Kind = Literal["conversations", "signals"]
_IN_WORKER = False  # set in import worker processes (see worker_start)


@dataclass
class PreparedChunk:
    """One prepared chunk, as a worker returns it: prepared records per store id, the
    rejected ones, and where in the file the chunk ends."""

    groups: dict[int, list[Any]]
    errors: list[RecordError]
    received: int
    end: int
    last_line: int


def prepare_chunk(
    kind: Kind, fmt: str, raw: RawChunk, stores: Mapping[str, Store], default_slug: str,
    sqlite: bool,
) -> PreparedChunk:  # fmt: skip
    """Expand, parse and prepare one chunk. Pure; runs in a worker process or in-process."""
    file_format = get_format(fmt)
    parse = file_format.parse
    if _IN_WORKER:  # the collector is off in workers: sweep young objects now, while
        gc.collect(1)  # the previous chunk is sent and gone, so little is alive
    units = file_format.units(raw.payload, raw.first_line)
    errors: list[RecordError] = []

    def records() -> Iterator[tuple[int, Any]]:  # parsed one at a time, as prepare asks
        for line_no, unit in units:
            record = parse(unit)
            if isinstance(record, ParseError):
                errors.append(RecordError(line_no, None, (Problem("", record.reason),)))
            else:
                yield line_no, record

    with paused_gc():
        prepare = prepare_conversations if kind == "conversations" else prepare_signals
        groups, rejected = prepare(records(), stores, default_slug, sqlite=sqlite)
    return PreparedChunk(groups, errors + rejected, len(units), raw.end, raw.last_line)


def worker_start() -> None:
    """A worker process only prepares chunks: it runs with the cyclic collector off and
    sweeps young objects itself between chunks (see :func:`prepare_chunk`). With the
    collector on, the first allocation after each chunk swept the whole prepared chunk
    still waiting to be sent (~6 ms per 1,000 conversations, a tenth of the work)."""
    global _IN_WORKER
    gc.disable()
    _IN_WORKER = True
