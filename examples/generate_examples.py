"""Generate the bundled example data for the Shopcoach quick start.

Writes ``examples/conversations.jsonl`` (300 conversations) and ``examples/signals.jsonl``
for "Juniper & Pine", a fictional online shop selling outdoor gear and home goods. All text
comes from the templates below; nothing is copied from a real data set. The output is
deterministic: the same script always writes the same bytes.

Some AI answers are deliberately wrong (a stale return window, an old price, …) so that
scoring has something to find; run with ``--planted`` to list which conversations.

Usage::

    cd /work/main && PYTHONPATH=src .venv/bin/python examples/generate_examples.py [--planted]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# ================================================================================= settings

SEED = 20261150  # fixed; picked so the small categories land near the targets
N_CONVERSATIONS = 300
N_FOLLOW_UPS = 26  # of the 300: customers coming back about the same thing
WINDOW_START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
WINDOW_END = datetime(2026, 11, 23, tzinfo=UTC)  # exclusive: the last day is Sun Nov 22
CHANGEOVER = datetime(2026, 11, 1, tzinfo=UTC)  # agent v2, 14-day returns, new prices
FALL_SALE_END = datetime(2026, 11, 1, tzinfo=UTC)  # FALLCAMP20 valid through Oct 31
HOLIDAY_SALE_START = datetime(2026, 11, 16, tzinfo=UTC)  # PINE15 from Nov 16
SITE = "https://juniperandpine.example"
# When human agents work, in US Eastern time: (first hour, end hour) on weekdays / weekends.
SHIFT_HOURS_ET = {"weekday": (7, 22), "weekend": (9, 18)}
HERE = Path(__file__).resolve().parent
CONVERSATIONS_PATH = HERE / "conversations.jsonl"
SIGNALS_PATH = HERE / "signals.jsonl"

# ============================================================================== data tables

CHANNEL_WEIGHTS = {"chat": 60, "email": 21, "whatsapp": 12, "sms": 7}
LOCALE_WEIGHTS = {"en-US": 82, "en-GB": 15, "es-ES": 1.6, "de-DE": 1.4}
CUSTOMERS_PER_LOCALE = {"en-US": 150, "en-GB": 30, "es-ES": 5, "de-DE": 4}
WEEKDAY_WEIGHTS = [1.15, 1.1, 1.05, 1.0, 0.95, 0.55, 0.5]  # Mon..Sun
# Local-time hour of day: quiet at night, busy 9-17, a tail into the evening.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 10, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]

INTENT_WEIGHTS = {
    "track_order": 13,
    "return_request": 11,
    "refund_status": 7,
    "cancel_order": 5,
    "change_address": 4,
    "damaged_item": 5,
    "missing_item": 3,
    "product_question": 10,
    "sizing_help": 6,
    "stock_availability": 5,
    "shipping_time": 6,
    "discount_code": 7,
    "gift_card_balance": 3,
    "payment_failed": 3,
    "warranty_claim": 3,
    "talk_to_human": 4,
}
# How sure the intent classifier is, before noise; lower on the fuzzy intents.
INTENT_CONFIDENCE = {
    "track_order": 0.94, "return_request": 0.9, "refund_status": 0.88, "cancel_order": 0.91,
    "change_address": 0.87, "damaged_item": 0.85, "missing_item": 0.79,
    "product_question": 0.7, "sizing_help": 0.81, "stock_availability": 0.84,
    "shipping_time": 0.86, "discount_code": 0.88, "gift_card_balance": 0.9,
    "payment_failed": 0.8, "warranty_claim": 0.72, "talk_to_human": 0.95,
}
ORDER_INTENTS = frozenset({
    "track_order", "return_request", "refund_status", "cancel_order", "change_address",
    "damaged_item", "missing_item", "warranty_claim", "talk_to_human",
})
SALES_INTENTS = ("product_question", "sizing_help", "stock_availability", "discount_code",
                 "shipping_time")
FOREIGN_INTENTS = {"track_order": 5, "return_request": 3, "shipping_time": 2, "sizing_help": 2}
# (ai, hybrid, human) shares; intents missing here use DEFAULT_HANDLING.
DEFAULT_HANDLING = (0.66, 0.27, 0.07)
HANDLING_BY_INTENT = {
    "talk_to_human": (0.25, 0.72, 0.03),
    "damaged_item": (0.42, 0.42, 0.16),
    "warranty_claim": (0.4, 0.44, 0.16),
    "missing_item": (0.5, 0.35, 0.15),
    "payment_failed": (0.6, 0.3, 0.1),
}
# Outcome shares (resolved, escalated, abandoned) given who handled the conversation.
OUTCOME_WEIGHTS = {
    "ai": (0.79, 0.05, 0.16),
    "hybrid": (0.14, 0.8, 0.06),
    "human": (0.84, 0.07, 0.09),
}
MOOD_WEIGHTS = {"neutral": 50, "polite": 25, "angry": 11, "terse": 14}
ANGRY_INTENTS = frozenset({"damaged_item", "missing_item", "refund_status", "talk_to_human",
                           "payment_failed"})
CSAT_WEIGHTS = {  # weights for scores 1..5
    "resolved": (2, 3, 8, 27, 60),
    "escalated": (12, 20, 30, 25, 13),
    "abandoned": (35, 30, 20, 10, 5),
    "wrong": (38, 30, 18, 9, 5),
}
CSAT_RATE = {"resolved": 0.47, "escalated": 0.42, "abandoned": 0.16}

FIRST_NAMES = {
    "en-US": ["Dana", "Marcus", "Priya", "Jordan", "Aiko", "Elena", "Grace", "Kwame", "Hannah",
              "Luis", "Mei", "Owen", "Fatima", "Noah", "Chloe", "Ravi", "Zoe", "Ben", "Imani",
              "Liam", "Sofia", "Ethan", "Nadia", "Caleb", "Harper", "Mateo", "Ivy", "Tyler",
              "Megan", "Andre", "Rosa", "Kevin", "Layla", "Derek", "Tess", "Omar"],
    "en-GB": ["Oliver", "Amelia", "George", "Isla", "Harry", "Freya", "Alfie", "Poppy", "Rhys",
              "Niamh", "Callum", "Imogen"],
    "es-ES": ["Lucía", "Javier", "Pablo", "Diego", "Marta"],
    "de-DE": ["Jonas", "Lena", "Felix", "Anna"],
}
LAST_NAMES = {
    "en-US": ["Whitfield", "Nguyen", "Patel", "Okafor", "Tanaka", "Rivera", "Brooks", "Mensah",
              "Kowalski", "Garcia", "Chen", "Murphy", "Haddad", "Foster", "Lindqvist", "Shah",
              "Price", "Bailey", "Ortiz", "Nakamura", "Reyes", "Coleman", "Ward", "Ellis"],
    "en-GB": ["Hughes", "Clarke", "Evans", "Thompson", "Walsh", "Patel", "Morgan", "Fletcher"],
    "es-ES": ["García", "Fernández", "López", "Martín", "Ruiz"],
    "de-DE": ["Müller", "Schneider", "Fischer", "Weber"],
}
EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com",
                 "inbox.example"]
US_AREA_CODES = ["503", "971", "206", "415", "303", "512", "617", "312", "646", "404", "720"]
US_PLACES = [("Portland", "OR", "97214"), ("Bend", "OR", "97701"), ("Seattle", "WA", "98103"),
             ("Boulder", "CO", "80302"), ("Denver", "CO", "80205"), ("Austin", "TX", "78704"),
             ("Asheville", "NC", "28801"), ("Burlington", "VT", "05401"),
             ("Madison", "WI", "53703"), ("Missoula", "MT", "59801"), ("Chicago", "IL", "60614"),
             ("Brooklyn", "NY", "11215"), ("Salt Lake City", "UT", "84102")]
UK_PLACES = [("Leeds", "LS6 2AB"), ("Bristol", "BS3 4QT"), ("Manchester", "M20 6RL"),
             ("Edinburgh", "EH9 1PL"), ("Cardiff", "CF24 3DG"), ("Sheffield", "S11 8YZ")]
ES_PLACES = [("Madrid", "28013"), ("Barcelona", "08012"), ("Sevilla", "41003")]
DE_PLACES = [("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095")]
STREETS = ["Maple Street", "Alder Ave", "Birch Lane", "Cedar Court", "Willow Road",
           "Hawthorne Blvd", "Summit Drive", "Juniper Way", "Riverside Drive", "Oak Street"]
UK_STREETS = ["Ashdown Road", "Mill Lane", "Church Street", "Victoria Road", "Park Crescent"]
# Luhn-valid card numbers from the card networks' public test ranges; never real cards.
TEST_CARDS = ["4111 1111 1111 1111", "5555-5555-5555-4444", "4012888888881881",
              "5105 1051 0510 5100", "3782 822463 10005", "6011 1111 1111 1117",
              "4242424242424242"]
HUMAN_AGENTS = {"en": ["Maria", "Dev", "Keisha", "Tom", "Aisha", "Ruth"],
                "es": ["Carmen"], "de": ["Lukas"]}
MONTHS = {
    "es": {9: "septiembre", 10: "octubre", 11: "noviembre", 12: "diciembre"},
    "de": {9: "September", 10: "Oktober", 11: "November", 12: "Dezember"},
}


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    nick: str  # what customers call it
    category: str
    slug: str
    price: float  # before Nov 1
    price_nov: float  # from Nov 1
    qa: tuple[tuple[str, str], ...]  # (customer question, correct answer)

    def price_at(self, when: datetime) -> float:
        return self.price if when < CHANGEOVER else self.price_nov


PRODUCTS = [
    Product("JP-TNT-2P-GRN", "Trail Tent 2P", "trail tent", "tent", "/products/trail-tent-2p",
            249, 229, (
                ("is the trail tent 2p freestanding?",
                 "Yes, the Trail Tent 2P is fully freestanding (one hubbed pole set), so you can "
                 "pitch it on a platform or rock."),
                ("does the 2 person trail tent come with a footprint",
                 "The footprint is sold separately (JP-FTP-2P, $39). The floor is 70D nylon, so "
                 "plenty of people skip it."),
                ("How much does the Trail Tent 2P weigh packed?",
                 "4 lb 2 oz packed (3 lb 11 oz minimum trail weight); it packs to 18 x 6 in."),
            )),
    Product("JP-TNT-4P-SND", "Basecamp Tent 4P", "basecamp tent", "tent",
            "/products/basecamp-tent-4p", 429, 449, (
                ("Can I stand up in the Basecamp 4P?",
                 "Peak height is 6 ft 2 in at the centre, so most adults can stand in the "
                 "middle."),
                ("is the basecamp tent ok for winter camping",
                 "It's a 3-season tent: great in rain and wind, but not built for heavy snow "
                 "loads."),
            )),
    Product("JP-SLB-20F-BLU", "Ridgeline Sleeping Bag 20°F", "ridgeline bag", "sleeping_bag",
            "/products/ridgeline-sleeping-bag-20", 179, 189, (
                ("Is the Ridgeline 20 down or synthetic?",
                 "It's 650-fill responsibly sourced down with a water-resistant shell."),
                ("what's the comfort rating on the ridgeline 20",
                 "20°F is the lower limit; the comfort rating is 30°F (ISO 23537)."),
            )),
    Product("JP-SLB-40F-RST", "Meadow Sleeping Bag 40°F", "meadow bag", "sleeping_bag",
            "/products/meadow-sleeping-bag-40", 99, 99, (
                ("can the meadow bag zip together with another one",
                 "Yes: a left-zip and a right-zip Meadow bag zip together into a double."),
                ("is the meadow sleeping bag machine washable?",
                 "Yes, gentle cycle in a front-loader, then tumble dry low with a couple of "
                 "tennis balls."),
            )),
    Product("JP-BPK-45L-CHR", "Switchback Pack 45L", "switchback pack", "backpack",
            "/products/switchback-pack-45", 189, 169, (
                ("Does the Switchback 45 fit airline carry-on size?",
                 "Full, it's over most carry-on limits; compressed it often fits, but we can't "
                 "promise it."),
                ("is the switchback torso length adjustable",
                 "Yes, the harness adjusts from 16 to 21 in torso length."),
                ("Does the Switchback come with a rain cover?",
                 "Yes, a rain cover is stashed in the bottom pocket."),
            )),
    Product("JP-BPK-28L-MOS", "Daytrip Pack 28L", "daytrip pack", "backpack",
            "/products/daytrip-pack-28", 99, 109, (
                ("will a 16 inch laptop fit in the daytrip pack?",
                 "The sleeve fits laptops up to 15 in, so a 16 in one is a squeeze we wouldn't "
                 "recommend."),
                ("is the daytrip 28 hydration compatible",
                 "Yes: hydration sleeve and port for a reservoir up to 3 L (not included)."),
            )),
    Product("JP-JKT-RN-W-NVY", "Drizzle Rain Jacket (Women's)", "drizzle jacket", "jacket",
            "/products/drizzle-rain-jacket-womens", 139, 139, (
                ("Is the women's Drizzle jacket actually waterproof or just water resistant?",
                 "Fully waterproof: 2.5-layer shell, 20,000 mm rating, fully taped seams."),
                ("does the drizzle jacket have pit zips",
                 "Yes, 12 in pit zips on both the women's and men's Drizzle."),
            )),
    Product("JP-JKT-RN-M-OLV", "Drizzle Rain Jacket (Men's)", "drizzle jacket", "jacket",
            "/products/drizzle-rain-jacket-mens", 139, 149, (
                ("does the mens drizzle pack into its own pocket?",
                 "Yes, it stuffs into its left hand pocket, which has a clip-in loop."),
                ("Is the men's Drizzle breathable enough for hiking uphill?",
                 "It breathes well for a 2.5-layer shell (15,000 g/m²/24h) and the pit zips "
                 "help a lot on climbs."),
            )),
    Product("JP-BOT-HK-W-BRN", "Cairn Hiking Boot (Women's)", "cairn boots", "boots",
            "/products/cairn-hiking-boot-womens", 164, 164, (
                ("Are the Cairn boots waterproof?",
                 "Yes: waterproof-breathable membrane and a gusseted tongue."),
                ("do the women's cairns need breaking in",
                 "Most people find them comfy out of the box, but do a few short walks before "
                 "a big trip."),
            )),
    Product("JP-BOT-HK-M-BRN", "Cairn Hiking Boot (Men's)", "cairn boots", "boots",
            "/products/cairn-hiking-boot-mens", 164, 174, (
                ("Are the men's Cairn boots ok for wide feet?",
                 "They come in a wide (2E) fit; pick 'Wide' under size on the product page."),
                ("what's the heel drop on the cairn boot",
                 "The heel-to-toe drop is 12 mm."),
            )),
    Product("JP-STV-1B-TI", "Ember Camp Stove", "ember stove", "stove",
            "/products/ember-camp-stove", 79, 69, (
                ("What fuel does the Ember stove use?",
                 "Standard threaded isobutane-propane canisters (EN417), sold separately."),
                ("how long does the ember take to boil a liter",
                 "About 3.5 minutes for 1 L at sea level with no wind."),
                ("does the ember stove have a piezo igniter",
                 "Yes, it has a built-in piezo igniter; we still suggest carrying a lighter."),
            )),
    Product("JP-MUG-12-ENM", "Enamel Camp Mug 12 oz", "enamel mug", "mug",
            "/products/enamel-camp-mug", 18, 18, (
                ("can the enamel mug go on a camp stove?",
                 "Yes, you can heat it on a stove or over coals; just mind the hot handle."),
                ("Are the enamel mugs dishwasher safe?",
                 "They're dishwasher safe, though hand-washing keeps the rim from chipping."),
            )),
    Product("JP-MUG-16-INS", "Summit Insulated Mug 16 oz", "insulated mug", "mug",
            "/products/summit-insulated-mug", 28, 32, (
                ("how long does the summit mug keep coffee hot",
                 "About 5 hours hot with the lid on, 10 hours cold."),
                ("Is the insulated mug leakproof?",
                 "The slider lid is splash-proof, not leakproof, so don't toss it in a bag "
                 "upside down."),
            )),
    Product("JP-BLK-WOOL-GRY", "Wool Camp Blanket", "wool blanket", "blanket",
            "/products/wool-camp-blanket", 119, 99, (
                ("Is the wool blanket itchy?",
                 "It's a soft merino-lambswool blend; most people find it not itchy, though "
                 "very sensitive skin may notice it."),
                ("what size is the wool camp blanket",
                 "60 x 80 in, and it weighs 3.5 lb."),
            )),
    Product("JP-BLK-FLC-PLD", "Plaid Fleece Throw", "fleece throw", "blanket",
            "/products/plaid-fleece-throw", 59, 59, (
                ("is the fleece throw machine washable",
                 "Yes: machine wash cold, tumble dry low."),
                ("What colours does the plaid throw come in?",
                 "Red plaid, green plaid and a grey/cream check."),
            )),
]
PRODUCT_BY_CATEGORY: dict[str, list[Product]] = {}
for _p in PRODUCTS:
    PRODUCT_BY_CATEGORY.setdefault(_p.category, []).append(_p)
SIZED_CATEGORIES = ("boots", "jacket", "sleeping_bag")
WARRANTY_CATEGORIES = ("tent", "backpack", "jacket", "boots", "stove", "sleeping_bag")

# Help-centre articles: slug -> (title, versions, oldest first).
ARTICLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "returns-policy": ("Returns & exchanges", ("2026-09-01", "2026-11-01")),
    "shipping-times": ("Shipping times & costs", ("2026-08-15",)),
    "order-tracking": ("Tracking your order", ("2026-06-10",)),
    "cancel-or-change": ("Cancelling or changing an order", ("2026-07-02",)),
    "damaged-items": ("Damaged or defective items", ("2026-05-20",)),
    "missing-items": ("Missing items or packages", ("2026-05-20",)),
    "refund-timing": ("When will I get my refund?", ("2026-04-02",)),
    "size-guide": ("Size guide: boots, apparel & sleeping bags", ("2026-03-18",)),
    "promo-codes": ("Promo codes & sales", ("2026-10-01", "2026-11-01")),
    "gift-cards": ("Gift cards", ("2025-11-20",)),
    "payment-problems": ("Payment problems at checkout", ("2026-02-11",)),
    "warranty": ("Our 2-year warranty", ("2026-01-05",)),
    "contact-us": ("Contact us & support hours", ("2026-09-22",)),
}
CATALOG_VERSIONS = ("2026-10-01", "2026-11-01")
CARRIERS = {"en-US": ["UPS", "USPS", "FedEx"], "en-GB": ["Royal Mail", "DPD"],
            "es-ES": ["DHL"], "de-DE": ["DHL"]}

# ----------------------------------------------------------------------- customer wording

OPENERS: dict[str, list[str]] = {
    "track_order": [
        "Where is my order #{order}?",
        "hi, any update on order {order}? it's been a week",
        "Can you tell me when order #{order} will arrive? I need the {nick} for a trip on "
        "Saturday.",
        "tracking for {order} hasn't moved in 3 days",
        "order {order} status?",
        "Hello! I placed order #{order} on {placed} and haven't had a shipping email yet. "
        "Could you check on it?",
        "My {nick} was supposed to be here yesterday. Order {order}.",
        "is #{order} shipped yet",
        "I ordered a {nick} ({order}) and the tracking link just says label created. what's "
        "going on?",
        "Hey, just checking in on {order}. Do you have a delivery estimate?",
        "where's my order",
        "Hi, I'd like to know where my package is.",
        "wheres my stuff",
        "Hi! Can you check the status of my last order? I don't have the number handy.",
        "I ordered a {nick} last week and still nothing",
    ],
    "return_request": [
        "I'd like to return the {nick} from order #{order}. It's too small.",
        "how do I return something",
        "Can I still return my {nick}? Got it about {days_ago} days ago, never used it.",
        "hi i want to send back the {nick}, it's not what i expected",
        "What's your return policy? I got a {nick} as a gift and already have one.",
        "Hello, I need to exchange the {nick} for a different size. Order {order}.",
        "What's the return window? Thinking of returning the {name}.",
        "Want to return order {order}, the colour looks totally different from the photos",
        "How many days do I have to return stuff? Asking before I open the box.",
        "Ordered two sizes of the {nick} to try on, want to send one back. #{order}",
        "return label for {order} please",
    ],
    "refund_status": [
        "When will I get my refund for order {order}?",
        "I returned the {nick} two weeks ago and still no refund.",
        "refund status for #{order}??",
        "Hi, tracking shows my return reached you last week. Has the refund for order "
        "{order} been processed?",
        "still waiting on my money back. order {order}",
        "It has been 3 weeks. Where is my refund? Order #{order}.",
        "Can you check if my refund went through? It was for a {nick}.",
        "where is my refund",
    ],
    "cancel_order": [
        "Please cancel order #{order}, I ordered the wrong size.",
        "cancel my order",
        "Hi, I placed order {order} twice by mistake (double clicked). Can you cancel one?",
        "Can I still cancel {order}? Found a {nick} locally, sorry!",
        "need to cancel order {order} asap",
        "I'd like to cancel the {nick} from order #{order} but keep the rest.",
        "Changed my mind about the {name}, can you cancel order {order} before it ships?",
    ],
    "change_address": [
        "I need to change the shipping address on order #{order}. New address: {address}",
        "Can you update my address? I moved. It should go to {address}.",
        "wrong address on {order}!! should be {address}",
        "Hi, I typed my old address on order {order}. Could you send it to {address} "
        "instead?",
        "is it too late to change the address for #{order}",
        "Can I change where order {order} ships to?",
    ],
    "damaged_item": [
        "The {nick} arrived with a broken pole. Order #{order}.",
        "my {nick} came damaged, box was crushed",
        "Received order {order} today and the {nick} has a tear in the fabric. Really "
        "disappointed.",
        "the zipper on the {nick} is broken and it's brand new!!",
        "Package arrived soaked and the {nick} smells musty. What can you do?",
        "Hello, one of the items in #{order} ({nick}) arrived dented. Can I get a "
        "replacement?",
        "{nick} arrived damaged",
    ],
    "missing_item": [
        "My order #{order} arrived but the {nick} is missing.",
        "only got half my order??",
        "Hi, the box for {order} only had the {nick2}. Where is the {nick}?",
        "Package says delivered but there's nothing at my door. Order {order}",
        "missing item from order {order}",
        "Got my delivery but there's no {nick} in it, just the packing slip listing it.",
    ],
    "sizing_help": [],  # see SIZING_OPENERS
    "product_question": [],  # see PRICE_QUESTIONS and Product.qa
    "stock_availability": [
        "Is the {name} back in stock?",
        "when will {sku} be available again",
        "do you have the {nick} in stock? site says sold out",
        "Hi, any restock date for the {name}? I've been waiting for weeks.",
        "Will you get more {nick}s before Thanksgiving?",
        "is the {nick} available",
        "Do you have {sku} in stock? Want to order 2.",
    ],
    "shipping_time": [
        "How long does shipping take to {city}?",
        "If I order today will it arrive by {weekday}?",
        "whats the shipping time",
        "Do you ship to {city}? And how long does it take?",
        "Hi! Need a {nick} for a trip next weekend. How fast can you ship to {city}?",
        "how much is expedited shipping and how fast is it",
        "Is shipping free?",
        "shipping time to {city} pls",
    ],
    "discount_code": [
        "The code {code} isn't working at checkout.",
        "{code} says invalid??",
        "Trying to use {code} on a {nick} and it won't apply, why?",
        "Hi, can I apply {code} to an order I already placed? #{order}",
        "do you have any discount codes?",
        "Hi, I signed up for the newsletter but never got my 10% code.",
        "Is there a student or military discount?",
        "any sales coming up?",
    ],
    "gift_card_balance": [
        "How do I check my gift card balance? Card ends in {gc4}.",
        "balance on gift card {gc}?",
        "Hi! I got a Juniper & Pine gift card for my birthday, how much is left on it? Code "
        "{gc}",
        "can I use two gift cards on one order",
        "whats left on my gift card {gc}",
    ],
    "payment_failed": [
        "My card keeps getting declined at checkout.",
        "payment failed 3 times, what is wrong with your site",
        "Tried to pay with {card} and it says payment failed. Exp 09/28.",
        "PayPal keeps erroring out when I try to check out",
        "Hi, I was charged but the order didn't go through?? Card {card}",
        "Why does it say 'payment could not be authorized'? My bank says everything is fine.",
        "Apple Pay won't work on your checkout page",
    ],
    "warranty_claim": [
        "The zipper on my {nick} broke after about {months} months. Is that covered under "
        "warranty?",
        "stove stopped igniting, bought it in the spring. warranty?",
        "Hi, the seam tape on my {nick} is peeling after one season. Bought it {months} "
        "months ago.",
        "Does your warranty cover a broken buckle on the {nick}?",
        "My {nick} is falling apart after {months} months of light use. Not happy.",
        "warranty claim for order {order}, the {nick} failed",
    ],
    "talk_to_human": [
        "Can I talk to a real person?",
        "human please",
        "agent",
        "I don't want to talk to a bot. Get me a human.",
        "Is there someone I can speak to? It's about a complicated order.",
        "REPRESENTATIVE",
        "Can you connect me with customer service? Thanks",
        "I need to speak with a manager about order {order}.",
    ],
}
# Openers that only fit one product category (checked against the plan's product).
_FABRIC = ("tent", "backpack", "jacket", "sleeping_bag")
CATEGORY_ONLY = {"broken pole": ("tent",), "stove stopped": ("stove",), "dented": ("stove", "mug"),
                 "zipper": _FABRIC, "seam tape": ("jacket", "tent"), "buckle": ("backpack",),
                 "tear in the fabric": _FABRIC, "smells musty": (*_FABRIC, "blanket")}
PRICE_QUESTIONS = [
    "How much is the {name}?",
    "what's the price of the {nick} right now",
    "price on {sku}?",
    "Is the {name} still {old_price}?",
    "how much r the {nick}s",
    "Is the {nick} on sale at the moment?",
    "Quick one: what does the {name} cost these days?",
]
QUESTION_WRAPS = ["{q}", "Quick question: {q}", "hi! {q}", "Before I order: {q}", "{q} thanks",
                  "Hey there, {q}", "{q}"]
SIZING_OPENERS = {
    "boots": [
        "I'm a US {shoe} in most brands, what size {name} should I get?",
        "do the cairn boots run small?",
        "Between a {shoe} and {shoe_up} for the {nick}, which would you pick?",
        "true to size? usually wear {shoe}",
    ],
    "jacket": [
        "I'm {height} and {weight} lbs, M or L in the {name}?",
        "Does the {nick} fit over a fleece? I'm normally a {jacket}.",
        "how does the drizzle fit, runs big or small?",
    ],
    "sleeping_bag": [
        "I'm {height}, should I get the regular or long {name}?",
        "regular or long {nick}? im {height}",
    ],
}
HUMAN_SIZING = {
    "boots": "I'd go half a size up to a {shoe_up}; if it doesn't fit, the exchange is free.",
    "jacket": "I'd take the {jacket}: there's room for a fleece underneath, and exchanges are "
              "free.",
    "sleeping_bag": "The {bag_length} is the one for you, and you can swap it free if you "
                    "change your mind.",
}
SIZING_ANSWERS = {
    "boots": "Cairn boots run about a half size small, so if you're a {shoe} in most brands "
             "we'd suggest a {shoe_up}. A wide (2E) fit is available too, and exchanges are "
             "free.",
    "jacket": "The Drizzle has a regular fit with room for a fleece underneath. At {height} "
              "and {weight} lbs most people take the {jacket}; size up if you like to layer "
              "a puffy underneath.",
    "sleeping_bag": "The regular fits people up to 6 ft and the long up to 6 ft 6 in. At "
                    "{height} we'd go with the {bag_length}.",
}
ORDER_REPLIES = ["{order}", "#{order}", "it's {order}", "Order number is {order}.",
                 "sure, {order}", "{order} i think", "It's {order}, under {email}",
                 "hang on... {order}", "{order}. email on the account is {email}"]
ADDRESS_REPLIES = ["{address}", "New address is {address}", "it should go to {address}",
                   "{address} please"]
POLITE_PREFIXES = ["Hi there! ", "Hello, ", "Good morning! ", "Hi, hope you're well. ",
                   "Hello and thanks in advance. "]
ANGRY_PREFIXES = ["This is ridiculous. ", "Honestly so frustrated right now. ",
                  "Third time asking!! ", "Really not impressed. ", "Seriously?? "]
THANKS = ["perfect, thanks!", "great thank you", "ok cool", "Thanks so much, that's really "
          "helpful.", "awesome 👍", "got it, thanks", "Thank you!", "ok thx", "That's all I "
          "needed, cheers.", "Brilliant, thanks."]
AI_CLOSINGS = ["You're welcome! Anything else I can help with?",
               "Happy to help. Enjoy your time outside!",
               "Glad I could help. Have a great day!",
               "Anytime! I'll be here if anything else comes up."]
PUSHBACK = ["that doesn't help. can I talk to a person?", "I'd like to speak to a human please.",
            "Can a real person double-check this please?", "ok but can I talk to an actual person",
            "not sure that's right. can someone from the team look?", "human please",
            "Thanks, but I'd rather talk to someone from your team.",
            "I want to speak to a manager.", "Is there a person I can talk to about this?"]
# When the AI was wrong in a way the customer can see, they say so.
PLANTED_PUSHBACK = {
    "contradicts_tool_result": "That's not right, the tracking link still says label created. "
                               "Can I talk to someone?",
    "old_price": "The product page says {price} though? Can someone check?",
    "expired_code_accepted": "I did that and it still says invalid. Can a person help?",
}
HANDOFFS = ["I'm connecting you with a teammate now. Typical wait is under 5 minutes.",
            "Sure, I'll hand you over to one of our support team. Someone will be with you "
            "shortly.",
            "Let me get a member of our team to take a look. Connecting you now."]
SELF_HANDOFFS = {
    "damaged_item": ("damage_claim", "I'm passing this to our claims team so they can arrange a "
                     "replacement. A teammate will join in a moment."),
    "warranty_claim": ("warranty_review", "Warranty claims need a quick review by our team, so "
                       "I'm connecting you with a teammate now."),
    "missing_item": ("missing_package", "I'd like a teammate to open a trace with the carrier. "
                     "Connecting you now."),
}
NUDGES = ["Are you still there? I'll keep this chat open for a few more minutes.",
          "Just checking in. Is there anything else I can help with?"]
TICKET_TEXTS = {
    "out_of_hours": "Our team is offline right now (they're in 7am-10pm ET on weekdays), so I've "
                    "opened ticket {ticket}. Someone will reply by email first thing.",
    "no_agent_available": "All our teammates are busy at the moment, so I've created ticket "
                          "{ticket}. They'll get back to you by email, usually within a few "
                          "hours.",
}
EXTRA_QUESTIONS = [
    ("also do you ship to PO boxes?",
     "Yes: USPS delivers to PO boxes. UPS and FedEx can't, so we switch the carrier "
     "automatically.", "shipping-times"),
    ("and how long do refunds take usually",
     "Refunds go back to the original payment method within 5-10 business days after we "
     "receive the return.", "refund-timing"),
    ("Do you have a physical store?",
     "We're online-only, but our Stockists page lists partner shops that carry our gear.",
     "contact-us"),
    ("can I add gift wrap?", "Yes, gift wrap is $5 per order: tick 'Add gift wrap' at checkout.",
     "shipping-times"),
    ("what are your support hours btw", "Our team is online Mon-Fri 8am-6pm ET; I'm here 24/7.",
     "contact-us"),
]
FOLLOW_UP_PREFIXES = ["Following up on my earlier chat about order #{order}. ",
                      "I contacted you {previously} about this and nothing has happened. ",
                      "Hi again. ", "2nd time asking: ",
                      "Still having the same problem as {previously}. ",
                      "I was told this would be sorted. "]
PLANTED_FOLLOW_UPS = {
    "stale_return_window": "Your chat said I had 30 days to return the {nick}, but the return "
                           "portal says order {order} is outside the 14-day window?",
    "contradicts_tool_result": "Earlier your bot said #{order} had shipped. Tracking still says "
                               "label created. Which is it?",
    "old_price": "I was told the {name} is {old_price} but checkout shows {price}.",
    "expired_code_accepted": "You said FALLCAMP20 would work but it gets rejected at checkout.",
    "wrong_shipping_info": "I was told standard shipping is 2-3 days. It's been 5 business "
                           "days and my order still isn't here.",
}

# ----------------------------------------------------------------------- support wording

HUMAN_GREETINGS = ["Hi {first}, {agent} here from the Juniper & Pine team. ",
                   "Hello {first}, this is {agent}. ", "Hi {first}! {agent} here. "]
HUMAN_FIX = {
    "track_order": "I checked with {carrier}: the package is at your local depot and goes out "
                   "for delivery tomorrow. If it isn't there by {eta}, I'll send a replacement.",
    "return_request": "I've emailed you a prepaid return label for the {nick}. Drop it at any "
                      "{carrier} location; the refund goes out within 5 business days of it "
                      "arriving.",
    "refund_status": "I can see the refund of {total} for order #{order}. I've pushed it "
                     "through today; banks usually take 5-10 business days to show it.",
    "cancel_order": "I caught it before it left the warehouse: order #{order} is cancelled and "
                    "the {total} authorization will drop off in 3-5 business days.",
    "change_address": "Done. I've updated the address on #{order} and let the warehouse know.",
    "damaged_item": "I'm really sorry about that. I've sent a replacement {nick} with expedited "
                    "shipping at no charge, and there's no need to send the damaged one back.",
    "missing_item": "The {nick} was held at the sort facility. I've shipped a new one today by "
                    "expedited delivery, tracking to follow by email.",
    "product_question": "I checked with our gear team: {answer}",
    "sizing_help": "{sizing_tip}",
    "stock_availability": "More are arriving on {restock}. I've added you to the restock alert "
                          "so you'll get an email the moment it's live.",
    "shipping_time": "If you order before 1pm ET today with expedited shipping, it arrives by "
                     "{weekday}.",
    "discount_code": "I've applied a 10% courtesy discount to your order by hand.",
    "gift_card_balance": "The card ending {gc4} has {balance} left, and it never expires.",
    "payment_failed": "The bank returned a 'do not honor' code, so it's on the card issuer's "
                      "side. PayPal or a call to your bank should sort it. Please don't post "
                      "full card numbers in chat; I've removed it from our records.",
    "warranty_claim": "That's covered under our 2-year warranty. I've started a claim; send a "
                      "photo when you can and we'll ship a replacement {nick} once it's "
                      "approved.",
}
HUMAN_TRACK_FIX = {
    "processing": "It's being packed now and I've flagged it as a priority, so it ships "
                  "tomorrow morning. You'll get tracking by email.",
    "delivered": "{carrier} marked it delivered on {delivered}. I've opened a trace with them, "
                 "and if it hasn't turned up in 48 hours we'll send a replacement.",
}
HUMAN_CORRECTIONS = {
    "stale_return_window": "Quick correction to what our assistant said: since Nov 1 our "
                           "return window is 14 days from delivery, not 30. We'll honour it "
                           "this time though. ",
    "old_price": "Sorry, the assistant quoted an old price: the {name} is {price} since "
                 "Nov 1. ",
    "expired_code_accepted": "I'm afraid FALLCAMP20 ended on Oct 31; the assistant got that "
                             "wrong, sorry. ",
    "wrong_shipping_info": "One correction: standard shipping is 4-7 business days (2-3 is "
                           "expedited). ",
    "contradicts_tool_result": "Apologies for the confusion: order #{order} hasn't actually "
                               "shipped yet, it's still being packed. ",
}
HUMAN_ASK_ORDER = "Could you send me the order number? It's in your confirmation email."
HUMAN_STILL_THERE = "Hi {first}, {agent} here. Are you still there?"
HUMAN_ESCALATE = "I've passed this to our warehouse team; they'll email you within 1 business day."
HUMAN_CLOSINGS = ["You're welcome, {first}! Have a great day.", "Glad we got that sorted. Take "
                  "care!", "Anytime. Enjoy the outdoors!"]

# ------------------------------------------------------------- Spanish and German wording

FOREIGN: dict[str, dict[str, Any]] = {
    "es": {
        "openers": {
            "track_order": ["Hola, ¿dónde está mi pedido #{order}?",
                            "¿Cuándo llega el pedido {order}? Lo necesito para el finde.",
                            "hola mi pedido {order} todavía no ha llegado",
                            "Buenas, ¿me podéis decir el estado del pedido {order}?"],
            "return_request": ["Quiero devolver el {name} del pedido #{order}, me queda "
                               "pequeño.",
                               "Hola, ¿cómo hago una devolución? Pedido {order}."],
            "shipping_time": ["¿Cuánto tarda el envío a {city}?",
                              "Hola, ¿enviáis a España? ¿Cuántos días tarda?"],
            "sizing_help": ["Normalmente uso un {eu} en botas, ¿qué talla de las Cairn me "
                            "recomendáis?",
                            "¿Las botas Cairn tallan grande o pequeño? Uso un {eu}."],
        },
        "answers": {
            "track_order": "Tu pedido #{order} salió el {ship_date} con {carrier}. El número "
                           "de seguimiento es {tracking} y la entrega está prevista para el "
                           "{eta}.",
            "return_ok": "Puedes devolver artículos sin usar en un plazo de {window} días desde "
                         "la entrega. Te he enviado por correo una etiqueta de devolución para "
                         "el pedido #{order}; el reembolso tarda de 5 a 10 días hábiles.",
            "return_late": "Lo siento: el pedido #{order} se entregó el {delivered} y nuestro "
                           "plazo de devolución es de {window} días, así que ya ha vencido. Si "
                           "el {name} tiene un defecto, lo cubre nuestra garantía de 2 años.",
            "shipping_time": "Enviamos a España con DHL: tarda de 7 a 12 días hábiles y cuesta "
                             "25 $ (tarifa fija). Los pedidos salen del almacén en 1 día hábil.",
            "sizing_help": "Las botas Cairn tallan medio número pequeño, así que si usas un "
                           "{eu} te recomendamos un {eu_up}. Los cambios de talla son gratis.",
        },
        "thanks": ["¡Genial, gracias!", "vale, muchas gracias", "Perfecto, gracias por la "
                   "ayuda."],
        "closing": ["¡De nada! Si necesitas algo más, aquí estoy.",
                    "¡Un placer! Que disfrutes de tu equipo."],
        "human_request": ["¿Puedo hablar con una persona?",
                          "prefiero hablar con alguien del equipo, por favor"],
        "handoff": "Claro, te paso con un compañero del equipo. Enseguida te atiende.",
        "human_fix": "Hola {first}, soy {agent}. He revisado tu consulta y ya está todo "
                     "solucionado; te he enviado los detalles por correo.",
        "human_close": "¡Gracias a ti, {first}! Que tengas un buen día.",
    },
    "de": {
        "openers": {
            "track_order": ["Hallo, wo ist meine Bestellung #{order}?",
                            "Wann kommt Bestellung {order} an? Ich brauche sie am Wochenende.",
                            "meine bestellung {order} ist immer noch nicht da"],
            "return_request": ["Ich möchte den {name} aus Bestellung {order} zurückschicken, "
                               "er ist zu klein.",
                               "Wie funktioniert die Rücksendung? Bestellung #{order}."],
            "shipping_time": ["Wie lange dauert der Versand nach {city}?",
                              "Liefert ihr nach Deutschland? Wie lange dauert das?"],
            "sizing_help": ["Ich trage normalerweise Größe {eu}. Welche Größe beim Cairn "
                            "Wanderschuh?",
                            "Fallen die Cairn Schuhe klein aus? Ich habe {eu}."],
        },
        "answers": {
            "track_order": "Deine Bestellung #{order} wurde am {ship_date} mit {carrier} "
                           "verschickt. Sendungsnummer: {tracking}, voraussichtliche Zustellung "
                           "am {eta}.",
            "return_ok": "Unbenutzte Artikel kannst du innerhalb von {window} Tagen nach "
                         "Zustellung zurückschicken. Das Rücksendeetikett für Bestellung "
                         "#{order} habe ich dir gemailt; die Erstattung dauert 5-10 Werktage.",
            "return_late": "Leider wurde Bestellung #{order} am {delivered} zugestellt, und "
                           "unsere Rückgabefrist beträgt {window} Tage. Bei einem Defekt am "
                           "{name} greift aber unsere 2-Jahres-Garantie.",
            "shipping_time": "Nach Deutschland versenden wir mit DHL: 7-12 Werktage, "
                             "Pauschale 25 $. Bestellungen verlassen das Lager in 1 Werktag.",
            "sizing_help": "Die Cairn Schuhe fallen etwa eine halbe Nummer klein aus. Bei "
                           "Größe {eu} empfehlen wir {eu_up}; der Umtausch ist kostenlos.",
        },
        "thanks": ["Super, danke!", "ok danke schön", "Perfekt, vielen Dank für die Hilfe."],
        "closing": ["Gern geschehen! Melde dich, wenn du noch etwas brauchst.",
                    "Sehr gerne! Viel Spaß draußen."],
        "human_request": ["Kann ich mit einem Menschen sprechen?",
                          "Bitte verbinden Sie mich mit einem Mitarbeiter."],
        "handoff": "Klar, ich verbinde dich mit einem Kollegen aus dem Team.",
        "human_fix": "Hallo {first}, hier ist {agent}. Ich habe mir das angesehen und alles "
                     "erledigt; die Details habe ich dir per E-Mail geschickt.",
        "human_close": "Danke dir, {first}! Einen schönen Tag noch.",
    },
}

# ------------------------------------------------------------------------- PII snippets

# Appended to a customer message now and then, so that redaction has work to do.
PII_SNIPPETS = {
    "email": ["my email is {email}", "it's under {email}", "account email: {email}",
              "you can reply to {email}", "(ordered with {email})"],
    "phone": ["call me on {phone} if that's easier", "my number is {phone}",
              "text me at {phone}", "phone on the order is {phone}"],
    "address": ["I'm at {address}", "it was going to {address}", "delivery address is "
                "{address}"],
    "card": ["the card I used is {card}", "refund it to {card} please", "card was {card} if "
             "that helps"],
}
PII_KIND_WEIGHTS = {"email": 50, "phone": 36, "address": 14, "card": 0}
CARD_INTENTS = frozenset({"payment_failed", "refund_status", "cancel_order"})
PII_RATE = {"first": 0.17, "later": 0.19}  # chance of an extra PII snippet per message

SIGNAL_SOURCES = {"chat": "chat-widget", "email": "email-footer"}
ESCALATION_QUEUES = {"damage_claim": "claims", "warranty_review": "claims",
                     "missing_package": "claims"}
COMPLAINT_REASONS = {
    "stale_return_window": "told 30-day returns; return refused outside the 14-day window",
    "old_price": "quoted price did not match checkout",
    "expired_code_accepted": "told an expired promo code would work",
    "wrong_shipping_info": "order arrived later than the delivery time quoted",
    "contradicts_tool_result": "told the order had shipped when it had not",
    "service": "unhappy with the support experience",
}
REVIEW_NOTES = {
    "stale_return_window": "Quoted the 30-day window; policy is 14 days since Nov 1.",
    "old_price": "Quoted the pre-Nov-1 price.",
    "expired_code_accepted": "Said FALLCAMP20 was valid after it ended.",
    "wrong_shipping_info": "Standard shipping is 4-7 business days, not 2-3.",
    "contradicts_tool_result": "lookup_order said processing; answer said shipped.",
}


# ================================================================================== model


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


class Writer:
    """Writes one conversation message by message, keeping the clock and the bookkeeping."""

    def __init__(self, plan: Plan, rng: random.Random, stats: Stats) -> None:
        self.plan, self.rng, self.stats = plan, rng, stats
        self.ctx = make_context(plan, rng)
        self.now = plan.start
        self.messages: list[dict[str, Any]] = []
        self.times: list[datetime] = []
        self.key_ai: int | None = None
        self.links: list[tuple[int, str]] = []
        self.human_request_index: int | None = None
        self.handoff_index: int | None = None
        self.first_human_index: int | None = None
        self.escalation_reason: str | None = None
        self.abandon_stage = "after_answer"
        self.opener_template = ""
        self.opener_has_order = False
        self.done = False  # the answer already closed the conversation
        self.return_started = False
        self.refund_due: float | None = None
        self.in_stock = True

    def fill(self, template: str) -> str:
        return template.format(**self.ctx)

    def _push(self, message: dict[str, Any]) -> int:
        message["sent_at"] = iso(self.now)
        self.messages.append(message)
        self.times.append(self.now)
        return len(self.messages) - 1

    def _wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(1, round(seconds)))

    # ------------------------------------------------------------------ customer messages

    def customer(self, template: str, *, opener: bool = False, chatter: bool = False) -> int:
        plan, rng = self.plan, self.rng
        if self.messages:
            self._wait(rng.triangular(*CUSTOMER_THINK_S[plan.channel]))
        natural = [k for k in ("email", "phone", "address", "card") if f"{{{k}}}" in template]
        text = self.style(self.fill(template), opener)
        extra = None if chatter else self.pii_snippet(opener, bool(natural))
        if extra:
            natural.append(extra[0])
            text = attach(text, extra[1])
        if plan.channel == "email" and plan.language == "en":
            text, signed = self.email_wrap(text, opener)
            natural += signed
        self.stats.customer_messages += 1
        if natural:
            self.stats.pii_messages += 1
            for kind in natural:
                self.stats.pii[self.pii_label(kind)] += 1
        return self._push({"role": "customer", "text": text})

    def pii_label(self, kind: str) -> str:
        if kind == "phone":
            return PHONE_LABELS.get(self.plan.locale, "phone (EU)")
        return PII_LABELS[kind]

    def style(self, text: str, opener: bool) -> str:
        plan, rng = self.plan, self.rng
        if plan.language != "en":
            return text
        greeted = text.lower().startswith(("hi", "hello", "hey", "good", "hola", "hallo"))
        opener = opener and plan.previous is None  # follow-ups have their own opening words
        if opener and plan.mood == "polite" and not greeted and plan.channel != "email":
            text = rng.choice(POLITE_PREFIXES) + text
        if opener and plan.mood == "angry":
            text = rng.choice(ANGRY_PREFIXES) + text.rstrip(".") + rng.choice(["", "!!", "!"])
        lower = {"sms": 0.45, "whatsapp": 0.4, "chat": 0.2, "email": 0.03}[plan.channel]
        if plan.mood == "terse":
            lower += 0.4
        if rng.random() < lower:
            text = text.lower()
        if plan.mood == "terse":
            text = text.rstrip(".!")
        if plan.channel != "email" and rng.random() < 0.16:
            text = add_typo(text, rng)
        return text

    def pii_snippet(self, opener: bool, has_pii: bool) -> tuple[str, str] | None:
        rate = PII_RATE["first" if opener else "later"]
        if has_pii or self.plan.language != "en" or self.rng.random() >= rate:
            return None
        weights = dict(PII_KIND_WEIGHTS)
        if self.plan.intent in CARD_INTENTS:
            weights["card"] = 25  # people paste card numbers where payment comes up
        kind = weighted(self.rng, weights)
        return kind, self.fill(self.rng.choice(PII_SNIPPETS[kind]))

    def email_wrap(self, text: str, opener: bool) -> tuple[str, list[str]]:
        first = self.ctx["first"]
        if not opener:
            return f"{text}\n\n{first}", []
        greeting = self.rng.choice(["Hi,", "Hello,", "Hi there,", "To whom it may concern,"])
        if self.rng.random() < 0.2:
            return f"{greeting}\n\n{text}\n\nThanks,\n{first}\n{self.ctx['phone']}", ["phone"]
        return f"{greeting}\n\n{text}\n\nThanks,\n{first}", []

    # ------------------------------------------------------------- ai and human messages

    def ai(self, text: str, citations: Sequence[dict[str, str]] = (),
           tool_calls: Sequence[dict[str, Any]] = (), *, key: bool = False) -> int:
        plan, rng = self.plan, self.rng
        mode = 1300 if plan.agent_version == "v1" else 900
        tools_ms = sum(float(call["latency_ms"]) for call in tool_calls)
        latency = min(4000.0, rng.triangular(300, 3600, mode) + tools_ms)
        calls = list(tool_calls)
        if calls and plan.channel == "chat" and rng.random() < 0.15:
            self._wait(tools_ms / 1000)  # logged as a separate tool message instead
            result = {"tool": calls[0]["name"], "result": calls[0]["result"]}
            self._push({"role": "tool", "text": json.dumps(result, ensure_ascii=False)})
            calls = []
        self._wait(latency / 1000)
        if plan.channel == "email" and plan.language == "en":
            text = f"Hi {self.ctx['first']},\n\n{text}{EMAIL_SIGN_OFF}"
        message: dict[str, Any] = {"role": "ai", "text": text, "latency_ms": round(latency)}
        if citations:
            message["citations"] = list(citations)
        if calls:
            message["tool_calls"] = calls
        index = self._push(message)
        if key:
            self.key_ai = index
        self.links += [(index, link_for(c)) for c in citations if c["source"] != "order"]
        return index

    def human(self, text: str, *, greet: bool = True) -> int:
        plan, rng = self.plan, self.rng
        low, high, mode = HUMAN_WAIT_S[plan.channel]
        factor = 1.6 if self.first_human_index is None else 1.0  # queue wait after a handoff
        before = self.now
        self._wait(rng.triangular(low, high, mode) * factor)
        if not in_shift(self.now):
            self.now = next_shift(self.now) + timedelta(seconds=rng.randint(300, 5400))
        wait = (self.now - before).total_seconds()
        if greet and self.first_human_index is None:
            text = self.fill(rng.choice(HUMAN_GREETINGS)) + text
        if plan.channel == "email":
            text = f"{text}\n\n{self.ctx['agent']}\nJuniper & Pine Customer Care"
        index = self._push({"role": "human", "text": text, "latency_ms": round(wait * 1000)})
        if self.first_human_index is None:
            self.first_human_index = index
        return index

    def ask_human(self, template: str) -> int:
        index = self.customer(template, chatter=True)
        self.human_request_index = index
        return index


# ========================================================================== intent answers


def order_cite(order: Order) -> dict[str, str]:
    return {"source": "order", "id": order.number}


def lookup(w: Writer, order: Order) -> dict[str, Any]:
    status = order.status(w.now)
    result: dict[str, Any] = {"status": status, "carrier": order.carrier}
    if status != "processing":
        result["tracking_number"] = order.tracking
    result["estimated_delivery"] = order.delivered_at.date().isoformat()
    return tool("lookup_order", {"order_number": order.number}, result, w.rng)


def need_order(w: Writer) -> bool:
    """Ask for the order number unless the customer gave it; False if they never answer."""
    if w.opener_has_order:
        return True
    index = w.ai(w.rng.choice(ASK_ORDER), key=True)
    if w.plan.outcome == "abandoned" and w.plan.handled_by == "ai" and w.rng.random() < 0.45:
        w.abandon_stage = "awaiting_order_number"
        w.key_ai = index
        return False
    w.customer(w.rng.choice(ORDER_REPLIES))
    w.opener_has_order = True
    return True


def the_order(w: Writer) -> Order:
    assert w.plan.order is not None, f"{w.plan.intent} needs an order"
    return w.plan.order


TRACK_TEXTS = {
    "processing": ["Order #{order} is being packed at our Portland warehouse and should ship "
                   "within 1 business day. You'll get a tracking email as soon as it leaves.",
                   "It hasn't shipped yet: order #{order} is in the packing queue and should "
                   "go out within 1 business day."],
    "shipped": ["Order #{order} shipped with {carrier} on {ship_date} (tracking {tracking}). "
                "{carrier} expects to deliver it on {eta}."],
    "in_transit": ["Order #{order} is on its way with {carrier}, tracking number {tracking}. "
                   "The current estimate is {eta}.",
                   "Good news: #{order} is in transit with {carrier} and due on {eta}. You can "
                   "follow it with tracking number {tracking}."],
    "out_for_delivery": ["Order #{order} is out for delivery with {carrier} today!"],
    "delivered": ["{carrier} shows order #{order} as delivered on {delivered}. If you can't "
                  "find it, check with neighbours or your mailroom, and let me know if it "
                  "hasn't turned up within 48 hours."],
}
WRONG_SHIPPED = ("Good news: order #{order} has shipped with {carrier} and should arrive by "
                 "{eta}. You'll get the tracking link by email shortly.")


def answer_track_order(w: Writer) -> bool:
    if not need_order(w):
        return False
    order = the_order(w)
    call = lookup(w, order)
    if w.plan.planted == "contradicts_tool_result":
        text = WRONG_SHIPPED  # the lookup says "processing"
    else:
        text = w.rng.choice(TRACK_TEXTS[call["result"]["status"]])
    w.ai(w.fill(text), [article("order-tracking", w.now), order_cite(order)], [call], key=True)
    return True


RETURN_POLICY = ("You can return unused items within {window} days of delivery for a full "
                 "refund, and exchanges are free. Start a return at juniperandpine.example/"
                 "returns with your order number and email; US returns include a prepaid label.")
POLICY_QUESTION_WORDS = ("policy", "window", "How many days", "how do I return")
RETURN_OK = ["Order #{order} was delivered on {delivered}, so you're within our {window}-day "
             "return window. I've started a return for the {nick}: a prepaid {carrier} label "
             "is on its way to your email, and the refund takes 5-10 business days once it "
             "reaches us.",
             "No problem! Returns are accepted within {window} days of delivery and yours "
             "arrived on {delivered}. I've emailed you a prepaid label for the {nick} "
             "(return {rma})."]
RETURN_LATE = ("I'm sorry: order #{order} was delivered on {delivered}, which is outside our "
               "{window}-day return window. If something is wrong with the {nick}, it may be "
               "covered by our 2-year warranty. Want me to check that?")


def answer_return_request(w: Writer) -> bool:
    stale = w.plan.planted == "stale_return_window"
    window = 30 if w.now < CHANGEOVER or stale else 14
    policy = article("returns-policy", CHANGEOVER - timedelta(days=1) if stale else w.now)
    w.ctx["window"] = window
    asks_policy = any(k in w.opener_template for k in POLICY_QUESTION_WORDS)
    if not w.opener_has_order and asks_policy:
        w.ai(w.fill(RETURN_POLICY), [policy], key=True)
        return True
    if not need_order(w):
        return False
    order = the_order(w)
    calls = [lookup(w, order)]
    days = (w.now - order.delivered_at).days
    if days <= window:
        w.ctx["rma"] = f"RMA-{w.rng.randint(200000, 899999)}"
        calls.append(tool("create_return", {"order_number": order.number,
                                            "sku": w.plan.product.sku},
                          {"rma": w.ctx["rma"], "label_emailed": True}, w.rng))
        w.return_started = True
        text = w.rng.choice(RETURN_OK)
    else:
        text = RETURN_LATE
    w.ai(w.fill(text), [policy, order_cite(order)], calls, key=True)
    return True


def answer_refund_status(w: Writer) -> bool:
    if not need_order(w):
        return False
    order = the_order(w)
    amount = w.plan.product.price_at(order.placed)
    state = w.rng.choices(["issued", "inspecting", "awaiting"], weights=[50, 30, 20])[0]
    issued = (w.now - timedelta(days=w.rng.uniform(1, 6))).date()
    w.ctx.update(amount=money(amount), issued=day_text(issued))
    if state == "issued":
        result: dict[str, Any] = {"refund_status": "issued", "amount": amount,
                                  "issued_on": issued.isoformat()}
        text = ("Your refund of {amount} for order #{order} was issued on {issued}. Banks "
                "usually take 5-10 business days to show it on your statement.")
    elif state == "inspecting":
        result = {"refund_status": "pending_inspection", "amount": amount}
        text = ("We've received your return for order #{order} and it's being inspected. "
                "Refunds go out within 3 business days of that, so you should see {amount} "
                "back soon.")
        w.refund_due = amount
    else:
        result = {"refund_status": "awaiting_return"}
        text = ("We haven't received the return for order #{order} yet. Once it's scanned in "
                "at our warehouse, the refund is issued within 3 business days.")
        w.refund_due = amount
    call = tool("get_refund_status", {"order_number": order.number}, result, w.rng)
    w.ai(w.fill(text), [article("refund-timing", w.now), order_cite(order)], [call], key=True)
    return True


def answer_cancel_order(w: Writer) -> bool:
    if not need_order(w):
        return False
    order = the_order(w)
    calls = [lookup(w, order)]
    if calls[0]["result"]["status"] == "processing":
        calls.append(tool("cancel_order", {"order_number": order.number}, {"cancelled": True},
                          w.rng))
        text = ("Done: order #{order} is cancelled. The {total} authorization drops off your "
                "card within 3-5 business days.")
        w.refund_due = order.total
    else:
        text = ("Order #{order} already shipped with {carrier} on {ship_date}, so I can't "
                "cancel it anymore. Once it arrives you can return it within {window} days of "
                "delivery for a full refund.")
    w.ai(w.fill(text), [article("cancel-or-change", w.now), order_cite(order)], calls, key=True)
    return True


def answer_change_address(w: Writer) -> bool:
    if not need_order(w):
        return False
    if "{address}" not in w.opener_template:
        w.ai("Sure. What's the new shipping address?")
        w.customer(w.rng.choice(ADDRESS_REPLIES))
    order = the_order(w)
    calls = [lookup(w, order)]
    if calls[0]["result"]["status"] == "processing":
        calls.append(tool("update_address", {"order_number": order.number,
                                             "address": w.ctx["address"]},
                          {"updated": True}, w.rng))
        text = ("All set: order #{order} will now ship to the new address. You'll get a "
                "confirmation email in a few minutes.")
    else:
        text = ("Order #{order} already left our warehouse with {carrier}, so I can't change it "
                "on our side. You can request a redirect on {carrier}'s site with tracking "
                "number {tracking}.")
    w.ai(w.fill(text), [article("cancel-or-change", w.now), order_cite(order)], calls, key=True)
    return True


def answer_damaged_item(w: Writer) -> bool:
    if not need_order(w):
        return False
    order = the_order(w)
    w.ai(w.fill("I'm so sorry the {nick} arrived damaged! Could you send a photo of the damage "
                "and the box? As soon as we have it we'll send a free replacement or a "
                "refund, whichever you prefer."),
         [article("damaged-items", w.now), order_cite(order)], key=True)
    if w.plan.handled_by == "ai" and w.plan.outcome == "resolved":
        reply = w.rng.choice(["ok just sent the photo", "Photo attached. Replacement please.",
                              "sent! id prefer a refund tbh"])
        w.customer(reply)
        if "refund" in reply:
            w.refund_due = w.plan.product.price_at(order.placed)
            text = "Thanks! I've refunded {price} to your original payment method."
        else:
            text = ("Thanks, got it. A replacement {nick} ships tomorrow by expedited "
                    "shipping, and you can keep or recycle the damaged one.")
        call = tool("create_replacement", {"order_number": order.number,
                                           "sku": w.plan.product.sku},
                    {"ok": True}, w.rng)
        w.ai(w.fill(text), tool_calls=[call])
    return True


def answer_missing_item(w: Writer) -> bool:
    if not need_order(w):
        return False
    order = the_order(w)
    call = lookup(w, order)
    if w.rng.random() < 0.5:
        call["result"]["packages"] = 2
        text = ("Your order shipped in two boxes, and the {nick} is in the second one (tracking "
                "{tracking2}). It should arrive by {eta2}.")
    else:
        text = ("I'm sorry, the {nick} should have been in that box. I've sent a replacement "
                "by expedited shipping; you'll get tracking by email today.")
    w.ai(w.fill(text), [article("missing-items", w.now), order_cite(order)], [call], key=True)
    return True


def answer_product_question(w: Writer) -> bool:
    product = w.plan.product
    if w.plan.price_question:
        wrong = w.plan.planted == "old_price"
        when = CHANGEOVER - timedelta(days=1) if wrong else w.now
        quoted = money(product.price_at(when))
        note = ""
        if not wrong and w.now >= CHANGEOVER and product.price_nov < product.price:
            note = f" (down from {money(product.price)} before Nov 1)"
        text = f"The {product.name} ({product.sku}) is {quoted} right now{note}."
        w.ai(text, [product_cite(product, when)], key=True)
    else:
        text = w.ctx["answer"] + w.rng.choice(["", " Anything else you'd like to know?"])
        w.ai(text, [product_cite(product, w.now)], key=True)
    return True


def answer_sizing_help(w: Writer) -> bool:
    product = w.plan.product
    w.ai(w.fill(SIZING_ANSWERS[product.category]),
         [article("size-guide", w.now), product_cite(product, w.now)], key=True)
    return True


def answer_stock_availability(w: Writer) -> bool:
    product = w.plan.product
    wrong = w.plan.planted == "old_price"
    w.in_stock = wrong or w.rng.random() < 0.6
    when = CHANGEOVER - timedelta(days=1) if wrong else w.now
    if w.in_stock:
        qty = w.rng.randint(3, 60)
        result: dict[str, Any] = {"in_stock": True, "quantity": qty}
        text = (f"Yes, the {product.name} is in stock ({qty} left) at "
                f"{money(product.price_at(when))}. Orders before 1pm ET ship the same day.")
    else:
        result = {"in_stock": False, "restock_eta": w.ctx["restock_date"].isoformat()}
        text = w.fill("The {name} is sold out right now; we expect more on {restock}. Want me "
                      "to sign you up for a restock email?")
    call = tool("check_inventory", {"sku": product.sku}, result, w.rng)
    w.ai(text, [product_cite(product, when)], [call], key=True)
    return True


SHIPPING_TEXTS = {
    "en-US": "Standard shipping is 4-7 business days and free on orders over $75 (otherwise "
             "$7.95). Expedited is 2-3 business days for $19.95. Orders leave our Portland "
             "warehouse within 1 business day.",
    "en-GB": "We ship to the UK with Royal Mail or DPD: 7-12 business days, $25 flat, with "
             "duties and VAT included at checkout.",
}
WRONG_SHIPPING_TEXTS = {
    "en-US": "Standard shipping takes 2-3 business days and is free on every order. Orders "
             "leave our Portland warehouse within 1 business day.",
    "en-GB": "UK delivery takes 3-5 business days with Royal Mail, $25 flat.",
}


def answer_shipping_time(w: Writer) -> bool:
    table = WRONG_SHIPPING_TEXTS if w.plan.planted == "wrong_shipping_info" else SHIPPING_TEXTS
    w.ai(table[w.plan.locale], [article("shipping-times", w.now)], key=True)
    return True


def current_promos(when: datetime) -> str:
    if when < FALL_SALE_END:
        return ("FALLCAMP20 gives 20% off orders over $100 until Oct 31, and newsletter "
                "sign-ups get WELCOME10 on their first order.")
    if when < HOLIDAY_SALE_START:
        return ("There's no site-wide sale right now, but WELCOME10 gives 10% off a first order "
                "and our holiday sale starts Nov 16.")
    return "PINE15 takes 15% off orders over $150 until Nov 30, and WELCOME10 gives 10% off a "\
           "first order."


def discount_text(w: Writer) -> tuple[str, datetime]:
    """The answer and the date of the promo article it (really or supposedly) reflects."""
    code, now, opener = w.plan.code, w.now, w.opener_template
    if w.plan.planted == "expired_code_accepted":
        return ("FALLCAMP20 is valid: 20% off orders over $100. Make sure there's no space at "
                "the end when you paste it.", CHANGEOVER - timedelta(days=1))
    if "already placed" in opener:
        return (f"Codes can only be applied at checkout, so I can't add {code} to order "
                "#{order}. Our team can refund the difference if it's within 7 days of "
                "ordering.", now)
    if code == "FALLCAMP20" and now < FALL_SALE_END:
        return ("FALLCAMP20 takes 20% off orders over $100 until Oct 31. Your cart needs to be "
                "$100 or more before tax and shipping, and it doesn't stack with other codes.",
                now)
    if code == "FALLCAMP20":
        return "Sorry, FALLCAMP20 was our fall sale and it ended on Oct 31. " + current_promos(
            now), now
    if code == "WELCOME10":
        return ("WELCOME10 works on a first order only, with the email you used to sign up. "
                "If that's you and it still fails, tell me and I'll take a look.", now)
    if code == "PINE15":
        return ("PINE15 takes 15% off orders over $150 through Nov 30, so your cart needs to "
                "reach $150 before tax.", now)
    if "newsletter" in opener:
        return ("The welcome code can take an hour to arrive, so check your promotions folder. "
                "It's WELCOME10, good for 10% off your first order.", now)
    if "student" in opener:
        return ("We don't have a student discount, but we do offer 10% off for military and "
                "first responders after a quick ID check at checkout.", now)
    return current_promos(now), now


def answer_discount_code(w: Writer) -> bool:
    text, when = discount_text(w)
    w.ai(w.fill(text), [article("promo-codes", when)], key=True)
    return True


def answer_gift_card_balance(w: Writer) -> bool:
    cite = [article("gift-cards", w.now)]
    if "two gift cards" in w.opener_template:
        w.ai("Yes! You can use up to 3 gift cards on one order and pay any remainder by card.",
             cite, key=True)
        return True
    balance = float(w.ctx["balance"].lstrip("$").replace(",", ""))
    call = tool("check_gift_card", {"last4": w.ctx["gc4"]},
                {"balance": balance, "currency": "USD"}, w.rng)
    w.ai(w.fill("The gift card ending {gc4} has {balance} left. Gift cards never expire and "
                "work alongside promo codes."), cite, [call], key=True)
    return True


PAYMENT_ADVICE = {
    "PayPal": "PayPal errors usually clear if you log in to PayPal first in the same browser, "
              "or check out as a guest and pick PayPal at the last step.",
    "Apple Pay": "Apple Pay only shows up in Safari on Apple devices with a card in Wallet. "
                 "On other browsers please use a card or PayPal.",
    "charged": "That's a temporary authorization: if no order was created, it drops off "
               "within 3-5 business days and you won't be billed.",
    "": "Most declines come from the card issuer's fraud checks. Make sure the billing ZIP or "
        "postcode matches your card statement, then try again, or use PayPal or Apple Pay.",
}


def answer_payment_failed(w: Writer) -> bool:
    opener = w.opener_template
    prefix = ""
    if "{card}" in opener:
        prefix = ("Please don't share full card numbers here; I can't see or process them, and "
                  "I've flagged your message for removal. ")
    key = next((k for k in PAYMENT_ADVICE if k and k in opener), "")
    w.ai(prefix + PAYMENT_ADVICE[key], [article("payment-problems", w.now)], key=True)
    return True


def answer_warranty_claim(w: Writer) -> bool:
    order = the_order(w)
    w.ai(w.fill("Our 2-year warranty covers defects in materials and workmanship, so a {nick} "
                "bought {months} months ago is covered. Reply with a photo and your order "
                "number and we'll repair or replace it."),
         [article("warranty", w.now)], key=True)
    if w.plan.handled_by == "ai" and w.plan.outcome == "resolved":
        w.customer("photo attached, order {order}")
        call = tool("create_warranty_claim", {"order_number": order.number,
                                              "sku": w.plan.product.sku},
                    {"claim": w.ctx["ticket"], "approved": True}, w.rng)
        w.ai(w.fill("Thanks! Claim {ticket} is approved and a replacement {nick} ships within "
                    "2 business days."), [order_cite(order)], [call])
    return True


def answer_talk_to_human(w: Writer) -> bool:
    plan = w.plan
    w.human_request_index = 0
    contact = [article("contact-us", w.now)]
    if plan.handled_by == "hybrid":
        w.escalation_reason = "customer_request"
        w.handoff_index = w.ai(w.rng.choice(HANDOFFS), contact, key=True)
        return True
    if plan.outcome == "escalated":
        file_ticket(w, key=True)
        w.done = True
        return True
    w.ai("I can get you to a person. Could you tell me what it's about first? I may be "
                 "able to sort it straight away.", contact, key=True)
    if plan.outcome == "abandoned":
        w.abandon_stage = "asked_for_details"
        return False
    assert plan.sub_intent is not None
    w.customer(sub_opener(w))
    w.opener_has_order = True
    return ANSWERS[plan.sub_intent](w)


def sub_opener(w: Writer) -> str:
    assert w.plan.sub_intent is not None
    return w.rng.choice([t for t in OPENERS[w.plan.sub_intent] if "{order}" in t])


ANSWERS: dict[str, Callable[[Writer], bool]] = {
    "track_order": answer_track_order,
    "return_request": answer_return_request,
    "refund_status": answer_refund_status,
    "cancel_order": answer_cancel_order,
    "change_address": answer_change_address,
    "damaged_item": answer_damaged_item,
    "missing_item": answer_missing_item,
    "product_question": answer_product_question,
    "sizing_help": answer_sizing_help,
    "stock_availability": answer_stock_availability,
    "shipping_time": answer_shipping_time,
    "discount_code": answer_discount_code,
    "gift_card_balance": answer_gift_card_balance,
    "payment_failed": answer_payment_failed,
    "warranty_claim": answer_warranty_claim,
    "talk_to_human": answer_talk_to_human,
}

# ================================================================================= flows


def usable(template: str, plan: Plan) -> bool:
    order = plan.order
    if ("{order}" in template or "{nick2}" in template) and order is None:
        return False
    if "{nick2}" in template and order is not None and len(order.items) < 2:
        return False
    if plan.intent == "discount_code" and ("{code}" in template) != bool(plan.code):
        return False
    if plan.planted and "already placed" in template:
        return False
    return all(plan.product.category in cats for key, cats in CATEGORY_ONLY.items()
               if key in template)


def pick_opener(w: Writer) -> str:
    plan, rng = w.plan, w.rng
    if plan.previous is not None and plan.previous.plan.planted and rng.random() < 0.85:
        template = PLANTED_FOLLOW_UPS[plan.previous.plan.planted]
        if usable(template, plan):
            return template
    if plan.intent == "product_question":
        template = rng.choice(PRICE_QUESTIONS)
        if not plan.price_question:
            question, w.ctx["answer"] = rng.choice(plan.product.qa)
            template = rng.choice(QUESTION_WRAPS).format(q=question)
        else:
            w.ctx["answer"] = w.fill("the {name} is {price} right now.")
    elif plan.intent == "sizing_help":
        template = rng.choice(SIZING_OPENERS[plan.product.category])
    else:
        template = rng.choice([t for t in OPENERS[plan.intent] if usable(t, plan)])
    if plan.previous is not None:
        prefixes = [p for p in FOLLOW_UP_PREFIXES if plan.order or "{order}" not in p]
        template = rng.choice(prefixes) + template
    return template


def open_conversation(w: Writer) -> None:
    template = pick_opener(w)
    w.opener_template = template
    w.opener_has_order = "{order}" in template
    w.customer(template, opener=True)


def ai_tail(w: Writer) -> None:
    """After the AI's answer, in an AI-only conversation."""
    plan, rng = w.plan, w.rng
    if plan.outcome == "resolved":
        if rng.random() < 0.2 and len(w.messages) <= 5:
            question, answer, slug = rng.choice(EXTRA_QUESTIONS)
            w.customer(question)
            w.ai(answer, [article(slug, w.now)])
        w.customer(rng.choice(THANKS), chatter=True)
        if rng.random() < 0.5 and plan.channel != "email":
            w.ai(rng.choice(AI_CLOSINGS))
    elif plan.outcome == "escalated":
        w.ask_human(rng.choice(PUSHBACK))
        file_ticket(w)
    elif plan.channel == "chat" and rng.random() < 0.4:
        w.ai(rng.choice(NUDGES))


def file_ticket(w: Writer, *, key: bool = False) -> None:
    reason = "no_agent_available" if in_shift(w.now) else "out_of_hours"
    call = tool("create_ticket", {"queue": "tier1"}, {"ticket": w.ctx["ticket"]}, w.rng)
    w.escalation_reason = reason
    w.handoff_index = w.ai(w.fill(TICKET_TEXTS[reason]), [article("contact-us", w.now)], [call],
                           key=key)


def human_fix(w: Writer, intent: str) -> str:
    planted, order = w.plan.planted, w.plan.order
    fix = HUMAN_FIX[intent]
    if intent == "track_order" and order is not None:
        fix = HUMAN_TRACK_FIX.get(order.status(w.now), fix)
    if w.plan.locale == "en-GB" and intent == "shipping_time":
        fix = "Royal Mail usually takes 7-12 business days to the UK; DPD is quicker at 4-6."
    if planted and (planted == "contradicts_tool_result" or w.rng.random() < 0.75):
        fix = HUMAN_CORRECTIONS[planted] + fix
    return w.fill(fix)


def hybrid_tail(w: Writer) -> None:
    """The AI hands over and a human takes it from there."""
    plan, rng = w.plan, w.rng
    if plan.intent == "talk_to_human":
        assert plan.sub_intent is not None
        w.human("What can I help you with today?")
        if plan.outcome == "abandoned":
            w.abandon_stage = "waiting_for_agent"
            return
        w.customer(sub_opener(w))
        w.human(human_fix(w, plan.sub_intent))
    else:
        if plan.intent in SELF_HANDOFFS and not plan.planted and rng.random() < 0.5:
            w.escalation_reason, text = SELF_HANDOFFS[plan.intent]
            w.handoff_index = w.ai(text)
        else:
            w.ask_human(PLANTED_PUSHBACK.get(plan.planted or "", rng.choice(PUSHBACK)))
            w.escalation_reason = "customer_request"
            w.handoff_index = w.ai(rng.choice(HANDOFFS))
        if plan.outcome == "abandoned":
            w.human(w.fill(HUMAN_STILL_THERE), greet=False)
            w.abandon_stage = "waiting_for_agent"
            return
        w.human(human_fix(w, plan.intent))
    if rng.random() < 0.75:
        w.customer(rng.choice(THANKS), chatter=True)
        if rng.random() < 0.6:
            w.human(w.fill(rng.choice(HUMAN_CLOSINGS)))


HUMAN_QUESTIONS = ["Could you confirm the email address on the order so I can verify it's you?",
                   "Could you send a photo so I can take a look?"]


def human_flow(w: Writer) -> None:
    """A conversation a person handled from the start."""
    plan, rng = w.plan, w.rng
    intent = plan.sub_intent or plan.intent
    if plan.intent == "talk_to_human":
        w.human("What can I help you with today?")
        w.customer(sub_opener(w))
    elif intent in ORDER_INTENTS and not w.opener_has_order and rng.random() < 0.7:
        w.human(HUMAN_ASK_ORDER)
        if plan.outcome == "abandoned":
            w.abandon_stage = "awaiting_order_number"
            return
        w.customer(rng.choice(ORDER_REPLIES))
    if plan.outcome == "abandoned":
        w.human(rng.choice(HUMAN_QUESTIONS))
        w.abandon_stage = "awaiting_details"
        return
    if plan.outcome == "escalated":
        w.escalation_reason = "needs_warehouse"
        w.handoff_index = w.human(HUMAN_ESCALATE)
    else:
        w.human(human_fix(w, intent))
    if rng.random() < 0.8:
        w.customer(rng.choice(THANKS), chatter=True)
        if rng.random() < 0.5:
            w.human(w.fill(rng.choice(HUMAN_CLOSINGS)))


def foreign_answer(w: Writer, words: dict[str, Any]) -> None:
    plan = w.plan
    answers = words["answers"]
    if plan.intent == "track_order":
        order = the_order(w)
        w.ai(w.fill(answers["track_order"]), [article("order-tracking", w.now),
                                              order_cite(order)], [lookup(w, order)], key=True)
    elif plan.intent == "return_request":
        order = the_order(w)
        late = (w.now - order.delivered_at).days > w.ctx["window"]
        w.return_started = not late
        w.ai(w.fill(answers["return_late" if late else "return_ok"]),
             [article("returns-policy", w.now), order_cite(order)], [lookup(w, order)],
             key=True)
    elif plan.intent == "shipping_time":
        w.ai(answers["shipping_time"], [article("shipping-times", w.now)], key=True)
    else:
        w.ai(w.fill(answers["sizing_help"]), [article("size-guide", w.now),
                                              product_cite(plan.product, w.now)], key=True)


def foreign_flow(w: Writer) -> None:
    """Spanish and German conversations: fewer branches, same shape."""
    plan, rng = w.plan, w.rng
    words = FOREIGN[plan.language]
    options = [t for t in words["openers"][plan.intent] if plan.order or "{order}" not in t]
    w.opener_template = rng.choice(options)
    w.customer(w.opener_template, opener=True)
    foreign_answer(w, words)
    if plan.handled_by == "hybrid":
        w.ask_human(rng.choice(words["human_request"]))
        w.escalation_reason = "customer_request"
        w.handoff_index = w.ai(words["handoff"])
        w.human(w.fill(words["human_fix"]), greet=False)
        w.customer(rng.choice(words["thanks"]))
        w.human(w.fill(words["human_close"]))
    elif plan.outcome == "resolved":
        w.customer(rng.choice(words["thanks"]))
        if rng.random() < 0.5:
            w.ai(rng.choice(words["closing"]))


# ========================================================================== the records


def confidence_for(plan: Plan, opener: str, rng: random.Random) -> float:
    base = INTENT_CONFIDENCE[plan.intent]
    if len(opener) < 22:
        base -= 0.14
    if plan.mood == "terse":
        base -= 0.05
    if plan.language != "en":
        base -= 0.06
    return round(min(0.99, max(0.2, base + rng.uniform(-0.08, 0.06))), 2)


def csat_for(plan: Plan, rng: random.Random) -> int | None:
    if rng.random() >= CSAT_RATE[plan.outcome]:
        return None
    weights = CSAT_WEIGHTS["wrong" if plan.planted else plan.outcome]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def tags_for(plan: Plan, rng: random.Random) -> list[str]:
    tags = []
    if plan.customer.vip and not plan.anonymous:
        tags.append("vip")
    giftish = plan.intent in ("gift_card_balance", "shipping_time", "stock_availability",
                              "product_question", "discount_code")
    if plan.start >= datetime(2026, 11, 9, tzinfo=UTC) and rng.random() < (0.5 if giftish
                                                                             else 0.08):
        tags.append("holiday")
    if plan.previous is not None:
        tags.append("repeat-contact")
    if plan.locale != "en-US":
        tags.append("international")
    if plan.intent in ("damaged_item", "missing_item", "warranty_claim") and (
            plan.handled_by != "ai"):
        tags.append("claims")
    if rng.random() < 0.04:
        tags.append("first-order")
    return tags


def metadata_for(plan: Plan, rng: random.Random) -> dict[str, Any]:
    meta: dict[str, Any] = {"locale": plan.locale}
    if plan.channel == "chat":
        if plan.intent in SALES_INTENTS:
            page = plan.product.slug
        elif plan.intent in ORDER_INTENTS:
            page = rng.choice(["/account/orders", "/help", "/"])
        else:
            page = rng.choice(["/help", "/checkout", "/"])
        if rng.random() < 0.75:
            meta["page"] = page
        meta["device"] = weighted(rng, {"mobile": 58, "desktop": 38, "tablet": 4})
    elif plan.channel == "email":
        meta["inbox"] = "help@juniperandpine.example"
    if rng.random() < 0.08:
        meta["utm_source"] = rng.choice(["newsletter", "instagram", "google"])
    return meta


def build(plan: Plan, rng: random.Random, stats: Stats) -> Built:
    w = Writer(plan, rng, stats)
    if plan.language != "en":
        foreign_flow(w)
    else:
        open_conversation(w)
        if plan.handled_by == "human":
            human_flow(w)
        elif ANSWERS[plan.intent](w) and not w.done:
            (hybrid_tail if plan.handled_by == "hybrid" else ai_tail)(w)
    assert 2 <= len(w.messages) <= 10, (plan.intent, plan.handled_by, len(w.messages))
    linger = timedelta(minutes=15) if plan.outcome == "abandoned" else timedelta(
        seconds=rng.randint(5, 90))
    ended = w.times[-1] + linger
    record: dict[str, Any] = {"external_id": "", "channel": plan.channel}
    if not plan.anonymous:
        record["customer_id"] = plan.customer.id
    record.update(started_at=iso(plan.start), ended_at=iso(ended), handled_by=plan.handled_by)
    if plan.handled_by != "human":
        record.update(agent_version=plan.agent_version, intent=plan.intent,
                      confidence=confidence_for(plan, w.messages[0]["text"], rng))
    record["outcome"] = plan.outcome
    csat = csat_for(plan, rng)
    if csat is not None:
        record["csat"] = csat
    record["language"] = plan.language
    tags = tags_for(plan, rng)
    if tags:
        record["tags"] = tags
    record["metadata"] = metadata_for(plan, rng)
    record["messages"] = w.messages
    return Built(plan, record, w.times, w.key_ai, w.links, w.human_request_index,
                 w.handoff_index, w.first_human_index, w.escalation_reason, w.abandon_stage,
                 w.return_started, w.refund_due, w.in_stock, ended)


# ================================================================================ signals

Signal = dict[str, Any]


def signal(kind: str, b: Built, when: datetime, *, value: float | None = None,
           message_index: int | None = None, source: str = "helpdesk",
           context: dict[str, Any] | None = None) -> Signal:
    out: Signal = {"type": kind, "conversation_id": b.external_id}
    if message_index is not None:
        out["message_index"] = message_index
    if value is not None:
        out["value"] = value
    out.update(occurred_at=max(when, b.plan.start + timedelta(seconds=1)), source=source)
    if context:
        out["context"] = context
    return out


def widget(b: Built) -> str:
    return "chat-widget" if b.plan.channel == "chat" else "helpdesk"


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def csat_signals(b: Built, rng: random.Random) -> list[Signal]:
    score = b.record.get("csat")
    if score is None:  # a few late survey answers the conversation record never got
        if b.plan.outcome == "abandoned" or rng.random() >= 0.04:
            return []
        score = rng.choices([1, 2, 3, 4, 5], weights=CSAT_WEIGHTS[b.plan.outcome])[0]
    return [signal("csat", b, b.ended + minutes(rng, 3, 2880), value=score, source="survey")]


def thumbs_signals(b: Built, rng: random.Random) -> list[Signal]:
    source = SIGNAL_SOURCES.get(b.plan.channel)
    wrong = b.plan.planted is not None
    if source is None or b.key_ai is None or rng.random() >= (0.7 if wrong else 0.24):
        return []
    down = 0.8 if wrong else {"resolved": 0.12, "escalated": 0.65, "abandoned": 0.5}[
        b.plan.outcome]
    value = -1 if rng.random() < down else 1
    when = b.times[b.key_ai] + timedelta(seconds=rng.uniform(4, 180))
    return [signal("thumbs", b, when, value=value, message_index=b.key_ai, source=source)]


def human_request_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.human_request_index is None:
        return []
    i = b.human_request_index
    return [signal("human_request", b, b.times[i], message_index=i, source=widget(b))]


def escalation_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.handoff_index is None or b.escalation_reason is None:
        return []
    reason = b.escalation_reason
    context = {"reason": reason, "queue": ESCALATION_QUEUES.get(reason, "tier1")}
    return [signal("escalation", b, b.times[b.handoff_index], message_index=b.handoff_index,
                   context=context)]


def repeat_contact_signals(b: Built, rng: random.Random) -> list[Signal]:
    previous = b.plan.previous
    if previous is None:
        return []
    return [signal("repeat_contact", b, b.plan.start + timedelta(seconds=2),
                   value=b.plan.gap_hours,
                   context={"previous_conversation_id": previous.external_id})]


def resolution_signals(b: Built, rng: random.Random) -> list[Signal]:
    outcome, wrong = b.plan.outcome, b.plan.planted is not None
    rate = {"resolved": 0.18, "escalated": 0.12, "abandoned": 0.06}[outcome]
    if rng.random() >= rate:
        return []
    if outcome == "resolved":
        value = 0 if wrong and rng.random() < 0.5 else 1
    else:
        value = 0 if rng.random() < 0.75 else 1
    return [signal("resolution", b, b.ended + minutes(rng, 1, 30), value=value,
                   source=widget(b))]


def abandonment_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.plan.outcome != "abandoned":
        return []
    return [signal("abandonment", b, b.ended, source=widget(b),
                   context={"stage": b.abandon_stage})]


def agent_edit_signals(b: Built, rng: random.Random) -> list[Signal]:
    i = b.first_human_index
    rate = {"hybrid": 0.35, "human": 0.15, "ai": 0.0}[b.plan.handled_by]
    if i is None or rng.random() >= rate:
        return []
    share = rng.uniform(0.6, 1.0) if b.plan.planted else rng.betavariate(2, 5)
    return [signal("agent_edit", b, b.times[i], value=round(share, 2), message_index=i)]


def commerce_signals(b: Built, rng: random.Random) -> list[Signal]:
    """Orders, returns and refunds that followed the conversation (from the shop's events)."""
    plan, out = b.plan, []
    if plan.intent in SALES_INTENTS and plan.outcome == "resolved" and b.in_stock and (
            rng.random() < 0.45):
        amount = plan.product.price_at(b.ended) * rng.choice([1, 1, 1, 2])
        if rng.random() < 0.3:
            amount += rng.choice(PRODUCTS).price_at(b.ended)
        context = {"order_number": str(rng.randint(14000, 14999)), "sku": plan.product.sku}
        out.append(signal("conversion", b, b.ended + minutes(rng, 4, 2880),
                          value=round(amount, 2), source="shop-events", context=context))
    order = plan.order
    if b.return_started and order is not None:
        amount = plan.product.price_at(order.placed)
        returned = b.ended + timedelta(days=rng.uniform(1, 4))
        context = {"order_number": order.number, "sku": plan.product.sku}
        if plan.planted == "stale_return_window" and (returned - order.delivered_at).days > 14:
            reason = COMPLAINT_REASONS["stale_return_window"]
            out.append(signal("complaint", b, returned, context={"reason": reason,
                                                                 "via": "email"}))
            return out
        out.append(signal("return", b, returned, value=amount, source="shop-events",
                          context=context))
        if rng.random() < 0.55:
            out.append(signal("refund", b, returned + timedelta(days=rng.uniform(6, 12)),
                              value=amount, source="shop-events", context=context))
    elif b.refund_due and order is not None:
        out.append(signal("refund", b, b.ended + timedelta(days=rng.uniform(0.2, 5)),
                          value=round(b.refund_due, 2), source="shop-events",
                          context={"order_number": order.number}))
    return out


def click_signals(b: Built, rng: random.Random) -> list[Signal]:
    source = SIGNAL_SOURCES.get(b.plan.channel)
    if source is None or not b.links or rng.random() >= 0.14:
        return []
    index, url = rng.choice(b.links)
    return [signal("click", b, b.times[index] + timedelta(seconds=rng.uniform(5, 240)),
                   message_index=index, source=source, context={"url": url})]


def complaint_signals(b: Built, rng: random.Random) -> list[Signal]:
    plan = b.plan
    if plan.planted and plan.planted != "stale_return_window" and rng.random() < 0.3:
        reason = COMPLAINT_REASONS[plan.planted]
    elif plan.mood == "angry" and plan.outcome != "resolved" and rng.random() < 0.15:
        reason = COMPLAINT_REASONS["service"]
    else:
        return []
    via = rng.choice(["email", "phone", "review-site"])
    return [signal("complaint", b, b.ended + timedelta(hours=rng.uniform(1, 72)),
                   context={"reason": reason, "via": via})]


SIGNAL_MAKERS: list[Callable[[Built, random.Random], list[Signal]]] = [
    csat_signals, thumbs_signals, human_request_signals, escalation_signals,
    repeat_contact_signals, resolution_signals, abandonment_signals, agent_edit_signals,
    commerce_signals, click_signals, complaint_signals,
]


def review_label_signals(built: list[Built], rng: random.Random) -> list[Signal]:
    """A reviewer's verdicts on three answers: two planted errors and one correct answer."""
    picks: list[tuple[Built, str, str]] = []
    for kind in ("stale_return_window", "contradicts_tool_result"):
        found = next((b for b in built if b.plan.planted == kind and b.key_ai is not None), None)
        if found:
            picks.append((found, "fail", REVIEW_NOTES[kind]))
    correct = [b for b in built if b.plan.handled_by == "ai" and not b.plan.planted
               and b.plan.language == "en" and b.key_ai is not None]
    returns = [b for b in correct if b.plan.intent == "return_request"
               and b.plan.start >= CHANGEOVER]
    if returns:
        picks.append((returns[0], "pass", "Correct 14-day window, cites the current policy."))
    else:
        picks.append((correct[0], "pass", "Accurate and grounded in the cited source."))
    out = []
    for b, label, note in picks:
        context = {"dimension": "accuracy", "label": label, "reviewer": "maria", "note": note}
        out.append(signal("review_label", b, b.ended + timedelta(days=rng.uniform(1, 3)),
                          message_index=b.key_ai, source="review-queue", context=context))
    return out


def make_signals(built: list[Built], rng: random.Random) -> list[Signal]:
    signals = [s for b in built for maker in SIGNAL_MAKERS for s in maker(b, rng)]
    signals += review_label_signals(built, rng)
    signals.sort(key=lambda s: (s["occurred_at"], s["conversation_id"], s["type"]))
    numbered = []
    for i, s in enumerate(signals, 1):
        s["occurred_at"] = iso(s["occurred_at"])
        numbered.append({"external_id": f"sig-{i:06d}", **s})
    return numbered


# ============================================================================ generation


def pick_follow_up_bases(built: list[Built], rng: random.Random) -> list[Built]:
    candidates = [b for b in built if not b.plan.anonymous and b.plan.channel != "email"
                  and (b.plan.intent in ORDER_INTENTS or b.plan.planted)]
    weights = [3.0 if b.plan.planted or b.plan.outcome != "resolved" else 1.0
               for b in candidates]
    chosen: list[Built] = []
    while len(chosen) < N_FOLLOW_UPS * 2 and candidates:
        i = rng.choices(range(len(candidates)), weights=weights)[0]
        chosen.append(candidates.pop(i))
        weights.pop(i)
    return chosen


def generate(rng: random.Random, stats: Stats) -> tuple[list[Built], list[Signal]]:
    assert all(luhn_ok(card) for card in TEST_CARDS)
    customers = make_customers(rng)
    built = [build(new_plan(rng, customers), rng, stats)
             for _ in range(N_CONVERSATIONS - N_FOLLOW_UPS)]
    follow_ups: list[Built] = []
    for base in pick_follow_up_bases(built, rng):
        plan = follow_up_plan(rng, base)
        if plan is not None and len(follow_ups) < N_FOLLOW_UPS:
            follow_ups.append(build(plan, rng, stats))
    if len(follow_ups) != N_FOLLOW_UPS:
        raise SystemExit(f"only {len(follow_ups)} follow-ups fit in the window")
    built = sorted(built + follow_ups, key=lambda b: b.plan.start)
    for i, b in enumerate(built, 1):
        b.record["external_id"] = f"conv-{i:04d}"
    return built, make_signals(built, rng)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


# ============================================================================ validation


def load_schema() -> tuple[Any, Any]:
    try:
        from shopcoach.capture.schema import ConversationIn, SignalIn
    except ImportError:  # run without PYTHONPATH=src
        sys.path.insert(0, str(HERE.parent / "src"))
        from shopcoach.capture.schema import ConversationIn, SignalIn
    return ConversationIn, SignalIn


def validate(conv_path: Path, sig_path: Path) -> tuple[list[dict[str, Any]], list[Signal]]:
    """Re-read both files and check every line; exit non-zero on the first problems."""
    conversation_model, signal_model = load_schema()
    errors: list[str] = []
    conversations = [json.loads(line) for line in conv_path.read_text("utf-8").splitlines()]
    signals = [json.loads(line) for line in sig_path.read_text("utf-8").splitlines()]
    by_id: dict[str, Any] = {}
    for n, obj in enumerate(conversations, 1):
        try:
            conv = conversation_model.model_validate(obj)
        except ValueError as exc:
            errors.append(f"{conv_path.name}:{n}: {exc}")
            continue
        by_id[conv.external_id] = conv
        errors += check_conversation(conv, n)
    sig_ids = set()
    for n, obj in enumerate(signals, 1):
        try:
            sig = signal_model.model_validate(obj)
        except ValueError as exc:
            errors.append(f"{sig_path.name}:{n}: {exc}")
            continue
        sig_ids.add(sig.external_id)
        errors += check_signal(sig, by_id.get(sig.conversation_id), n)
    if len(by_id) != N_CONVERSATIONS:
        errors.append(f"{len(by_id)} distinct conversations, expected {N_CONVERSATIONS}")
    if len(sig_ids) != len(signals):
        errors.append("signal external_ids are not unique")
    if errors:
        print("\n".join(errors[:30]), file=sys.stderr)
        raise SystemExit(f"{len(errors)} validation error(s)")
    return conversations, signals


def check_conversation(conv: Any, n: int) -> list[str]:
    errors = []
    times = [m.sent_at for m in conv.messages]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        errors.append(f"line {n}: message times do not increase")
    if not WINDOW_START <= conv.started_at < WINDOW_END or conv.ended_at >= WINDOW_END:
        errors.append(f"line {n}: outside the window")
    if not 2 <= len(conv.messages) <= 10:
        errors.append(f"line {n}: {len(conv.messages)} messages")
    for m in conv.messages:
        if m.role.value == "ai" and not 300 <= (m.latency_ms or 0) <= 4000:
            errors.append(f"line {n}: ai latency {m.latency_ms}")
    if (conv.handled_by.value == "human") != (conv.agent_version is None):
        errors.append(f"line {n}: agent_version does not match handled_by")
    return errors


def check_signal(sig: Any, conv: Any, n: int) -> list[str]:
    if conv is None:
        return [f"signals line {n}: unknown conversation {sig.conversation_id}"]
    errors = []
    if sig.occurred_at <= conv.started_at:
        errors.append(f"signals line {n}: occurs before its conversation starts")
    if sig.message_index is not None and sig.message_index >= len(conv.messages):
        errors.append(f"signals line {n}: message_index out of range")
    if sig.type.value == "thumbs" and conv.messages[sig.message_index].role.value != "ai":
        errors.append(f"signals line {n}: thumbs on a non-ai message")
    return errors


# =============================================================================== summary

PII_PATTERNS = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "phone (US)": r"(?:\+1 )?\(?\d{3}\)?[ .-]555[ .-]01\d\d",
    "phone (UK)": r"(?:\+44 7700 900\d{3}|07700 900\d{3}|020 7946 0\d{3})",
    "card number": r"\b(?:\d[ -]?){13,16}\b",
}


def print_counts(title: str, counter: Counter[str]) -> None:
    items = ", ".join(f"{k} {v}" for k, v in counter.most_common())
    print(f"{title} ({sum(counter.values())}): {items}")


def summarize(conversations: list[dict[str, Any]], signals: list[Signal], built: list[Built],
              stats: Stats) -> None:
    print_counts("intent (all, incl. human-only)", Counter(b.plan.intent for b in built))
    print_counts("channel", Counter(c["channel"] for c in conversations))
    print_counts("outcome", Counter(c["outcome"] for c in conversations))
    print_counts("handled_by", Counter(c["handled_by"] for c in conversations))
    print_counts("agent_version", Counter(c.get("agent_version", "-") for c in conversations))
    print_counts("language", Counter(c["language"] for c in conversations))
    print_counts("messages by role", Counter(m["role"] for c in conversations
                                             for m in c["messages"]))
    rated = sum("csat" in c for c in conversations)
    print(f"csat on {rated} conversations; {len({c.get('customer_id') for c in conversations})}"
          f" distinct customer ids; {N_FOLLOW_UPS} follow-ups")
    print_counts("signal type", Counter(s["type"] for s in signals))
    print_counts("planted errors", Counter(b.plan.planted for b in built if b.plan.planted))
    print_counts("PII planted (customer messages)", stats.pii)
    share = stats.pii_messages / stats.customer_messages
    print(f"customer messages with PII: {stats.pii_messages}/{stats.customer_messages} "
          f"({share:.0%})")
    text = "\n".join(m["text"] for c in conversations for m in c["messages"]
                     if m["role"] == "customer")
    found = Counter({k: len(re.findall(p, text)) for k, p in PII_PATTERNS.items()})
    print_counts("PII regex cross-check (customer text)", found)
    size = CONVERSATIONS_PATH.stat().st_size
    print(f"{CONVERSATIONS_PATH.name}: {size / 1024:.0f} KiB; {SIGNALS_PATH.name}: "
          f"{SIGNALS_PATH.stat().st_size / 1024:.0f} KiB")


def print_planted(built: list[Built]) -> None:
    kinds = sorted({b.plan.planted for b in built if b.plan.planted})
    for kind in kinds:
        ids = [b.external_id for b in built if b.plan.planted == kind]
        print(f"{kind} ({len(ids)}): {' '.join(ids)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--planted", action="store_true",
                        help="also list the conversations with deliberately wrong answers")
    args = parser.parse_args()
    rng, stats = random.Random(SEED), Stats()
    built, signals = generate(rng, stats)
    write_jsonl(CONVERSATIONS_PATH, [b.record for b in built])
    write_jsonl(SIGNALS_PATH, signals)
    conversations, signals = validate(CONVERSATIONS_PATH, SIGNALS_PATH)
    print(f"wrote {len(conversations)} conversations and {len(signals)} signals; all valid")
    summarize(conversations, signals, built, stats)
    if args.planted:
        print_planted(built)


if __name__ == "__main__":
    main()
