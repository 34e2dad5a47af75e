"""Shopcoach: keep an e-commerce AI support agent improving week after week.

The public Python surface is small: :class:`shopcoach.Client` (the capture SDK),
:func:`shopcoach.open_store` (the store) and :class:`shopcoach.Settings`. Everything else is
reached through the CLI (``shopcoach --help``) or the HTTP API (``shopcoach serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Client", "Settings", "__version__", "open_store"]

if TYPE_CHECKING:
    from shopcoach.sdk import Client
    from shopcoach.settings import Settings
    from shopcoach.store.engine import open_store


def __getattr__(name: str) -> Any:
    # Lazy so that `import shopcoach` in a shop's web app stays cheap (no SQLAlchemy import
    # until the store is used).
    if name == "Client":
        from shopcoach.sdk import Client

        return Client
    if name == "Settings":
        from shopcoach.settings import Settings

        return Settings
    if name == "open_store":
        from shopcoach.store.engine import open_store

        return open_store
    raise AttributeError(f"module 'shopcoach' has no attribute {name!r}")
