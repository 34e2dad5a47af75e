"""Docs stay true: every setting, schema field, signal type and import format is documented."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from shopcoach.capture.importers import readers
from shopcoach.capture.schema import (
    Citation,
    ConversationIn,
    MessageIn,
    SignalIn,
    SignalType,
    ToolCall,
)
from shopcoach.settings import Settings
from tests.conftest import ROOT

SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text()
SCHEMA_DOC = (ROOT / "docs" / "import-schema.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"| `{name}` | `SHOPCOACH_{name.upper()}` |" in SETTINGS_DOC
    assert Settings.model_fields[name].description, f"{name} has no description"


@pytest.mark.parametrize(
    "model,section",
    [
        (ConversationIn, "## Conversation"),
        (MessageIn, "### Message"),
        (Citation, "### Citation"),
        (ToolCall, "### Tool call"),
        (SignalIn, "## Signal"),
    ],
)
def test_every_schema_field_is_documented(model: type[BaseModel], section: str) -> None:
    body = SCHEMA_DOC.split(section, 1)[1]
    table = body.split("\n\n", 2)[1]  # the first table after the heading
    documented = set(re.findall(r"^\| `(\w+)` \|", table, flags=re.M))
    assert documented == set(model.model_fields)


def test_every_signal_type_is_documented() -> None:
    body = SCHEMA_DOC.split("### Signal types", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
    assert documented == {t.value for t in SignalType}


def test_every_import_format_is_documented() -> None:
    body = SCHEMA_DOC.split("## File formats", 1)[1]
    for name, doc in readers().items():
        assert f"| `{name}` | {doc} |" in body
