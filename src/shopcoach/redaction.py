"""PII redaction applied to every message text before it is stored (R-SIG-4).

Replaced with a typed placeholder:

* ``[EMAIL]``   e-mail addresses.
* ``[PHONE]``   ``+CC`` / ``00CC`` international numbers (up to 15 digits) and national ones
  grouped by spaces, dots, dashes, slashes or parentheses (7-12 digits). A bare run of digits
  is a phone when it has 10-12 digits, starts with a trunk ``0``, or follows a cue such as
  "call", "phone", "mobile" or "my number is".
* ``[CARD]``    13-19 digit card numbers, bare or grouped by spaces/dashes, passing Luhn.
* ``[ADDRESS]`` house number + street name + street suffix (St, Road, Ave, Lane, ...) with an
  optional unit ("Apt 4B", "Flat 3, ..."), and PO boxes.
* ``[GOV_ID]``  US SSNs (``123-45-6789``; the never-issued 000/666/9xx areas are not SSNs),
  UK National Insurance numbers, and ids after "passport", "driver's license", "SSN",
  "national id", "tax id" and similar labels.
* whatever the store's custom rules match, with each rule's own placeholder.

Kept, because the agent is judged on exactly these facts: order numbers, SKUs, prices, dates,
times, quantities, percentages, zip codes on their own, and any number right after "order",
"#", "SKU", "item", "tracking", "invoice", "ticket", "ref" or a similar label. A long number
failing Luhn is kept too: it is far more often a gift card, voucher or tracking number than a
card, and Luhn is what tells them apart. City, state and zip after a street line are kept; the
street line is what identifies a person. Matches of the policy's ``keep`` patterns and
existing placeholders are never touched.

Speed: this runs on every imported message and most hold no PII, so nothing is searched that
cannot match. One ``bytes.translate`` maps the text to a "shape" (digit -> ``0``, letter ->
``a``, separators dropped); substring tests on it decide which detectors can fire at all, and
the number detector only runs its regexes where an aligned shape shows 7+ digits close
together; the address pattern runs only on a text holding a street word and a number followed
by a word. A text without digits costs an ``in`` test for ``@`` and one translate.

Redacting is idempotent: placeholders hold no digits or ``@``, and a text is redacted until it
stops changing (a replacement can change its neighbour's context), normally in one pass.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

KINDS = ("email", "phone", "card", "address", "gov_id")
PLACEHOLDERS = {kind: f"[{kind.upper()}]" for kind in KINDS}  # "phone" -> "[PHONE]"


def _compile_user(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"{what}: {pattern!r} is not a valid regular expression ({exc}); fix the pattern, "
            "e.g. escape literal ( ) [ ] + * ? . characters with a backslash"
        ) from None


class CustomRule(BaseModel):
    """A store-specific pattern (a loyalty number, an internal customer id, ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    pattern: str = Field(min_length=1)
    placeholder: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _compiles(self) -> CustomRule:
        _compile_user(self.pattern, f"custom rule {self.name!r}")
        return self


class RedactionPolicy(BaseModel):
    """What to redact for one store; stored as JSON with the store."""

    model_config = ConfigDict(extra="forbid")

    email: bool = True
    phone: bool = True
    card: bool = True
    address: bool = True
    gov_id: bool = True
    custom: list[CustomRule] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> RedactionPolicy:
        names = [rule.name for rule in self.custom]
        for name in names:
            if name in PLACEHOLDERS or names.count(name) > 1:
                raise ValueError(
                    f"custom rule name {name!r} is already used (built-in kinds: "
                    f"{', '.join(PLACEHOLDERS)}); give each custom rule its own name"
                )
        for i, pattern in enumerate(self.keep):
            _compile_user(pattern, f"keep[{i}]")
        return self


class RedactionResult(NamedTuple):
    """A redacted text. A named tuple (immutable): one is made per stored message."""

    text: str
    counts: dict[str, int]  # kind (policy field or custom rule name) -> replacements, if > 0


def _table(pairs: list[tuple[bytes, bytes]], default: bytes = b",") -> bytes:
    """A bytes.translate table; a one-byte target maps every char to it, else pairwise."""
    table = bytearray(default * 256)
    for chars, to in pairs:
        for i, c in enumerate(chars):
            table[c] = to[i % len(to)]
    return bytes(table)


_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SEPS = b" \t-./()+"
_SQUEEZE = _table([(b"0123456789", b"0"), (_LETTERS + b"_", b"a")])  # use with delete=_SEPS
_SHAPE = _table([(b"0123456789", b"0"), (_LETTERS + b"_", b"a"), (_SEPS, b"  -./()+")])
_WORDS = _table([(_LETTERS, _LETTERS[26:] * 2)], b" ")  # lower-case words only
_GOV_WORDS = frozenset(b"passport license licence dl ssn security insurance national".split())
_ID = frozenset(b"tax card identity".split())
_STREET_WORDS = frozenset(
    b"street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl terrace"
    b" ter circle cir crescent cres close square sq parkway pkwy highway hwy grove gardens mews"
    b" row trail loop alley plaza box".split()
)

# Leading punctuation ("-jo@x.com") stays outside the placeholder.
_EMAIL = re.compile(r"(?<![\w.%+'-])([.%+'-]*+)\w[\w.%+'-]*+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_][\w-]*")
_GATE = re.compile(r"0(?:[ ./()+-]{0,4}+0){6}")  # on the aligned shape: 7+ digits close together
_HOUSE = re.compile(rb"0a? +[a0]")  # on the shape: a house number, then a word (see _ADDRESS)
# A digit cluster. Glued to a word, path or "#" it is an id (ORD-2026-00123, /p/1234567, #12).
_CLUSTER = re.compile(
    r"(?<![\w/#%])(?<!\w[-.])(?>(?:\+[ \t]?|\(\+?)?[0-9]+"
    r"(?:(?:[ \t]?[-./][ \t]?|[ \t]?\(|\)[ \t]?(?:[-.][ \t]?)?|[ \t])[0-9]+)*)(?!\w)(?!-\w)"
)
_TOKEN = re.compile(r"([^0-9]*)([0-9]+)")
_RUN = re.compile(r"0+")
_DATE_AT = re.compile(r"0{1,4}([-/.])00?\1(?:0000|00)(?![ ./()+-]{0,4}0)")  # shape of one date
_DATE = re.compile(r"([0-9]{1,4})([-/.])([0-9]{1,2})\2([0-9]{2,4})")


def _rev(words: str) -> str:
    return "|".join(w[::-1] for w in words.split())


# Labels and cues before a number are matched on the reversed, lower-cased 40 characters
# before it: one anchored match instead of a search through the window.
_LABEL_REV = re.compile(
    r"[\s:=]*[#$€£¥]|[\s#:=]*(?:(?:si|saw)\s+)?"
    rf"(?:\.?(?:{_rev('number num no nr id code')})\s*)?s?"
    rf"(?:(?P<long>{_rev('tracking awb shipment consignment parcel package')})"
    rf"|{_rev('order sku item invoice ticket ref reference case confirmation rma receipt')}"
    rf"|{_rev('transaction po serial model part product article')})(?!\w)"
)
_CUE_REV = re.compile(
    r"\W*(?:\w+\W+){0,3}"
    rf"(?:{_rev('phone tel telephone call ring cell mobile mob number text sms whatsapp fax')})"
    r"(?![\w\[])"  # "[PHONE]" is a placeholder, not a cue
)
_GOV_ID = re.compile(
    r"\b(?P<nino>(?!bg|gb|kn|nk|nt|tn|zz)[a-ceghj-prtw-z][a-ceghj-nprtw-z]"
    r"(?:[ \t]?[0-9]{2}){3}[ \t]?[a-d])\b"
    r"|(?P<label>\b(?:passport|(?:driver'?s?|driving)[ \t]+licen[cs]e|dl|ssn|social[ \t]+security"
    r"|national[ \t]+insurance|(?:national[ \t]+)?id(?:entity)?[ \t]+card|(?:national|tax)[ \t]+id)"
    r"(?:[ \t]*(?:number|num|no|nr|\#)\.?)?(?:[ \t]+(?:is|was))?[ \t]*[:#=]?[ \t]*)"
    r"(?P<id>(?=[a-z0-9-]*[0-9])[a-z0-9]+(?:[ -](?=[a-z]*[0-9])[a-z0-9]+){0,4})\b",
    re.I,
)
_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|circle|crescent|parkway|pkwy|highway|hwy"
)
_ADDRESS = re.compile(
    r"(?:\b(?i:apt|apartment|unit|suite|flat)\.?[ \t]*\#?[ \t]*[A-Za-z0-9-]{1,6},?[ \t]+)?"
    r"(?<![\w.#$€£/-])[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,6}[A-Za-z]?)?[ \t]+"
    # Capitalised street names take any suffix; lower-case ones only a street-ish one and no
    # filler words, so "a 10 minute drive" or "3 days on the road" stay as they are.
    rf"(?:(?:(?:[A-Z0-9][\w'.-]*|of|the|de|la)[ \t]+){{1,4}}(?i:{_SUFFIX}"
    r"|ter|cir|cres|close|square|sq|grove|gardens|mews|row|trail|loop|alley|plaza)"
    r"|(?:(?!(?:the|a|an|and|or|of|on|in|to|for|at|by|with|from|per|my|your|our|this|that|more"
    r"|other|same|different|(?:day|hour|minute|min|week|month|year|mile|item|time|way|pack|lane"
    rf"|star|step|pair)s?|km)\b)[a-z][a-z'-]*[ \t]+){{1,3}}(?i:{_SUFFIX}))\b"
    r"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    r"(?:,?[ \t]*(?i:apt|apartment|unit|suite|ste|flat|floor|rm|room|\#)\.?[ \t]*\#?[ \t]*"
    r"[A-Za-z0-9-]{1,6}\b)?"
    r"|\b(?i:p\.?[ \t]?o\.?|post[ \t]+office)[ \t]*(?i:box)[ \t]*\#?[ \t]*[0-9]{1,8}\b"
)
# Kept text and custom placeholders are parked as one Supplementary Private Use Area-A
# character each while the built-in detectors run; real chat text never holds those.
_MARK0 = 0xF0000
_MARKS = re.compile("[\U000f0000-\U000ffffd]")
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _luhn(d: str) -> bool:
    return (sum(map(int, d[-1::-2])) + sum(_DOUBLED[int(c)] for c in d[-2::-2])) % 10 == 0


def _is_date(a: str, b: str, c: str) -> bool:
    if len(a) == 4 and len(b) <= 2 and len(c) <= 2:
        return 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    if len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):
        x, y = int(a), int(b)
        return 1 <= x <= 31 and 1 <= y <= 31 and (x <= 12 or y <= 12)
    return False


Cue = Callable[[], bool]  # "is there a phone cue before this number?", asked lazily


def _bare_phone(d: str, intl: bool, cue: Cue) -> bool:
    intl = intl or d.startswith("00")
    return 7 <= len(d) <= (15 if intl else 12) and (intl or len(d) >= 10 or d[0] == "0" or cue())


def _phone(seps: list[str], digs: list[str], pre: list[int], i: int, j: int, cue: Cue) -> bool:
    """Whether tokens i..j-1 of a cluster read as one phone number."""
    if j - i == 1:
        return _bare_phone(digs[i], "+" in seps[i], cue)
    total, joins, inner = pre[j] - pre[i], seps[i + 1 : j], "".join(seps[i + 1 : j])
    intl = "+" in seps[i] or digs[i].startswith("00")
    if not 7 <= total <= (15 if intl else 12) or "+" in inner:
        return False
    if intl or "(" in seps[i] or "(" in inner or ")" in inner:
        return True
    lens = [len(d) for d in digs[i:j]]
    if j - i == 2 and (inner == "." or (lens == [4, 4] and digs[i][:2] in ("19", "20"))):
        return False  # a decimal or a year range
    if len(set(joins)) == 1 and inner[0] in " ." and lens[0] <= 2 and set(lens[1:]) == {3}:
        return False  # thousands: 1 000 000
    if inner == "..." and max(lens) <= 3:
        return False  # an IPv4 address
    return min(lens[1:]) >= 2


def _spans(seps: list[str], digs: list[str], label: str, cue: Cue) -> list[tuple[int, int, str]]:
    """Token windows (start, end, kind) of a digit cluster: kept ids, cards, SSNs, phones."""
    n = len(digs)
    free = [True] * n
    spans: list[tuple[int, int, str]] = []

    def take(i: int, j: int, kind: str) -> None:
        free[i:j] = [False] * (j - i)
        spans.append((i, j, kind))

    if label and not seps[0]:  # the labelled id is its first word (all of it, for tracking)
        j = 1
        while j < n and (seps[j] in (" ", "-") if label == "long" else " " not in seps[j]):
            j += 1
        take(0, j, "keep")
    pre = list(itertools.accumulate(map(len, digs), initial=0))  # digits before token i
    cards = []  # Luhn-valid 13-19 digit windows; the longest wins
    for i in range(n if pre[n] >= 13 else 0):
        if not free[i] or "+" in seps[i] or (i and "+" in seps[i - 1]):
            continue  # "+CC ..." is a phone
        for j in range(i + 1, n + 1):
            if (
                not free[j - 1]
                or pre[j] - pre[i] > 19
                or j > i + 1
                and (seps[j - 1] not in (" ", "-") or (j > i + 2 and len(digs[j - 2]) < 2))
            ):  # nobody types a card with one-digit groups inside it
                break
            if pre[j] - pre[i] >= 13 and _luhn("".join(digs[i:j])):
                cards.append((pre[i] - pre[j], i, j))
    for _, i, j in sorted(cards):
        if all(free[i:j]):
            take(i, j, "card")
    for i in range(n - 1):  # dates, SSNs, ZIP+4: fixed shapes not continued by the same sep
        sep = seps[i + 1]
        if sep not in ("-", "/", ".") or seps[i] == sep or not (free[i] and free[i + 1]):
            continue
        if i + 2 < n and seps[i + 2] == sep and free[i + 2] and (i + 3 == n or seps[i + 3] != sep):
            d1, d2, d3 = digs[i : i + 3]
            if _is_date(d1, d2, d3):
                take(i, i + 3, "keep")
            elif sep == "-" and (len(d1), len(d2), len(d3)) == (3, 2, 4):  # SSN-shaped: no phone
                ssn = d1 not in ("000", "666") and d1[0] != "9" and d2 != "00" and d3 != "0000"
                take(i, i + 3, "gov_id" if ssn else "keep")
        elif (
            sep == "-"
            and (i + 2 == n or seps[i + 2] != "-")
            and pre[i + 2] - pre[i] == 9
            and len(digs[i]) == 5
        ):
            take(i, i + 2, "keep")
    i = 0
    while i < n:  # phones, over each run of still-free tokens
        b = i
        while b < n and free[b]:
            b += 1
        lens = [len(d) for d in digs[i:b]]
        if (
            pre[b] - pre[i] >= 13
            and len(set(seps[i + 1 : b])) <= 1
            and (set(lens[:-1]) == {4} or lens in ([4, 6, 5], [4, 6, 4]))
        ):
            i = b  # card-shaped but failing Luhn: a gift card or voucher, not a phone
        while i < b:
            top = i + 1  # a grouped phone has no one-digit group after the first
            while top < min(b, i + 15) and (
                len(digs[top]) > 1 or "+" in seps[i] or "(" in seps[top] or ")" in seps[top]
            ):
                top += 1
            for j in range(top, i, -1):
                if _phone(seps, digs, pre, i, j, cue):
                    take(i, j, "phone")
                    i = j
                    break
            else:
                i += 1
        i += 1
    return spans


class Redactor:
    """Redacts message texts under one policy. Immutable and safe to share across threads."""

    def __init__(self, policy: RedactionPolicy | None = None) -> None:
        self.policy = p = policy or RedactionPolicy()
        self._on = {"phone": p.phone, "card": p.card, "gov_id": p.gov_id, "keep": False}
        self._custom = [(r.name, re.compile(r.pattern), r.placeholder) for r in p.custom]
        self._protect = [re.compile(k) for k in p.keep]
        if self._custom:  # custom patterns must not eat placeholders
            marks = {*PLACEHOLDERS.values(), *(r.placeholder for r in p.custom)}
            self._protect.append(re.compile("|".join(map(re.escape, sorted(marks, key=len)[::-1]))))
        self._email = p.email
        self._numbers = p.phone or p.card or p.gov_id
        self._digits_on = self._numbers or p.address
        self._noop = not (p.email or self._digits_on or self._custom)
        # One pass: with nothing to protect, straight to the built-in detectors.
        self._one_pass = self._pass if self._protect else self._builtin

    def redact(self, text: str) -> RedactionResult:
        counts: dict[str, int] = {}
        if self._noop or not text:
            return RedactionResult(text, counts)
        one_pass = self._one_pass
        out = one_pass(text, counts)
        if out is text:  # nothing found: the usual case
            return RedactionResult(text, counts)
        for _ in range(3):
            if out == text:
                break
            text, out = out, one_pass(out, counts)
        return RedactionResult(out, counts)

    def redact_many(self, texts: list[str]) -> list[RedactionResult]:
        redact = self.redact
        return [redact(t) for t in texts]

    def _pass(self, text: str, counts: dict[str, int]) -> str:
        if not self._protect:
            return self._builtin(text, counts)
        saved: list[str] = []

        def park(value: str) -> str:
            saved.append(value)
            return chr(_MARK0 + len(saved) - 1)

        for rx in self._protect:
            text = rx.sub(lambda m: park(m.group()) if m.group() else "", text)
        for name, rx, placeholder in self._custom:

            def custom(m: re.Match[str], name: str = name, placeholder: str = placeholder) -> str:
                if not m.group():
                    return ""
                _add(counts, name, 1)
                return park(placeholder)

            text = rx.sub(custom, text)
        text = self._builtin(text, counts)
        for _ in saved:  # a kept match may hold an earlier mark
            restored = _MARKS.sub(lambda m: _unpark(m.group(), saved), text)
            if restored == text:
                break
            text = restored
        return text

    def _builtin(self, text: str, counts: dict[str, int]) -> str:
        if self._email and "@" in text:
            text, n = _EMAIL.subn(r"\1[EMAIL]", text)
            _add(counts, "email", n)
        if not self._digits_on:
            return text
        raw = text.encode("ascii", "replace")  # one byte per character keeps offsets aligned
        sq = raw.translate(_SQUEEZE, _SEPS).decode()
        return self._digits(text, raw, sq, counts) if "0" in sq else text

    def _digits(self, text: str, raw: bytes, sq: str, counts: dict[str, int]) -> str:
        p = self.policy
        words: set[bytes] = set()  # lower-case words: set lookups keep most regexes idle
        if "0000" in sq or "0a" in sq or "ox" in text or "OX" in text:
            words = set(raw.translate(_WORDS).split())
        if p.gov_id and (
            "a000000a" in sq
            or "0000" in sq
            and (not _GOV_WORDS.isdisjoint(words) or b"id" in words and not words.isdisjoint(_ID))
        ):
            text = _GOV_ID.sub(lambda m: self._gov_id(m, counts), text)
        if self._numbers and "0000000" in sq:
            text = self._numbers_in(text, counts)
        if p.address and not _STREET_WORDS.isdisjoint(words) and (
            b"box" in words or _HOUSE.search(text.encode("ascii", "replace").translate(_SHAPE))
        ):  # a street word ("trail", "way") alone is common; a street line needs a number
            text, n = _ADDRESS.subn("[ADDRESS]", text)
            _add(counts, "address", n)
        return text

    @staticmethod
    def _gov_id(m: re.Match[str], counts: dict[str, int]) -> str:
        if not m.group("nino") and sum(c.isdigit() for c in m.group("id")) < 4:
            return m.group()
        _add(counts, "gov_id", 1)
        return (m.group("label") or "") + "[GOV_ID]"

    def _numbers_in(self, text: str, counts: dict[str, int]) -> str:
        sh = text.encode("ascii", "replace").translate(_SHAPE).decode()
        out: list[str] = []
        last = pos = 0
        while (g := _GATE.search(sh, pos)) is not None:
            s = g.start()
            k = 2 if s > 1 and sh[s - 2 : s] in ("(+", "+ ") else int(s > 0 and sh[s - 1] in "+(")
            date = None if k else _DATE_AT.match(sh, s)
            if date and (d := _DATE.fullmatch(text, s, date.end())) and _is_date(*d.group(1, 3, 4)):
                pos = date.end()  # a date on its own, the most common long number: keep it
                continue
            m = _CLUSTER.match(text, s - k)
            if m is None:  # glued to a word: skip the whole digit run
                pos = _RUN.match(sh, s).end()  # type: ignore[union-attr]
                continue
            replaced = self._cluster(text, m, counts)
            if replaced is not None:
                out += (text[last : m.start()], replaced)
                last = m.end()
            pos = m.end()
        return "".join(out) + text[last:] if out else text

    def _cluster(self, text: str, m: re.Match[str], counts: dict[str, int]) -> str | None:
        group = m.group()
        start = m.start()

        def cue() -> bool:  # "call me on", "my number is": asked only for short bare numbers
            return _CUE_REV.match(text[max(0, start - 40) : start][::-1].lower()) is not None

        if group.isdigit():  # one bare run, the usual case: labels only matter if it would go
            kind = "card" if 13 <= len(group) <= 19 and _luhn(group) else "phone"
            if not self._on[kind] or (kind == "phone" and not _bare_phone(group, False, cue)):
                return None
            if _LABEL_REV.match(text[max(0, start - 40) : start][::-1].lower()):
                return None
            _add(counts, kind, 1)
            return PLACEHOLDERS[kind]
        if group[0] == "+" and group.count("+") == 1 and self._on["phone"]:  # "+CC ...": a phone
            if 7 <= len(group.encode("ascii", "replace").translate(None, _SEPS)) <= 15:
                _add(counts, "phone", 1)
                return "[PHONE]"
        before = text[max(0, start - 40) : start][::-1].lower()
        label = _LABEL_REV.match(before)
        tokens = _TOKEN.findall(group)
        seps, digs = [t[0] for t in tokens], [t[1] for t in tokens]
        found = _spans(seps, digs, "" if not label else "long" if label["long"] else "keep", cue)
        ends = list(itertools.accumulate(len(s) + len(d) for s, d in tokens))
        out: list[str] = []
        last = 0
        for i, j, kind in sorted(s for s in found if self._on[s[2]]):
            lead = seps[i]
            if kind == "phone":  # "+" and an area code's "(" belong to the phone
                closes = j > i + 1 and seps[i + 1].startswith(")")
                cut = [lead.find(c) for c in "+(" if c in lead and (c == "+" or closes)]
                lead = lead[: min(cut, default=len(lead))]
            out += (group[last : ends[i] - len(digs[i]) - len(seps[i])], lead, PLACEHOLDERS[kind])
            _add(counts, kind, 1)
            last = ends[j - 1]
        return "".join(out) + group[last:] if out else None


def _add(counts: dict[str, int], kind: str, n: int) -> None:
    if n:
        counts[kind] = counts.get(kind, 0) + n


def _unpark(mark: str, saved: list[str]) -> str:
    i = ord(mark) - _MARK0
    return saved[i] if i < len(saved) else mark


@functools.lru_cache(maxsize=256)
def _redactor_from_json(policy_json: str) -> Redactor:
    return Redactor(RedactionPolicy.model_validate_json(policy_json))


def redactor_for(policy: RedactionPolicy | dict[str, Any] | None) -> Redactor:
    """The redactor for a store's policy, compiled once per distinct policy."""
    if not isinstance(policy, RedactionPolicy):
        policy = RedactionPolicy.model_validate(policy or {})
    return _redactor_from_json(policy.model_dump_json())
