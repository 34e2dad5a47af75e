"""What customers and support write: the templates (English, Spanish, German) and PII snippets."""

from __future__ import annotations

from typing import Any

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
