"""Every file format: real rows parse and normalise; bad rows name line, field and fix."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shopcoach.errors import ValidationFailed
from shopcoach.kb.sources import detect, formats, get_format
from tests.conftest import ROOT
from tests.kb.conftest import (
    abcd_html,
    abcd_markdown,
    bitext_articles_jsonl,
    esci_products,
    need,
    write_products_csv,
    write_shopify_csv,
)


def test_every_format_is_registered_and_documented() -> None:
    doc = (ROOT / "docs" / "kb.md").read_text()
    assert {(k, n) for k, n in formats()} == {
        ("product", "csv"), ("product", "jsonl"), ("product", "shopify"),
        ("article", "markdown"), ("article", "html"), ("article", "jsonl"),
    }  # fmt: skip
    for (kind, name), fmt in formats().items():
        assert f"| `{name}` | {kind}s | {fmt.doc} |" in doc


def test_esci_jsonl_reads_every_product() -> None:
    path = need("esci-us-150") / "products.jsonl"
    fmt = detect(path)
    assert (fmt.kind, fmt.name) == ("product", "jsonl")
    read = fmt.read(path)
    assert len(read.records) == 6764 and not read.errors
    kindle = read.records[0]
    assert kindle.key == "B07CXG6C9W" and kindle.brand == "Amazon"
    assert kindle.attributes == {"color": "Black"}
    assert kindle.metadata["rating_count"] == 124969
    assert sum(r.price is not None for r in read.records) == 6764 - 4774


def test_csv_normalises_html_unicode_and_prices(tmp_path: Path) -> None:
    rows = esci_products(200)
    rows[0] = dict(rows[0], title="  Caf\u00e9\u00a0 <b>Mug</b>  ", price=1299.5,
                   description="<p>Holds&nbsp;12&nbsp;oz</p><p>Dishwasher safe</p>")  # fmt: skip
    path = write_products_csv(tmp_path / "p.csv", rows)
    fmt = detect(path)
    assert fmt.name == "csv"
    read = fmt.read(path)
    assert len(read.records) == 200 and not read.errors
    first = read.records[0]
    assert first.title == "Café Mug"  # tags stripped, NBSP → space (NFKC), spaces collapsed
    assert first.price == 1299.5  # "$1,299.50"
    assert first.body.startswith("Holds 12 oz\nDishwasher safe\n")
    assert first.in_stock is True
    assert first.line == 2
    with_cat = next(r for r in read.records if r.category)
    assert len(with_cat.category) > 1 and all(with_cat.category)


def test_shopify_export_folds_variants_per_handle(tmp_path: Path) -> None:
    rows = esci_products(50)
    path = write_shopify_csv(tmp_path / "products_export.csv", rows)
    fmt = detect(path)
    assert fmt.name == "shopify"
    read = fmt.read(path)
    assert len(read.records) == 50 and not read.errors
    p = read.records[0]
    assert p.title == rows[0]["title"]
    assert p.attributes["size"] == "S, M" and p.attributes["tags"] == "esci, sample"
    assert [v["sku"] for v in p.metadata["variants"]] == [f"{rows[0]['product_id']}-S",
                                                         f"{rows[0]['product_id']}-M"]
    assert p.in_stock is True  # S has 0 in stock, M has 3
    assert p.price == pytest.approx(rows[0]["price"] or 10.0)
    assert p.metadata["price_max"] == pytest.approx(p.price + 5)
    assert "<li>" not in p.body and p.body  # Body (HTML) became text
    assert p.line == 2 and read.records[1].line == 5


def test_shopify_drafts_are_skipped_and_bad_variant_rejects_the_product(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Handle,Title,Body (HTML),Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price,"
        "Variant Inventory Qty,Status\n"
        "mug,Mug,<p>A mug</p>,Acme,Size,S,MUG-S,9.50,3,active\n"
        "mug,,,,,L,MUG-L,ten dollars,1,\n"
        "tee,Tee,<p>A tee</p>,Acme,Size,M,TEE-M,15,0,draft\n"
        "cap,Cap,<p>A cap</p>,Acme,Title,Default Title,CAP,12,5,active\n",
        encoding="utf-8",
    )
    read = get_format("product", "shopify").read(path)
    assert [r.key for r in read.records] == ["cap"]
    assert read.records[0].attributes == {}  # Shopify's "Default Title" option is not a fact
    [err] = read.errors
    assert (err.index, err.external_id, err.field) == (3, "mug", "Variant Price")
    assert "write a plain number like 19.99" in err.reason
    assert [(s.key, s.line) for s in read.skipped] == [("tee", 4)]


def test_bad_product_rows_report_line_field_fix_and_good_rows_stay(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "sku,title,price,valid_from,valid_to,description\n"
        "A1,Good one,4.99,,,\"multi\nline\"\n"
        "A2,,5.00,,,no title\n"
        "A3,Bad price,abc,,,x\n"
        "A4,Bad date,1,2026-13-01,,x\n"
        "A5,Backwards,1,2026-12-01,2026-11-01,x\n"
        ",No key,1,,,x\n"
        "A7,Negative,-3,,,x\n",
        encoding="utf-8",
    )
    read = get_format("product", "csv").read(path)
    assert [r.key for r in read.records] == ["A1"]
    assert read.records[0].body == "multi\nline"
    got = {(e.index, e.external_id, e.field): e.reason for e in read.errors}
    assert set(got) == {(4, "A2", "title"), (5, "A3", "price"), (6, "A4", "valid_from"),
                        (7, "A5", "valid_to"), (8, None, "sku"), (9, "A7", "price")}  # fmt: skip
    assert "add the item's title" in got[(4, "A2", "title")]
    assert "write YYYY-MM-DD" in got[(6, "A4", "valid_from")]
    assert "before valid_from" in got[(7, "A5", "valid_to")]


def test_markdown_folder_with_front_matter(tmp_path: Path) -> None:
    folder = abcd_markdown(tmp_path / "help")
    (folder / "seasonal").mkdir()
    (folder / "seasonal" / "holiday-returns.md").write_text(
        "---\ntitle: \"Holiday returns\"\nvalid_from: 2026-11-15\nvalid_to: 2027-01-15\n"
        "reviewed_at: 2026-10-01\nowner: ops\n---\nGifts bought from Nov 15 can be returned "
        "until Jan 15.\n",
        encoding="utf-8",
    )
    (folder / "broken.md").write_text("---\ntitle: Broken\nvalid_to: soon\n---\nText.\n")
    (folder / "empty.md").write_text("# Only a title\n")
    fmt = detect(folder)
    assert fmt.name == "markdown"
    read = fmt.read(folder)
    assert len(read.records) == 11
    holiday = next(r for r in read.records if r.key == "seasonal/holiday-returns")
    assert (holiday.valid_from, holiday.valid_to) == (date(2026, 11, 15), date(2027, 1, 15))
    assert holiday.reviewed_at == date(2026, 10, 1)
    assert holiday.category == ("seasonal",) and holiday.metadata == {"owner": "ops"}
    defect = next(r for r in read.records if r.key == "product-defect")
    assert defect.title == "Product Defect" and defect.category == ("Policies",)
    errors = {e.external_id: e for e in read.errors}
    assert errors["broken"].field == "valid_to" and "(line 3)" in errors["broken"].reason
    assert errors["empty"].field == "body"


def test_html_articles_keep_headings_for_chunking(tmp_path: Path) -> None:
    folder = abcd_html(tmp_path / "html")
    fmt = detect(folder)
    assert fmt.name == "html"
    read = fmt.read(folder)
    assert len(read.records) == 10 and not read.errors
    defect = next(r for r in read.records if r.key == "product-defect")
    assert defect.title == "Product Defect"
    assert "## Initiate Refund" in defect.body.split("\n")
    assert "p{}" not in defect.body and "<" not in defect.body


def test_bitext_articles_jsonl(tmp_path: Path) -> None:
    path = bitext_articles_jsonl(tmp_path / "articles.jsonl")
    fmt = detect(path)
    assert (fmt.kind, fmt.name) == ("article", "jsonl")
    read = fmt.read(path)
    assert len(read.records) == 27 and not read.errors
    cancel = next(r for r in read.records if r.key == "cancel_order")
    assert cancel.title == "Cancel Order" and cancel.category == ("Order",)
    assert cancel.body.count("\n## ") >= 2


def test_unknown_format_and_wrong_json_lines(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        detect(tmp_path / "x.xlsx")
    assert "does not exist" in exc.value.message
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(ValidationFailed) as exc:
        detect(tmp_path / "x.xlsx")
    assert "--format" in (exc.value.hint or "")
    bad = tmp_path / "p.jsonl"
    bad.write_text(json.dumps({"id": "1", "title": "ok", "price": 2}) + "\n{oops\n[1]\n")
    read = detect(bad).read(bad)
    assert len(read.records) == 1
    assert [(e.index, e.reason.split(" ")[0]) for e in read.errors] == [(2, "invalid"),
                                                                        (3, "each")]
