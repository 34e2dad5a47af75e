"""Answer generators: the default extractive one (no LLM) and an OpenAI-compatible plug-in.

A generator gets the customer's question, the retrieved items (current knowledge-base
versions) and, when an order was looked up, the triage result, and returns a draft with the
ids of the items it used. The draft is then grounding-checked by the runtime (R-AGT-6);
nothing here is trusted to be right.

* :class:`ExtractiveGenerator` picks and adapts the best passages: an order question gets the
  triage message (built from verified order, stock and tracking data); a product question
  gets a templated line from the catalog (name, price, stock); a policy question gets the one
  to three sentences of the best article that share the most words with the question.
* :class:`OpenAIGenerator` sends the same material to any OpenAI-compatible
  ``/chat/completions`` endpoint (base URL, model, key) and returns its text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from shopcoach.errors import ConfigError
from shopcoach.grounding.facts import _STEM_TO_SUBJECT, _SUBJECT_RE, durations, sentences
from shopcoach.orders.triage import TriageResult

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or of to in on for with is are was be been it its this that i my me you your "
    "we our us can could would should do does did how what when where which who will please "
    "hi hello thanks thank there their them they have has had any about from at by as if so "
    "not no yes just get got want need".split()
)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not word[:-2].endswith(("s", "x", "z", "ch", "sh")):
                continue  # "arrives" -> "arrive" (by "s"), not "arriv"; "boxes" -> "box"
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Retrieved:
    """One retrieved knowledge item, as the generator and grounding check see it."""

    doc_id: str
    kind: str  # product | article
    title: str
    text: str
    score: float
    version: str | None = None  # knowledge-base version id (R-KB-4)
    price: float | None = None
    in_stock: bool | None = None
    sizes: tuple[str, ...] = ()
    brand: str | None = None
    authoritative: bool = False  # from a source of truth (the policy system, docs/kb.md)


@dataclass
class Draft:
    text: str
    used: list[str] = field(default_factory=list)  # doc ids the text came from
    source: str = "none"  # order | product | article | llm | none


class Generator(Protocol):
    name: str

    def compose(self, question: str, intent: str | None, items: Sequence[Retrieved],
                triage: TriageResult | None) -> Draft: ...  # fmt: skip


GREETING_REPLY = "Hi! How can I help you today?"
_GREETING = re.compile(
    r"(?:(?:(?:hi+|hey+|hiya|hello+|howdy|yo|hola)(?: there)?|greetings"
    r"|good (?:morning|afternoon|evening|day)|(?:is )?any(?:one|body) (?:there|here|around)"
    r"|(?:are )?you there)\s*)+"
)


def greeting_only(message: str) -> bool:
    """The message is only a greeting ("hi", "Hello?", "Hi, is anyone there?"): the customer
    has not asked anything yet."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", message.lower()).split())
    return bool(plain) and _GREETING.fullmatch(plain) is not None


_PRODUCT_ASK = re.compile(r"\b(?:price|cost|costs|how much|in stock|available|availability|"
                          r"sizes?|colou?rs?|buy)\b", re.I)


def policy_question(question: str) -> bool:
    """A question about a store policy (returns, shipping, warranty…), not about a product."""
    return bool(_SUBJECT_RE.search(question)) and not _PRODUCT_ASK.search(question)


_ASKS_TIME = re.compile(r"\bhow (?:long|many (?:days|weeks)|soon)\b|\bwhen\b|\bdays?\b", re.I)


_SOFT_BREAK = re.compile(r"(?<=[^\s.!?:])[ \t]*\n(?=[ \t]*[^\s#*>|\-+\d])")


def _unwrap(text: str) -> str:
    """Join the lines of a hard-wrapped paragraph, so a sentence is not cut at a line end
    (headings, list items and blank lines still separate)."""
    return _SOFT_BREAK.sub(" ", text)


def best_sentences(question: str, text: str, limit: int = 3) -> list[str]:
    """The sentences of ``text`` sharing the most (idf-weighted, stemmed) words with the
    question, in their original order; contiguous runs are kept together."""
    sents = [s.strip() for _, s in sentences(_unwrap(text)) if len(s.split()) >= 3]
    if not sents:
        return []
    q = {_stem(w) for w in words(question)}
    bags = [{_stem(w) for w in words(s)} for s in sents]
    df = Counter(w for bag in bags for w in bag)
    n = len(sents)
    scores = [sum(math.log(1 + n / df[w]) for w in bag & q) for bag in bags]
    if _ASKS_TIME.search(question):  # "how long…": prefer sentences stating that time
        asked = {_STEM_TO_SUBJECT[m.lower()] for m in _SUBJECT_RE.findall(question)}
        for i, sent in enumerate(sents):
            found = {d.subject for d in durations(sent)} if scores[i] > 0 else set()
            scores[i] += 0.5 if found & asked else 0.25 if found else 0.0
    best = max(range(n), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return []
    picked = {best}
    # Extend with the next sentences while they still share words with the question, or
    # carry on the same point (a one-sentence answer often needs its follow-up).
    for j in range(best + 1, min(n, best + limit)):
        if scores[j] > 0 or j == best + 1:
            picked.add(j)
        else:
            break
    return [sents[i] for i in sorted(picked)]


class ExtractiveGenerator:
    """The default, LLM-free generator (see the module docstring)."""

    name = "extractive"

    def __init__(self, min_article_score: float = 0.0) -> None:
        self.min_article_score = min_article_score

    def compose(self, question: str, intent: str | None, items: Sequence[Retrieved],
                triage: TriageResult | None) -> Draft:  # fmt: skip
        if triage is not None and triage.found:
            return Draft(triage.message, [], "order")
        products = [i for i in items if i.kind == "product"]
        articles = [i for i in items if i.kind == "article"]
        top = items[0] if items else None
        if policy_question(question) and articles:
            top = articles[0]
        if top is not None and top.kind == "product":
            return Draft(_product_line(top, question), [top.doc_id], "product")
        for article in articles:
            picked = best_sentences(question, article.text)
            if picked:
                return Draft(" ".join(picked), [article.doc_id], "article")
        if products:
            return Draft(_product_line(products[0], question), [products[0].doc_id], "product")
        return Draft("", [], "none")


def short_name(title: str, max_words: int = 8) -> str:
    """A product's name as a person would say it: the title up to its first separator."""
    head = re.split(r"\s[-–|(]\s?|[,.;:(]\s|\s/\s", title, maxsplit=1)[0].strip()
    return " ".join(head.split()[:max_words]) or title


# Questions about what a product is like (not its price, stock or sizes), and the words a
# description uses for it: the answer is the description's sentence, not the price line.
_ATTRIBUTES = (
    (re.compile(r"\b(?:material|fabric|made (?:of|from|out of)|what(?:'s| is) it made|"
                r"wool|cotton|leather|polyester|nylon)\b", re.I),
     re.compile(r"\b(?:made (?:of|from)|material|fabric)\b", re.I)),
    (re.compile(r"\b(?:weigh|weight|heavy|light|grams?|ounces?)\b", re.I),
     re.compile(r"\bweigh", re.I)),
    (re.compile(r"\b(?:colou?rs?)\b", re.I), re.compile(r"\bcolou?r", re.I)),
)
_PRICE_ASK = re.compile(r"\b(?:price|cost|costs|how much|cheap|expensive)\b", re.I)


def _attribute_sentences(p: Retrieved, question: str) -> list[str]:
    """The description's sentences answering an attribute question (material, weight,
    colour) that does not also ask the price; empty when it asks something else."""
    if _PRICE_ASK.search(question):
        return []
    text = _unwrap(p.text)
    for asks, states in _ATTRIBUTES:
        if asks.search(question):
            found = [s.strip() for _, s in sentences(text) if states.search(s)]
            if found:
                return found[:2]
    return []


def _product_line(p: Retrieved, question: str) -> str:
    parts = [f"The {short_name(p.title)}"]
    about = _attribute_sentences(p, question)
    if about:
        return f"{parts[0]}: {' '.join(about)}"
    facts = []
    if p.price is not None:
        facts.append(f"costs ${p.price:,.2f}")
    if p.in_stock is not None:
        facts.append("is in stock" if p.in_stock else "is out of stock right now")
    if p.sizes and re.search(r"\bsizes?\b", question, re.I):
        facts.append("comes in sizes " + ", ".join(p.sizes))
    if not facts:
        lead = best_sentences(question, p.text, limit=2)
        return f"{parts[0]}: {' '.join(lead)}" if lead else f"{parts[0]} may be what you need."
    return parts[0] + " " + " and ".join(facts) + "."


class OpenAIGenerator:
    """Drafts with an OpenAI-compatible chat model (any server speaking /chat/completions)."""

    name = "openai"
    SYSTEM = (
        "You are a customer-support agent for an online store. Answer in at most three "
        "sentences, using ONLY the facts in the sources. Never invent prices, stock, sizes, "
        "delivery times, policy windows or products. If the sources do not answer, say you "
        "will connect the customer with a colleague."
    )

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:  # fmt: skip
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"LLM base URL {base_url!r} is not an http(s) URL.",
                              hint="E.g. http://127.0.0.1:8000/v1")  # fmt: skip
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers,
                                   timeout=timeout, transport=transport)  # fmt: skip

    def compose(self, question: str, intent: str | None, items: Sequence[Retrieved],
                triage: TriageResult | None) -> Draft:  # fmt: skip
        sources = [f"[{i + 1}] {it.title}: {it.text[:1200]}"
                   + (f" (price ${it.price:.2f})" if it.price is not None else "")
                   + ("" if it.in_stock is None else " (in stock)" if it.in_stock
                      else " (out of stock)")
                   for i, it in enumerate(items[:5])]  # fmt: skip
        if triage is not None and triage.found:
            sources.append(f"[order] {triage.message}")
        payload: dict[str, Any] = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": self.SYSTEM},
                {"role": "user", "content": "Sources:\n" + "\n".join(sources)
                 + f"\n\nCustomer: {question}"},
            ],
        }  # fmt: skip
        response = self.client.post("/chat/completions", json=payload)
        if response.status_code >= 400:
            raise ConfigError(f"The LLM endpoint answered {response.status_code}: "
                              f"{response.text[:200]}",
                              hint="Check the base URL, model name and API key.")  # fmt: skip
        text = response.json()["choices"][0]["message"]["content"].strip()
        return Draft(text, [it.doc_id for it in items[:5]], "llm")
