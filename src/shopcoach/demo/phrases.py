"""How simulated customers talk: templates with paraphrases, moods, slang drift and typos.

Small tables, combined at random: an intent has a handful of ways to ask (``ASK``), later
weeks mix in newer phrasings and slang (``DRIFT_ASK``, ``SLANG``) at a rising share, openers
and sign-offs vary, angry customers add heat, and :func:`add_typos` swaps, drops or doubles
letters (never digits, so order numbers survive). Slots: ``{order}``, ``{product}``,
``{colour}``, ``{size}``, ``{method}``.
"""

from __future__ import annotations

import random
import re

ASK: dict[str, tuple[str, ...]] = {
    "track_order": (
        "Where is my order {order}?", "can you tell me where order #{order} is",
        "Any update on order {order}? It's been a while.", "has order {order} shipped yet",
        "I'd like to track my order, the number is {order}", "status of order #{order} please",
        "When will order {order} arrive?", "my package for order {order} hasn't shown up"),
    "return_policy": (
        "How long do I have to return something?", "what is your return policy",
        "How many days do I have to send an item back for a refund?",
        "Can I still return boots I bought three weeks ago?", "what's the return window?",
        "If something doesn't fit, how long do I have to return it?"),
    "refund_time": (
        "How long do refunds take?", "when will I get my refund after returning an item",
        "I sent my return back last week, how long until the refund shows up?"),
    "shipping_time": (
        "How long does standard shipping take?", "how fast is delivery",
        "If I order today when will it arrive?", "How many days is shipping to Colorado?"),
    "shipping_cost": (
        "How much is shipping?", "do you have free shipping", "what does express shipping cost",
        "Is there a minimum order for free shipping?"),
    "international_shipping": (
        "Do you ship to Canada and how long does it take?", "how much is shipping to the UK",
        "Can I order from Germany? What's the international shipping cost?"),
    "warranty": (
        "What warranty do your tents have?", "how long is the warranty on a sleeping bag",
        "My backpack zip broke after a year, is that covered by the warranty?"),
    "gift_card": (
        "Do your gift cards expire?", "is there an expiry date on gift cards",
        "I got a gift card last year, can I still use it?"),
    "loyalty": (
        "How do Trailhead Rewards points work?", "how many points do I get per dollar",
        "How much is a reward worth in the loyalty program?"),
    "payment_methods": (
        "Do you accept {method}?", "can I pay with {method}", "Is {method} an option at checkout?"),
    "cancel_order": (
        "How do I cancel my order?", "Can I still cancel an order I placed this morning?",
        "I need to cancel order {order}", "how long do I have to cancel an order"),
    "change_order": (
        "Can I change the size on my order?", "I need to change the address on order {order}",
        "How long do I have to change my order after placing it?"),
    "damaged_item": (
        "My order {order} arrived damaged", "the {product} I got is broken, order {order}",
        "Order {order} came with a torn box and the item is damaged. What now?"),
    "complaint": (
        "I want to make a complaint about my last order {order}.",
        "This is the worst service I've had. Order {order} has been a nightmare.",
        "I'm really unhappy with how my order {order} was handled."),
    "human_request": (
        "Can I talk to a real person?", "I want to speak to a human please",
        "get me a human agent", "Is there someone I can chat with? Not a bot."),
    "chitchat": (
        "what's the weather like on Mount Hood this weekend?", "tell me a joke",
        "are you a robot?", "Which trail near Bend would you recommend?",
        "do you like camping?"),
    "product_price": (
        "How much is the {product}?", "what's the price of the {product}",
        "How much does the {product} cost?", "price for {product}?"),
    "product_stock": (
        "Is the {product} in {colour} in stock?", "do you have the {product} in {colour} available",
        "Is the {product} {colour} available right now?"),
    "product_size": (
        "What sizes does the {product} come in?", "which sizes are available for the {product}",
        "Does the {product} come in size {size}?"),
    "product_material": (
        "What is the {product} made of?", "what material is the {product}",
        "Tell me about the fabric of the {product}."),
    "holiday_deadline": (
        "When do I need to order for delivery before Christmas?",
        "what's the last day to order so it arrives by Christmas",
        "If I order now with express shipping, will it arrive before Christmas?"),
    "gift_wrap": (
        "Do you offer gift wrapping?", "how much does gift wrapping cost",
        "Can you wrap a present and add a gift message?"),
    "holiday_returns": (
        "If I buy a gift now, can it be returned after Christmas?",
        "is there an extended holiday returns period for gifts",
        "Can my nephew return the jacket I got him after the holidays?"),
}  # fmt: skip

# Newer ways to ask, mixed in at the drift share (week by week more of them).
DRIFT_ASK: dict[str, tuple[str, ...]] = {
    "track_order": ("yo where my package at, order {order}",
                    "order {order} is it still coming or nah",
                    "any eta on {order}? lowkey need it this weekend"),
    "return_policy": ("can i still send stuff back or is it too late",
                      "how long i got to return things",
                      "ngl the jacket doesnt fit, whats the send back deadline"),
    "refund_time": ("when does my money hit my account after a return",),
    "shipping_time": ("how long till my stuff shows up if i order rn",
                      "shipping speed?? need it fast"),
    "shipping_cost": ("shipping free or nah", "how much yall charge for shipping"),
    "product_price": ("how much for the {product} fr", "{product} price??"),
    "product_stock": ("{product} in {colour} restocked yet?", "u got the {product} in {colour}"),
    "product_size": ("{product} sizes? need a {size}",),
    "holiday_deadline": ("last day to order so it lands before xmas?",),
    "gift_wrap": ("can u giftwrap stuff", "do yall do gift wrap"),
    "human_request": ("lemme talk to an actual person", "hooman pls not a bot"),
    "cancel_order": ("need to cancel {order} asap",),
}  # fmt: skip

SLANG = (("you", "u"), ("please", "pls"), ("right now", "rn"), ("thanks", "thx"),
         ("are", "r"), ("to be honest", "tbh"), ("really", "rly"))  # fmt: skip
SLANG_TAGS = ("ngl", "fr", "lowkey", "tbh", "no cap", "rn", "bestie")

OPENERS = ("", "", "", "Hi, ", "Hello! ", "hey ", "Hi there. ", "Good morning, ", "hiya, ")
CLOSERS = ("", "", "", " Thanks!", " thx", " Thank you.", " cheers", " Appreciate it.")
ANGRY_OPENERS = ("This is ridiculous. ", "Seriously?? ", "I'm so frustrated. ",
                 "Third time asking! ", "Unbelievable. ")  # fmt: skip
ANGRY_CLOSERS = (" Fix this NOW.", "!!!", " I'm not happy.", " Terrible.")
HUMAN_TAILS = (" Or can I just talk to a person?", " Actually, can I speak to a human?",
               " I'd rather talk to a real person.")  # fmt: skip
GREETINGS = ("hi", "hello?", "Hi, is anyone there?", "hey", "Good afternoon")
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "product_price": ("Is it in stock?", "and does it come in other colours?"),
    "track_order": ("ok and when will it arrive?",),
    "return_policy": ("How long do refunds take after that?",),
    "shipping_time": ("And how much does shipping cost?",),
}
THANKS = ("thanks, that helps!", "perfect, thank you", "great thx", "ok got it, thanks")
PUSHBACK = ("That's not right.", "That doesn't answer my question.",
            "Are you sure? That's not what I was told.", "no that's wrong")  # fmt: skip
ESCALATE_ASK = ("Let me talk to a human.", "Can I speak to a real person please?",
                "I want to talk to someone from your team.")  # fmt: skip
REPEAT_OPENERS = ("I asked earlier and got a wrong answer. ", "Me again. ",
                  "I was here yesterday about this. ", "Still not sorted: ")  # fmt: skip
HUMAN_AGENT = ("Hi, this is {name} from the Juniper & Pine team. Let me sort this out for you.",
               "Thanks for waiting, {name} here. I'm looking into it now.")  # fmt: skip
HUMAN_NAMES = ("Maria", "Dev", "Keisha", "Tom", "Aisha", "Ruth")
PAYMENT_METHODS = ("PayPal", "Apple Pay", "Google Pay", "American Express", "Klarna", "Venmo")
ACCEPTED_METHODS = frozenset({"PayPal", "Apple Pay", "Google Pay", "American Express"})

_WORD = re.compile(r"[A-Za-z]{4,}")


def slangify(text: str, rng: random.Random) -> str:
    """Lower-case, shortened words and a slang tag: how the drifted share writes."""
    out = text.lower()
    for long, short in SLANG:
        if rng.random() < 0.6:
            out = re.sub(rf"\b{long}\b", short, out)
    if rng.random() < 0.5:
        out = f"{out.rstrip('?.!')} {rng.choice(SLANG_TAGS)}"
    return out


def add_typos(text: str, rng: random.Random, n: int = 1) -> str:
    """``n`` typos in words of four letters or more: swap, drop or double a letter."""
    for _ in range(n):
        words = list(_WORD.finditer(text))
        if not words:
            return text
        m = rng.choice(words)
        w = m.group(0)
        i = rng.randrange(1, len(w) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        elif kind == 1:
            w = w[:i] + w[i + 1 :]
        else:
            w = w[:i] + w[i] + w[i:]
        text = text[: m.start()] + w + text[m.end() :]
    return text
