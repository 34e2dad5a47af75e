"""How each intent is answered, and the conversation flows (AI, hybrid, human, foreign)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from juniper.plan import (
    Built,
    Plan,
    Stats,
    article,
    day_text,
    in_shift,
    iso,
    money,
    product_cite,
    tool,
    weighted,
)
from juniper.settings import (
    CHANGEOVER,
    CSAT_RATE,
    CSAT_WEIGHTS,
    FALL_SALE_END,
    HOLIDAY_SALE_START,
    INTENT_CONFIDENCE,
    ORDER_INTENTS,
    SALES_INTENTS,
)
from juniper.wording import (
    ADDRESS_REPLIES,
    AI_CLOSINGS,
    CATEGORY_ONLY,
    EXTRA_QUESTIONS,
    FOLLOW_UP_PREFIXES,
    FOREIGN,
    HANDOFFS,
    HUMAN_ASK_ORDER,
    HUMAN_CLOSINGS,
    HUMAN_CORRECTIONS,
    HUMAN_ESCALATE,
    HUMAN_FIX,
    HUMAN_STILL_THERE,
    HUMAN_TRACK_FIX,
    NUDGES,
    OPENERS,
    ORDER_REPLIES,
    PLANTED_FOLLOW_UPS,
    PLANTED_PUSHBACK,
    PRICE_QUESTIONS,
    PUSHBACK,
    QUESTION_WRAPS,
    SELF_HANDOFFS,
    SIZING_ANSWERS,
    SIZING_OPENERS,
    THANKS,
    TICKET_TEXTS,
)
from juniper.writer import (
    TRACK_TEXTS,
    WRONG_SHIPPED,
    Writer,
    lookup,
    need_order,
    order_cite,
    the_order,
)


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
