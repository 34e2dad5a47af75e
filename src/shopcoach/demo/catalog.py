"""The Juniper & Pine catalog: product families × models × colours, with planted flaws.

Each :class:`Family` is one small table row (category, nouns, models with prices, colours,
materials, sizes, a handful of feature phrases); :func:`products` crosses them into about 300
products with deterministic weights, stock and descriptions. A few products are then spoiled
on purpose (``FLAWS``) so the knowledge-base hygiene audit has real findings: empty and
too-short descriptions, supplier copy shared by several products, internal jargon in customer
text and products without a category. ``TRAIL_RUNNING`` is the product line that launches in
week 6 of the scenario (``changes.py``); it is not in the shipped catalog file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Family:
    code: str  # SKU prefix part
    category: tuple[str, ...]
    noun: str
    brand: str
    models: tuple[tuple[str, float], ...]  # (model name, price)
    colours: tuple[str, ...]
    materials: tuple[str, ...]
    features: tuple[str, ...]
    sizes: str = ""
    weight_g: tuple[int, int] = (200, 2000)
    purpose: str = "built for long days outside"


FAMILIES: tuple[Family, ...] = (
    Family(
        "TNT",
        ("Camping", "Tents"),
        "Tent",
        "Juniper & Pine",
        (
            ("Switchback UL 1P", 319),
            ("Ridgeline 2P", 289),
            ("Ridgeline 3P", 349),
            ("Cedar Hollow 4P", 429),
            ("Basecamp 6P", 549),
        ),
        ("Forest Green", "Sand", "Slate", "Rust", "Glacier Blue"),
        ("20D ripstop nylon", "68D polyester taffeta", "40D silicone-coated nylon"),
        (
            "Two doors and two vestibules keep gear dry",
            "Colour-coded clips make pitching quick",
            "Fully taped seams and a 1,500 mm fly",
            "Mesh inner for warm nights",
            "Packs into a compression sack with a pole pocket",
        ),
        weight_g=(1100, 6800),
        purpose="a three-season shelter for backpacking and car camping",
    ),
    Family(
        "SLB",
        ("Camping", "Sleeping Bags"),
        "Sleeping Bag",
        "Northfold",
        (
            ("Ember 20°F", 229),
            ("Ember 35°F", 189),
            ("Tamarack 0°F", 349),
            ("Meadow 40°F", 129),
            ("Drift Quilt 30°F", 199),
        ),
        ("Navy", "Ochre", "Charcoal", "Moss", "Plum"),
        (
            "650-fill responsibly sourced down",
            "recycled synthetic insulation",
            "800-fill hydrophobic down",
        ),
        (
            "A contoured hood cinches with one hand",
            "Draft collar and zip baffle block cold air",
            "Full-length two-way zip",
            "Stuff sack and cotton storage sack included",
            "Water-resistant shell fabric",
        ),
        sizes="Regular, Long",
        weight_g=(700, 1900),
        purpose="warm, light and packable",
    ),
    Family(
        "PAD",
        ("Camping", "Sleeping Pads"),
        "Sleeping Pad",
        "Northfold",
        (
            ("Loft Air", 139),
            ("Loft Air Wide", 159),
            ("Foamline", 49),
            ("Cloudrest SI", 119),
            ("Loft Air Insulated", 179),
        ),
        ("Orange", "Teal", "Grey", "Red", "Lime"),
        ("30D ripstop nylon", "closed-cell foam", "recycled polyester"),
        (
            "Inflates in about 12 breaths with the pump sack",
            "Quiet, crinkle-free fabric",
            "Flat valve deflates in seconds",
            "Patch kit included",
        ),
        sizes="Regular, Long",
        weight_g=(350, 900),
        purpose="a comfortable night on any ground",
    ),
    Family(
        "BPK",
        ("Packs", "Backpacks"),
        "Backpack",
        "Juniper & Pine",
        (
            ("Switchback 45L", 199),
            ("Switchback 60L", 249),
            ("Daytrip 28L", 99),
            ("Summit 18L", 69),
            ("Longtrail 70L", 289),
        ),
        ("Charcoal", "Moss", "Burnt Orange", "Black", "Sky"),
        ("210D recycled nylon", "420D pack cloth", "100D ripstop with a PU coating"),
        (
            "Adjustable torso and a ventilated back panel",
            "Hip-belt pockets fit a phone",
            "Hydration sleeve for a 3 L reservoir",
            "Stretch front pocket and side bottle pockets",
            "Removable lid turns into a day pack",
        ),
        sizes="S/M, M/L",
        weight_g=(450, 2100),
        purpose="carries comfortably all day",
    ),
    Family(
        "BOT",
        ("Footwear", "Hiking Boots"),
        "Hiking Boot",
        "Kestrel",
        (
            ("Cairn Mid", 179),
            ("Cairn Low", 159),
            ("Talus GTX", 229),
            ("Scree Light", 139),
            ("Highline Leather", 259),
        ),
        ("Brown", "Black", "Olive", "Grey", "Tan"),
        ("full-grain leather", "nubuck and mesh", "suede with a waterproof membrane"),
        (
            "Lugged rubber outsole grips wet rock",
            "Cushioned EVA midsole",
            "Waterproof, breathable membrane",
            "Padded collar and gusseted tongue",
            "Runs true to size; half sizes available",
        ),
        sizes="US 6, 7, 8, 9, 10, 11, 12, 13",
        weight_g=(800, 1400),
        purpose="stable and comfortable on rough trails",
    ),
    Family(
        "JKT",
        ("Apparel", "Jackets"),
        "Rain Jacket",
        "Juniper & Pine",
        (
            ("Drizzle", 129),
            ("Downpour 3L", 219),
            ("Windward Shell", 99),
            ("Squall Anorak", 149),
            ("Alpine Insulated", 259),
        ),
        ("Navy", "Olive", "Red", "Black", "Mustard"),
        (
            "2.5-layer recycled nylon",
            "3-layer waterproof breathable nylon",
            "ripstop polyester with a DWR finish",
        ),
        (
            "Pit zips for venting on climbs",
            "Helmet-compatible hood",
            "Packs into its own pocket",
            "Adjustable cuffs and hem",
            "Seam-sealed throughout",
        ),
        sizes="XS, S, M, L, XL, XXL",
        weight_g=(250, 700),
        purpose="keeps you dry in real rain",
    ),
    Family(
        "BSL",
        ("Apparel", "Base Layers"),
        "Base Layer",
        "Tamarack",
        (
            ("Merino 150 Crew", 79),
            ("Merino 250 Zip", 99),
            ("Trailweight Tee", 39),
            ("Merino 200 Leggings", 85),
            ("Grid Fleece Hoodie", 109),
        ),
        ("Heather Grey", "Black", "Forest", "Berry", "Ocean"),
        ("100% merino wool", "merino and nylon blend", "recycled polyester grid fleece"),
        (
            "Naturally odour resistant",
            "Flatlock seams prevent chafing",
            "Soft against skin, no itch",
            "Machine washable on cool",
        ),
        sizes="XS, S, M, L, XL",
        weight_g=(150, 400),
        purpose="a warm, breathable first layer",
    ),
    Family(
        "STV",
        ("Cooking", "Stoves"),
        "Stove",
        "Brightpath",
        (
            ("Ember Canister", 59),
            ("Ember Pro", 89),
            ("Rapid Boil System", 139),
            ("Wood Gasifier", 119),
            ("Twin Burner", 149),
        ),
        ("Titanium", "Black", "Silver", "Red", "Green"),
        ("titanium", "stainless steel and aluminium", "hard-anodised aluminium"),
        (
            "Boils a litre of water in about 3.5 minutes",
            "Piezo igniter",
            "Folding pot supports",
            "Wind shield included",
            "Simmers gently",
        ),
        weight_g=(75, 2800),
        purpose="fast, reliable cooking at camp",
    ),
    Family(
        "CKW",
        ("Cooking", "Cookware"),
        "Cook Set",
        "Brightpath",
        (
            ("Enamel Mug 12 oz", 18),
            ("Insulated Mug 16 oz", 29),
            ("Summit Pot 1L", 45),
            ("Camp Skillet", 39),
            ("Basecamp Cook Set", 89),
        ),
        ("Titanium", "Speckled Blue", "Red", "Cream", "Black"),
        ("titanium", "enamelled steel", "hard-anodised aluminium"),
        (
            "Nests together to save space",
            "Folding handles lock in place",
            "Lid doubles as a strainer",
            "Dishwasher safe",
        ),
        weight_g=(90, 1200),
        purpose="real meals far from a kitchen",
    ),
    Family(
        "LGT",
        ("Lighting", "Headlamps"),
        "Headlamp",
        "Brightpath",
        (
            ("Glowworm Kids", 24),
            ("Beacon 350", 39),
            ("Beacon 600R", 69),
            ("Beacon 900R", 99),
            ("Trail Lantern", 49),
        ),
        ("Black", "Orange", "Blue", "Green", "Purple"),
        ("polycarbonate housing", "aluminium housing", "ABS housing"),
        (
            "USB-C rechargeable battery",
            "Red night-vision mode",
            "Tilting beam",
            "IPX4 splash resistant",
            "Lock mode stops it turning on in your pack",
        ),
        weight_g=(45, 320),
        purpose="bright, even light for camp and trail",
    ),
    Family(
        "WTR",
        ("Hydration", "Bottles and Filters"),
        "Water Bottle",
        "Tamarack",
        (
            ("Collapsible Flask 500 ml", 25),
            ("Squeeze Filter", 39),
            ("Insulated Bottle 750 ml", 35),
            ("Insulated Bottle 1 L", 42),
            ("Gravity Filter 4 L", 89),
        ),
        ("Sage", "Stone", "Navy", "Coral", "Black"),
        ("double-wall stainless steel", "BPA-free TPU", "hollow-fibre membrane"),
        (
            "Keeps drinks cold for 24 hours",
            "Leak-proof lid",
            "Filters 99.9999% of bacteria",
            "Fits standard cup holders",
        ),
        weight_g=(60, 500),
        purpose="clean water wherever you go",
    ),
    Family(
        "FRN",
        ("Camping", "Camp Furniture"),
        "Camp Chair",
        "Juniper & Pine",
        (
            ("Hammock Single", 59),
            ("Ultralight Chair", 119),
            ("Fireside Chair", 79),
            ("Wool Camp Blanket", 95),
            ("Camp Table", 89),
        ),
        ("Forest Green", "Charcoal", "Red Plaid", "Sand", "Blue"),
        ("600D polyester on an aluminium frame", "parachute nylon", "80% recycled wool"),
        (
            "Sets up in under a minute",
            "Carry bag included",
            "Holds up to 300 lb",
            "Cup holder on the armrest",
        ),
        weight_g=(800, 3600),
        purpose="comfort at camp and in the garden",
    ),
)

# Colours a model is sold in: the first ``COLOURS_PER_MODEL`` of its family.
COLOURS_PER_MODEL = 5

TRAIL_RUNNING = Family(
    "TRL",
    ("Footwear", "Trail Running"),
    "Running Shoe",
    "Kestrel",
    (
        ("Swift Trail", 139),
        ("Swift Trail GTX", 159),
        ("Fellrunner", 149),
        ("Ultra Ridge", 169),
        ("Pacer Hydration Vest 8L", 119),
        ("Pacer Hydration Vest 12L", 139),
        ("Stride Trail Shorts", 55),
    ),
    ("Volt Green", "Black", "Coral"),
    ("engineered mesh with a rock plate", "ripstop mesh", "recycled stretch nylon"),
    (
        "Grippy 5 mm lugs for loose ground",
        "Rock plate protects the forefoot",
        "Soft flasks included",
        "Quick-dry fabric",
        "Bounce-back foam midsole",
    ),
    sizes="US 6, 7, 8, 9, 10, 11, 12, 13",
    weight_g=(180, 600),
    purpose="light and fast on technical trails",
)


@dataclass
class Product:
    """One catalog row; ``as_row`` is what products.csv holds."""

    sku: str
    title: str
    model: str  # what customers call it ("Ridgeline 2P")
    noun: str
    category: tuple[str, ...]
    brand: str
    price: float
    colour: str
    material: str
    sizes: str
    weight_g: int
    description: str
    on_hand: int
    restock_date: str = ""
    flaws: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "title": self.title, "description": self.description,
            "brand": self.brand, "category": " > ".join(self.category),
            "price": f"{self.price:.2f}", "inventory": self.on_hand, "colour": self.colour,
            "size": self.sizes, "material": self.material, "weight_g": self.weight_g,
            "model": self.model,
        }  # fmt: skip


def _noun_for(family: Family, model: str) -> str:
    # Mugs, pots, filters… live in broader families; don't call a mug a "Cook Set".
    for word in (
        "Mug",
        "Pot",
        "Skillet",
        "Filter",
        "Flask",
        "Lantern",
        "Table",
        "Hammock",
        "Blanket",
        "Leggings",
        "Hoodie",
        "Tee",
        "Vest",
        "Shorts",
        "Quilt",
        "Chair",
        "Bottle",
        "Set",
        "Shell",
        "Anorak",
    ):
        if word in model:
            return ""
    return family.noun


def _describe(p: Product, family: Family, rng: random.Random) -> str:
    feats = rng.sample(family.features, k=min(3, len(family.features)))
    name = f"{p.model} {p.noun}".strip()
    weight = f"{p.weight_g / 1000:.2f} kg" if p.weight_g >= 1000 else f"{p.weight_g} g"
    parts = [f"The {name} in {p.colour.lower()} is {family.purpose}.",
             *(f + "." for f in feats),
             f"Made of {p.material}; weighs {weight}."]  # fmt: skip
    if p.sizes:
        parts.append(f"Available in {p.sizes}.")
    return " ".join(parts)


def family_products(family: Family, seed: int, colours: int = COLOURS_PER_MODEL) -> list[Product]:
    """Every model × colour of one family, deterministic under ``seed``."""
    rng = random.Random(f"{seed}:{family.code}")
    out = []
    for m, (model, price) in enumerate(family.models, 1):
        material = family.materials[(m - 1) % len(family.materials)]
        lo, hi = family.weight_g  # heavier as the models go up the list, plus noise
        base_weight = int(lo + (hi - lo) * (m - 1) / max(1, len(family.models) - 1))
        for c, colour in enumerate(family.colours[:colours], 1):
            noun = _noun_for(family, model)
            suffix = "".join(w[0] for w in colour.split()).upper()
            on_hand = 0 if rng.random() < 0.08 else rng.randint(3, 140)
            p = Product(
                sku=f"JP-{family.code}-{m}{c:02d}-{suffix}",
                title=f"{model} {noun} - {colour}".replace("  ", " "),
                model=model, noun=noun, category=family.category, brand=family.brand,
                price=float(price), colour=colour, material=material, sizes=family.sizes,
                weight_g=base_weight + rng.randint(-20, 20), description="", on_hand=on_hand,
                restock_date=f"2026-{rng.randint(11, 12)}-{rng.randint(1, 28):02d}"
                if on_hand == 0 else "",
            )  # fmt: skip
            p.description = _describe(p, family, rng)
            out.append(p)
    return out


SUPPLIER_COPY = (
    "High quality outdoor product. Durable, reliable and lightweight, perfect for "
    "camping, hiking and all your outdoor adventures. Makes a great gift."
)
JARGON = (
    "SKU {sku} — inventory sync pending, see inv_hold_flag before publishing.",
    "{{{{size_chart}}}} Fits most adults.",
    "TODO: confirm the fill weight with the supplier before launch.",
    "INTERNAL ONLY: margin tier B, do not discount below cost.",
    "Replacement part for ret_policy_v2 exchanges; UPC: 0812345678901.",
)
SHORT = ("Great tent.", "Warm bag.", "Nice pack, good price.", "Comfy chair.", "Bright light.",
         "Keeps water cold.")  # fmt: skip


def _plant_flaws(items: list[Product], rng: random.Random) -> None:
    """Spoil a few products the way real catalogs are spoiled (see the module docstring)."""
    order = list(range(len(items)))
    rng.shuffle(order)
    picks = iter(order)

    def take(n: int) -> list[Product]:
        return [items[next(picks)] for _ in range(n)]

    for p in take(6):
        p.description, p.flaws = "", [*p.flaws, "missing_description"]
    for p, text in zip(take(6), SHORT, strict=True):
        p.description, p.flaws = text, [*p.flaws, "short_description"]
    for p in take(5):  # one supplier's boilerplate, pasted as is
        p.description, p.flaws = SUPPLIER_COPY, [*p.flaws, "supplier_copy"]
    for p, text in zip(take(5), JARGON, strict=True):
        p.description = f"{p.description} {text.format(sku=p.sku)}".strip()
        p.flaws = [*p.flaws, "internal_terms"]
    for p in take(3):  # lost their category in a migration
        p.category, p.flaws = (), [*p.flaws, "uncategorised"]
    for p in take(4):
        p.brand, p.flaws = "", [*p.flaws, "missing_brand"]


def products(seed: int = 7) -> list[Product]:
    """The shipped catalog (about 300 products, flaws planted)."""
    items = [p for f in FAMILIES for p in family_products(f, seed)]
    _plant_flaws(items, random.Random(f"{seed}:flaws"))
    return items


def trail_running(seed: int = 7) -> list[Product]:
    """The week-6 product line (not in the shipped catalog file)."""
    return family_products(TRAIL_RUNNING, seed, colours=3)[:20]


#: The store's category list (what its navigation shows). Climbing was planned and never
#: stocked: the audit reports it as an orphaned (unused) category.
CATEGORIES: tuple[str, ...] = (
    *sorted({" > ".join(f.category) for f in FAMILIES}),
    "Climbing > Harnesses",
    "Climbing > Ropes",
)
