"""The grounding check: every checkable claim of a draft answer against verified data (R-AGT-6).

``check_answer(draft, evidence)`` finds the claims a customer could act on — prices, stock,
sizes, delivery times and dates, policy windows (returns, refunds, exchanges, warranty,
cancellation…), amounts tied to a policy, and the products the answer names — and gives each
a verdict:

* ``supported``: verified data states the same thing;
* ``contradicted``: verified data states something else (the evidence is quoted);
* ``unsupported``: nothing verified backs it (a product not in the catalog, a window no
  policy states, stock the catalog does not know).

``result.ok`` is False when any claim is contradicted or unsupported: the agent must not send
the draft (it escalates or rewrites), and conversation scoring flags the turn as a likely
hallucination. Pure: strings and plain data in, a plain result out.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

from shopcoach.grounding.evidence import Evidence, ProductFact, name_tokens
from shopcoach.grounding.facts import (
    Duration,
    Money,
    amounts,
    durations,
    mentions_any,
    sentences,
    subject_near,
)

Verdict = Literal["supported", "contradicted", "unsupported"]
PRICE_TOLERANCE = 0.005
# Policy windows that must be stated exactly; delivery may promise a sub-range of the policy.
EXACT_SUBJECTS = frozenset({"returns", "refunds", "exchanges", "warranty", "cancellation",
                            "price_match", "promo"})  # fmt: skip

_STOCK_RE = re.compile(
    r"\b(?P<neg>out of stock|sold out|unavailable|not available|not in stock|no longer "
    r"available|discontinued|backordered|back-ordered)\b|\b(?P<pos>in stock|available now|"
    r"currently available|ready to ship|available)\b",
    re.I,
)
_SIZE_LIST = r"(?:XXS|XS|S|M|L|XL|XXL|XXXL|\d{1,2}(?:\.5)?|small|medium|large|x-large)"
_SIZE_RE = re.compile(
    rf"\bsizes?\s+(?P<list>{_SIZE_LIST}(?:\s*(?:,|/|and|or|&)\s*{_SIZE_LIST})*)\b"
    rf"|\bcomes? in\s+(?P<list2>{_SIZE_LIST}(?:\s*(?:,|/|and|or|&)\s*{_SIZE_LIST})+)\b",
    re.I,
)
# One size per match, whole words only: "S/M" is S and M, "small" is small (not s, m, l).
_SIZE_TOKEN_RE = re.compile(rf"\b{_SIZE_LIST}\b", re.I)
# Substrings every match of a pattern contains: a cheap test on the lower-cased sentence
# before the (case-insensitive, alternation-heavy) pattern runs. Grounding is on the scoring
# bulk path, where most sentences make none of these claims.
_STOCK_KEYS = ("stock", "sold out", "available", "discontinued", "order", "ready to ship")
_SIZE_KEYS = ("size", "come")
_MONEY_KEYS = ("$", "€", "£", "usd", "eur", "gbp", "dollar", "cost", "price")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_KEYS = (*_MONTHS, "today", "tomorrow", "-")  # "-": an ISO date
_DATE_RE = re.compile(
    r"\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})"
    r"(?:st|nd|rd|th)?\b|\b(?P<iso>\d{4}-\d{2}-\d{2})\b|\b(?P<rel>today|tomorrow)\b",
    re.I,
)
# A run of capitalised words / model numbers: the names an answer gives products.
_NAME_RE = re.compile(
    r"(?:\b(?:[A-Z][\w'&+-]*|[a-z]*\d[\w-]*)(?:[ \t]+(?:[A-Z][\w'&+-]*|\d[\w.-]*|[a-z]+\d[\w-]*))*)"
)
_LEADING = frozenset(
    "the our your this that these those it we you i yes no sure hi hello thanks thank "
    "unfortunately great good please of course also and but so however".split()
)
_NOT_PRODUCTS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december black cyber prime christmas "
    "usps ups fedex dhl customer service support team order orders returns refund policy "
    "faq help center shipping".split()
)


@dataclass(frozen=True)
class Claim:
    kind: str  # price | stock | size | product | policy_window | delivery_date | amount
    text: str
    sentence: str
    verdict: Verdict
    reason: str
    evidence: str | None = None
    subject: str | None = None
    # For a contradicted claim: the verified value it contradicts and where that comes from
    # (product key / "article@version" / "order N"), for hallucination flags (R-SCO-3).
    verified: str | None = None
    source: str | None = None


@dataclass
class GroundingResult:
    claims: list[Claim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[Claim]:
        return [c for c in self.claims if c.verdict != "supported"]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "claims": [asdict(c) for c in self.claims],
                "problems": len(self.problems)}  # fmt: skip


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    product: ProductFact | None


def check_answer(draft: str, evidence: Evidence) -> GroundingResult:
    """Check every claim of ``draft`` against ``evidence``; see the module docstring."""
    result = GroundingResult()
    mentions = _mentions(draft, evidence)
    claims = result.claims
    for mention in mentions:
        if mention.product is None:
            reason = f"no product named {mention.text!r} in the catalog"
            sentence = _sentence_at(draft, mention.start)
            claims.append(Claim("product", mention.text, sentence, "unsupported", reason))
    for money in amounts(draft):
        product = _product_for(money.start, mentions, evidence)
        named = any(m.product is product for m in mentions) if product is not None else False
        claims.append(_check_money(money, product, evidence, named=named))
    for d in durations(draft):
        claim = _check_duration(d, evidence)
        if claim:
            claims.append(claim)
    for offset, sentence in sentences(draft):
        lower = sentence.lower()
        for m in _STOCK_RE.finditer(sentence) if mentions_any(lower, _STOCK_KEYS) else ():
            if _inside_size_phrase(sentence, m.start()):
                continue
            product = _product_for(offset + m.start(), mentions, evidence)
            claims.append(_check_stock(m.group(), m.group("neg") is not None, sentence, product))
        for m in _SIZE_RE.finditer(sentence) if mentions_any(lower, _SIZE_KEYS) else ():
            product = _product_for(offset + m.start(), mentions, evidence)
            listed = m.group("list") or m.group("list2")
            claims.append(_check_sizes(m.group(), _SIZE_TOKEN_RE.findall(listed), sentence,
                                       product))  # fmt: skip
        for m in _DATE_RE.finditer(sentence) if mentions_any(lower, _DATE_KEYS) else ():
            claim = _check_date(m, sentence, evidence)
            if claim:
                claims.append(claim)
    return result


def _sentence_at(text: str, position: int) -> str:
    for offset, sentence in sentences(text):
        if offset <= position < offset + len(sentence):
            return sentence.strip()
    return text.strip()


def _mentions(draft: str, evidence: Evidence) -> list[_Mention]:
    """Product names in the draft, resolved against the evidence (and the catalog lookup)."""
    found: list[_Mention] = []
    ignore = {t for name in evidence.extra_names for t in name_tokens(name)}
    for offset, sentence in sentences(draft):
        for c in _name_candidates(sentence):
            if ignore and c.tokens <= ignore | _NOT_PRODUCTS:
                continue
            start = offset + c.start
            product = _match_product(c.tokens, evidence)
            if product is None and evidence.lookup is not None:
                product = evidence.lookup(c.text)
            if product is not None:
                found.append(_Mention(start, start + len(c.text), c.text, product))
                continue
            if not (c.named_claim and _claimy(sentence)):
                continue  # a capitalised word that names no product claim
            if _quoted(c.text, evidence):
                continue  # "Trailhead Rewards": a name the knowledge the answer used gives
            found.append(_Mention(start, start + len(c.text), c.text, None))
    return found


@dataclass(frozen=True)
class _Candidate:
    """A run of capitalised words in a sentence that may name a product (evidence aside)."""

    start: int  # offset in the sentence
    text: str
    tokens: frozenset[str]
    # Unresolved, it still counts as a product the answer names when the sentence makes a
    # price/stock/size claim: two words or more, or a model number, and not a size ("US 6").
    named_claim: bool


@lru_cache(maxsize=8192)
def _name_candidates(sentence: str) -> tuple[_Candidate, ...]:
    """The evidence-independent half of :func:`_mentions`, cached: answers repeat sentences
    ("I'm sorry about that."), and every answer is read by the agent and again by scoring."""
    out: list[_Candidate] = []
    for m in _NAME_RE.finditer(sentence):
        words = m.group().split()
        while words and words[0].lower().strip("'") in _LEADING:
            words = words[1:]
        if not words:
            continue
        text = " ".join(words)
        tokens = name_tokens(text)
        if not tokens or tokens <= _NOT_PRODUCTS:
            continue
        if all(t.isdigit() for t in tokens):
            continue  # "1 point", "100 points": a bare number names no product
        model_number = any(any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
                           for w in words)  # fmt: skip
        named_claim = (len(words) >= 2 or model_number) and not _size_label(words)
        out.append(_Candidate(m.start() + m.group().find(words[0]), text, tokens, named_claim))
    return tuple(out)


@lru_cache(maxsize=8192)
def _claimy(sentence: str) -> bool:
    """Whether the sentence makes a price, stock or size claim."""
    lower = sentence.lower()
    return bool(
        (mentions_any(lower, _MONEY_KEYS) and _MONEY_HINT.search(sentence))
        or (mentions_any(lower, _STOCK_KEYS) and _STOCK_RE.search(sentence))
        or (mentions_any(lower, _SIZE_KEYS) and _SIZE_RE.search(sentence))
    )


_SIZE_SYSTEMS = frozenset({"us", "uk", "eu", "it", "fr", "jp", "au", "mx", "cm", "mm"})


def _size_label(words: list[str]) -> bool:
    """A size in a sizing system ("US 6", "EU 42.5") rather than a product name."""
    return (len(words) >= 2 and words[0].lower() in _SIZE_SYSTEMS
            and all(re.fullmatch(r"\d{1,2}(?:\.5)?,?", w) for w in words[1:]))  # fmt: skip


def _quoted(text: str, evidence: Evidence) -> bool:
    """``text`` appears word for word in a passage the answer drew on (whitespace and case
    aside): the store's own knowledge says it, so it is not a claim the answer invented."""
    said = _squash(text)
    return bool(said) and any(said in _squash(p) for p in evidence.passages)


_MONEY_HINT = re.compile(r"[$€£]\s?\d|\d\s?(?:USD|EUR|GBP|dollars?)\b|\bcosts?\b|\bpriced?\b", re.I)


def _match_product(tokens: frozenset[str], evidence: Evidence) -> ProductFact | None:
    """The evidence product a name refers to: most of the name's words are in the product's."""
    best: tuple[float, ProductFact] | None = None
    for product in evidence.products:
        ptokens = product.tokens | name_tokens(product.brand or "")
        if not ptokens:
            continue
        covered = len(tokens & ptokens) / len(tokens)
        if covered >= 0.75 and (best is None or covered > best[0]):
            best = (covered, product)
    return best[1] if best else None


def _product_for(position: int, mentions: list[_Mention], evidence: Evidence) -> ProductFact | None:
    """The product a claim at ``position`` is about: the nearest mention before it (else
    after it in the same sentence), else the only product in the evidence."""
    before = [m for m in mentions if m.start <= position and m.product is not None]
    if before:
        return before[-1].product
    after = [m for m in mentions if m.start > position and m.product is not None]
    if after:
        return after[0].product
    return evidence.products[0] if len(evidence.products) == 1 else None


def _check_money(
    money: Money, product: ProductFact | None, evidence: Evidence, *, named: bool = True
) -> Claim:
    """``named``: the answer names ``product``; else it is only the one product in the
    evidence, and a different amount may well be about something else (a reward, a fee)."""
    sentence = money.sentence
    if product is not None and product.price is not None:
        if abs(product.price - money.amount) <= PRICE_TOLERANCE:  # the product's own price
            return Claim("price", money.text, sentence, "supported", "matches the catalog",
                         f"{product.name}: {product.price:.2f} {product.currency}")  # fmt: skip
    if money.subject in (None, "price_match", "promo") and product is not None:
        if product.price is None:
            return Claim("price", money.text, sentence, "unsupported",
                         f"the catalog has no price for {product.name!r}")  # fmt: skip
        if abs(product.price - money.amount) <= PRICE_TOLERANCE:
            return Claim("price", money.text, sentence, "supported", "matches the catalog",
                         f"{product.name}: {product.price:.2f} {product.currency}")  # fmt: skip
        if named:
            return Claim("price", money.text, sentence, "contradicted",
                         f"the catalog price of {product.name!r} is {product.price:.2f}",
                         f"{product.name}: {product.price:.2f} {product.currency}", None,
                         f"{product.price:.2f} {product.currency}",
                         _product_source(product))  # fmt: skip
        # It names no product: the one product at hand may be unrelated (a repair fee, a
        # reward), so the amount is checked against everything else verified below.
    known: list[tuple[float, str]] = []
    for order in evidence.orders:
        if order.total is not None:
            known.append((order.total, f"order {order.order_id} total {order.total:.2f}"))
        known += [(p, f"order {order.order_id} item {p:.2f}") for p in order.item_prices]
    policy = evidence.policy_amounts(money.subject) if money.subject is not None else []
    known += [(f.money.amount, f"{f.source}: {f.money.sentence}") for f in policy if f.money]
    if money.subject is None:
        known += [(p.price, f"{p.name}: {p.price:.2f}") for p in evidence.products
                  if p.price is not None]  # fmt: skip
        # An amount quoted in the words of a policy article ("gift wrapping … $4.99 per
        # item") is what that article states, even when no subject keyword names it.
        said = _squash(sentence)
        known += [(f.money.amount, f"{f.source}: {f.money.sentence}") for f in evidence.policies
                  if f.money is not None and f.money.subject is None
                  and _squash(f.money.sentence) and (_squash(f.money.sentence) in said
                                                     or said in _squash(f.money.sentence))]
    kind = "price" if money.subject is None else "amount"
    for amount, source in known:
        if abs(amount - money.amount) <= PRICE_TOLERANCE:
            return Claim(kind, money.text, sentence, "supported", "matches verified data",
                         source, money.subject)  # fmt: skip
    if not policy and _quoted(sentence, evidence):
        return Claim(kind, money.text, sentence, "supported",
                     "quoted from the knowledge the answer used", _squash(sentence),
                     money.subject)  # fmt: skip
    if product is not None and product.price is not None and money.subject is None:
        return Claim("price", money.text, sentence, "unsupported",
                     f"names no product; the only product at hand, {product.name!r}, "
                     f"costs {product.price:.2f}")  # fmt: skip
    if policy:
        return Claim(kind, money.text, sentence, "contradicted",
                     f"the {money.subject} amount on record differs",
                     " | ".join(f"{f.source}: {f.money.sentence}" for f in policy if f.money),
                     money.subject, "; ".join(sorted({f.money.text for f in policy if f.money})),
                     policy[0].source)  # fmt: skip
    return Claim(
        kind,
        money.text,
        sentence,
        "unsupported",
        "no verified price, order or policy amount states this",
        None,
        money.subject,
    )


@lru_cache(maxsize=4096)
def _squash(text: str) -> str:
    return " ".join(text.split()).strip(" .,;:").lower()


def _product_source(product: ProductFact) -> str:
    return f"{product.key}@{product.version}" if product.version else product.key


def _policy_source(evidence: Evidence, subject: str | None) -> str | None:
    sources = [f.source for f in evidence.policy_durations(subject)]
    return sources[0] if sources else None


def _check_duration(d: Duration, evidence: Evidence) -> Claim | None:
    if d.subject is None:
        return None  # "we reply within 24 hours": not a fact the catalog or policies hold
    # Authoritative facts (the policy system) outrank help articles of the same subject.
    policy = [f.duration for f in evidence.policy_durations(d.subject) if f.duration]
    exact = d.subject in EXACT_SUBJECTS
    for p in policy:
        if d.same_value(p) or (not exact and d.within(p)):
            return Claim("policy_window", d.text, d.sentence, "supported", "matches the policy",
                         p.sentence, d.subject)  # fmt: skip
    if policy:
        stated = "; ".join(sorted({p.text for p in policy}))
        return Claim("policy_window", d.text, d.sentence, "contradicted",
                     f"the {d.subject} policy states {stated}",
                     " | ".join(p.sentence for p in policy[:2]), d.subject, stated,
                     _policy_source(evidence, d.subject))  # fmt: skip
    if d.subject == "delivery" and evidence.today is not None:
        for order in evidence.orders:
            if order.eta is not None:
                lo = evidence.today + timedelta(days=round(d.lo))
                hi = evidence.today + timedelta(days=round(d.hi) + (3 if d.business else 0))
                if lo <= order.eta <= hi:
                    return Claim("policy_window", d.text, d.sentence, "supported",
                                 "consistent with the order's estimated delivery",
                                 f"order {order.order_id} eta {order.eta}", d.subject)  # fmt: skip
                return Claim("policy_window", d.text, d.sentence, "contradicted",
                             f"order {order.order_id} is due {order.eta}",
                             f"order {order.order_id} eta {order.eta}", d.subject,
                             str(order.eta), f"order {order.order_id}")  # fmt: skip
    return Claim(
        "policy_window",
        d.text,
        d.sentence,
        "unsupported",
        f"no policy states a {d.subject} window",
        None,
        d.subject,
    )


def _inside_size_phrase(sentence: str, position: int) -> bool:
    """ "available in sizes S and M" is a size claim, not a stock claim."""
    return bool(re.match(r"available\s+in\s+(?:sizes?\b|" + _SIZE_LIST + r"\b)",
                         sentence[position:], re.I))  # fmt: skip


def _check_stock(text: str, negative: bool, sentence: str, product: ProductFact | None) -> Claim:
    if product is None:
        return Claim("stock", text, sentence, "unsupported", "no product to check stock for")
    if product.in_stock is None:
        return Claim(
            "stock",
            text,
            sentence,
            "unsupported",
            f"the catalog does not know whether {product.name!r} is in stock",
        )
    if product.in_stock != negative:
        return Claim(
            "stock",
            text,
            sentence,
            "supported",
            "matches the catalog",
            f"{product.name}: {'in' if product.in_stock else 'out of'} stock",
        )
    return Claim(
        "stock",
        text,
        sentence,
        "contradicted",
        f"{product.name!r} is {'in' if product.in_stock else 'out of'} stock",
        f"{product.name}: {'in' if product.in_stock else 'out of'} stock",
        None,
        "in stock" if product.in_stock else "out of stock",
        _product_source(product),
    )


def _check_sizes(text: str, sizes: list[str], sentence: str, product: ProductFact | None) -> Claim:
    if product is None or not product.sizes:
        what = "no product" if product is None else f"no sizes for {product.name!r}"
        return Claim("size", text, sentence, "unsupported", f"the catalog has {what}")
    # A listed size like "S/M" offers S and M as well as "S/M" itself.
    offered = {s.lower() for s in product.sizes}
    offered |= {t.lower() for s in product.sizes for t in _SIZE_TOKEN_RE.findall(s)}
    missing = [s for s in sizes if s.lower() not in offered]
    if not missing:
        return Claim(
            "size",
            text,
            sentence,
            "supported",
            "matches the catalog",
            f"{product.name}: {', '.join(product.sizes)}",
        )
    return Claim(
        "size",
        text,
        sentence,
        "contradicted",
        f"{product.name!r} does not come in {', '.join(missing)}",
        f"{product.name}: {', '.join(product.sizes)}",
        None,
        ", ".join(product.sizes),
        _product_source(product),
    )


def _check_date(m: re.Match[str], sentence: str, evidence: Evidence) -> Claim | None:
    if subject_near(sentence, m.start()) != "delivery":
        return None
    today = evidence.today or date.today()
    if m.group("iso"):
        stated = date.fromisoformat(m.group("iso"))
    elif m.group("rel"):
        stated = today + timedelta(days=0 if m.group("rel").lower() == "today" else 1)
    else:
        month = _MONTHS.index(m.group("mon").lower()[:3]) + 1
        try:
            stated = date(today.year, month, int(m.group("day")))
        except ValueError:
            return Claim("delivery_date", m.group(), sentence, "unsupported", "not a real date")
        if stated < today - timedelta(days=60):
            stated = stated.replace(year=today.year + 1)  # "Jan 3" said in December
    etas = [(o.order_id, o.eta) for o in evidence.orders if o.eta is not None]
    said = _squash(sentence)
    quoted = next((p for p in evidence.passages if said and said in _squash(p)), None)
    if quoted is not None and not etas:
        return Claim("delivery_date", m.group(), sentence, "supported",
                     "quoted from the knowledge the answer used", said, "delivery")  # fmt: skip
    for order_id, eta in etas:
        if eta == stated:
            return Claim("delivery_date", m.group(), sentence, "supported",
                         "matches the order's estimated delivery", f"order {order_id} eta {eta}",
                         "delivery")  # fmt: skip
    if etas:
        return Claim("delivery_date", m.group(), sentence, "contradicted",
                     f"the estimated delivery is {etas[0][1]}",
                     f"order {etas[0][0]} eta {etas[0][1]}", "delivery", str(etas[0][1]),
                     f"order {etas[0][0]}")  # fmt: skip
    return Claim(
        "delivery_date",
        m.group(),
        sentence,
        "unsupported",
        "no order with an estimated delivery date to check against",
        None,
        "delivery",
    )
