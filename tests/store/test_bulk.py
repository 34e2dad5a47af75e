"""Driver encoding for the bulk write path (store/bulk.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, TypeAdapter

from shopcoach.capture.schema import utc
from shopcoach.store.bulk import Encoder

AWARE = TypeAdapter(AwareDatetime)


@settings(max_examples=500)
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["T", " ", "t"]),
    st.sampled_from([0, 1, 3, 6]),
    st.sampled_from(["Z", "z", "+00:00", "+02:00", "-05:30"]),
)
def test_aware_text_shortcut_equals_the_datetime_path(
    when: datetime, sep: str, digits: int, zone: str
) -> None:
    """Encoder.aware re-spells "…Z" strings directly on SQLite; for every spelling the
    validator accepts, the stored value is the one the datetime round trip gives."""
    frac = f".{when.microsecond:06d}"[: digits + 1] if digits else ""
    text = f"{when:%Y-%m-%d}{sep}{when:%H:%M:%S}{frac}{zone}"
    parsed = AWARE.validate_python(text)
    sqlite, pg = Encoder(sqlite=True), Encoder(sqlite=False)
    expected = utc(parsed)
    assert sqlite.aware(parsed, text) == sqlite.time(expected)
    assert sqlite.aware(parsed) == sqlite.time(expected)
    assert pg.aware(parsed, text) == expected


def test_aware_without_text_converts_any_zone() -> None:
    plus_two = datetime(2026, 11, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert Encoder(sqlite=True).aware(plus_two) == "2026-11-02 10:00:00.000000"
    assert Encoder(sqlite=False).aware(plus_two.astimezone(UTC)) == datetime(2026, 11, 2, 10)
