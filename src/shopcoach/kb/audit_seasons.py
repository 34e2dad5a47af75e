"""Shopping events and their dates, computed (no table of years), for the seasonal check.

``EVENTS`` maps an event to the pattern that names it in an article and a rule giving its
(first day, last day) in a year: fixed dates, n-th weekdays (Thanksgiving is the 4th Thursday
of November; Black Friday and Cyber Monday follow it) and the Gregorian Easter computus.
Events without a rule (Prime Day, Lunar New Year) take their dates from the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday=0) of a month; ``n=-1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _day(f: Any) -> Any:
    return lambda y: (f(y), f(y))


# event -> (pattern, occurrence(year) -> (first day, last day)); None: dates come from config.
EVENTS: dict[str, tuple[str, Any]] = {
    "New Year": (r"(?<!lunar )(?<!chinese )new year'?s?(?: eve| day)?",
                 lambda y: (date(y - 1, 12, 31), date(y, 1, 1))),
    "Valentine's Day": (r"valentine'?s?(?: day)?", _day(lambda y: date(y, 2, 14))),
    "St Patrick's Day": (r"st\.? patrick'?s day", _day(lambda y: date(y, 3, 17))),
    "Easter": (r"easter", _day(easter)),
    "Mother's Day": (r"mother'?s'? day", _day(lambda y: nth_weekday(y, 5, 6, 2))),
    "Memorial Day": (r"memorial day", _day(lambda y: nth_weekday(y, 5, 0, -1))),
    "Father's Day": (r"father'?s'? day", _day(lambda y: nth_weekday(y, 6, 6, 3))),
    "Independence Day": (r"independence day|(?:fourth|4th) of july",
                         _day(lambda y: date(y, 7, 4))),
    "Prime Day": (r"prime day", None),
    "Back to School": (r"back[- ]to[- ]school",
                       lambda y: (date(y, 8, 1), nth_weekday(y, 9, 0, 1))),
    "Labor Day": (r"labou?r day", _day(lambda y: nth_weekday(y, 9, 0, 1))),
    "Halloween": (r"hallowe'?en", _day(lambda y: date(y, 10, 31))),
    "Singles' Day": (r"singles'? day", _day(lambda y: date(y, 11, 11))),
    "Thanksgiving": (r"thanksgiving", _day(lambda y: nth_weekday(y, 11, 3, 4))),
    "Black Friday": (r"black friday",
                     _day(lambda y: nth_weekday(y, 11, 3, 4) + timedelta(days=1))),
    "Cyber Monday": (r"cyber monday",
                     _day(lambda y: nth_weekday(y, 11, 3, 4) + timedelta(days=4))),
    "Christmas": (r"christmas|xmas", _day(lambda y: date(y, 12, 25))),
    "Boxing Day": (r"boxing day", _day(lambda y: date(y, 12, 26))),
    "Lunar New Year": (r"lunar new year|chinese new year", None),
}
_EVENT_RES = {name: re.compile(rf"\b(?:{pat})\b", re.I) for name, (pat, _) in EVENTS.items()}


def article_events(title: str, text: str, min_mentions: int) -> list[str]:
    """Events an article is about: named in its title, or ``min_mentions`` times in its text."""
    return [name for name, rx in _EVENT_RES.items()
            if rx.search(title) or len(rx.findall(text)) >= min_mentions]


def event_window(name: str, today: date, upcoming: bool,
                 event_dates: Mapping[str, tuple[date, date]] | None = None,
                 ) -> tuple[date, date] | None:
    """The next occurrence of an event not yet over (``upcoming``) or the last one that is.
    ``event_dates`` gives dates for events without a rule (Prime Day) or overrides a rule."""
    if event_dates and name in event_dates:
        start, end = event_dates[name]
        return (start, end) if (end >= today) == upcoming else None
    rule = EVENTS[name][1]
    if rule is None:
        return None
    spans = [rule(y) for y in (today.year - 1, today.year, today.year + 1, today.year + 2)]
    if upcoming:
        return min((s for s in spans if s[1] >= today), default=None)
    return max((s for s in spans if s[1] < today), default=None)
