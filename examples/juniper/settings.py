"""Settings of the generated data set: the window, weights, names, places and the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
HERE = Path(__file__).resolve().parent.parent  # examples/
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
