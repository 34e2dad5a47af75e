"""PII redaction before storage (R-SIG-4): exact outputs, properties and policy handling."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shopcoach.redaction import (
    CustomRule,
    RedactionPolicy,
    RedactionResult,
    Redactor,
    redactor_for,
)

CASES = [
    # e-mail
    (
        "Hi, my email is john.doe+shop@gmail.com, can you help?",
        "Hi, my email is [EMAIL], can you help?",
    ),
    ("Send the invoice to ACCOUNTS@Example.co.uk please.", "Send the invoice to [EMAIL] please."),
    ("Email: test.user@sub.domain.com; Phone: (020) 7946 0958", "Email: [EMAIL]; Phone: [PHONE]"),
    # phones
    (
        "Call me on +1 (555) 123-4567 or 555.987.6543 after 5pm",
        "Call me on [PHONE] or [PHONE] after 5pm",
    ),
    (
        "My UK mobile is 07700 900123 and the landline is 020 7946 0958.",
        "My UK mobile is [PHONE] and the landline is [PHONE].",
    ),
    ("Reach me at +44 (0)20 7946 0958 any time", "Reach me at [PHONE] any time"),
    ("my number is 5551234", "my number is [PHONE]"),
    ("Ruf mich an: +49 30 1234567", "Ruf mich an: [PHONE]"),
    ("You can text 0612345678 or 06 12 34 56 78", "You can text [PHONE] or [PHONE]"),
    ("call 1-800-555-0199 for the warehouse", "call [PHONE] for the warehouse"),
    ("Mi número es +34 612 345 678, gracias", "Mi número es [PHONE], gracias"),
    (
        "order number 1234567890, and call me on 5551234567",
        "order number 1234567890, and call me on [PHONE]",
    ),
    ("Order 12345678 (555) 123-4567", "Order 12345678 [PHONE]"),
    # cards
    ("My card 4111 1111 1111 1111 was declined", "My card [CARD] was declined"),
    ("card number 4111-1111-1111-1111 exp 12/26", "card number [CARD] exp 12/26"),
    ("5555555555554444 is my mastercard", "[CARD] is my mastercard"),
    ("Amex 3782 822463 10005 please refund", "Amex [CARD] please refund"),
    ("Card: 4111 1111 1111 1111 and phone 555-123-4567", "Card: [CARD] and phone [PHONE]"),
    # government ids
    ("My SSN is 123-45-6789.", "My SSN is [GOV_ID]."),
    ("SSN 078 05 1120", "SSN [GOV_ID]"),
    ("NI number AB123456C", "NI number [GOV_ID]"),
    ("my national insurance number is ab 12 34 56 c", "my national insurance number is [GOV_ID]"),
    ("passport number X1234567, expires 2031", "passport number [GOV_ID], expires 2031"),
    ("driver's license D1234-5678", "driver's license [GOV_ID]"),
    # addresses
    ("Ship to 123 Main St, Springfield, IL 62704", "Ship to [ADDRESS], Springfield, IL 62704"),
    ("I live at 42 Baker Street, London NW1 6XE", "I live at [ADDRESS], London NW1 6XE"),
    ("Flat 3, 221B Baker Street", "[ADDRESS]"),
    ("1600 Pennsylvania Avenue NW, Washington", "[ADDRESS], Washington"),
    ("send it to 12 oak lane please", "send it to [ADDRESS] please"),
    ("Deliver to 350 5th Ave Suite 3300, New York", "Deliver to [ADDRESS], New York"),
    ("Use my PO Box 4521, Austin TX 78701", "Use my [ADDRESS], Austin TX 78701"),
    ("P.O. Box 77 is fine", "[ADDRESS] is fine"),
    (
        "Jane here, jane@x.io, 07700 900123, 10 Downing Street",
        "Jane here, [EMAIL], [PHONE], [ADDRESS]",
    ),
    # kept: order numbers, SKUs, prices, dates, tracking, zips, quantities, ...
    ("Where is order #10234? It's late.", None),
    ("order 10234 and ORD-2026-00123 are both missing", None),
    ("My order number is 123456789", None),
    ("SKU-AB-1234 and JP-TNT-2P-GRN are out of stock", None),
    ("I paid $129.99 and then $1,299.00 for the upgrade", None),
    ("Refund of $1234567.89 requested", None),
    ("Delivered on 2024-01-15 10:30, or was it 15/01/2024?", None),
    ("Your order 10234 shipped on 03.02.2026 via DHL", None),
    ("Tracking 1Z999AA10123456784 shows no movement", None),
    ("tracking number 9400 1118 9922 3197 4284 90", None),
    ("Gift card 1234 5678 9012 3456 didn't work", None),
    ("The code 4111111111111112 was rejected", None),
    ("zip 90210 and 90210-1234", None),
    ("I got 15% off, 3 items x $12.50 each", None),
    ("item 12345678 and SKU 99887766 arrived", None),
    ("invoice 2024001234, ref 99887766554, ticket #4521", None),
    ("Please call about ticket 55512345678", None),
    ("Reference: 4111111111111111", None),
    ("model number 5551234567 is discontinued", None),
    ("Order #10234: 2 x Blue Hoodie (SKU-HD-2231) at $59.99", None),
    ("it's a 10 minute drive and 3 days on the road", None),
    ("Between 2019-2024 we sold 1 000 000 units", None),
    ("Opening hours 9:00-17:30, Mon-Fri", None),
    ("Rated 4.5 out of 5 by 1,234 customers", None),
    ("my ip is 192.168.1.100", None),
    ("the form shows 900-12-3456 as the code", None),
    ("I ordered 2 Nike Air Max for 3 people", None),
    ("see https://shop.example.com/products/12345678?ref=email", None),
    ("I placed 2 orders on 12 March 2026 at 10.30am", None),
    ("Already redacted: [EMAIL], [PHONE], [CARD], [ADDRESS], [GOV_ID]", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redacts_exactly(text: str, expected: str | None) -> None:
    result = Redactor().redact(text)
    assert result.text == (text if expected is None else expected)
    kinds = re.findall(r"\[(EMAIL|PHONE|CARD|ADDRESS|GOV_ID)\]", result.text)
    kinds = [k for k in kinds if f"[{k}]" not in text]  # placeholders already in the input
    assert sum(result.counts.values()) == len(kinds)
    assert all(n > 0 for n in result.counts.values())


def test_counts_by_kind() -> None:
    result = Redactor().redact("a@b.co, c@d.io, 555-123-4567, 4111 1111 1111 1111, 9 Elm Road")
    assert result == RedactionResult(
        "[EMAIL], [EMAIL], [PHONE], [CARD], [ADDRESS]",
        {"email": 2, "phone": 1, "card": 1, "address": 1},
    )
    assert Redactor().redact("") == RedactionResult("", {})


def test_result_is_frozen_and_redact_many_matches_redact() -> None:
    texts = [text for text, _ in CASES]
    redactor = Redactor()
    assert redactor.redact_many(texts) == [redactor.redact(t) for t in texts]
    with pytest.raises(AttributeError):
        redactor.redact("x").text = "y"  # type: ignore[misc]


# --- properties -------------------------------------------------------------------------------

PREFIXES = ["", "Hi, ", "please use ", "my details: ", "Here you go -", "ok so\n", "(", "thanks, "]
SUFFIXES = ["", ".", " thanks!", ", cheers", " - is that ok?", ")", "\nbye"]
WORDS = st.text(alphabet="abcdefghij klmnopqrstuvwxyz,.!?'", max_size=30)


def _check_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    """A Luhn-valid card number, and the same number grouped at random by spaces/dashes."""
    length = draw(st.integers(13, 19))
    body = str(draw(st.integers(1, 9))) + "".join(
        str(d) for d in draw(st.lists(st.integers(0, 9), min_size=length - 2, max_size=length - 2))
    )
    digits = body + _check_digit(body)
    out, i = "", 0
    while i < length:  # nobody types one-digit groups inside a card number
        size = draw(st.integers(1 if i == 0 else 2, 6))
        out += ("" if i == 0 else draw(st.sampled_from([" ", "-"]))) + digits[i : i + size]
        i += size
    return digits, out


def _d(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def phones(draw: st.DrawFn) -> str:
    area = str(draw(st.integers(2, 9))) + draw(_d(2))
    exchange = str(draw(st.integers(2, 9))) + draw(_d(2))
    line = draw(_d(4))
    cc = str(draw(st.integers(1, 9))) + draw(st.sampled_from(["", "", "4", "49"]))
    national = draw(st.lists(st.integers(2, 4), min_size=2, max_size=3))
    groups = " ".join(draw(_d(n)) for n in national)
    return draw(
        st.sampled_from(
            [
                f"({area}) {exchange}-{line}",
                f"{area}-{exchange}-{line}",
                f"{area}.{exchange}.{line}",
                f"{area} {exchange} {line}",
                f"+1 {area} {exchange} {line}",
                f"1-{area}-{exchange}-{line}",
                f"{area}{exchange}{line}",
                f"07{draw(_d(3))} {draw(_d(6))}",
                f"+44 (0)20 {draw(_d(4))} {draw(_d(4))}",
                f"0{draw(st.integers(1, 9))} " + " ".join(draw(_d(2)) for _ in range(4)),
                f"0{draw(_d(10))}",
                f"+{cc} {groups}" if len(cc) + sum(national) >= 7 else f"+1 {area} {line}",
            ]
        )
    )


@st.composite
def emails(draw: st.DrawFn) -> str:
    atom = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
    local = draw(atom) + draw(st.sampled_from(["", ".", "_", "+", "-"])) + draw(atom)
    labels = draw(st.lists(atom, min_size=1, max_size=3))
    tld = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
    return f"{local}@{'.'.join(labels)}.{tld}"


@settings(max_examples=300)
@given(emails(), st.sampled_from(PREFIXES), st.sampled_from(SUFFIXES), WORDS)
def test_emails_are_always_removed(email: str, prefix: str, suffix: str, words: str) -> None:
    text = f"{words}; {prefix}{email}{suffix}"
    out = Redactor().redact(text).text
    assert out == f"{words}; {prefix}[EMAIL]{suffix}"


@settings(max_examples=300)
@given(cards(), st.sampled_from(PREFIXES), st.sampled_from(SUFFIXES), WORDS)
def test_luhn_valid_cards_are_always_removed(
    card: tuple[str, str], prefix: str, suffix: str, words: str
) -> None:
    digits, grouped = card
    out = Redactor().redact(f"{words}; {prefix}{grouped}{suffix}")
    assert out.text == f"{words}; {prefix}[CARD]{suffix}"
    assert digits not in re.sub(r"\D", "", out.text)


@settings(max_examples=300)
@given(phones(), st.sampled_from(PREFIXES), st.sampled_from(SUFFIXES), WORDS)
def test_phones_are_always_removed(phone: str, prefix: str, suffix: str, words: str) -> None:
    out = Redactor().redact(f"{words}; {prefix}{phone}{suffix}")
    assert out.text == f"{words}; {prefix}[PHONE]{suffix}"


FRAGMENTS = [
    "a@b.co",
    "john.doe@mail.example.com",
    "555-123-4567",
    "+44 20 7946 0958",
    "(555) 123 4567",
    "4111 1111 1111 1111",
    "4111111111111111",
    "1234 5678 9012 3456",
    "123-45-6789",
    "AB123456C",
    "passport X1234567",
    "12 Oak Lane",
    "221B Baker Street",
    "PO Box 12",
    "order #10234",
    "order 123456789",
    "ORD-2026-00123",
    "SKU-AB-1234",
    "$129.99",
    "2024-01-15",
    "15/01/2024",
    "10:30",
    "90210-1234",
    "tracking 1Z999AA10123456784",
    "15%",
    "[EMAIL]",
    "[PHONE]",
    "call",
    "my number is",
    "ref",
    "#",
    "Flat 3,",
    "Apt 4",
    "St",
    "Road",
    "07700",
    "900123",
    "0",
    "12",
    "555",
    "1234",
    "+1",
    "(",
    ")",
    "-",
    ".",
    "/",
    "@",
    "x",
    "the",
    "\n",
]


POLICIES = [
    RedactionPolicy(),
    RedactionPolicy(
        custom=[CustomRule(name="loyalty", pattern=r"LOY-\d+", placeholder="[LOYALTY]")],
        keep=[r"555-123-4567", r"Oak \w+"],
    ),
    RedactionPolicy(phone=False, address=False),
]


@settings(max_examples=500)
@given(
    st.lists(st.sampled_from([*FRAGMENTS, "LOY-123456", "[LOYALTY]"]), max_size=12),
    st.sampled_from([" ", "", ", ", "-"]),
    st.sampled_from(POLICIES),
)
def test_idempotent_on_mixed_fragments(parts: list[str], sep: str, policy: RedactionPolicy) -> None:
    redactor = redactor_for(policy)
    once = redactor.redact(sep.join(parts)).text
    assert redactor.redact(once).text == once


@settings(max_examples=500)
@given(st.text(alphabet="0123456789 -./()+#@:$aBcXo\n", max_size=60))
def test_idempotent_on_digit_soup(text: str) -> None:
    redactor = Redactor()
    once = redactor.redact(text).text
    assert redactor.redact(once).text == once


@settings(max_examples=300)
@given(st.text().filter(lambda s: "@" not in s and not any(c in "0123456789" for c in s)))
def test_text_without_digits_or_at_is_unchanged(text: str) -> None:
    assert Redactor().redact(text) == RedactionResult(text, {})


ADDRESS_PARTS = [
    "12", "221B", "4-6", "1600", "5th", "Baker", "oak", "the", "of", "Street", "st", "Rd", "lane",
    "trail", "way", "drive", "Box", "P.O.", "PO", "apt", "Apt 4B,", "#3", "order", "10", "minute",
    "a", "tent", ",", ".", "Ave", "NW",
]  # fmt: skip


@settings(max_examples=1000)
@given(
    st.lists(st.sampled_from(ADDRESS_PARTS), max_size=10), st.sampled_from([" ", "  ", "\t", ""])
)
def test_address_gates_never_hide_a_street_line(parts: list[str], sep: str) -> None:
    """The cheap gates in front of the address pattern (a street word, and a number followed
    by a word) only skip texts the pattern cannot match (R-SIG-4)."""
    from shopcoach.redaction import _ADDRESS

    text = sep.join(parts)
    expected = text
    for _ in range(4):
        expected, previous = _ADDRESS.sub("[ADDRESS]", expected), expected
        if expected == previous:
            break
    only_address = RedactionPolicy(email=False, phone=False, card=False, gov_id=False)
    assert Redactor(only_address).redact(text).text == expected


# --- policy -------------------------------------------------------------------------------------

SAMPLE = "Mail a@b.co, call 555-123-4567, card 4111 1111 1111 1111, 12 Oak Lane, SSN 123-45-6789"
SAMPLE_OUT = {
    "email": "a@b.co",
    "phone": "555-123-4567",
    "card": "4111 1111 1111 1111",
    "address": "12 Oak Lane",
    "gov_id": "123-45-6789",
}


@pytest.mark.parametrize("kind", list(SAMPLE_OUT))
def test_policy_flag_turns_one_kind_off(kind: str) -> None:
    expected = "Mail [EMAIL], call [PHONE], card [CARD], [ADDRESS], SSN [GOV_ID]"
    expected = expected.replace(f"[{kind.upper()}]", SAMPLE_OUT[kind])
    result = Redactor(RedactionPolicy.model_validate({kind: False})).redact(SAMPLE)
    assert result.text == expected
    assert kind not in result.counts and len(result.counts) == 4


def test_everything_off_changes_nothing() -> None:
    policy = RedactionPolicy(email=False, phone=False, card=False, address=False, gov_id=False)
    assert Redactor(policy).redact(SAMPLE) == RedactionResult(SAMPLE, {})


def test_custom_rules_redact_count_and_protect_placeholders() -> None:
    policy = RedactionPolicy(
        custom=[
            CustomRule(name="loyalty", pattern=r"\bLOY-\d{6}\b", placeholder="[LOYALTY]"),
            CustomRule(name="shout", pattern=r"\b[A-Z]{5,}\b", placeholder="[SHOUT]"),
        ]
    )
    redactor = Redactor(policy)
    result = redactor.redact("card LOY-123456, HELLO from a@b.co [PHONE] 555-123-4567")
    assert result.text == "card [LOYALTY], [SHOUT] from [EMAIL] [PHONE] [PHONE]"
    assert result.counts == {"loyalty": 1, "shout": 1, "email": 1, "phone": 1}
    assert redactor.redact(result.text) == RedactionResult(result.text, {})


def test_custom_rule_placeholder_is_never_redacted_by_built_ins() -> None:
    policy = RedactionPolicy(
        custom=[CustomRule(name="member", pattern=r"member \w+", placeholder="<member 5551234567>")]
    )
    assert Redactor(policy).redact("member abc").text == "<member 5551234567>"


def test_keep_patterns_are_never_redacted() -> None:
    policy = RedactionPolicy(keep=[r"support@myshop\.com", r"\+1 800 555 0100"])
    text = "Write to support@myshop.com or +1 800 555 0100; I'm jo@gmail.com, 555-123-4567"
    result = Redactor(policy).redact(text)
    assert result.text == ("Write to support@myshop.com or +1 800 555 0100; I'm [EMAIL], [PHONE]")
    assert result.counts == {"email": 1, "phone": 1}


def test_invalid_custom_regex_names_the_rule_and_the_fix() -> None:
    with pytest.raises(ValidationError) as err:
        RedactionPolicy.model_validate(
            {"custom": [{"name": "loyalty", "pattern": r"LOY-(\d+", "placeholder": "[L]"}]}
        )
    message = str(err.value)
    assert "custom rule 'loyalty'" in message
    assert "not a valid regular expression" in message
    assert "fix the pattern" in message


def test_invalid_keep_regex_and_bad_policies_are_rejected() -> None:
    with pytest.raises(ValidationError, match=r"keep\[1\].*not a valid regular expression"):
        RedactionPolicy(keep=["ok", "[unclosed"])
    with pytest.raises(ValidationError, match="already used"):
        RedactionPolicy(custom=[CustomRule(name="email", pattern="x", placeholder="[X]")])
    with pytest.raises(ValidationError, match="already used"):
        RedactionPolicy(custom=[CustomRule(name="a", pattern="x", placeholder="[X]")] * 2)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RedactionPolicy.model_validate({"emails": False})


def test_redactor_for_caches_by_policy() -> None:
    default = redactor_for(None)
    assert redactor_for({}) is default
    assert redactor_for(RedactionPolicy()) is default
    no_phone = redactor_for({"phone": False})
    assert no_phone is redactor_for(RedactionPolicy(phone=False))
    assert no_phone is not default
    assert no_phone.redact("call 555-123-4567").text == "call 555-123-4567"


def test_policy_round_trips_through_json() -> None:
    policy = RedactionPolicy(
        card=False, custom=[CustomRule(name="x", pattern=r"X\d+", placeholder="[X]")], keep=["a"]
    )
    assert RedactionPolicy.model_validate_json(policy.model_dump_json()) == policy


# Long runs that could make a badly written pattern backtrack (benchmarks/redaction.py
# prints how long each takes: milliseconds).
PATHOLOGICAL = ["1 " * 10_000, "a@" * 10_000, "a" * 20_000 + "@", "1-" * 10_000,
                "12 Main " * 2_500, "(" * 10_000 + "5" * 10_000]  # fmt: skip


def test_pathological_inputs_are_redacted_without_hanging() -> None:
    """Each input is redacted and the process ends. The timeout is a hang guard, not a speed
    check: catastrophic backtracking on inputs this long takes hours, a normal run ms."""
    code = (
        "import json, sys; from shopcoach.redaction import Redactor; r = Redactor(); "
        "print(json.dumps([r.redact(t).text for t in json.load(sys.stdin)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(PATHOLOGICAL), capture_output=True,
        text=True, timeout=600, check=True,
    )  # fmt: skip
    redacted = json.loads(out.stdout)
    assert redacted == [Redactor().redact(t).text for t in PATHOLOGICAL]
    assert "[EMAIL]" not in redacted[1] and redacted[4].count("[ADDRESS]") == 0
