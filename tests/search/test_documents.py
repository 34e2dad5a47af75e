from __future__ import annotations

from datetime import date

import pytest

from shopcoach.search.documents import (
    Document,
    Representation,
    embedding_text,
    html_to_text,
    lexical_fields,
    normalize_text,
)


def test_normalize_text_html_unicode_whitespace() -> None:
    assert normalize_text("<p>Soft&nbsp;<b>cotton</b></p><ul><li>Size M</li></ul>") == (
        "Soft cotton\nSize M"
    )
    assert normalize_text("ＵＳＢ－Ｃ  ﬁber\t cable") == "USB-C fiber cable"  # NFKC
    assert normalize_text("  a \n\n  b  ") == "a\nb"
    assert normalize_text(None) == ""
    assert html_to_text("5 < 6 &amp; 7 > 3") == "5 < 6 & 7 > 3"
    assert html_to_text("x<script>alert(1)</script>y") == "xy"


def test_document_normalises_and_hashes_content() -> None:
    d1 = Document(id="p1", title=" Red  shoe ", category="Shoes > Running", price=10)
    d2 = Document(id="p1", title="Red shoe", category=("Shoes", "Running"), price=10.0)
    assert d1.title == "Red shoe" and d1.category == ("Shoes", "Running")
    assert d1.content_hash == d2.content_hash
    d3 = Document(id="p1", title="Red shoe", category=("Shoes", "Running"), price=11.0)
    assert d3.content_hash != d1.content_hash
    assert Document.from_dict(d3.to_dict()) == d3


def test_document_validation() -> None:
    with pytest.raises(ValueError):
        Document(id="", title="x")
    with pytest.raises(ValueError):
        Document(id="a", title="x", kind="faq")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Document(id="a", title="x", valid_from=date(2025, 2, 1), valid_to=date(2025, 1, 1))


def test_from_dict_accepts_beir_shape() -> None:
    d = Document.from_dict(
        {"_id": 7, "title": "T", "text": "body", "valid_to": "2025-01-31T00:00:00"}
    )
    assert d.id == "7" and d.text == "body" and d.valid_to == date(2025, 1, 31)


def test_representations() -> None:
    d = Document(
        id="p",
        title="Trail runner",
        text="Grippy sole for mud and rock. Breathable mesh upper.",
        category=("Shoes", "Outdoor", "Trail"),
        brand="Acme",
        attributes={"color": "blue"},
    )
    assert lexical_fields(d) == {
        "title": "Trail runner",
        "brand": "Acme",
        "category": "Shoes Outdoor Trail",
        "attributes": "blue",
        "body": "Grippy sole for mud and rock. Breathable mesh upper.",
    }
    assert embedding_text(d, Representation(body_words=3)) == (
        "Trail runner | Acme | Outdoor Trail | blue | Grippy sole for"
    )
    assert (
        embedding_text(
            d,
            Representation(
                body_words=0, category_levels=0, include_brand=False, include_attributes=False
            ),
        )
        == "Trail runner"
    )
    # a brand already in the title is not repeated
    d2 = Document(id="q", title="Acme trail runner", brand="ACME")
    assert embedding_text(d2) == "Acme trail runner"
