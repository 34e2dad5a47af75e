"""The records behind a conversation (customers, orders, plans) and how one is planned."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from juniper.settings import (
    ANGRY_INTENTS,
    ARTICLES,
    CARRIERS,
    CATALOG_VERSIONS,
    CHANGEOVER,
    CHANNEL_WEIGHTS,
    CUSTOMERS_PER_LOCALE,
    DE_PLACES,
    DEFAULT_HANDLING,
    EMAIL_DOMAINS,
    ES_PLACES,
    FALL_SALE_END,
    FIRST_NAMES,
    FOREIGN_INTENTS,
    HANDLING_BY_INTENT,
    HOLIDAY_SALE_START,
    HOUR_WEIGHTS,
    HUMAN_AGENTS,
    INTENT_WEIGHTS,
    LAST_NAMES,
    LOCALE_WEIGHTS,
    MONTHS,
    MOOD_WEIGHTS,
    OUTCOME_WEIGHTS,
    PRODUCT_BY_CATEGORY,
    PRODUCTS,
    SHIFT_HOURS_ET,
    SITE,
    SIZED_CATEGORIES,
    STREETS,
    TEST_CARDS,
    UK_PLACES,
    UK_STREETS,
    US_AREA_CODES,
    US_PLACES,
    WARRANTY_CATEGORIES,
    WEEKDAY_WEIGHTS,
    WINDOW_END,
    WINDOW_START,
    Product,
)
from juniper.wording import HUMAN_SIZING


@dataclass
class Customer:
    id: str
    first: str
    last: str
    locale: str
    email: str
    phone: str
    address: str
    vip: bool = False


@dataclass
class Order:
    number: str
    placed: datetime
    items: list[Product]
    carrier: str
    tracking: str
    ship_at: datetime
    delivered_at: datetime

    def status(self, when: datetime) -> str:
        if when < self.ship_at:
            return "processing"
        if when < self.ship_at + timedelta(hours=20):
            return "shipped"
        if when < self.delivered_at - timedelta(hours=10):
            return "in_transit"
        if when < self.delivered_at:
            return "out_for_delivery"
        return "delivered"

    @property
    def total(self) -> float:
        return round(sum(p.price_at(self.placed) for p in self.items), 2)


@dataclass
class Plan:
    """Everything decided about a conversation before its text is written."""

    start: datetime
    locale: str
    channel: str
    customer: Customer
    anonymous: bool
    intent: str
    handled_by: str
    outcome: str
    mood: str
    product: Product
    order: Order | None = None
    planted: str | None = None
    price_question: bool = False
    code: str | None = None
    sub_intent: str | None = None  # talk_to_human: what the customer actually needs
    previous: Built | None = None
    gap_hours: float = 0.0

    @property
    def language(self) -> str:
        return self.locale[:2]

    @property
    def agent_version(self) -> str:
        return "v1" if self.start < CHANGEOVER else "v2"


@dataclass
class Built:
    """A written conversation plus what the signal maker needs to know about it."""

    plan: Plan
    record: dict[str, Any]
    times: list[datetime]
    key_ai: int | None
    links: list[tuple[int, str]]
    human_request_index: int | None
    handoff_index: int | None
    first_human_index: int | None
    escalation_reason: str | None
    abandon_stage: str
    return_started: bool
    refund_due: float | None
    in_stock: bool
    ended: datetime

    @property
    def external_id(self) -> str:
        return str(self.record["external_id"])


@dataclass
class Stats:
    pii: Counter[str] = field(default_factory=Counter)
    pii_messages: int = 0
    customer_messages: int = 0


# ================================================================================ helpers


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: float) -> str:
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"


def day_text(day: date, language: str = "en") -> str:
    if language == "es":
        return f"{day.day} de {MONTHS['es'][day.month]}"
    if language == "de":
        return f"{day.day}. {MONTHS['de'][day.month]}"
    return f"{day:%b} {day.day}"


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def article(slug: str, when: datetime) -> dict[str, str]:
    title, versions = ARTICLES[slug]
    version = [v for v in versions if v <= when.date().isoformat()][-1]
    return {"source": "article", "id": slug, "version": version, "title": title}


def product_cite(product: Product, when: datetime) -> dict[str, str]:
    version = CATALOG_VERSIONS[0] if when < CHANGEOVER else CATALOG_VERSIONS[1]
    return {"source": "product", "id": product.sku, "version": version}


def link_for(citation: dict[str, str]) -> str:
    if citation["source"] == "article":
        return f"{SITE}/help/{citation['id']}"
    product = next(p for p in PRODUCTS if p.sku == citation["id"])
    return SITE + product.slug


def tool(name: str, arguments: dict[str, Any], result: Any, rng: random.Random) -> dict[str, Any]:
    return {"name": name, "arguments": arguments, "result": result,
            "latency_ms": rng.randint(40, 420)}


def utc_offset_hours(locale: str, when: datetime) -> int:
    """Rough local offsets, with 2026's DST changes (EU Oct 25, US Nov 1)."""
    eu_summer = when < datetime(2026, 10, 25, 1, tzinfo=UTC)
    if locale == "en-US":
        return -4 if when < datetime(2026, 11, 1, 6, tzinfo=UTC) else -5
    if locale == "en-GB":
        return 1 if eu_summer else 0
    return 2 if eu_summer else 1


def in_shift(when: datetime) -> bool:
    local = when + timedelta(hours=utc_offset_hours("en-US", when))
    low, high = SHIFT_HOURS_ET["weekday" if local.weekday() < 5 else "weekend"]
    return low <= local.hour < high


def next_shift(when: datetime) -> datetime:
    while not in_shift(when):
        when += timedelta(minutes=15)
    return when


# ============================================================================== customers


def make_customers(rng: random.Random) -> dict[str, list[Customer]]:
    numbers = rng.sample(range(1, 10000), sum(CUSTOMERS_PER_LOCALE.values()))
    pool: dict[str, list[Customer]] = {}
    for locale, count in CUSTOMERS_PER_LOCALE.items():
        pool[locale] = [make_customer(rng, locale, f"cust-{numbers.pop():04d}")
                        for _ in range(count)]
    return pool


def make_customer(rng: random.Random, locale: str, cid: str) -> Customer:
    first = rng.choice(FIRST_NAMES[locale])
    last = rng.choice(LAST_NAMES[locale])
    return Customer(cid, first, last, locale, make_email(rng, first, last),
                    make_phone(rng, locale), make_address(rng, locale), vip=rng.random() < 0.07)


def make_email(rng: random.Random, first: str, last: str) -> str:
    f, la = ascii_fold(first).lower(), ascii_fold(last).lower()
    local = rng.choice([f"{f}.{la}", f"{f}{la[0]}{rng.randint(1, 99)}", f"{f}_{la}",
                        f"{f[0]}{la}", f"{f}.{la}{rng.randint(70, 99)}"])
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def make_phone(rng: random.Random, locale: str) -> str:
    """Numbers from the ranges set aside for fiction (US 555-01xx, UK Ofcom drama ranges)."""
    if locale == "en-GB":
        n = rng.randint(0, 999)
        return rng.choice([f"07700 900{n:03d}", f"+44 7700 900{n:03d}", f"020 7946 0{n:03d}"])
    if locale == "es-ES":
        return f"+34 600 {rng.randint(100, 999)} {rng.randint(100, 999)}"
    if locale == "de-DE":
        return f"+49 151 {rng.randint(1000000, 9999999)}"
    area, n = rng.choice(US_AREA_CODES), rng.randint(0, 99)
    return rng.choice([f"({area}) 555-01{n:02d}", f"{area}-555-01{n:02d}",
                       f"+1 {area} 555 01{n:02d}", f"{area}.555.01{n:02d}"])


def make_address(rng: random.Random, locale: str) -> str:
    num = rng.randint(3, 4800)
    if locale == "en-GB":
        city, postcode = rng.choice(UK_PLACES)
        return f"{rng.randint(2, 140)} {rng.choice(UK_STREETS)}, {city} {postcode}"
    if locale == "es-ES":
        city, cp = rng.choice(ES_PLACES)
        return f"Calle Mayor {rng.randint(2, 90)}, 3ºB, {cp} {city}"
    if locale == "de-DE":
        city, plz = rng.choice(DE_PLACES)
        return f"Bergstraße {rng.randint(2, 90)}, {plz} {city}"
    city, state, zipcode = rng.choice(US_PLACES)
    unit = rng.choice(["", "", f" Apt {rng.randint(1, 40)}", f" Unit {rng.randint(1, 9)}B"])
    return f"{num} {rng.choice(STREETS)}{unit}, {city}, {state} {zipcode}"


# ================================================================================== plans


def sample_start(rng: random.Random, locale: str, latest: datetime) -> datetime:
    days = (WINDOW_END - WINDOW_START).days
    day_weights = [WEEKDAY_WEIGHTS[(WINDOW_START + timedelta(d)).weekday()]
                   * (1.12 if d >= 27 else 1.0) for d in range(days)]
    while True:
        day = WINDOW_START + timedelta(days=rng.choices(range(days), weights=day_weights)[0])
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = day + timedelta(hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        start = local - timedelta(hours=utc_offset_hours(locale, local))
        if WINDOW_START <= start < latest:
            return start


def make_order(rng: random.Random, plan: Plan, age_days: tuple[float, float]) -> Order:
    placed = plan.start - timedelta(days=rng.uniform(*age_days))
    others = [p for p in PRODUCTS if p is not plan.product]
    items = [plan.product] + rng.sample(others, rng.choices([0, 1, 2], weights=[55, 32, 13])[0])
    ship_at = placed + timedelta(hours=rng.uniform(14, 40))
    domestic = plan.locale == "en-US"
    transit = rng.uniform(2.5, 6.5) if domestic else rng.uniform(6.5, 11)
    carrier = rng.choice(CARRIERS[plan.locale])
    return Order(str(rng.randint(10000, 13999)), placed, items, carrier,
                 tracking_number(rng, carrier), ship_at, ship_at + timedelta(days=transit))


def tracking_number(rng: random.Random, carrier: str) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(16))
    return {
        "UPS": f"1Z{rng.choice(['999AA1', '4E2W77', '0X5V31'])}{digits[:10]}",
        "USPS": f"9400{digits}{digits[:2]}",
        "FedEx": digits[:12],
        "Royal Mail": f"RM{digits[:9]}GB",
        "DPD": digits[:14],
        "DHL": f"JJD{digits}",
    }[carrier]


ORDER_AGE_DAYS = {
    "track_order": (1.5, 11), "return_request": (6, 30), "refund_status": (16, 38),
    "cancel_order": (0.02, 1.4), "change_address": (0.02, 1.2), "damaged_item": (7, 15),
    "missing_item": (7, 14), "warranty_claim": (90, 480), "discount_code": (0.05, 2),
}


def pick_product(rng: random.Random, intent: str, price_question: bool) -> Product:
    if intent == "sizing_help":
        return rng.choice(PRODUCT_BY_CATEGORY[rng.choice(SIZED_CATEGORIES)])
    if intent == "warranty_claim":
        return rng.choice(PRODUCT_BY_CATEGORY[rng.choice(WARRANTY_CATEGORIES)])
    if price_question or intent == "stock_availability":
        weights = [3 if p.price != p.price_nov else 1 for p in PRODUCTS]
        return rng.choices(PRODUCTS, weights=weights)[0]
    return rng.choice(PRODUCTS)


def pick_handling(rng: random.Random, intent: str, customer: Customer, foreign: bool) -> str:
    if foreign:
        return rng.choices(["ai", "hybrid"], weights=[75, 25])[0]
    ai, hybrid, human = HANDLING_BY_INTENT.get(intent, DEFAULT_HANDLING)
    if customer.vip:
        human *= 2
    return rng.choices(["ai", "hybrid", "human"], weights=[ai, hybrid, human])[0]


def pick_outcome(rng: random.Random, handled_by: str, foreign: bool) -> str:
    if foreign:
        return "escalated" if handled_by == "hybrid" else weighted(
            rng, {"resolved": 85, "abandoned": 15})
    weights = OUTCOME_WEIGHTS[handled_by]
    return rng.choices(["resolved", "escalated", "abandoned"], weights=weights)[0]


def pick_planted(rng: random.Random, plan: Plan) -> str | None:
    """Decide whether this conversation's AI answer is (realistically) wrong."""
    if plan.handled_by == "human" or plan.language != "en":
        return None
    after = plan.start >= CHANGEOVER
    product = plan.product
    if plan.intent == "return_request" and after and rng.random() < 0.7:
        return "stale_return_window"
    price_changed = product.price != product.price_nov
    mentions_price = plan.price_question or plan.intent == "stock_availability"
    if mentions_price and after and price_changed and rng.random() < 0.8:
        return "old_price"
    if plan.intent == "shipping_time" and rng.random() < 0.4:
        return "wrong_shipping_info"
    if plan.intent == "discount_code" and plan.code == "FALLCAMP20" and after:
        return "expired_code_accepted" if rng.random() < 0.85 else None
    if plan.intent == "track_order" and rng.random() < 0.15:
        return "contradicts_tool_result"
    return None


def pick_code(rng: random.Random, start: datetime) -> str | None:
    if rng.random() < 0.35:
        return None
    # People keep trying FALLCAMP20 from old newsletters after the sale ends.
    weights = {"FALLCAMP20": 6 if start < FALL_SALE_END else 10, "WELCOME10": 3,
               "PINE15": 4 if start >= HOLIDAY_SALE_START else 0}
    return weighted(rng, weights)


def new_plan(rng: random.Random, customers: dict[str, list[Customer]]) -> Plan:
    locale = weighted(rng, LOCALE_WEIGHTS)
    foreign = locale not in ("en-US", "en-GB")
    intent = weighted(rng, FOREIGN_INTENTS if foreign else INTENT_WEIGHTS)
    pool = customers[locale]
    # A few regulars, a long tail of one-off shoppers.
    customer = rng.choices(pool, weights=[1 / (i + 1) ** 0.35 for i in range(len(pool))])[0]
    anonymous = not foreign and rng.random() < 0.05
    channel = weighted(rng, {"chat": 65, "whatsapp": 35} if foreign else CHANNEL_WEIGHTS)
    latest = WINDOW_END - timedelta(days=2 if channel == "email" else 0.2)
    start = sample_start(rng, locale, latest)
    handled_by = pick_handling(rng, intent, customer, foreign)
    mood = weighted(rng, MOOD_WEIGHTS)
    if intent in ANGRY_INTENTS and rng.random() < 0.2:
        mood = "angry"
    price_question = intent == "product_question" and rng.random() < 0.45
    if intent == "sizing_help" and foreign:
        product = rng.choice(PRODUCT_BY_CATEGORY["boots"])
    else:
        product = pick_product(rng, intent, price_question)
    plan = Plan(start, locale, channel, customer, anonymous, intent, handled_by,
                pick_outcome(rng, handled_by, foreign), mood, product,
                price_question=price_question)
    if intent == "discount_code":
        plan.code = pick_code(rng, start)
    if intent == "talk_to_human":
        plan.sub_intent = rng.choice(["track_order", "refund_status", "cancel_order",
                                      "return_request"])
    age_key = plan.sub_intent or intent
    if age_key in ORDER_AGE_DAYS and (intent != "discount_code" or rng.random() < 0.3):
        plan.order = make_order(rng, plan, ORDER_AGE_DAYS[age_key])
    fit_to_shift(plan, rng)
    plan.planted = pick_planted(rng, plan)
    if plan.planted == "contradicts_tool_result" and plan.order:
        plan.order = make_order(rng, plan, (0.1, 0.5))  # still processing when asked
    return plan


def fit_to_shift(plan: Plan, rng: random.Random) -> None:
    """Outside support hours nobody can take a live handoff: the AI files a ticket instead,
    and a chat meant for a person becomes an e-mail the team answers next morning."""
    if plan.handled_by == "ai" or in_shift(plan.start) or plan.channel == "email":
        return
    if plan.handled_by == "hybrid":
        plan.handled_by = "ai"
        plan.outcome = pick_outcome(rng, "ai", True) if plan.language != "en" else "escalated"
    elif plan.start < WINDOW_END - timedelta(days=2):
        plan.channel = "email"


def follow_up_plan(rng: random.Random, base: Built) -> Plan | None:
    """The same customer coming back about the same order or answer."""
    prev = base.plan
    gap = rng.uniform(0.6, 23) if rng.random() < 0.78 else rng.uniform(25, 90)
    start = base.ended + timedelta(hours=gap)
    channel = prev.channel if rng.random() < 0.6 or prev.language != "en" else weighted(
        rng, CHANNEL_WEIGHTS)
    latest = WINDOW_END - timedelta(days=2 if channel == "email" else 0.2)
    if start >= latest:
        return None
    handled_by = rng.choices(["ai", "hybrid", "human"], weights=[45, 40, 15])[0]
    if prev.language != "en" and handled_by == "human":
        handled_by = "hybrid"
    plan = Plan(start, prev.locale, channel, prev.customer, False, prev.intent, handled_by,
                pick_outcome(rng, handled_by, prev.language != "en"),
                "angry" if rng.random() < 0.45 else prev.mood, prev.product, prev.order,
                price_question=prev.price_question, code=prev.code, sub_intent=prev.sub_intent,
                previous=base, gap_hours=round((start - base.ended).total_seconds() / 3600, 1))
    fit_to_shift(plan, rng)
    return plan


# ============================================================================ the writer

CUSTOMER_THINK_S = {"chat": (8, 200, 35), "whatsapp": (30, 2400, 240), "sms": (30, 2400, 300),
                    "email": (1800, 21600, 5400)}  # triangular (low, high, mode)
HUMAN_WAIT_S = {"chat": (40, 600, 110), "whatsapp": (60, 1800, 300), "sms": (60, 1800, 300),
                "email": (1200, 21600, 5400)}
PII_LABELS = {"email": "email", "address": "street address", "card": "card number"}
PHONE_LABELS = {"en-US": "phone (US)", "en-GB": "phone (UK)"}
ASK_ORDER = ["Happy to check! What's your order number? It's in your confirmation email.",
             "Sure, can you share your order number? It starts with a 1.",
             "I can help with that. Which order is it? The number is in your confirmation "
             "email."]
EMAIL_SIGN_OFF = "\n\nBest,\nJuniper & Pine Support"


def add_typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w, j = words[i], rng.randrange(1, len(words[i]) - 1)
    words[i] = rng.choice([w[:j] + w[j + 1] + w[j] + w[j + 2:],  # swap two letters
                           w[:j] + w[j + 1:],  # drop one
                           w[:j] + w[j] + w[j:]])  # double one
    return " ".join(words)


def attach(text: str, snippet: str) -> str:
    text = text.rstrip()
    if text.endswith((".", "?", "!")):
        return f"{text} {snippet[0].upper()}{snippet[1:]}"
    return f"{text}, {snippet}"


def make_context(plan: Plan, rng: random.Random) -> dict[str, Any]:
    c, p, lang = plan.customer, plan.product, plan.language
    shoe = rng.randrange(11, 21) / 2 if "Women" in p.name else rng.randrange(15, 26) / 2
    eu, height = rng.randint(37, 45), rng.randint(61, 76)
    weight = rng.randint(120, 230)
    places = {"en-US": [pl[0] for pl in US_PLACES], "en-GB": [pl[0] for pl in UK_PLACES],
              "es-ES": [pl[0] for pl in ES_PLACES], "de-DE": [pl[0] for pl in DE_PLACES]}
    gc4 = rng.randint(1000, 9999)
    ctx: dict[str, Any] = {
        "first": c.first, "email": c.email, "phone": c.phone, "address": c.address,
        "card": rng.choice(TEST_CARDS), "name": p.name, "nick": p.nick, "sku": p.sku,
        "price": money(p.price_at(plan.start)), "old_price": money(p.price),
        "city": rng.choice(places[plan.locale]), "code": plan.code or "",
        "gc4": str(gc4), "gc": f"JPGC-{rng.randint(1000, 9999)}-{gc4}",
        "balance": money(rng.choice([12.5, 25, 37.5, 50, 64.2, 100, 8.75])),
        "months": rng.randint(5, 20), "days_ago": rng.randint(5, 25),
        "shoe": f"{shoe:g}", "shoe_up": f"{shoe + 0.5:g}", "eu": str(eu), "eu_up": f"{eu},5",
        "height": f"{height // 12}'{height % 12}", "weight": weight,
        "jacket": "S" if weight < 150 else "M" if weight < 178 else "L" if weight < 205 else "XL",
        "bag_length": "long" if height > 72 else "regular",
        "weekday": (plan.start + timedelta(days=rng.randint(3, 6))).strftime("%A"),
        "ticket": f"JP-{rng.randint(40000, 69999)}",
        "agent": rng.choice(HUMAN_AGENTS[lang]),
        "restock_date": (plan.start + timedelta(days=rng.randint(5, 20))).date(),
        "eta2": day_text((plan.start + timedelta(days=rng.randint(1, 3))).date()),
        "tracking2": tracking_number(rng, CARRIERS[plan.locale][0]),
        "answer": "", "window": 30 if plan.start < CHANGEOVER else 14,
    }
    ctx["restock"] = day_text(ctx["restock_date"])
    ctx["sizing_tip"] = HUMAN_SIZING.get(p.category, "").format(**ctx)
    if plan.previous is not None:
        days = (plan.start.date() - plan.previous.plan.start.date()).days
        ctx["previously"] = ["earlier today", "yesterday"][days] if days < 2 else "last week" \
            if days > 5 else "a few days ago"
    order = plan.order
    if order:
        ctx.update({
            "order": order.number, "placed": day_text(order.placed.date(), lang),
            "carrier": order.carrier, "tracking": order.tracking,
            "ship_date": day_text(order.ship_at.date(), lang),
            "eta": day_text(order.delivered_at.date(), lang),
            "delivered": day_text(order.delivered_at.date(), lang),
            "total": money(order.total),
            "nick2": order.items[1].nick if len(order.items) > 1 else "mugs",
            "months": max(3, (plan.start - order.placed).days // 30),
            "days_ago": max(1, (plan.start - order.delivered_at).days),
        })
    else:
        ctx["carrier"] = CARRIERS[plan.locale][0]
    return ctx
