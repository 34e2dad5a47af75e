"""Knowledge-base hygiene audit: real ESCI catalog, planted conflicts, dates, JSON shape."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from shopcoach.kb.audit import (
    AuditArticle,
    AuditConfig,
    AuditProduct,
    AuditReport,
    audit_kb,
    audit_summary_lines,
)
from shopcoach.kb.audit_facts import extract_facts
from shopcoach.kb.audit_seasons import easter, nth_weekday
from shopcoach.kb.audit_similarity import near_duplicate_groups
from shopcoach.search.datasets import data_dir
from tests.conftest import ROOT

ESCI = data_dir() / "esci-us-150" / "products.jsonl"
ALL = AuditConfig(max_findings=None)
TODAY = date(2026, 11, 23)


def art(key: str, text: str, **kw: object) -> AuditArticle:
    kw.setdefault("reviewed_at", TODAY)
    return AuditArticle(key, str(kw.pop("title", key)), text, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- ESCI catalog


@pytest.fixture(scope="module")
def esci_rows() -> list[dict[str, object]]:
    if not ESCI.exists():
        pytest.skip(f"ESCI catalog not found at {ESCI} (set SHOPCOACH_DATA_DIR to the shared data)")
    with ESCI.open(encoding="utf-8") as lines:  # not splitlines(): texts hold U+2028
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def esci_products(esci_rows: list[dict[str, object]]) -> list[AuditProduct]:
    return [AuditProduct(str(r["product_id"]), str(r["title"]), str(r["description"] or ""),
                         str(r["brand"] or ""), tuple(r["category"]),  # type: ignore[arg-type]
                         str(r["bullet_points"] or "")) for r in esci_rows]


def _planted_copy(products: list[AuditProduct]) -> tuple[AuditProduct, AuditProduct]:
    """A long, unique, brand-named description, re-listed under a slightly different title."""
    seen = Counter(_plain(p.description) for p in products)
    original = next(p for p in products if len(p.description.split()) > 60 and p.brand
                    and seen[_plain(p.description)] == 1 and "SKU" not in p.description)
    return original, AuditProduct("PLANTED", original.title + " (renewed)", original.description,
                                  original.brand, original.category, original.bullet_points)


@pytest.fixture(scope="module")
def esci_report(esci_products: list[AuditProduct]) -> AuditReport:
    """The real catalog plus one planted near-duplicate listing (which changes no count that
    the tests below compute from the raw rows)."""
    _, copy = _planted_copy(esci_products)
    return audit_kb([], [*esci_products, copy], today=TODAY, config=ALL)


def _items(section: object) -> set[str]:
    return {i for f in section.findings for i in f.items}  # type: ignore[attr-defined]


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split()).lower()


def test_esci_missing_descriptions_brands_and_uncategorised(
        esci_rows: list[dict[str, object]], esci_report: AuditReport) -> None:
    empty = {r["product_id"] for r in esci_rows if not _plain(str(r["description"]))}
    no_brand = {r["product_id"] for r in esci_rows if not str(r["brand"] or "").strip()}
    no_category = {r["product_id"] for r in esci_rows if not r["category"]}
    assert (len(empty), len(no_brand), len(no_category)) == (3388, 124, 252)  # dataset README
    assert _items(esci_report.missing_descriptions) == empty
    assert esci_report.missing_descriptions.count == 3388
    assert _items(esci_report.missing_brands) == no_brand
    uncategorised = [f for f in esci_report.orphaned_categories.findings
                     if f.problem == "uncategorised"]
    assert len(uncategorised) == 1 and set(uncategorised[0].items) == no_category


def test_esci_duplicate_titles(esci_rows: list[dict[str, object]],
                               esci_report: AuditReport) -> None:
    titles = Counter(" ".join(str(r["title"]).lower().split()) for r in esci_rows)
    dup_groups = {t: c for t, c in titles.items() if c > 1}
    assert sum(dup_groups.values()) == 83  # the dataset README's figure
    section = esci_report.duplicate_titles
    assert section.count == len(dup_groups) == 36
    assert section.items == 83
    assert sorted(len(f.items) for f in section.findings) == sorted(dup_groups.values())


def test_esci_short_and_supplier_copied_descriptions(
        esci_rows: list[dict[str, object]], esci_report: AuditReport) -> None:
    texts = {str(r["product_id"]): _plain(str(r["description"])) for r in esci_rows}
    short = {k for k, t in texts.items() if t and len(t.split()) < 10}
    groups: dict[str, list[str]] = defaultdict(list)
    for k, t in texts.items():
        if len(t.split()) >= 10:
            groups[t].append(k)
    copied = [sorted(g) for g in groups.values() if len(g) >= 3]
    assert short and copied
    assert _items(esci_report.short_descriptions) == short
    assert sorted(sorted(f.items) for f in esci_report.supplier_copied_descriptions.findings) \
        == sorted(copied)
    biggest = esci_report.supplier_copied_descriptions.findings[0]
    assert len(biggest.items) == max(len(g) for g in copied)


def test_esci_near_duplicates_equal_brute_force(esci_products: list[AuditProduct]) -> None:
    """The pruned pair search finds exactly the pairs of the full cosine matrix."""
    texts = [f"{p.title}\n{p.bullet_points}\n{p.description}" for p in esci_products[:2000]]
    x = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, token_pattern=r"(?u)\b\w+\b",
                        stop_words="english").fit_transform(texts)
    full = (x @ x.T).toarray()
    for threshold in (0.6, 0.9):
        i, j = np.nonzero(np.triu(full >= threshold - 1e-6, k=1))
        expected_members = set(i.tolist()) | set(j.tolist())
        groups = near_duplicate_groups(texts, threshold)
        assert {m for g, _ in groups for m in g} == expected_members
        for members, low in groups:
            inner = full[np.ix_(members, members)]
            assert inner.max() >= low - 1e-4 and low >= threshold - 1e-4


def test_esci_planted_near_duplicate(esci_products: list[AuditProduct],
                                     esci_report: AuditReport) -> None:
    original, _ = _planted_copy(esci_products)
    group = next(f for f in esci_report.near_duplicate_products.findings
                 if "PLANTED" in f.items)
    assert original.key in group.items and group.similarity >= 0.9
    assert group.kind == "product" and original.title in group.titles


def test_esci_internal_terms(esci_rows: list[dict[str, object]],
                             esci_report: AuditReport) -> None:
    labelled = {r["product_id"] for r in esci_rows
                if re.search(r"\b(?:SKU|UPC): ?[A-Z0-9]", str(r["description"]))}
    assert labelled and labelled <= _items(esci_report.internal_terms)
    # model numbers in product text are customer-facing, not internal
    assert not any("DC" in t for f in esci_report.internal_terms.findings for t in f.terms)


def test_esci_orphaned_categories_against_a_list(esci_products: list[AuditProduct]) -> None:
    products = esci_products[:1500]  # a real slice keeps the test quick
    paths = Counter(p.category for p in products if p.category)
    dropped = sorted(paths)[0]
    listed = [" > ".join(p) for p in paths if p != dropped] + ["Discontinued > Fax machines"]
    report = audit_kb([], products, listed, today=TODAY, config=ALL)
    by_problem = defaultdict(list)
    for f in report.orphaned_categories.findings:
        by_problem[f.problem].append(f)
    assert [f.category for f in by_problem["unused"]] == ["Discontinued > Fax machines"]
    assert [f.category for f in by_problem["unknown"]] == [" > ".join(dropped)]
    assert len(by_problem["unknown"][0].items) == paths[dropped]
    assert report.categories == len(listed)


# ----------------------------------------------------------------------------- facts

CONFLICTS = [
    art("returns", "We offer 30-day returns on most items. Refunds are issued within 5-7 "
        "business days after we receive your return."),
    art("faq-returns", "Changed your mind? You can return any item within 14 days of delivery."),
    art("shipping", "Free shipping on orders over $50. Standard shipping takes 3-5 business "
        "days. Express shipping takes 1-2 business days and costs $12.99."),
    art("promo", "Orders over $35 ship free! Standard shipping takes 3–5 days."),
    art("dispatch", "Orders ship within 24 hours on weekdays."),
    art("warehouse", "Your order is dispatched within 2 business days."),
    art("warranty-a", "All blenders come with a two-year warranty."),
    art("warranty-b", "Blenders have a one-year warranty from the date of purchase."),
    art("gifts-a", "Gift wrapping costs $4.99 per order."),
    art("gifts-b", "Gift wrapping costs $5.99."),
]
NON_CONFLICTS = [
    art("nc-window", "Our return window is a month."),           # 30 days, as in "returns"
    art("nc-exchange-a", "You have two weeks to exchange an item."),
    art("nc-exchange-b", "Exchanges are accepted for 14 days."),
    art("nc-warranty-a", "Kettles carry a 1-year limited warranty."),  # 365 vs 360: equal
    art("nc-warranty-b", "Kettles carry a 12-month limited warranty."),
    art("nc-electronics", "Electronics can be returned within 15 days."),  # qualifier differs
    art("nc-support", "Our support team answers 7 days a week, within 24 hours."),
    art("nc-one-article", "Orders placed before noon arrive in 2 days; others arrive in "
        "3 days."),
]


def test_planted_conflicts_found_and_non_conflicts_not() -> None:
    report = audit_kb(CONFLICTS + NON_CONFLICTS, [], today=TODAY, config=ALL)
    found = {(f.subject, tuple(f.qualifiers), tuple(f.items))
             for f in report.conflicting_facts.findings}
    assert found == {
        ("returns", (), ("faq-returns", "nc-window", "returns")),
        ("free_shipping_threshold", (), ("promo", "shipping")),
        ("dispatch", (), ("dispatch", "warehouse")),
        ("warranty", (), ("warranty-a", "warranty-b")),
        ("price", ("gift wrapping",), ("gifts-a", "gifts-b")),
    }
    returns = next(f for f in report.conflicting_facts.findings if f.subject == "returns")
    assert {(s.item, s.low) for s in returns.statements} == {
        ("returns", 30.0), ("nc-window", 30.0), ("faq-returns", 14.0)}
    assert any("14 days of delivery" in s.sentence for s in returns.statements)
    assert "returns" in returns.message and returns.fix
    warranty = next(f for f in report.conflicting_facts.findings if f.subject == "warranty")
    assert sorted(s.low for s in warranty.statements) == [365.0, 730.0]


def test_fact_units_and_subjects() -> None:
    facts = {(f.subject, f.qualifiers, f.unit, f.low, f.high) for f in extract_facts(
        "a", "Standard delivery takes 3-5 business days. Refunds are processed within a "
        "week. Express shipping costs $9.99. A 15% restocking fee applies. Cancel within "
        "1 hour. Price matching is offered for 10 days.")}
    assert facts == {
        ("delivery", ("standard",), "days", 3.0, 5.0),
        ("refund_processing", (), "days", 7.0, 7.0),
        ("shipping_fee", ("express",), "USD", 9.99, 9.99),
        ("restocking_fee", (), "percent", 15.0, 15.0),
        ("cancellation", (), "days", 1 / 24, 1 / 24),
        ("price_match", (), "days", 10.0, 10.0),
    }


def test_conflicts_ignore_archived_and_expired_articles() -> None:
    old = art("old-returns", "Returns are accepted within 60 days.", archived=True)
    expired = art("exp", "Returns are accepted within 90 days.", valid_to=TODAY - timedelta(1))
    report = audit_kb([CONFLICTS[0], old, expired], [], today=TODAY)
    assert report.conflicting_facts.count == 0


# ----------------------------------------------------------------------------- freshness


def test_stale_articles() -> None:
    articles = [
        art("fresh", "x", reviewed_at=TODAY - timedelta(90)),
        art("stale", "x", reviewed_at=TODAY - timedelta(91)),
        art("never", "x", reviewed_at=None),
        art("gone", "x", reviewed_at=None, archived=True),
    ]
    report = audit_kb(articles, [], today=TODAY)
    assert [f.items[0] for f in report.stale_articles.findings] == ["never", "stale"]
    assert report.stale_articles.findings[1].days_since_review == 91
    report = audit_kb(articles, [], today=TODAY, config=AuditConfig(stale_days=30))
    assert report.stale_articles.count == 3


def test_top_retrieved_due_for_biweekly_review() -> None:
    articles = [art(f"a{i:02d}", "x", retrievals=1000 - i,
                    reviewed_at=TODAY - timedelta(days=14 if i % 2 else 13))
                for i in range(25)]
    articles.append(art("unused", "x", retrievals=0, reviewed_at=None))
    report = audit_kb(articles, [], today=TODAY)
    due = report.review_due.findings
    assert [f.items[0] for f in due] == [f"a{i:02d}" for i in range(1, 20, 2)]  # ranks 2,4..20
    assert [f.rank for f in due] == list(range(2, 21, 2))
    assert all(f.days_since_review == 14 for f in due)


# ----------------------------------------------------------------------------- seasons


@pytest.mark.parametrize("year,expected", [
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2019, date(2019, 4, 21)), (2038, date(2038, 4, 25)),
])
def test_easter(year: int, expected: date) -> None:
    assert easter(year) == expected


def test_moving_holidays() -> None:
    assert nth_weekday(2025, 11, 3, 4) == date(2025, 11, 27)   # Thanksgiving
    assert nth_weekday(2026, 11, 3, 4) == date(2026, 11, 26)
    assert nth_weekday(2025, 5, 6, 2) == date(2025, 5, 11)     # Mother's Day (US)
    assert nth_weekday(2025, 6, 6, 3) == date(2025, 6, 15)     # Father's Day
    assert nth_weekday(2025, 5, 0, -1) == date(2025, 5, 26)    # Memorial Day
    assert nth_weekday(2025, 9, 0, 1) == date(2025, 9, 1)      # Labor Day
    assert nth_weekday(2025, 12, 2, -1) == date(2025, 12, 31)


@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(0, 6),
       st.sampled_from([1, 2, 3, 4, -1]))
def test_nth_weekday_property(year: int, month: int, weekday: int, n: int) -> None:
    d = nth_weekday(year, month, weekday, n)
    assert (d.year, d.month, d.weekday()) == (year, month, weekday)
    if n > 0:
        assert (d.day - 1) // 7 == n - 1
    else:
        assert (d + timedelta(days=7)).month != month


def test_seasonal_load_and_archive() -> None:
    today = date(2026, 11, 6)  # Black Friday 2026 is Nov 27: in 21 days
    articles = [
        art("bf", "Deals for the big weekend.", title="Black Friday deals", archived=True),
        art("bf-live", "Deals.", title="Black Friday deals"),  # already live: nothing to do
        art("cm", "Save more.", title="Cyber Monday", archived=True),  # Nov 30: 24 days
        art("halloween", "Costumes.", title="Halloween costumes"),  # ended 6 days ago
        art("valentine", "Gifts for Valentine's Day. Order by Valentine's Day."),
        art("mention", "We are closed on Christmas Day."),  # a passing mention
        art("dated", "Winter sale.", valid_from=today + timedelta(15),
            valid_to=today + timedelta(40)),
        art("dated-old", "Summer sale.", valid_from=date(2026, 7, 1),
            valid_to=today - timedelta(8)),
        art("dated-recent", "Fall sale.", valid_to=today - timedelta(7)),
        art("prime", "Prime Day.", title="Prime Day", archived=True),
    ]
    report = audit_kb(articles, [], today=today, config=ALL)
    got = {(f.items[0], f.action, f.days) for f in report.seasonal.findings}
    assert got == {("bf", "load", 21), ("valentine", "archive", 265), ("dated", "load", 15),
                   ("dated-old", "archive", 8)}
    bf = next(f for f in report.seasonal.findings if f.items[0] == "bf")
    assert bf.events == ["Black Friday"] and bf.starts == date(2026, 11, 27)
    later = audit_kb(articles, [], today=date(2026, 11, 9), config=ALL)
    assert ("halloween", "archive", 9) in {(f.items[0], f.action, f.days)
                                           for f in later.seasonal.findings}
    prime = AuditConfig(event_dates={"Prime Day": (today + timedelta(14), today + timedelta(15))})
    report = audit_kb(articles, [], today=today, config=prime)
    assert any(f.items == ["prime"] and f.action == "load" for f in report.seasonal.findings)


# ----------------------------------------------------------------------------- terminology


def test_internal_terms_in_articles() -> None:
    articles = [
        art("sku", "Ask for SKU 48213 at the counter."),
        art("code", "Returns go to WH-RET-02 within 30 days."),
        art("tpl", "Hi {{customer_name}}, your refund is on its way."),
        art("todo", "TODO: confirm the holiday hours with ops."),
        art("snake", "Use the ret_policy_v2 form."),
        art("clean", "The Sony WH-1000XM4 ships free. See https://shop.example/help/return_policy."),
    ]
    report = audit_kb(articles, [], today=TODAY)
    terms = {f.items[0]: f.terms for f in report.internal_terms.findings}
    assert terms == {"sku": ["SKU 48213"], "code": ["WH-RET-02"], "tpl": ["{{customer_name}}"],
                     "todo": ["TODO"], "snake": ["ret_policy_v2"]}


# ----------------------------------------------------------------------------- report shape


def test_report_json_round_trip_and_summary() -> None:
    products = [AuditProduct("p1", "Mug", "", "", ("Kitchen", "Mugs")),
                AuditProduct("p2", "Mug", "A sturdy stoneware mug that holds 350 ml of tea.",
                             "Acme", ("Kitchen", "Mugs"))]
    report = audit_kb(CONFLICTS + NON_CONFLICTS, products, ["Kitchen > Mugs", "Garden"],
                      today=TODAY, config=AuditConfig(max_findings=1))
    data = report.model_dump(mode="json")
    again = AuditReport.model_validate_json(json.dumps(data))
    assert again == report
    assert data["conflicting_facts"]["count"] == 5
    assert data["conflicting_facts"]["truncated"] is True
    assert len(data["conflicting_facts"]["findings"]) == 1
    assert data["conflicting_facts"]["findings"][0]["statements"][0]["sentence"]
    assert data["orphaned_categories"]["findings"][0]["category"] == "Garden"
    assert data["today"] == "2026-11-23"
    lines = audit_summary_lines(report)
    assert len(lines) == 1 + len(report.sections())
    assert any(line.startswith("conflicting_facts: 5 findings") for line in lines)


def test_empty_inputs() -> None:
    report = audit_kb([], [], today=TODAY)
    assert report.total_findings == 0
    assert near_duplicate_groups(["the and of", "the of"], 0.9) == []


DOC = (ROOT / "docs" / "kb-audit.md").read_text() if (ROOT / "docs" / "kb-audit.md").exists() \
    else ""


@pytest.mark.parametrize("name", sorted(AuditConfig.model_fields))
def test_every_threshold_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC, f"docs/kb-audit.md does not document {name}"
    assert AuditConfig.model_fields[name].description


@pytest.mark.parametrize("name", sorted(
    n for n, f in AuditReport.model_fields.items() if "Section" in str(f.annotation)))
def test_every_check_is_documented(name: str) -> None:
    assert f"### `{name}`" in DOC, f"docs/kb-audit.md has no section for {name}"
