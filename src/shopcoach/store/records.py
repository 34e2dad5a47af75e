"""Plain records of the store layer that cross process boundaries.

Import worker processes unpickle these; keeping them in a module with no database imports
keeps a worker's start-up short (see ``capture/chunks.py``). ``shopcoach.stores`` re-exports
:class:`Store` with the functions that read and write stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Store:
    """A store (tenant): its id, slug and name, the salt for customer references and its
    redaction policy (R-SIG-4) as stored JSON."""

    id: int
    slug: str
    name: str
    customer_salt: str
    redaction_policy: dict[str, Any]
