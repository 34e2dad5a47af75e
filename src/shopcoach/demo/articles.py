"""Juniper & Pine's help centre: policy, FAQ and help articles written from a :class:`Policy`.

Every number an article states comes from the policy object, so the shipped articles and the
simulator's ground truth agree until a scenario change makes them differ (the policy system
moves to 14-day returns while the knowledge base still says 30). Two articles carry planted
hygiene flaws: an internal escalation code in customer text and a review date long past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shopcoach.demo.policy import Policy, money


@dataclass(frozen=True)
class Article:
    key: str  # folder path without suffix: "policies/returns"
    title: str
    category: str
    body: str
    reviewed_at: date | None = date(2026, 9, 14)
    valid_from: date | None = None
    valid_to: date | None = None

    def markdown(self) -> str:
        """The file as the Markdown importer reads it (front matter + body)."""
        meta = [f"title: {self.title}", f"category: {self.category}"]
        for name in ("reviewed_at", "valid_from", "valid_to"):
            value = getattr(self, name)
            if value is not None:
                meta.append(f"{name}: {value.isoformat()}")
        return "---\n" + "\n".join(meta) + "\n---\n" + self.body.strip() + "\n"


def _a(key: str, title: str, category: str, body: str, **kw: date | None) -> Article:
    return Article(key, title, category, body, **kw)  # type: ignore[arg-type]


def returns_article(p: Policy, reviewed_at: date | None = date(2026, 9, 14)) -> Article:
    """The returns policy; the scenario's week-4 change is this article with 14 days."""
    return _a(
        "policies/returns",
        "Returns policy",
        "Help > Returns",
        f"""
## How long do I have to return something?

You can return most items within {p.return_days} days of delivery for a full refund.
Items must be unused, with the original tags and packaging. Worn footwear, used sleeping
bags and opened fuel canisters cannot be returned for hygiene and safety reasons.

## How to start a return

Open your order in your account and choose Start a return, or reply to your shipping
confirmation e-mail. We send a prepaid return label by e-mail. Return shipping is free for
members of Trailhead Rewards; for everyone else {money(p.standard_fee)} is taken from the
refund.

## Refunds

Refunds go back to the original payment method {p.refund_processing} after the parcel
reaches our warehouse.
""",
        reviewed_at=reviewed_at,
    )


def articles(p: Policy) -> list[Article]:
    """The shipped help centre (33 articles)."""
    std, exp = p.standard_shipping, p.express_shipping
    return [
        returns_article(p),
        _a(
            "policies/refunds",
            "Refunds",
            "Help > Returns",
            f"""
## When will I get my refund?

Refunds are issued {p.refund_processing} after your return is received and checked. Your
bank may take a few more days to show it. Gift card purchases are refunded to a new gift card.

## Partial refunds

Items returned damaged or incomplete may receive a partial refund; we e-mail you first.
""",
        ),
        _a(
            "policies/exchanges",
            "Exchanges",
            "Help > Returns",
            """
## Swapping a size or colour

Exchanges are free for a different size or colour of the same product, within the return
window. Start a return and choose Exchange; we ship the new item as soon as the original is
scanned by the carrier. If the new size is out of stock we refund you instead.
""",
        ),
        _a(
            "policies/price-match",
            "Price match",
            "Help > Policies",
            f"""
## Did the price drop after you bought?

If we lower the price of an item within {p.price_match_days} days of your purchase, contact
us and we refund the difference. Price matching applies to our own prices only, not to
other retailers, and not to clearance items or promo-code discounts.
""",
        ),
        _a(
            "shipping/shipping-times-and-costs",
            "Shipping times and costs",
            "Help > Shipping",
            f"""
## Delivery times

Orders leave our warehouse within {p.dispatch}. Standard shipping takes {std} after dispatch.
Express shipping takes {exp}.

## Costs

Standard shipping costs {money(p.standard_fee)}, and it is free on orders over
{money(p.free_shipping_over)}. Express shipping costs {money(p.express_fee)} on any order.
We ship to street addresses and PO boxes in all 50 states.
""",
        ),
        _a(
            "shipping/international-shipping",
            "International shipping",
            "Help > Shipping",
            f"""
## Where we ship

We ship to Canada, the United Kingdom, the European Union, Australia and New Zealand.
International delivery takes {p.international_shipping} and costs {money(p.international_fee)}
per order.

## Duties and taxes

Import duties and taxes are charged by the destination country when the parcel arrives and
are paid by the customer. We cannot mark orders as gifts to avoid them.
""",
        ),
        _a(
            "shipping/order-tracking",
            "Tracking your order",
            "Help > Shipping",
            """
## Where is my order?

When your order ships we e-mail a tracking link from the carrier (UPS, USPS or FedEx). You
can also see the status of every order in your account, or ask our assistant with your
order number. Tracking can take a day to update after the label is created.

## My tracking has not moved

If tracking has not changed for several days, contact us with your order number and we open
an investigation with the carrier.
""",
        ),
        _a(
            "shipping/store-pickup",
            "Pickup at our Portland warehouse",
            "Help > Shipping",
            """
## Collect your order

Choose Pickup at checkout to collect from our warehouse at no charge. We e-mail you when the
order is ready, usually the next business day. Bring the order confirmation and a photo ID.
We hold pickup orders for two weeks.
""",
        ),
        _a(
            "shipping/address-problems",
            "Wrong or incomplete address",
            "Help > Shipping",
            """
## Fixing an address

If your address could not be verified, we hold the order and e-mail you to confirm it. If
the parcel has already shipped, we ask the carrier to redirect it; this is not always
possible, and a parcel returned to us is refunded once it arrives.
""",
        ),
        _a(
            "orders/change-or-cancel",
            "Changing or cancelling an order",
            "Help > Orders",
            f"""
## Changing an order

Within {p.change_window_hours} hour of placing your order you can change the items, the size or
the address, from the order page in your account.

## Cancelling an order

Orders can be cancelled free of charge within {p.change_window_hours} hour. After that the
order is already being packed: wait for it to arrive and return it instead.
""",
        ),
        _a(
            "orders/payment-methods",
            "Payment methods",
            "Help > Payments",
            """
## What we accept

We accept Visa, Mastercard, American Express, Discover, PayPal, Apple Pay, Google Pay and
Juniper & Pine gift cards. You can split a payment between one gift card and one card.
Your card is charged when the order is placed.

## Paying in instalments

Orders over $150 can be paid in four interest-free instalments with Shop Pay.
""",
        ),
        _a(
            "orders/payment-failed",
            "Payment declined",
            "Help > Payments",
            """
## Why was my payment declined?

Most declines come from a billing address that does not match the card, an expired card or
your bank's fraud check. We e-mail a secure link to retry the payment, and your items stay
reserved for 48 hours. We never ask for card details by chat or e-mail.
""",
        ),
        _a(
            "orders/damaged-items",
            "Damaged or faulty items",
            "Help > Orders",
            f"""
## My item arrived damaged

Please report it within {p.damaged_report_days} days of receiving the parcel and send a photo
of the item and the box. We send a replacement or refund you in full, and you do not need to
send the damaged item back. Internal: route claims to WH-DMG-02 and tag the carrier.
""",
            reviewed_at=date(2026, 2, 3),
        ),
        _a(
            "orders/missing-items",
            "Missing items",
            "Help > Orders",
            """
## Something is missing from my parcel

Large orders sometimes ship in more than one box: check your shipping e-mail for a second
tracking number. If an item is still missing, contact us with your order number and we send
it again or refund it.
""",
        ),
        _a(
            "orders/invoices",
            "Invoices and receipts",
            "Help > Orders",
            """
## Getting an invoice

Every order confirmation is a receipt. For a VAT or company invoice, open the order in your
account and choose Download invoice, or ask us and we e-mail a PDF.
""",
        ),
        _a(
            "warranty/warranty",
            "Warranty",
            "Help > Warranty",
            f"""
## What the warranty covers

Juniper & Pine and Northfold gear carries a {p.warranty_years}-year warranty against
defects in materials and workmanship from the date of purchase. It does not cover normal wear,
accidents, misuse or alterations.

## Making a claim

Send us your order number, a description of the problem and photos. If the defect is
covered we repair, replace or refund the item.
""",
        ),
        _a(
            "warranty/repairs",
            "Repairs",
            "Help > Warranty",
            """
## Repairs after the warranty

We repair zips, seams, buckles and tent poles at cost, usually between $15 and $60. Send us
photos first and we give you a quote and a prepaid label. Most repairs take two to three weeks.
""",
        ),
        _a(
            "gift-cards/gift-cards",
            "Gift cards",
            "Help > Gift cards",
            f"""
## Buying a gift card

E-gift cards from $25 to $500 are delivered by e-mail on the date you choose. Gift cards
{p.gift_card_expiry} and have no fees.

## Using a gift card

Enter the gift card code at checkout. One gift card can be combined with one payment card.
Gift cards cannot be exchanged for cash.
""",
        ),
        _a(
            "gift-cards/gift-card-balance",
            "Checking a gift card balance",
            "Help > Gift cards",
            f"""
## What is left on my card?

Enter the gift card code on the Gift cards page to see the balance, or ask us with the last
four characters of the code. Unused balance stays on the card: our gift cards
{p.gift_card_expiry}.
""",
        ),
        _a(
            "loyalty/trailhead-rewards",
            "Trailhead Rewards",
            "Help > Loyalty",
            f"""
## How points work

Trailhead Rewards is free to join. Members earn {p.points_per_dollar} point for every dollar
spent, and every {p.points_for_reward} points become a {money(p.reward_value)} reward for the
next order. Members also get free return shipping and early access to sales.

## Using rewards

Rewards appear in your account the day after your order is delivered and can be applied at
checkout. Points are not earned on gift card purchases or shipping.
""",
        ),
        _a(
            "loyalty/student-and-guide-discounts",
            "Student and guide discounts",
            "Help > Loyalty",
            """
## Who qualifies

Students, outdoor instructors and mountain guides get 15% off full-price items once they
verify their status in their account. The discount cannot be combined with promo codes.
""",
        ),
        _a(
            "promotions/fall-camp-sale",
            "Fall Camp Sale",
            "Help > Promotions",
            """
## The offer

Take 20% off tents, sleeping bags and sleeping pads with code FALLCAMP20 until October 31.
The code cannot be combined with other codes and does not apply to gift cards.
""",
            valid_from=date(2026, 10, 1),
            valid_to=date(2026, 10, 31),
        ),
        _a(
            "promotions/black-friday",
            "Black Friday weekend",
            "Help > Promotions",
            """
## The offer

From Friday November 27 to Monday November 30, everything is 25% off with code PINE25,
except gift cards. Orders placed during the sale ship within two business days.
""",
            valid_from=date(2026, 11, 27),
            valid_to=date(2026, 11, 30),
        ),
        _a(
            "promotions/newsletter",
            "Newsletter sign-up offer",
            "Help > Promotions",
            """
## Welcome offer

Sign up for our newsletter and get $10 off your first order over $50. The code arrives by
e-mail within a few minutes; check your spam folder if it does not.
""",
        ),
        _a(
            "sizing/boot-sizing",
            "Boot and shoe sizing",
            "Help > Sizing",
            """
## Finding your size

Our boots run true to US sizing. Measure your foot in the evening, standing, and add a
thumb's width for downhill comfort. Between sizes, choose the larger one and wear a thicker
sock. Half sizes are available in most boots.
""",
        ),
        _a(
            "sizing/apparel-sizing",
            "Clothing size guide",
            "Help > Sizing",
            """
## Our sizes

Chest: XS 33-35 in, S 35-37 in, M 38-40 in, L 41-43 in, XL 44-46 in, XXL 47-49 in.
Jackets have room for a fleece underneath; base layers are close-fitting. If you are between
sizes, go up for jackets and down for base layers.
""",
        ),
        _a(
            "sizing/sleeping-bag-sizing",
            "Sleeping bag sizes and ratings",
            "Help > Sizing",
            """
## Regular or Long?

Regular bags fit people up to 6 ft, Long bags up to 6 ft 6 in. The temperature in the name
is the limit rating: most people sleep comfortably about ten degrees above it.
""",
        ),
        _a(
            "sizing/backpack-fit",
            "Fitting a backpack",
            "Help > Sizing",
            """
## Torso length

Measure from the bony bump at the base of your neck to the top of your hip bones. S/M fits
torsos of 15-18 in, M/L fits 18-21 in. The hip belt should sit on your hip bones, carrying
most of the weight.
""",
        ),
        _a(
            "care/tent-care",
            "Caring for your tent",
            "Help > Care",
            """
## Keep it dry and clean

Never store a tent wet: dry it fully at home to stop mildew. Clean it with a sponge and
plain water, not detergent, and keep it loosely in the storage bag, out of the sun.
""",
            reviewed_at=date(2025, 11, 20),
        ),
        _a(
            "care/down-care",
            "Washing down gear",
            "Help > Care",
            """
## Washing

Wash down jackets and sleeping bags in a front-loading machine on a gentle cycle with a
down-specific wash. Tumble dry on low with two clean tennis balls until no clumps remain.
""",
        ),
        _a(
            "account/account-help",
            "Your account",
            "Help > Account",
            """
## Password and sign-in

Use Forgot password on the sign-in page and we e-mail a reset link. You can check out as a
guest, but an account lets you track orders, start returns and collect rewards.

## Deleting your account

Ask us to delete your account and we remove your personal data, except what we must keep for
tax records.
""",
        ),
        _a(
            "help/contact-us",
            "Contact us",
            "Help > Contact",
            """
## Talk to a person

Our team answers chat and e-mail every day from 7am to 10pm Eastern on weekdays and 9am to
6pm at weekends. Ask our assistant for a person at any time and it hands the conversation
over with everything you have told it.
""",
        ),
        _a(
            "help/faq",
            "Frequently asked questions",
            "Help > FAQ",
            """
## Do you have a store?

We are online only, with a pickup point at our Portland warehouse.

## Do you sell rental gear?

No, we only sell new gear. Ask us about seconds and demo items, which we sometimes sell at
a discount.

## Is my gear ethically made?

Our down is certified responsibly sourced and most of our fabrics are recycled.
""",
        ),
    ]
