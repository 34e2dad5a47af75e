"""Knowledge-base hygiene audit: pure checks over plain articles, products and categories.

``audit_kb(articles, products, categories, today=..., config=...)`` runs every check and
returns an :class:`AuditReport` (pydantic; ``report.model_dump(mode="json")`` is the
dashboard's JSON). Nothing here reads a database or a file: the caller loads the knowledge
base into :class:`AuditArticle` / :class:`AuditProduct` values. Each finding names its
item(s), the evidence and a suggested fix; each section has counts. The checks, their rules
and thresholds are described in ``docs/kb-audit.md``.

Example::

    report = audit_kb([AuditArticle("returns", "Returns", "30-day returns.")], [],
                      today=date(2026, 11, 23))
    report.stale_articles.count   # 1: never reviewed
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from shopcoach.kb.audit_facts import Fact, extract_facts
from shopcoach.kb.audit_seasons import article_events, event_window
from shopcoach.kb.audit_similarity import near_duplicate_groups

# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class AuditArticle:
    """A help article as the audit sees it. ``category`` is a path ("Help > Shipping");
    ``retrievals`` counts how often the agent's search returned it (the biweekly review
    ranks by it); ``archived`` is True when the article is unpublished."""

    key: str
    title: str
    text: str
    category: str | None = None
    reviewed_at: date | datetime | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    retrievals: int = 0
    archived: bool = False


@dataclass(frozen=True)
class AuditProduct:
    """A catalog product. ``category`` is the path, top level first (empty: uncategorised)."""

    key: str
    title: str
    description: str = ""
    brand: str = ""
    category: tuple[str, ...] = ()
    bullet_points: str = ""
    active: bool = True


class AuditConfig(BaseModel):
    """Every threshold of the audit (each one is described in ``docs/kb-audit.md``)."""

    stale_days: int = Field(
        default=90, description="An article not reviewed for this many days (or never) is stale.")
    near_duplicate_threshold: float = Field(
        default=0.9, description="TF-IDF cosine at or above which two articles (or two "
        "products) are near-duplicates.")
    min_description_words: int = Field(
        default=10, description="A non-empty product description with fewer words is too short.")
    supplier_copy_min_products: int = Field(
        default=3, description="One normalised description shared by at least this many "
        "products is supplier copy.")
    conflict_tolerance: float = Field(
        default=0.02, description="Relative difference under which two stated values are equal "
        "(12 months = 360 days and 1 year = 365 days agree).")
    sku_pattern: str = Field(
        default=r"\bSKUs?\b(?:[-_#: ]*[A-Z0-9][\w-]*)?|\b(?:PLU|UPC|EAN|ASIN)[-_#: ]+\d[\w-]*"
        r"|\b[a-z]+_[a-z0-9]+(?:_[a-z0-9]+)*\b|\{\{[^}]*\}\}|\[\[[^\]]*\]\]"
        r"|\b(?:TODO|TBD|FIXME|INTERNAL ONLY|DO NOT SHARE)\b",
        description="Regex of internal terms that must not reach customers, searched in "
        "article titles and text and in product descriptions (URLs excluded): SKU and barcode "
        "labels, snake_case identifiers, template placeholders, TODO/internal markers.")
    article_code_pattern: str = Field(
        default=r"\b(?=[A-Z0-9-]*\d)[A-Z]{2,5}(?:-[A-Z0-9]{2,}){2,}\b",
        description="Regex of internal codes searched in articles only (product text "
        "legitimately shows model numbers): upper-case codes of three or more dash-separated "
        "parts with a digit, such as 'WH-RET-02'.")
    seasonal_load_days: tuple[int, int] = Field(
        default=(14, 21), description="Load seasonal content that starts in this many days "
        "(inclusive) and is not live.")
    seasonal_archive_days: int = Field(
        default=7, description="Archive seasonal content whose event ended more than this many "
        "days ago.")
    seasonal_min_mentions: int = Field(
        default=2, description="An event is an article's theme when its title names it or its "
        "text names it at least this many times.")
    event_dates: dict[str, tuple[date, date]] = Field(
        default_factory=dict, description="Dates of events without a rule (Prime Day, Lunar New "
        "Year) or overrides: event name -> (first day, last day) of its current occurrence.")
    review_every_days: int = Field(
        default=14, description="The most-retrieved articles are due for review this many days "
        "after their last review.")
    review_top_n: int = Field(
        default=20, description="How many of the most-retrieved live articles the biweekly "
        "review covers.")
    max_findings: int | None = Field(
        default=500, description="Findings listed per section (counts stay complete); None "
        "lists all.")


# ----------------------------------------------------------------------------- report


class Finding(BaseModel):
    items: list[str] = Field(description="Keys of the articles/products/categories concerned.")
    message: str
    fix: str


class StaleFinding(Finding):
    reviewed_at: date | None
    days_since_review: int | None


class DuplicateFinding(Finding):
    kind: Literal["article", "product"]
    titles: list[str]
    similarity: float = Field(description="Lowest pairwise cosine inside the group that linked "
                              "it (the group is connected by pairs above the threshold).")


class FactStatement(BaseModel):
    item: str
    sentence: str
    text: str = Field(description="The words stating the value, e.g. '3-5 business days'.")
    low: float
    high: float


class ConflictFinding(Finding):
    subject: str
    qualifiers: list[str]
    unit: str
    statements: list[FactStatement]


class ProductFinding(Finding):
    problem: Literal["missing_description", "short_description", "supplier_copy",
                     "missing_brand", "duplicate_title"]
    excerpt: str = ""


class TermFinding(Finding):
    field: Literal["title", "text", "description"]
    terms: list[str]
    excerpt: str


class CategoryFinding(Finding):
    problem: Literal["unused", "unknown", "uncategorised"]
    category: str


class SeasonalFinding(Finding):
    action: Literal["load", "archive"]
    events: list[str]
    starts: date | None
    ends: date | None
    days: int = Field(description="Days until the start (load) or since the end (archive).")


class ReviewFinding(Finding):
    rank: int
    retrievals: int
    reviewed_at: date | None
    days_since_review: int | None


F = TypeVar("F", bound=Finding)


class Section(BaseModel, Generic[F]):
    check: str
    rule: str
    count: int = Field(description="Number of findings (complete, even when the list is cut).")
    items: int = Field(description="Distinct items concerned.")
    truncated: bool
    findings: list[F]


class AuditReport(BaseModel):
    today: date
    articles: int
    products: int
    categories: int
    config: AuditConfig
    stale_articles: Section[StaleFinding]
    review_due: Section[ReviewFinding]
    near_duplicate_articles: Section[DuplicateFinding]
    conflicting_facts: Section[ConflictFinding]
    internal_terms: Section[TermFinding]
    seasonal: Section[SeasonalFinding]
    missing_descriptions: Section[ProductFinding]
    short_descriptions: Section[ProductFinding]
    supplier_copied_descriptions: Section[ProductFinding]
    missing_brands: Section[ProductFinding]
    duplicate_titles: Section[ProductFinding]
    near_duplicate_products: Section[DuplicateFinding]
    orphaned_categories: Section[CategoryFinding]

    def sections(self) -> dict[str, Section[Any]]:
        """The check sections by name, in report order."""
        return {name: value for name in type(self).model_fields
                if isinstance(value := getattr(self, name), Section)}

    @property
    def total_findings(self) -> int:
        return sum(s.count for s in self.sections().values())


def _section(check: str, rule: str, findings: list[F], config: AuditConfig) -> Section[F]:
    cap = config.max_findings
    items = {i for f in findings for i in f.items}
    shown = findings if cap is None else findings[:cap]
    return Section[F](check=check, rule=rule, count=len(findings), items=len(items),
                      truncated=len(shown) < len(findings), findings=shown)


# ----------------------------------------------------------------------------- helpers

_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lower case, HTML tags removed, whitespace collapsed: the form compared for copies."""
    return _WS_RE.sub(" ", _TAG_RE.sub(" ", text or "")).strip().lower()


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _excerpt(text: str, start: int = 0, width: int = 120) -> str:
    lo = max(0, start - width // 3)
    snippet = _WS_RE.sub(" ", text[lo:lo + width]).strip()
    return ("…" if lo else "") + snippet + ("…" if lo + width < len(text) else "")


def _live(a: AuditArticle, today: date) -> bool:
    return (not a.archived and (a.valid_from is None or a.valid_from <= today)
            and (a.valid_to is None or a.valid_to >= today))


# ----------------------------------------------------------------------------- freshness


def _stale(articles: Sequence[AuditArticle], today: date, cfg: AuditConfig) -> list[StaleFinding]:
    found = []
    for a in articles:
        if not _live(a, today):
            continue
        reviewed = _as_date(a.reviewed_at)
        age = None if reviewed is None else (today - reviewed).days
        if age is not None and age <= cfg.stale_days:
            continue
        when = "never reviewed" if age is None else f"last reviewed {age} days ago ({reviewed})"
        found.append(StaleFinding(
            items=[a.key], reviewed_at=reviewed, days_since_review=age,
            message=f"Article '{a.title}' ({a.key}) is {when}; the limit is {cfg.stale_days}.",
            fix="Check it against the current policy and catalog, then record the review date."))
    found.sort(key=lambda f: (f.days_since_review is not None, -(f.days_since_review or 0)))
    return found


def _review_due(articles: Sequence[AuditArticle], today: date,
                cfg: AuditConfig) -> list[ReviewFinding]:
    ranked = sorted((a for a in articles if a.retrievals > 0 and _live(a, today)),
                    key=lambda a: (-a.retrievals, a.key))[: cfg.review_top_n]
    found = []
    for rank, a in enumerate(ranked, 1):
        reviewed = _as_date(a.reviewed_at)
        age = None if reviewed is None else (today - reviewed).days
        if age is not None and age < cfg.review_every_days:
            continue
        when = "never reviewed" if age is None else f"last reviewed {age} days ago"
        found.append(ReviewFinding(
            items=[a.key], rank=rank, retrievals=a.retrievals, reviewed_at=reviewed,
            days_since_review=age,
            message=f"'{a.title}' ({a.key}) is #{rank} by retrievals ({a.retrievals}) and {when}.",
            fix=f"Review it now: the top {cfg.review_top_n} articles are audited every "
                f"{cfg.review_every_days} days."))
    return found


# ----------------------------------------------------------------------------- near-duplicates


def _duplicates(kind: Literal["article", "product"], keys: Sequence[str],
                titles: Sequence[str], texts: Sequence[str],
                cfg: AuditConfig) -> list[DuplicateFinding]:
    found = []
    for ix, sim in near_duplicate_groups(texts, cfg.near_duplicate_threshold):
        names = [titles[i] for i in ix]
        found.append(DuplicateFinding(
            items=[keys[i] for i in ix], kind=kind, titles=names, similarity=sim,
            message=f"{len(ix)} {kind}s are near-duplicates (cosine >= {sim:.2f}): "
                    + "; ".join(f"'{t[:60]}'" for t in names[:5]),
            fix=("Merge them into one article and redirect the others." if kind == "article"
                 else "Merge duplicate listings, or make variants differ in title and text.")))
    return found


def _same(a: tuple[float, float], b: tuple[float, float], tolerance: float) -> bool:
    return all(abs(x - y) <= max(0.01, tolerance * max(abs(x), abs(y)))
               for x, y in zip(a, b, strict=True))


def _conflicts(articles: Sequence[AuditArticle], today: date,
               cfg: AuditConfig) -> list[ConflictFinding]:
    by_key: dict[tuple[str, tuple[str, ...], str], list[Fact]] = defaultdict(list)
    for a in articles:
        if _live(a, today):
            for fact in extract_facts(a.key, f"{a.title}. {a.text}"):
                by_key[(fact.subject, fact.qualifiers, fact.unit)].append(fact)
    found = []
    for (subject, quals, unit), facts in sorted(by_key.items()):
        values: list[tuple[tuple[float, float], list[Fact]]] = []
        for fact in facts:
            for value, group in values:
                if _same(value, (fact.low, fact.high), cfg.conflict_tolerance):
                    group.append(fact)
                    break
            else:
                values.append(((fact.low, fact.high), [fact]))
        articles_by_value = [{f.item for f in group} for _, group in values]
        if len(values) < 2 or len(set().union(*articles_by_value)) < 2:
            continue  # one value, or differing values inside one article only
        statements, seen = [], set()
        for _, group in values:
            for f in group:
                if (f.item, f.low, f.high) not in seen:
                    seen.add((f.item, f.low, f.high))
                    statements.append(FactStatement(item=f.item, sentence=f.sentence,
                                                    text=f.text, low=f.low, high=f.high))
        label = subject.replace("_", " ") + (f" ({', '.join(quals)})" if quals else "")
        stated = "; ".join(f"{s.item}: '{s.text}'" for s in statements[:6])
        found.append(ConflictFinding(
            items=sorted({s.item for s in statements}), subject=subject,
            qualifiers=list(quals), unit=unit, statements=statements,
            message=f"Articles disagree on {label}: {stated}.",
            fix=f"Decide the current {label} value, correct the other articles, and link them "
                "to one policy article."))
    return found


# ----------------------------------------------------------------------------- terminology


_URL_RE = re.compile(r"https?://\S+|www\.\S+")


def _terms(articles: Sequence[AuditArticle], products: Sequence[AuditProduct],
           cfg: AuditConfig) -> list[TermFinding]:
    sku = re.compile(cfg.sku_pattern)
    code = re.compile(cfg.article_code_pattern)
    fields: list[tuple[str, Literal["title", "text", "description"], str, bool]] = []
    for a in articles:
        if not a.archived:
            fields += [(a.key, "title", a.title, True), (a.key, "text", a.text, True)]
    fields += [(p.key, "description", p.description, False) for p in products if p.active]
    found = []
    for key, name, text, is_article in fields:
        clean = _URL_RE.sub(lambda m: " " * len(m.group()), text or "")
        hits = list(sku.finditer(clean)) + (list(code.finditer(clean)) if is_article else [])
        if hits:
            hits.sort(key=lambda h: h.start())
            terms = list(dict.fromkeys(h.group() for h in hits))
            found.append(TermFinding(
                items=[key], field=name, terms=terms, excerpt=_excerpt(text, hits[0].start()),
                message=f"{key} {name} shows internal terms to customers: {', '.join(terms[:5])}.",
                fix="Replace codes with the customer-facing product or policy name, and remove "
                    "notes and placeholders."))
    return found


# ----------------------------------------------------------------------------- products


def _product_checks(products: Sequence[AuditProduct],
                    cfg: AuditConfig) -> dict[str, list[ProductFinding]]:
    out: dict[str, list[ProductFinding]] = {k: [] for k in (
        "missing_description", "short_description", "supplier_copy", "missing_brand",
        "duplicate_title")}
    copies: dict[str, list[AuditProduct]] = defaultdict(list)
    titles: dict[str, list[AuditProduct]] = defaultdict(list)
    for p in products:
        if not p.active:
            continue
        desc = normalise_text(p.description)
        words = len(desc.split())
        if not desc:
            out["missing_description"].append(ProductFinding(
                items=[p.key], problem="missing_description", excerpt=p.title[:120],
                message=f"Product {p.key} ('{p.title[:60]}') has no description.",
                fix="Write a description: what it is, who it is for, size/material, care."))
        elif words < cfg.min_description_words:
            out["short_description"].append(ProductFinding(
                items=[p.key], problem="short_description", excerpt=desc[:120],
                message=f"Product {p.key} has a {words}-word description "
                        f"(minimum {cfg.min_description_words}).",
                fix="Expand it with the facts customers ask about (size, material, use)."))
        else:
            copies[desc].append(p)
        if not (p.brand or "").strip():
            out["missing_brand"].append(ProductFinding(
                items=[p.key], problem="missing_brand", excerpt=p.title[:120],
                message=f"Product {p.key} ('{p.title[:60]}') has no brand.",
                fix="Set the brand (or 'Unbranded'), so brand questions and filters work."))
        title = normalise_text(p.title)
        if title:
            titles[title].append(p)
    for desc, group in copies.items():
        if len(group) >= cfg.supplier_copy_min_products:
            out["supplier_copy"].append(ProductFinding(
                items=[p.key for p in group], problem="supplier_copy", excerpt=desc[:120],
                message=f"{len(group)} products share one description word for word.",
                fix="Write a description per product; keep shared text (care, sizing) in one "
                    "article linked from each."))
    for title, group in titles.items():
        if len(group) > 1:
            out["duplicate_title"].append(ProductFinding(
                items=[p.key for p in group], problem="duplicate_title", excerpt=title[:120],
                message=f"{len(group)} products have the same title '{group[0].title[:60]}'.",
                fix="Name the variant (size, colour, pack) in each title, or merge the listings."))
    for key in ("supplier_copy", "duplicate_title"):
        out[key].sort(key=lambda f: (-len(f.items), f.items[0]))
    return out


# ----------------------------------------------------------------------------- categories

def _path(category: str | Sequence[str] | None) -> tuple[str, ...]:
    if category is None:
        return ()
    parts = category.split(">") if isinstance(category, str) else category
    return tuple(p.strip() for p in parts if p and p.strip())


def _orphans(articles: Sequence[AuditArticle], products: Sequence[AuditProduct],
             categories: Iterable[str | Sequence[str]] | None,
             today: date) -> tuple[list[CategoryFinding], int]:
    found: list[CategoryFinding] = []
    active: set[tuple[str, ...]] = set()  # every prefix of a path in use
    article_paths = {a.key: _path(a.category) for a in articles if _live(a, today)}
    for path in [_path(p.category) for p in products if p.active] + list(article_paths.values()):
        active.update(path[:i] for i in range(1, len(path) + 1))
    if categories is None:
        known = {_path(p.category) for p in products} | {_path(a.category) for a in articles}
        known.discard(())
    else:
        known = {_path(c) for c in categories} - {()}
        unknown: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for p in products:
            if p.active and (path := _path(p.category)) and path not in known:
                unknown[path].append(p.key)
        for key, path in article_paths.items():
            if path and path not in known:
                unknown[path].append(key)
        for path, keys in sorted(unknown.items()):
            name = " > ".join(path)
            found.append(CategoryFinding(
                items=keys, problem="unknown", category=name,
                message=f"{len(keys)} item(s) use category '{name}', which is not in the "
                        "category list.",
                fix="Move them to an existing category, or add the category to the list."))
    for path in sorted(known - active):
        name = " > ".join(path)
        found.append(CategoryFinding(
            items=[name], problem="unused", category=name,
            message=f"Category '{name}' has no active product or live article.",
            fix="Remove or hide the category, or assign products/articles to it."))
    bare = [p.key for p in products if p.active and not _path(p.category)]
    if bare:
        found.append(CategoryFinding(
            items=bare, problem="uncategorised", category="",
            message=f"{len(bare)} active products have no category.",
            fix="Assign each product a category path, so browsing and filters find it."))
    return found, len(known)


# ----------------------------------------------------------------------------- seasons

def _seasonal(articles: Sequence[AuditArticle], today: date,
              cfg: AuditConfig) -> list[SeasonalFinding]:
    lo, hi = cfg.seasonal_load_days
    found = []
    for a in articles:
        events = article_events(a.title, a.text, cfg.seasonal_min_mentions)
        live = _live(a, today)
        explicit = a.valid_from is not None or a.valid_to is not None
        if explicit:
            nxt = (a.valid_from, a.valid_to) if a.valid_from and a.valid_from > today else None
            last = (a.valid_from, a.valid_to) if a.valid_to and a.valid_to < today else None
        elif events:
            ups = [w for e in events if (w := event_window(e, today, True, cfg.event_dates))]
            downs = [w for e in events
                     if (w := event_window(e, today, False, cfg.event_dates))]
            nxt = min(ups) if ups else None
            last = max(downs, key=lambda w: w[1]) if downs else None
            if nxt is not None and nxt[0] <= today + timedelta(days=hi):
                last = None  # in season now or soon: not the time to archive
        else:
            continue
        named = ", ".join(events) or "its validity dates"
        if nxt is not None and not live and nxt[0] is not None:
            days = (nxt[0] - today).days
            if lo <= days <= hi:
                found.append(SeasonalFinding(
                    items=[a.key], action="load", events=events, starts=nxt[0], ends=nxt[1],
                    days=days,
                    message=f"'{a.title}' ({a.key}) is for {named}, starting {nxt[0]} (in "
                            f"{days} days), and is not live.",
                    fix="Review and publish it now, so it is live when the event starts."))
                continue
        if last is not None and last[1] is not None and not a.archived:
            days = (today - last[1]).days
            if days > cfg.seasonal_archive_days:
                found.append(SeasonalFinding(
                    items=[a.key], action="archive", events=events, starts=last[0],
                    ends=last[1], days=days,
                    message=f"'{a.title}' ({a.key}) is for {named}, which ended {last[1]} "
                            f"({days} days ago), and is still published.",
                    fix="Archive it (or set valid_to), so the agent stops citing it."))
    return found


# ----------------------------------------------------------------------------- entry point

RULES = {
    "stale_articles": "live articles not reviewed for more than stale_days days (or never)",
    "review_due": "of the review_top_n most-retrieved live articles, those not reviewed in the "
                  "last review_every_days days",
    "near_duplicate_articles": "groups of articles linked by TF-IDF cosine >= "
                               "near_duplicate_threshold (title + text)",
    "conflicting_facts": "the same subject and qualifiers stated with different values in "
                         "different live articles",
    "internal_terms": "sku_pattern found in article titles/text or product descriptions",
    "seasonal": "load: starts in seasonal_load_days days and not live; archive: ended more "
                "than seasonal_archive_days days ago and still published",
    "missing_descriptions": "active products with an empty description (HTML tags removed)",
    "short_descriptions": "descriptions with fewer than min_description_words words",
    "supplier_copied_descriptions": "one normalised description shared by at least "
                                    "supplier_copy_min_products products",
    "missing_brands": "active products with an empty brand",
    "duplicate_titles": "active products sharing one normalised title",
    "near_duplicate_products": "groups of products linked by TF-IDF cosine >= "
                               "near_duplicate_threshold (title + bullets + description)",
    "orphaned_categories": "categories with no active product or live article, items in "
                           "categories not in the list, products without a category",
}


def audit_kb(articles: Sequence[AuditArticle], products: Sequence[AuditProduct],
             categories: Iterable[str | Sequence[str]] | None = None, *, today: date,
             config: AuditConfig | None = None) -> AuditReport:
    """Run every hygiene check and return the report (pure: no I/O, ``today`` is explicit).

    ``categories`` is the shop's category list (paths as "A > B" strings or sequences); without
    it, the categories in use by products and articles are the list.
    """
    cfg = config or AuditConfig()
    live_articles = [a for a in articles if _live(a, today)]
    prods = _product_checks(products, cfg)
    orphans, n_categories = _orphans(articles, products, categories, today)
    active = [p for p in products if p.active]

    def sec(check: str, findings: list[Any]) -> Any:
        return _section(check, RULES[check], findings, cfg)

    return AuditReport(
        today=today, articles=len(articles), products=len(products), categories=n_categories,
        config=cfg,
        stale_articles=sec("stale_articles", _stale(articles, today, cfg)),
        review_due=sec("review_due", _review_due(articles, today, cfg)),
        near_duplicate_articles=sec("near_duplicate_articles", _duplicates(
            "article", [a.key for a in live_articles], [a.title for a in live_articles],
            [f"{a.title}\n{a.text}" for a in live_articles], cfg)),
        conflicting_facts=sec("conflicting_facts", _conflicts(articles, today, cfg)),
        internal_terms=sec("internal_terms", _terms(articles, products, cfg)),
        seasonal=sec("seasonal", _seasonal(articles, today, cfg)),
        missing_descriptions=sec("missing_descriptions", prods["missing_description"]),
        short_descriptions=sec("short_descriptions", prods["short_description"]),
        supplier_copied_descriptions=sec("supplier_copied_descriptions", prods["supplier_copy"]),
        missing_brands=sec("missing_brands", prods["missing_brand"]),
        duplicate_titles=sec("duplicate_titles", prods["duplicate_title"]),
        near_duplicate_products=sec("near_duplicate_products", _duplicates(
            "product", [p.key for p in active], [p.title for p in active],
            [f"{p.title}\n{p.bullet_points}\n{_TAG_RE.sub(' ', p.description)}"
             for p in active], cfg)),
        orphaned_categories=sec("orphaned_categories", orphans),
    )


def audit_summary_lines(report: AuditReport) -> list[str]:
    """One line per check ("conflicting_facts: 2 findings, 4 items — rule"), for the CLI."""
    lines = [f"KB audit on {report.today}: {report.articles} articles, {report.products} "
             f"products, {report.categories} categories; {report.total_findings} findings"]
    for name, s in report.sections().items():
        shown = f" (first {len(s.findings)} listed)" if s.truncated else ""
        lines.append(f"{name}: {s.count} findings, {s.items} items{shown} — {s.rule}")
    return lines
