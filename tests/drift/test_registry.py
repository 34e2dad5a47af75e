"""Every detector is registered, documented with its defaults, and configurable by name."""

from __future__ import annotations

import dataclasses
import re

import pytest

from shopcoach.drift import DETECTORS, DriftResult, detector_names, get_detector
from shopcoach.drift.registry import BUILTIN_MODULES
from shopcoach.errors import ConfigError
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "drift.md").read_text()
EXPECTED = {
    "intent_mix", "language", "confidence", "concept", "retrieval_pollution",
    "failure_clusters", "tabular",
}


def test_every_builtin_detector_is_registered() -> None:
    assert set(detector_names()) == EXPECTED
    assert len(BUILTIN_MODULES) == len(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_detector_and_default_is_documented(name: str) -> None:
    section = DOC.split(f"### `{name}`", 1)
    assert len(section) == 2, f"docs/drift.md has no '### `{name}`' section"
    body = section[1].split("\n### ", 1)[0]
    spec = get_detector(name)
    for key, value in spec.defaults().items():
        row = re.search(rf"^\| `{key}` \| `([^`]*)` \|", body, flags=re.M)
        assert row, f"default {key!r} of {name} is not in its docs table"
        assert row.group(1) == repr(value), f"{name}.{key}: docs say {row.group(1)}, code {value!r}"
    assert spec.summary


def test_unknown_detector_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as exc:
        get_detector("intent-mix")
    assert "intent_mix" in str(exc.value.hint)


def test_unknown_setting_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as exc:
        get_detector("intent_mix")(["a"], ["a"], config={"js_treshold": 0.2})
    assert "js_treshold" in exc.value.message and "js_threshold" in str(exc.value.hint)


def test_mistyped_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="must be a number"):
        get_detector("confidence").make_config({"alpha": "0.05"})


def test_override_changes_the_verdict_and_is_echoed() -> None:
    ref = ["a"] * 500 + ["b"] * 500
    cur = ["a"] * 540 + ["b"] * 460
    spec = get_detector("intent_mix")
    assert not spec(ref, cur).drifted
    loose = spec(ref, cur, config={"js_threshold": 0.02, "alpha": 0.1})
    assert loose.drifted
    assert loose.config["js_threshold"] == 0.02
    assert DETECTORS["intent_mix"] is spec


def test_config_dataclasses_are_frozen() -> None:
    for spec in DETECTORS.values():
        cfg = spec.make_config()
        field = dataclasses.fields(cfg)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(cfg, field, 1)


def test_result_round_trips_through_json() -> None:
    r = get_detector("confidence")([0.9] * 200, [0.2] * 200, current_texts=["x"] * 200)
    again = DriftResult.model_validate_json(r.model_dump_json())
    assert again == r
    assert again.statistic("psi").fired
    with pytest.raises(KeyError, match="no statistic"):
        again.statistic("nope")
