"""Judges, registered by name and chosen per dimension in the scoring config (R-SCO-2).

A judge is built from the config (and settings, for those that call out) and turns one
conversation into a :class:`~shopcoach.scoring.model.Verdict`, or ``None`` when its dimension
does not apply. Built-ins (no LLM): ``grounding`` (accuracy), ``overlap`` (relevance),
``brand_voice`` (tone), ``outcome_signals`` (resolution); ``llm`` judges any dimension over
an OpenAI-compatible endpoint. ``tests/scoring/test_judges.py`` checks every registered
judge is documented in ``docs/scoring.md``.

    @register_judge("my_tone", dimensions=("tone",), summary="...")
    def build(config, settings): return MyTone(config)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shopcoach.errors import ConfigError
from shopcoach.scoring.checks import MessageCheck
from shopcoach.scoring.config import ScoringConfig
from shopcoach.scoring.model import ConversationView, Verdict

if TYPE_CHECKING:
    from shopcoach.settings import Settings


@dataclass
class JudgeInput:
    """One conversation and what was computed for it once (shared by all judges)."""

    conversation: ConversationView
    checks: list[MessageCheck] = field(default_factory=list)
    article_titles: dict[str, str] = field(default_factory=dict)


class Judge(Protocol):
    name: str

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None: ...


JudgeFactory = Callable[[ScoringConfig, "Settings | None"], Judge]


@dataclass(frozen=True)
class JudgeSpec:
    name: str
    dimensions: tuple[str, ...]
    summary: str
    factory: JudgeFactory


_REGISTRY: dict[str, JudgeSpec] = {}


def register_judge(
    name: str, *, dimensions: tuple[str, ...], summary: str
) -> Callable[[JudgeFactory], JudgeFactory]:
    def deco(factory: JudgeFactory) -> JudgeFactory:
        _REGISTRY[name] = JudgeSpec(name, dimensions, summary, factory)
        return factory

    return deco


def judges() -> dict[str, JudgeSpec]:
    """Every registered judge by name (built-ins are registered on import)."""
    _load_builtins()
    return dict(_REGISTRY)


def build_judges(config: ScoringConfig, settings: Settings | None = None) -> dict[str, Judge]:
    """dimension → judge instance, as the config names them (one instance per judge name)."""
    specs = judges()
    built: dict[str, Judge] = {}
    out: dict[str, Judge] = {}
    for dim, name in config.judges.items():
        spec = specs.get(name)
        if spec is None:
            raise ConfigError(
                f"The scoring config names judge {name!r} for {dim}, which is not registered.",
                hint=f"Use one of: {', '.join(sorted(specs))}.",
            )
        if dim not in spec.dimensions:
            raise ConfigError(
                f"Judge {name!r} cannot judge {dim} (it judges {', '.join(spec.dimensions)}).",
                hint="Pick a judge for that dimension from `shopcoach score judges`.",
            )
        if name not in built:
            built[name] = spec.factory(config, settings)
        out[dim] = built[name]
    return out


def _load_builtins() -> None:
    # Imported for their @register_judge side effect; late to avoid an import cycle.
    from shopcoach.scoring import llm, rules, tone  # noqa: F401


def describe(spec: JudgeSpec) -> dict[str, Any]:
    return {"name": spec.name, "dimensions": list(spec.dimensions), "summary": spec.summary}
