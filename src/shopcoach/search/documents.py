"""Searchable documents (products and help articles) and their text representations.

A :class:`Document` is plain data. Text is normalised on construction (HTML to text, Unicode
NFKC, whitespace collapsed) so that the lexical index, the embedding representation and the
content hash all see the same text.

Two representations are derived from a document:

* the **lexical fields** (:func:`lexical_fields`): title, brand, category path, attributes and
  body, indexed as separate BM25 fields so that they can be weighted;
* the **embedding text** (:func:`embedding_text`): a short, information-dense string (title,
  brand, category leaf, attributes, the start of the body) used for dense retrieval. Short text
  keeps transformer encoding fast (cost grows with token count) and, on ESCI, does not lose
  quality against embedding the full text (see ``docs/search.md``).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any, Literal

DocumentKind = Literal["product", "article"]

_TAG_RE = re.compile(r"<[a-zA-Z/!][^>]*>")
_BLOCK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Strip HTML tags (block tags become line breaks) and unescape entities."""
    if not _TAG_RE.search(value):
        return html.unescape(value) if "&" in value else value
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def normalize_text(value: str | None) -> str:
    """HTML to text, Unicode NFKC, collapse runs of spaces; keep single line breaks."""
    if not value:
        return ""
    text = html_to_text(value) if ("<" in value or "&" in value) else value
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _norm_category(category: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if not category:
        return ()
    if isinstance(category, str):
        parts = [p for p in re.split(r"\s*(?:>|/|›)\s*", category)]
    else:
        parts = list(category)
    return tuple(p for p in (normalize_text(x) for x in parts) if p)


@dataclass(frozen=True, slots=True)
class Document:
    """One searchable item: a product or a help article.

    ``category`` is a path, top level first (``("Home & Kitchen", "Furniture")``); a string is
    split on ``>``. ``attributes`` holds short searchable facts (colour, size, material).
    ``price``/``in_stock``/``valid_from``/``valid_to`` are used only by filters; ``None`` means
    unknown (a price-range filter excludes unknown prices; an in-stock filter excludes
    ``in_stock is False`` only when ``strict`` is off, see :class:`shopcoach.search.Filters`).
    """

    id: str
    title: str
    text: str = ""
    kind: DocumentKind = "product"
    category: tuple[str, ...] = ()
    brand: str = ""
    price: float | None = None
    in_stock: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    content_hash: str = field(init=False, default="")

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("document id must be non-empty")
        if self.kind not in ("product", "article"):
            raise ValueError(f"document kind must be 'product' or 'article', not {self.kind!r}")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"document {self.id}: valid_to is before valid_from")
        s = object.__setattr__
        s(self, "id", str(self.id))
        s(self, "title", normalize_text(self.title))
        s(self, "text", normalize_text(self.text))
        s(self, "brand", normalize_text(self.brand))
        s(self, "category", _norm_category(self.category))
        s(
            self,
            "attributes",
            {
                normalize_text(k): normalize_text(str(v))
                for k, v in sorted(self.attributes.items())
                if v is not None and str(v).strip()
            },
        )
        s(self, "price", None if self.price is None else float(self.price))
        s(self, "content_hash", _hash_document(self))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain dict (dates as ISO strings); inverse of :meth:`from_dict`."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "kind": self.kind,
            "category": list(self.category),
            "brand": self.brand,
            "price": self.price,
            "in_stock": self.in_stock,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Build from a plain dict (BEIR-style ``{id|_id, title, text}`` plus optional fields)."""
        doc_id = data.get("id", data.get("_id"))
        if doc_id is None:
            raise ValueError("document has no 'id'")

        def _date(v: Any) -> date | None:
            if v is None or v == "":
                return None
            return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])

        return cls(
            id=str(doc_id),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            kind=data.get("kind") or "product",
            category=data.get("category") or (),
            brand=str(data.get("brand") or ""),
            price=data.get("price"),
            in_stock=data.get("in_stock"),
            valid_from=_date(data.get("valid_from")),
            valid_to=_date(data.get("valid_to")),
            attributes=dict(data.get("attributes") or {}),
        )


def restore_document(data: Mapping[str, Any], content_hash: str) -> Document:
    """Rebuild a :class:`Document` saved with :meth:`Document.to_dict` *without* normalising
    its text again (it was normalised when first built); used to reopen a saved index fast."""
    doc = object.__new__(Document)
    s = object.__setattr__
    s(doc, "id", data["id"])
    s(doc, "title", data["title"])
    s(doc, "text", data["text"])
    s(doc, "kind", data["kind"])
    s(doc, "category", tuple(data["category"]))
    s(doc, "brand", data["brand"])
    s(doc, "price", data["price"])
    s(doc, "in_stock", data["in_stock"])
    vf, vt = data["valid_from"], data["valid_to"]
    s(doc, "valid_from", date.fromisoformat(vf) if vf else None)
    s(doc, "valid_to", date.fromisoformat(vt) if vt else None)
    s(doc, "attributes", dict(data["attributes"]))
    s(doc, "content_hash", content_hash)
    return doc


def _hash_document(doc: Document) -> str:
    payload = {
        "id": doc.id,
        "title": doc.title,
        "text": doc.text,
        "kind": doc.kind,
        "category": list(doc.category),
        "brand": doc.brand,
        "price": doc.price,
        "in_stock": doc.in_stock,
        "valid_from": doc.valid_from.isoformat() if doc.valid_from else None,
        "valid_to": doc.valid_to.isoformat() if doc.valid_to else None,
        "attributes": dict(doc.attributes),
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    """Stable hash of a text (the embedding cache key, with the embedder name)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Lexical fields, in index order. Weights are BM25 score multipliers per field (see lexical.py).
LEXICAL_FIELDS: tuple[str, ...] = ("title", "brand", "category", "attributes", "body")


def lexical_fields(doc: Document) -> dict[str, str]:
    """The per-field text indexed for BM25."""
    return {
        "title": doc.title,
        "brand": doc.brand,
        "category": " ".join(doc.category),
        "attributes": " ".join(doc.attributes.values()),
        "body": doc.text,
    }


def _truncate_words(text: str, max_words: int) -> str:
    if max_words <= 0 or not text:
        return ""
    words = text.split()
    return " ".join(words[:max_words])


@dataclass(frozen=True, slots=True)
class Representation:
    """How a document becomes the text that is embedded.

    ``body_words`` caps a product's body (bullets, description) in words and
    ``article_body_words`` an article's (for an article the body *is* the content, its title is
    short); the embedder's own token limit caps the whole string. ``category_levels`` keeps
    the last N levels of the category path (the most specific ones).
    """

    body_words: int = 16
    article_body_words: int = 128
    category_levels: int = 2
    include_brand: bool = True
    include_attributes: bool = True

    def key(self) -> str:
        return (
            f"b{self.body_words}a{self.article_body_words}c{self.category_levels}"
            f"{'B' if self.include_brand else ''}{'A' if self.include_attributes else ''}"
        )


DEFAULT_REPRESENTATION = Representation()


def embedding_text(doc: Document, rep: Representation = DEFAULT_REPRESENTATION) -> str:
    """Compact text for the embedder: ``title | brand | category | attributes | body start``."""
    parts = [doc.title]
    if rep.include_brand and doc.brand and doc.brand.lower() not in doc.title.lower():
        parts.append(doc.brand)
    if rep.category_levels and doc.category:
        parts.append(" ".join(doc.category[-rep.category_levels :]))
    if rep.include_attributes and doc.attributes:
        parts.append(" ".join(doc.attributes.values()))
    limit = rep.article_body_words if doc.kind == "article" else rep.body_words
    body = _truncate_words(doc.text.replace("\n", " "), limit)
    if body:
        parts.append(body)
    return " | ".join(p for p in parts if p)
