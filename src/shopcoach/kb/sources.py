"""File formats for the knowledge base, registered by (kind, name): rows → records + errors.

Products: ``csv`` and ``jsonl`` (one product per row, flexible column names) and ``shopify``
(Shopify's product CSV export: one product per ``Handle``, its variant rows folded in).
Articles: ``markdown`` (a ``.md`` file or a folder of them, optional front matter), ``html``
(a file or a folder) and ``jsonl``. Every reader is pure apart from reading the file: it
returns :class:`ReadResult` with the records, a :class:`RecordError` per bad row (line,
field, reason with the fix) and the rows it deliberately skipped (e.g. Shopify drafts).
Column names are matched case-insensitively, with spaces and dashes read as ``_``; the
accepted names are listed in ``docs/kb.md``.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from shopcoach.capture.validate import Problem, RecordError
from shopcoach.errors import ValidationFailed
from shopcoach.kb import records as rec
from shopcoach.kb.records import FieldProblems, KbRecord, Kind
from shopcoach.search.documents import html_to_text

# Big product descriptions exist; the csv module's 128 KiB default rejects them.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Skipped:
    """A row left out on purpose (not an error), e.g. a Shopify draft or an exact copy."""

    line: int
    key: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "key": self.key, "reason": self.reason}


@dataclass
class ReadResult:
    records: list[KbRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


Reader = Callable[[Path], ReadResult]


@dataclass(frozen=True)
class KbFormat:
    kind: Kind
    name: str
    doc: str
    read: Reader


_FORMATS: dict[tuple[str, str], KbFormat] = {}


def register(kind: Kind, name: str, doc: str) -> Callable[[Reader], Reader]:
    """Register a reader for ``kind`` under ``name`` (its one-line ``doc`` goes in the docs)."""

    def wrap(fn: Reader) -> Reader:
        _FORMATS[(kind, name)] = KbFormat(kind, name, doc, fn)
        return fn

    return wrap


def formats() -> dict[tuple[str, str], KbFormat]:
    return dict(_FORMATS)


def get_format(kind: str, name: str) -> KbFormat:
    try:
        return _FORMATS[(kind, name)]
    except KeyError:
        names = ", ".join(n for k, n in sorted(_FORMATS) if k == kind)
        raise ValidationFailed(
            f"There is no {kind} format {name!r}.", hint=f"Use one of: {names}."
        ) from None


# --------------------------------------------------------------------------- products


@functools.lru_cache(maxsize=4096)
def _norm_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


_PRODUCT_KEY = ("id", "product_id", "sku", "handle", "key")
_PRODUCT_FIELDS = {
    "title": ("title", "name", "product_name"),
    "description": ("description", "body", "body_html", "text", "body_(html)"),
    "bullets": ("bullet_points", "bullets", "features"),
    "brand": ("brand", "vendor", "manufacturer"),
    "category": ("category", "category_path", "product_category", "product_type", "type"),
    "price": ("price",),
    "in_stock": ("in_stock", "available", "availability"),
    "quantity": ("inventory", "inventory_quantity", "quantity", "stock"),
    "valid_from": ("valid_from",),
    "valid_to": ("valid_to",),
}
ATTRIBUTE_COLUMNS = ("color", "colour", "size", "material", "gender", "style", "pattern")
_KNOWN = {n for names in _PRODUCT_FIELDS.values() for n in names} | set(_PRODUCT_KEY)


def _pick(row: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any]:
    for name in names:
        if name in row and row[name] not in (None, ""):
            return name, row[name]
    # name the column the file has (e.g. "sku"), so the error points at it
    return next((n for n in names if n in row), names[0]), None


def product_from_row(row: Mapping[str, Any], line: int, source: str) -> KbRecord | RecordError:
    """One product from a flat row (CSV columns or JSON keys, headers already normalised)."""
    p = FieldProblems()
    key_name, key_raw = _pick(row, _PRODUCT_KEY)
    key = rec.key(key_raw, key_name, p)
    title_name, title_raw = _pick(row, _PRODUCT_FIELDS["title"])
    title = rec.title(title_raw, title_name, p)
    body = "\n".join(
        t for t in (rec.text(_pick(row, _PRODUCT_FIELDS[f])[1]) for f in ("description", "bullets"))
        if t
    )  # fmt: skip
    price_name, price_raw = _pick(row, _PRODUCT_FIELDS["price"])
    price = rec.price(price_raw, price_name, p)
    stock_name, stock_raw = _pick(row, _PRODUCT_FIELDS["in_stock"])
    if stock_raw is None:
        stock_name, stock_raw = _pick(row, _PRODUCT_FIELDS["quantity"])
        if isinstance(stock_raw, str) and stock_raw.strip().lstrip("-").isdigit():
            stock_raw = int(stock_raw)
    in_stock = rec.flag(stock_raw, stock_name, p)
    valid_from = rec.day(row.get("valid_from"), "valid_from", p)
    valid_to = rec.day(row.get("valid_to"), "valid_to", p)
    valid_from, valid_to = rec.window(valid_from, valid_to, p)
    if p:
        return p.error(line, key or None)
    attributes = {
        name: rec.text(row[name])
        for name in ATTRIBUTE_COLUMNS
        if name in row and rec.text(row[name])
    }
    metadata = {k: v for k, v in row.items() if k not in _KNOWN and k not in attributes
                and v not in (None, "", [])}  # fmt: skip
    return KbRecord(
        kind="product",
        key=key,
        title=title,
        body=body,
        category=rec.category(_pick(row, _PRODUCT_FIELDS["category"])[1]),
        brand=rec.text(_pick(row, _PRODUCT_FIELDS["brand"])[1]),
        price=price,
        in_stock=in_stock,
        valid_from=valid_from,
        valid_to=valid_to,
        attributes=attributes,
        metadata=metadata,
        line=line,
        source=source,
    )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``(first line of the record, row)`` with normalised headers; blank rows skipped."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [_norm_header(h) for h in next(reader)]
        except StopIteration:
            return
        line = reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):
                yield line, dict(zip(header, values, strict=False))
            line = reader.line_num + 1


def _jsonl_rows(path: Path, result: ReadResult) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as fh:
        for line, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                result.errors.append(
                    RecordError(line, None, (Problem("", f"invalid JSON ({exc}); fix the line"),))
                )
                continue
            if not isinstance(obj, dict):
                result.errors.append(
                    RecordError(line, None, (Problem("", "each line must be a JSON object"),))
                )
                continue
            yield line, {_norm_header(str(k)): v for k, v in obj.items()}


def _collect(result: ReadResult, item: KbRecord | RecordError) -> None:
    if isinstance(item, RecordError):
        result.errors.append(item)
    else:
        result.records.append(item)


@register("product", "csv", "Products, one per row; a header row names the columns.")
def read_products_csv(path: Path) -> ReadResult:
    result = ReadResult()
    for line, row in _csv_rows(path):
        _collect(result, product_from_row(row, line, f"{path.name}:{line}"))
    return result


@register("product", "jsonl", "Products, one JSON object a line (ESCI's products.jsonl).")
def read_products_jsonl(path: Path) -> ReadResult:
    result = ReadResult()
    for line, row in _jsonl_rows(path, result):
        _collect(result, product_from_row(row, line, f"{path.name}:{line}"))
    return result


# --------------------------------------------------------------------------- shopify


def _shopify_product(
    handle: str, rows: list[tuple[int, dict[str, str]]], source: str
) -> KbRecord | RecordError | Skipped:
    """Fold one handle's rows (product row + variant rows + image rows) into a product."""
    p = FieldProblems()
    line, head = next(((n, r) for n, r in rows if r.get("title", "").strip()), rows[0])
    title = rec.title(head.get("title"), "Title", p)
    status = head.get("status", "").strip().lower()
    published = head.get("published", "").strip().lower()
    if status and status != "active":
        return Skipped(line, handle, f"Shopify status is {status!r}, not 'active'")
    if not status and published in ("false", "no", "0"):
        return Skipped(line, handle, "Shopify 'Published' is FALSE")
    option_names = [head.get(f"option{i}_name", "").strip() for i in (1, 2, 3)]
    variants: list[dict[str, Any]] = []
    for n, row in rows:
        values = [row.get(f"option{i}_value", "").strip() for i in (1, 2, 3)]
        if not (row.get("variant_sku") or row.get("variant_price") or any(values)):
            continue  # an image-only row
        errors_before = len(p.problems)
        price = rec.price(row.get("variant_price"), "Variant Price", p)
        compare = rec.price(row.get("variant_compare_at_price"), "Variant Compare At Price", p)
        qty_raw = row.get("variant_inventory_qty", "").strip()
        qty: int | None = None
        if qty_raw:
            try:
                qty = int(float(qty_raw))
            except ValueError:
                p.add("Variant Inventory Qty", f"{qty_raw!r} is not a whole number; write e.g. 12")
        if len(p.problems) > errors_before:
            return p.error(n, handle)
        tracked = bool(row.get("variant_inventory_tracker", "").strip())
        policy = row.get("variant_inventory_policy", "").strip().lower()
        variants.append({
            "sku": row.get("variant_sku", "").strip(),
            "options": {name: v for name, v in zip(option_names, values, strict=True)
                        if name and v and v != "Default Title"},
            "price": price,
            "compare_at_price": compare,
            "inventory_qty": qty,
            "available": (not tracked) or (qty or 0) > 0 or policy == "continue",
            "line": n,
        })  # fmt: skip
    if p:
        return p.error(line, handle)
    prices = [v["price"] for v in variants if v["price"] is not None]
    attributes: dict[str, str] = {}
    for name in option_names:
        seen = dict.fromkeys(v["options"][name] for v in variants if name in v["options"])
        if name and seen:
            attributes[rec.text(name).lower()] = ", ".join(seen)
    tags = [t.strip() for t in head.get("tags", "").split(",") if t.strip()]
    if tags:
        attributes["tags"] = ", ".join(tags)
    image = next((r["image_src"] for _, r in rows if r.get("image_src", "").strip()), "")
    metadata: dict[str, Any] = {
        "variants": [{k: v for k, v in var.items() if k != "line"} for var in variants],
        "tags": tags,
        "type": head.get("type", "").strip(),
        "status": status or None,
        "image": image or None,
        "seo_title": head.get("seo_title", "").strip() or None,
    }
    if len(set(prices)) > 1:
        metadata["price_max"] = max(prices)
    return KbRecord(
        kind="product",
        key=handle,
        title=title,
        body=rec.text(head.get("body_(html)") or head.get("body_html") or head.get("body")),
        category=rec.category(head.get("product_category") or head.get("type")),
        brand=rec.text(head.get("vendor")),
        price=min(prices) if prices else None,
        in_stock=any(v["available"] for v in variants) if variants else None,
        attributes=attributes,
        metadata={k: v for k, v in metadata.items() if v not in (None, "", [])},
        line=line,
        source=source,
    )


@register("product", "shopify", "Shopify's product CSV export; variants folded per Handle.")
def read_shopify_csv(path: Path) -> ReadResult:
    result = ReadResult()
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in _csv_rows(path):
        handle = " ".join(row.get("handle", "").split())
        if not handle:
            result.errors.append(
                RecordError(line, None, (Problem("Handle", "is empty; every row needs the "
                                                  "product's Handle"),))
            )  # fmt: skip
            continue
        groups.setdefault(handle, []).append((line, row))
    for handle, rows in groups.items():
        item = _shopify_product(handle, rows, f"{path.name}:{rows[0][0]}")
        if isinstance(item, Skipped):
            result.skipped.append(item)
        else:
            _collect(result, item)
    return result


def looks_like_shopify(header: list[str]) -> bool:
    names = {_norm_header(h) for h in header}
    return {"handle", "variant_price"} <= names or {"handle", "body_(html)"} <= names


# --------------------------------------------------------------------------- articles

TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
_ARTICLE_META = ("title", "valid_from", "valid_to", "reviewed_at", "category", "key", "slug", "id")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def front_matter(content: str) -> tuple[dict[str, tuple[int, str]], str, int]:
    """Simple ``key: value`` front matter → ``({key: (line, value)}, body, body_first_line)``.

    Values are scalars (quotes stripped); a ``[a, b]`` list is kept as text. Nested YAML is
    not supported on purpose: the fields Shopcoach reads are all scalars.
    """
    match = _FRONT.match(content)
    if not match:
        return {}, content, 1
    meta: dict[str, tuple[int, str]] = {}
    for offset, raw in enumerate(match.group(1).splitlines()):
        if ":" not in raw or raw.lstrip().startswith("#"):
            continue
        name, value = raw.split(":", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[_norm_header(name)] = (offset + 2, value)
    return meta, content[match.end() :], match.group(0).count("\n") + 1


def _list_value(value: str) -> Any:
    if value.startswith("[") and value.endswith("]"):
        return [v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip()]
    return value


def article_record(
    key: str,
    meta: Mapping[str, tuple[int, Any]],
    body: str,
    source: str,
    *,
    line: int = 1,
    default_category: tuple[str, ...] = (),
) -> KbRecord | RecordError:
    """An article from its metadata (``{name: (line, value)}``) and Markdown-style body."""
    p = FieldProblems()

    def get(name: str) -> tuple[int, Any]:
        return meta.get(name, (line, None))

    body = rec.text(body)
    title_value = get("title")[1]
    lines = body.split("\n", 1)
    h1 = _H1.match(lines[0]) if lines and lines[0] else None
    if not title_value and h1:
        title_value = h1.group(1)
    if h1 and rec.text(h1.group(1)) == rec.text(title_value):
        body = lines[1] if len(lines) > 1 else ""  # the title heading is the title, not a section
    title = rec.title(title_value, "title", p)
    if title and not body.strip():
        p.add("body", "the article has no text; add its content or remove the file")
    dates = {}
    for name in ("valid_from", "valid_to", "reviewed_at"):
        at, value = get(name)
        before = len(p.problems)
        dates[name] = rec.day(value, name, p)
        if len(p.problems) > before:
            err = p.problems.pop()
            p.problems.append(Problem(err.field, f"{err.reason} (line {at})"))
    valid_from, valid_to = rec.window(dates["valid_from"], dates["valid_to"], p)
    if p:
        return p.error(line, key)
    category_value = get("category")[1]
    extra = {k: (_list_value(v) if isinstance(v, str) else v) for k, (_, v) in meta.items()
             if k not in _ARTICLE_META and v not in (None, "")}  # fmt: skip
    if "authoritative" in extra:  # a source of truth (docs/kb.md): stored as a real boolean
        extra["authoritative"] = str(extra["authoritative"]).strip().lower() in TRUE_WORDS
    return KbRecord(
        kind="article",
        key=key,
        title=title,
        body=body,
        category=rec.category(
            _list_value(category_value) if isinstance(category_value, str) else category_value
        )
        or default_category,
        valid_from=valid_from,
        valid_to=valid_to,
        reviewed_at=dates["reviewed_at"],
        metadata=extra,
        line=line,
        source=source,
    )


def _files(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def _article_key(path: Path, root: Path, meta: Mapping[str, tuple[int, Any]]) -> str:
    for name in ("key", "slug", "id"):
        if meta.get(name, (0, ""))[1]:
            return " ".join(str(meta[name][1]).split())
    base = root if root.is_dir() else path.parent
    return path.relative_to(base).with_suffix("").as_posix()


def _folder_category(path: Path, root: Path) -> tuple[str, ...]:
    if not root.is_dir():
        return ()
    return tuple(path.relative_to(root).parent.parts)


@register("article", "markdown", "A .md file or a folder of them; optional front matter.")
def read_markdown(path: Path) -> ReadResult:
    result = ReadResult()
    for file in _files(path, (".md", ".markdown")):
        content = file.read_text(encoding="utf-8-sig")
        meta, body, _first = front_matter(content)
        key = _article_key(file, path, meta)
        item = article_record(key, meta, body, file.as_posix(),
                              default_category=_folder_category(file, path))  # fmt: skip
        _collect(result, item)
    return result


_HEAD = re.compile(r"<head\b.*?</head\s*>", re.I | re.S)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_HX = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)
_META_TAG = re.compile(
    r"<meta\s+name=[\"']shopcoach:(\w+)[\"']\s+content=[\"']([^\"']*)[\"']", re.I
)


def html_to_markdownish(html: str) -> str:
    """HTML body → text with ``#`` heading lines (so articles chunk the same way)."""
    html = _HEAD.sub("", html)

    def heading(m: re.Match[str]) -> str:
        inner = " ".join(html_to_text(m.group(2)).split())
        return f"<p>{'#' * int(m.group(1))} {inner}</p>"

    return html_to_text(_HX.sub(heading, html))


@register("article", "html", "An .html file or a folder of them; <title> or <h1> is the title.")
def read_html(path: Path) -> ReadResult:
    result = ReadResult()
    for file in _files(path, (".html", ".htm")):
        raw = file.read_text(encoding="utf-8-sig")
        meta: dict[str, tuple[int, Any]] = {
            _norm_header(k): (1, v) for k, v in _META_TAG.findall(raw)
        }
        title = _TITLE.search(raw)
        if title and "title" not in meta:
            meta["title"] = (1, " ".join(html_to_text(title.group(1)).split()))
        key = _article_key(file, path, meta)
        _collect(result, article_record(key, meta, html_to_markdownish(raw), file.as_posix(),
                                        default_category=_folder_category(file, path)))  # fmt: skip
    return result


@register("article", "jsonl", "Articles, one JSON object a line: id, title, body or html.")
def read_articles_jsonl(path: Path) -> ReadResult:
    result = ReadResult()
    for line, row in _jsonl_rows(path, result):
        key_name, key_raw = _pick(row, ("id", "key", "slug", "url"))
        p = FieldProblems()
        key = rec.key(key_raw, key_name, p)
        if p:
            result.errors.append(p.error(line, None))
            continue
        html = row.get("html")
        body = html_to_markdownish(html) if html else str(
            _pick(row, ("body", "markdown", "text", "content"))[1] or ""
        )
        meta = {k: (line, v) for k, v in row.items()
                if k not in ("html", "body", "markdown", "text", "content")}  # fmt: skip
        _collect(result, article_record(key, meta, body, f"{path.name}:{line}", line=line))
    return result


# --------------------------------------------------------------------------- detection

_PRODUCT_HINTS = {"price", "brand", "product_id", "sku", "bullet_points", "handle", "vendor"}


def detect(path: Path, kind: str | None = None, fmt: str | None = None) -> KbFormat:
    """Pick the format from the path (suffix, folder contents, CSV header, first JSON line)."""
    if not path.exists():
        raise ValidationFailed(f"{path} does not exist.", hint="Check the path.")
    if kind is not None and kind not in rec.KINDS:
        raise ValidationFailed(f"Unknown kind {kind!r}.", hint="Use products or articles.")
    if fmt:
        if kind:
            return get_format(kind, fmt)
        matches = [f for (k, n), f in _FORMATS.items() if n == fmt]
        if len(matches) == 1:
            return matches[0]
        if fmt == "jsonl" and path.is_file():
            return get_format(_jsonl_kind(path), "jsonl")
        raise ValidationFailed(f"Unknown format {fmt!r}.", hint=_formats_hint())
    if path.is_dir():
        html = _files(path, (".html", ".htm"))
        md = _files(path, (".md", ".markdown"))
        return get_format("article", "html" if html and not md else "markdown")
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return get_format("article", "markdown")
    if suffix in (".html", ".htm"):
        return get_format("article", "html")
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        return get_format("product", "shopify" if looks_like_shopify(header) else "csv")
    if suffix in (".jsonl", ".ndjson", ".json"):
        return get_format(kind or _jsonl_kind(path), "jsonl")
    raise ValidationFailed(
        f"Cannot tell the format of {path.name}.", hint="Pass --format. " + _formats_hint()
    )


def _jsonl_kind(path: Path) -> str:
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    first = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    break
                if isinstance(first, dict):
                    keys = {_norm_header(str(k)) for k in first}
                    return "product" if keys & _PRODUCT_HINTS else "article"
                break
    raise ValidationFailed(
        f"Cannot tell whether {path.name} holds products or articles.",
        hint="Pass --kind products or --kind articles.",
    )


def _formats_hint() -> str:
    by_kind: dict[str, list[str]] = {}
    for k, n in sorted(_FORMATS):
        by_kind.setdefault(k, []).append(n)
    return "; ".join(f"{k}s: {', '.join(v)}" for k, v in by_kind.items())
