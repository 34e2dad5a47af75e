"""The demo's headline: for each injected change, when the loop raised it and when it recovered.

Pure: the run's rows, what the loop raised (``coach.Raised``) and the simulator's hidden truth
in, plain :class:`Headline` values out. The *evaluation* uses the truth; the loop never does.

* **raised**: the first thing the loop produced after the change's first day — an
  alert, a drift finding or a weekly-pack recommendation — at least three of whose
  evidence conversations (all, if fewer, but at least two) touched the change
  (``ConversationTruth.change``).
  A ``fix_knowledge`` recommendation naming an item the change rewrites (the returns
  article) is credited without the truth. An alert or finding without example
  conversations cannot be credited to a change.
* **days to detect**: the day it was raised minus the day the change started. The loop runs
  at the end of each simulated week, so a change caught by the first run after it started
  is caught in 7 days (a Monday change) or fewer.
* **baseline**: the true accuracy (share of judged conversations the simulator judged
  correct) of the change's intents in the weeks before it started; intents that did not
  exist before (the holiday questions) use the true accuracy of all conversations then.
* **weeks to recover**: the first week after the coach's fix in which the true accuracy of
  the conversations touching the change is back within :data:`TOLERANCE` of the baseline
  (or above it), counted from the week the change started. ``None``: not recovered within
  the run (or never fixed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol

from shopcoach.demo.changes import Change
from shopcoach.demo.simulator import ConversationTruth

TOLERANCE = 0.05  # sampling noise of a few dozen conversations a week
MIN_EXAMPLES = 3  # evidence conversations that must show a change to credit it
MIN_BASELINE = 20  # fewer judged conversations of the change's intents: use all of them


@dataclass
class WeekTruth:
    """The simulator's verdicts of one week (hidden from the loop)."""

    judged: int
    correct: int
    by_change: dict[str, list[int]] = field(default_factory=dict)  # key -> [judged, correct]

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.judged if self.judged else None

    def change_accuracy(self, key: str) -> float | None:
        n, ok = self.by_change.get(key, [0, 0])
        return ok / n if n else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": self.accuracy}


def week_truth(truth: Sequence[ConversationTruth]) -> WeekTruth:
    judged = [t for t in truth if t.correct is not None]
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in judged:
        if t.change:
            by[t.change][0] += 1
            by[t.change][1] += bool(t.correct)
    return WeekTruth(len(judged), sum(bool(t.correct) for t in judged), dict(by))


class _Raised(Protocol):
    week: int
    source: str
    what: str
    conversation_ids: list[str]

    @property
    def at(self) -> Any: ...


class _Row(Protocol):
    week: int
    truth: WeekTruth | None
    changes: list[Any]


@dataclass
class Headline:
    change: str
    description: str
    injected: date
    raised: date | None
    raised_by: str | None  # "pack: fix_knowledge: Update …"
    days_to_detect: int | None
    fixed_week: int | None  # the week after whose pack the coach wrote the fix
    baseline: float | None
    recovered_week: int | None
    weeks_to_recover: int | None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["injected"] = self.injected.isoformat()
        out["raised"] = self.raised.isoformat() if self.raised else None
        return out

    def line(self) -> str:
        head = f"{self.change} (injected {self.injected:%a %b} {self.injected.day}): "
        if self.raised is None:
            head += "not raised by the loop"
        else:
            head += (f"raised on {self.raised:%b} {self.raised.day}, {self.days_to_detect} days "
                     f"later, by {self.raised_by}")  # fmt: skip
        if self.weeks_to_recover is not None:
            head += f"; recovered in {self.weeks_to_recover} week(s) (week {self.recovered_week})"
        elif self.fixed_week is not None:
            head += f"; fixed after week {self.fixed_week}, not yet back to its baseline"
        else:
            head += "; not fixed within the run"
        return head


def headline(changes: Sequence[Change], rows: Sequence[_Row], raised: Sequence[_Raised],
             truth: Mapping[str, ConversationTruth], weeks: int) -> list[Headline]:  # fmt: skip
    """One :class:`Headline` per change that started within the run (module docstring)."""
    out = []
    for c in changes:
        if c.week > weeks:
            continue
        first = next((r for r in sorted(raised, key=lambda r: (r.at, r.source))
                      if r.at.date() > c.starts
                      and (getattr(r, "change", None) == c.key
                           or about(r.conversation_ids, c.key, truth))),
                     None)  # fmt: skip
        fixed = next((r.week for r in rows
                      if any(getattr(a, "change", None) == c.key
                             and getattr(a, "kind", "") == "kb_import" for a in r.changes)),
                     None)  # fmt: skip
        base = baseline(c, truth)
        recovered = None
        if fixed is not None and base is not None:
            for r in rows:
                acc = r.truth.change_accuracy(c.key) if r.truth else None
                if r.week > fixed and acc is not None and acc >= base - TOLERANCE:
                    recovered = r.week
                    break
        raised_day = first.at.date() if first else None
        out.append(Headline(
            change=c.key, description=c.description, injected=c.starts, raised=raised_day,
            raised_by=f"{first.source}: {first.what}"[:160] if first else None,
            days_to_detect=(raised_day - c.starts).days if raised_day else None,
            fixed_week=fixed, baseline=base, recovered_week=recovered,
            weeks_to_recover=recovered - c.week if recovered else None,
        ))  # fmt: skip
    return out


def about(ids: Sequence[str], key: str, truth: Mapping[str, ConversationTruth]) -> bool:
    """At least :data:`MIN_EXAMPLES` of the evidence conversations (all of them, when there
    are fewer, but never just one: an anecdote) touched the change ``key``: what a person
    reading the examples would notice. The coach uses the same rule."""
    known = [truth[i] for i in ids if i in truth]
    hits = sum(t.change == key for t in known)
    return hits >= max(2, min(MIN_EXAMPLES, len(known)))


def baseline(change: Change, truth: Mapping[str, ConversationTruth]) -> float | None:
    """True accuracy before the change of the intents it touches (see the module docstring)."""
    intents = Counter(t.intent for t in truth.values() if t.change == change.key)
    before = [t for t in truth.values() if t.week < change.week and t.correct is not None]
    same = [t for t in before if t.intent in intents]
    pool = same if len(same) >= MIN_BASELINE else before
    return sum(bool(t.correct) for t in pool) / len(pool) if pool else None
