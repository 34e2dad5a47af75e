"""Drift detectors registered by a stable name, each with documented default thresholds.

A detector is a function ``(reference, current, ..., config) -> DriftResult`` plus a frozen
dataclass of its thresholds. Every field of that dataclass is a default that configuration can
override by name::

    from shopcoach.drift import get_detector

    result = get_detector("intent_mix")(ref_labels, cur_labels, config={"js_threshold": 0.05})

Unknown names and unknown or mistyped settings raise :class:`shopcoach.errors.ConfigError`
saying which detector, which key and what is valid.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from shopcoach.drift.result import DriftResult
from shopcoach.errors import ConfigError

F = TypeVar("F", bound=Callable[..., DriftResult])

# Modules holding the built-in detectors; imported on first lookup so that importing the
# registry alone stays cheap and free of import cycles.
BUILTIN_MODULES: tuple[str, ...] = (
    "shopcoach.drift.intent_mix",
    "shopcoach.drift.language",
    "shopcoach.drift.confidence",
    "shopcoach.drift.concept",
    "shopcoach.drift.retrieval",
    "shopcoach.drift.failures",
    "shopcoach.drift.tabular",
)


@dataclass(frozen=True)
class DetectorSpec:
    """A registered detector: its name, function, threshold dataclass and one-line summary."""

    name: str
    func: Callable[..., DriftResult]
    config_type: type
    summary: str

    def defaults(self) -> dict[str, Any]:
        """The default thresholds, as a plain dict (documented in docs/drift.md)."""
        return dataclasses.asdict(self.config_type())

    def make_config(self, overrides: Any = None) -> Any:
        """A config instance from ``None``, an instance, or a mapping of overrides."""
        if overrides is None:
            return self.config_type()
        if isinstance(overrides, self.config_type):
            return overrides
        if not isinstance(overrides, Mapping):
            raise ConfigError(
                f"drift detector {self.name!r}: config must be a mapping or "
                f"{self.config_type.__name__}, got {type(overrides).__name__}.",
                hint=f"Pass a dict of thresholds, e.g. {self.defaults()}.",
            )
        fields = {f.name: f for f in dataclasses.fields(self.config_type)}
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise ConfigError(
                f"drift detector {self.name!r}: unknown setting(s) {unknown}.",
                hint=f"Valid settings: {sorted(fields)}.",
            )
        defaults = self.defaults()
        clean: dict[str, Any] = {}
        for key, value in overrides.items():
            default = defaults[key]
            if isinstance(default, bool) or default is None:
                clean[key] = value
            elif isinstance(default, int | float) and not isinstance(value, int | float):
                raise ConfigError(
                    f"drift detector {self.name!r}: setting {key!r} must be a number, "
                    f"got {value!r}.",
                    hint=f"The default is {default!r}.",
                )
            else:
                clean[key] = type(default)(value) if isinstance(default, int | float) else value
        return self.config_type(**clean)

    def __call__(self, *args: Any, config: Any = None, **kwargs: Any) -> DriftResult:
        return self.func(*args, config=self.make_config(config), **kwargs)


_REGISTERED: dict[str, DetectorSpec] = {}
_builtins_loaded = False


class _Detectors(Mapping[str, DetectorSpec]):
    """The registry as a read-only mapping that imports the built-in detectors on first use:
    they need scipy and scikit-learn, ~0.5 s of imports that a command line or a worker
    process not running drift should not pay."""

    def __getitem__(self, name: str) -> DetectorSpec:
        return load_builtins()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(load_builtins())

    def __len__(self) -> int:
        return len(load_builtins())


DETECTORS: Mapping[str, DetectorSpec] = _Detectors()


def register_detector(
    name: str, config_type: type, summary: str
) -> Callable[[F], F]:
    """Decorator: register ``func`` under ``name`` with its threshold dataclass."""
    if not dataclasses.is_dataclass(config_type):
        raise TypeError(f"{name}: config_type must be a dataclass, got {config_type!r}")

    def wrap(func: F) -> F:
        existing = _REGISTERED.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"drift detector {name!r} is already registered")
        _REGISTERED[name] = DetectorSpec(name, func, config_type, summary)
        return func

    return wrap


def load_builtins() -> dict[str, DetectorSpec]:
    """Import the built-in detector modules (idempotent) and return the registry."""
    global _builtins_loaded
    if not _builtins_loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _builtins_loaded = True
    return _REGISTERED


def detector_names() -> list[str]:
    return sorted(load_builtins())


def get_detector(name: str) -> DetectorSpec:
    """The detector registered as ``name``; :class:`ConfigError` naming the valid ones if not."""
    detectors = load_builtins()
    try:
        return detectors[name]
    except KeyError:
        raise ConfigError(
            f"unknown drift detector {name!r}.",
            hint=f"Use one of: {', '.join(sorted(detectors))}.",
        ) from None
