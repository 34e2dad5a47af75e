"""The traffic simulator: a week of customers talking to an agent, and what the store sees.

::

    sim = Simulator(World.load(), seed=1)
    traffic = sim.week(4, 1000, respond)      # respond(conversation_id, message) -> reply
    ingest_conversations(conn, store, list(enumerate(traffic.conversations)))
    ingest_signals(conn, store, list(enumerate(traffic.signals)))
    traffic.truth                             # hidden: intent, verdict, change touched

Customers arrive through the week (weekday and hour weights), ask (``customers.py``), read
the reply, and react the way a real store's customers do. A right answer mostly resolves
(some thumbs up and good CSAT); a wrong one brings a push-back or a request for a person, a
thumbs down, a low CSAT and often a repeat contact within 24 hours. Everything is drawn from
``random.Random(f"{seed}:{week}")`` and simulated time: the same seed gives the same records.
The loop sees only ``conversations`` and ``signals`` (the capture schema); ``truth`` is for
the demo's headline and tests.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from shopcoach.demo import phrases as ph
from shopcoach.demo.customers import Ask, Composer, intent_weights, load_utterances
from shopcoach.demo.judge import judge
from shopcoach.demo.policy import week_start
from shopcoach.demo.records import Transcript, conversation_record, reply_fields
from shopcoach.demo.world import World

Responder = Callable[[str, str], Any]  # (conversation id, message) -> AgentTurn-like
DAY_WEIGHTS = (1.15, 1.1, 1.05, 1.0, 0.95, 0.6, 0.55)  # Mon..Sun
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 10, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class SimConfig:
    """The simulator's dials (documented in docs/demo.md)."""

    typo_rate: float = 0.12  # share of customer messages with one or two typos
    angry_rate: float = 0.1  # share of customers writing angrily
    human_ask_rate: float = 0.05  # share asking for a person on top of their question
    greeting_rate: float = 0.1  # share opening with a bare greeting first
    follow_up_rate: float = 0.15  # after a right answer, share asking one more thing
    lowercase_rate: float = 0.25
    drift_per_week: float = 0.03  # share of new slang/phrasings added each week
    drift_max: float = 0.45
    dataset_share: float = 0.35  # with utterances=: share of first messages from the data set
    # Reactions to a wrong answer (each drawn on its own).
    wrong_pushback: float = 0.4  # reply "that's not right…" in the conversation
    wrong_wants_human: float = 0.6  # …and ask for a person
    wrong_repeat: float = 0.5  # come back within 24 h
    wrong_thumbs_down: float = 0.35
    wrong_csat: float = 0.3  # leave a low CSAT (1-2)
    # Reactions to a right answer.
    right_thumbs_up: float = 0.3
    right_csat: float = 0.3  # leave a CSAT (mostly 4-5)
    right_resolution: float = 0.2
    escalated_csat: float = 0.25


@dataclass
class ConversationTruth:
    """What only the simulator knows about one conversation."""

    conversation_id: str
    week: int
    started_at: str
    customer_id: str
    intent: str
    verdict: str  # correct | wrong | escalated | unjudged
    change: str | None
    expected: dict[str, Any]
    repeat_of: str | None = None
    asked_human: bool = False
    angry: bool = False
    drifted: bool = False
    from_dataset: bool = False
    customer_messages: int = 0
    typo_messages: int = 0

    @property
    def correct(self) -> bool | None:
        return None if self.verdict == "unjudged" else self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WeekTraffic:
    week: int
    start: date
    conversations: list[dict[str, Any]] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    truth: list[ConversationTruth] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts by verdict, and accuracy per intent and per injected change."""
        judged = [t for t in self.truth if t.correct is not None]
        by: dict[str, list[bool]] = {}
        for t in judged:
            by.setdefault(t.intent, []).append(bool(t.correct))
            if t.change:
                by.setdefault(f"change:{t.change}", []).append(bool(t.correct))
        return {
            "week": self.week, "conversations": len(self.conversations),
            "signals": len(self.signals),
            "verdicts": dict(Counter(t.verdict for t in self.truth)),
            "accuracy": round(sum(bool(t.correct) for t in judged) / len(judged), 4)
            if judged else None,
            "accuracy_by": {k: round(sum(v) / len(v), 4) for k, v in sorted(by.items())},
            "signal_types": dict(Counter(s["type"] for s in self.signals)),
        }  # fmt: skip


@dataclass(order=True)
class _Pending:
    at: datetime
    seq: int
    ask: Ask = field(compare=False)
    angry: bool = field(compare=False)
    repeat_of: str | None = field(compare=False, default=None)
    repeat_hours: float = field(compare=False, default=0.0)


class Simulator:
    """Customers of ``world`` talking to an agent, week by week (see the module docstring)."""

    def __init__(self, world: World, seed: int = 0, config: SimConfig | None = None,
                 utterances: str | Path | dict[str, list[str]] | None = None) -> None:  # fmt: skip
        self.world = world
        self.seed = seed
        self.config = config or SimConfig()
        table = load_utterances(utterances) if isinstance(utterances, str | Path) else utterances
        self.composer = Composer(world, table)

    def drift(self, week: int) -> float:
        return min(self.config.drift_max, self.config.drift_per_week * max(0, week - 1))

    def week(self, week: int, n_conversations: int, respond: Responder,
             on_day: Callable[[date], None] | None = None) -> WeekTraffic:  # fmt: skip
        """Simulate ``n_conversations`` first contacts (plus the repeat contacts they cause)
        in scenario week ``week``. ``on_day(day)`` is called before each simulated day's
        first conversation (default: ``respond.set_day`` when the responder has one)."""
        rng = random.Random(f"{self.seed}:{week}")
        start = week_start(week)
        on_day = on_day or getattr(respond, "set_day", None)
        queue = self._plan(rng, week, start, n_conversations)
        out = WeekTraffic(week, start)
        seq, today = len(queue), None
        while queue:
            item = heapq.heappop(queue)
            if item.at.date() != today:
                today = item.at.date()
                if on_day is not None:
                    on_day(today)
            cid = f"demo-w{week:02d}-{item.seq:05d}"
            truth, repeat = self._converse(rng, week, cid, item, respond, out)
            out.truth.append(truth)
            if repeat is not None and item.repeat_of is None:
                hours = rng.uniform(1, 24)
                again = _Pending(item.at + timedelta(hours=hours), seq, item.ask, item.angry,
                                 cid, round(hours, 2))  # fmt: skip
                heapq.heappush(queue, again)
                seq += 1
        return out

    def _plan(self, rng: random.Random, week: int, start: date, n: int) -> list[_Pending]:
        cfg = self.config
        drift = self.drift(week)
        out: list[_Pending] = []
        weights_by_day: dict[date, tuple[list[str], list[float]]] = {}
        tries = 0
        while len(out) < n and tries < n * 3:
            tries += 1
            day = start + timedelta(days=rng.choices(range(7), DAY_WEIGHTS)[0])
            if day not in weights_by_day:
                launched = any(p.launched is not None for p in self.world.catalog_at(day))
                w = intent_weights(week, self.world.seasonal(day) is not None, launched)
                weights_by_day[day] = (list(w), list(w.values()))
            names, weights = weights_by_day[day]
            intent = rng.choices(names, weights)[0]
            ask = self.composer.ask(rng, intent, day, drift, cfg.dataset_share)
            if ask is None:
                continue
            at = datetime.combine(
                day,
                time(rng.choices(range(24), HOUR_WEIGHTS)[0], rng.randrange(60), rng.randrange(60)),
                tzinfo=UTC,
            )
            out.append(_Pending(at, len(out), ask, rng.random() < cfg.angry_rate))
        heapq.heapify(out)
        return out

    def _say(self, rng: random.Random, t: Transcript, text: str, angry: bool) -> None:
        cfg = self.config
        if rng.random() < cfg.lowercase_rate:
            text = text.lower()
        typo = rng.random() < cfg.typo_rate
        if typo:
            text = ph.add_typos(text, rng, n=rng.choice((1, 1, 2)))
        t.customer(text, typo, rng)

    def _converse(
        self, rng: random.Random, week: int, cid: str, item: _Pending, respond: Responder,
        out: WeekTraffic,
    ) -> tuple[ConversationTruth, str | None]:  # fmt: skip
        cfg, ask = self.config, item.ask
        t = Transcript(cid, item.at)
        asked_human = ask.intent == "human_request"
        main: dict[str, Any] = {}
        if item.repeat_of is None and rng.random() < cfg.greeting_rate:
            self._say(rng, t, rng.choice(ph.GREETINGS), False)
            greeting = respond(cid, t.last_text)
            t.agent(greeting, rng)
            main = reply_fields(greeting)
        text = ask.text
        if item.repeat_of is not None:
            text = rng.choice(ph.REPEAT_OPENERS) + text
        elif item.angry:
            text = rng.choice(ph.ANGRY_OPENERS) + text + rng.choice(ph.ANGRY_CLOSERS)
        else:
            text = rng.choice(ph.OPENERS) + text + rng.choice(ph.CLOSERS)
        if not asked_human and rng.random() < cfg.human_ask_rate:
            text += rng.choice(ph.HUMAN_TAILS)
            asked_human = True
        self._say(rng, t, text, item.angry)
        if t.escalated:  # a person took over after the greeting: the bot is not asked again
            verdict = "correct" if ask.question.person_ok or asked_human else "escalated"
        else:
            reply = respond(cid, t.last_text)
            t.agent(reply, rng)
            main = reply_fields(reply)
            verdict = judge(ask.question, main["reply"], main["action"])
            if asked_human and ask.intent != "human_request":
                verdict = "correct" if main["action"] == "escalate" else "wrong"
        repeat = None
        if verdict == "wrong":
            repeat = self._react_wrong(rng, t, cid, respond, item.angry)
            asked_human = asked_human or t.asked_human
        elif verdict == "correct" and not t.escalated:
            follow = ph.FOLLOW_UPS.get(ask.intent)
            if follow and rng.random() < cfg.follow_up_rate:
                self._say(rng, t, rng.choice(follow), False)
                t.agent(respond(cid, t.last_text), rng)
            t.customer(rng.choice(ph.THANKS), False, rng)
            t.react_right(rng, cfg, item.angry)
        elif t.escalated:
            t.react_escalated(rng, cfg)
        if asked_human:
            t.signal("human_request", None, t.first_main_index, rng, reason="asked for a person")
        if item.repeat_of is not None:
            t.signal("repeat_contact", item.repeat_hours, None, rng,
                     previous_conversation_id=item.repeat_of)  # fmt: skip
        tags = ["holiday"] if self.world.seasonal(item.at.date()) else []
        out.conversations.append(conversation_record(t, main, tags))
        out.signals.extend(t.signals)
        truth = ConversationTruth(
            conversation_id=cid, week=week, started_at=out.conversations[-1]["started_at"],
            customer_id=ask.customer_id, intent=ask.intent, verdict=verdict,
            change=ask.change, expected=dict(ask.question.facts), repeat_of=item.repeat_of,
            asked_human=asked_human, angry=item.angry, drifted=ask.drifted,
            from_dataset=ask.from_dataset, customer_messages=t.customer_count,
            typo_messages=t.typo_count,
        )  # fmt: skip
        out.conversations[-1]["customer_id"] = ask.customer_id
        return truth, repeat

    def _react_wrong(self, rng: random.Random, t: Transcript, cid: str, respond: Responder,
                     angry: bool) -> str | None:  # fmt: skip
        cfg = self.config
        if not t.escalated and rng.random() < cfg.wrong_pushback:
            text = rng.choice(ph.PUSHBACK)
            if rng.random() < cfg.wrong_wants_human:
                text += " " + rng.choice(ph.ESCALATE_ASK)
                t.asked_human = True
            self._say(rng, t, text, angry)
            t.agent(respond(cid, t.last_text), rng)
        elif not t.escalated and rng.random() < 0.3:
            t.signal("abandonment", None, None, rng)
        t.react_wrong(rng, cfg)
        return cid if rng.random() < cfg.wrong_repeat else None
