"""Every error Shopcoach raises on purpose, in one place.

Each message says what happened, the likely reason and what to do; ``hint`` carries the
"what to do" separately so the CLI and the HTTP API can show it on its own line/field.

Hierarchy::

    ShopcoachError
    ├── ConfigError            bad setting or config file
    ├── StoreError             the database
    │   ├── SchemaOutOfDate    the database needs `shopcoach db upgrade`
    │   ├── NotFound           a named store, key or record does not exist
    │   └── Busy               409: another run of the same job holds its lease
    ├── ValidationFailed       a whole request or file is unusable (per-record problems are
    │                          reported as RecordError values, not raised)
    └── AuthError              API authentication/authorisation
        ├── MissingKey         401: no API key sent
        ├── InvalidKey         401: unknown or revoked key
        └── ScopeDenied        403: the key lacks the scope the endpoint needs
"""

from __future__ import annotations


class ShopcoachError(Exception):
    """Base class. ``code`` is a stable machine-readable name; ``hint`` says what to do."""

    code = "shopcoach_error"
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ConfigError(ShopcoachError):
    code = "config_error"


class StoreError(ShopcoachError):
    code = "store_error"


class SchemaOutOfDate(StoreError):
    code = "schema_out_of_date"
    http_status = 503


class NotFound(StoreError):
    code = "not_found"
    http_status = 404


class Busy(StoreError):
    code = "busy"
    http_status = 409


class ValidationFailed(ShopcoachError):
    code = "invalid_request"
    http_status = 422


class AuthError(ShopcoachError):
    code = "auth_error"
    http_status = 401


class MissingKey(AuthError):
    code = "missing_api_key"


class InvalidKey(AuthError):
    code = "invalid_api_key"


class ScopeDenied(AuthError):
    code = "scope_denied"
    http_status = 403
