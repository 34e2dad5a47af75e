"""Real data for the knowledge-base tests, converted in tmp_path (never copied to the repo).

ESCI products (Apache-2.0) become CSV / JSONL / Shopify exports; ABCD policy guidelines (MIT)
become Markdown and HTML help articles; Bitext reference responses (CDLA-Sharing-1.0) become
an articles JSONL. Tests that need a folder skip, naming it, only when it is absent.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shopcoach.search.datasets import data_dir

SHOPIFY_HEADER = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Variant SKU",
    "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Price", "Variant Compare At Price", "Image Src",
    "Status",
]  # fmt: skip


def need(folder: str) -> Path:
    path = data_dir() / folder
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} is absent (set SHOPCOACH_DATA_DIR)")
    return path


def esci_products(n: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with (need("esci-us-150") / "products.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if n is not None and len(rows) >= n:
                break
    return rows


def write_products_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["product_id", "title", "description", "bullet_points", "brand", "color",
                    "category", "price", "in_stock"])  # fmt: skip
        for r in rows:
            w.writerow([r["product_id"], r["title"], r["description"], r["bullet_points"],
                        r["brand"], r["color"], " > ".join(r["category"]),
                        "" if r["price"] is None else f"${r['price']:,.2f}",
                        "yes"])  # fmt: skip
    return path


def write_shopify_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Shopify export: each ESCI product becomes a handle with two size variants."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SHOPIFY_HEADER)
        for i, r in enumerate(rows):
            handle = re.sub(r"[^a-z0-9]+", "-", r["title"].lower()).strip("-")[:60] + f"-{i}"
            price = r["price"] if r["price"] is not None else 10.0
            body = "<p>" + html.escape(r["description"] or "") + "</p><ul>" + "".join(
                f"<li>{html.escape(b)}</li>" for b in r["bullet_points"].split("\n") if b
            ) + "</ul>"
            w.writerow([handle, r["title"], body, r["brand"], " > ".join(r["category"]), "Goods",
                        "esci, sample", "TRUE", "Size", "S", "", "", f"{r['product_id']}-S", "100",
                        "shopify", "0", "deny", f"{price:.2f}", "", r["image"], "active"])
            w.writerow([handle, "", "", "", "", "", "", "", "", "M", "", "",
                        f"{r['product_id']}-M", "100", "shopify", "3", "deny",
                        f"{price + 5:.2f}", "", "", ""])
            w.writerow([handle] + [""] * 18 + [r["image"] + "?2", ""])  # image-only row
    return path  # fmt: skip


def abcd_markdown(folder: Path) -> Path:
    """One Markdown article per ABCD flow; its subflows and their steps are the sections."""
    guidelines = json.loads((need("abcd") / "guidelines.json").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for flow, data in guidelines.items():
        lines = ["---", f"title: {flow}", "category: Policies", "---", f"# {flow}", "",
                 data["description"], ""]  # fmt: skip
        for name, sub in data["subflows"].items():
            lines += [f"## {name}", ""]
            for instruction in sub.get("instructions") or []:
                lines.append(str(instruction))
            for action in sub["actions"]:
                lines += [f"### {action['button']}", "", action["text"]]
                lines += [f"- {s}" for s in action["subtext"]]
                lines.append("")
        slug = re.sub(r"[^a-z0-9]+", "-", flow.lower()).strip("-")
        (folder / f"{slug}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def abcd_html(folder: Path) -> Path:
    guidelines = json.loads((need("abcd") / "guidelines.json").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for flow, data in guidelines.items():
        parts = [f"<html><head><title>{html.escape(flow)}</title><style>p{{}}</style></head>",
                 f"<body><h1>{html.escape(flow)}</h1><p>{html.escape(data['description'])}</p>"]
        for name, sub in data["subflows"].items():
            parts.append(f"<h2>{html.escape(name)}</h2>")
            for action in sub["actions"]:
                parts.append(f"<h3>{html.escape(action['button'])}</h3>"
                             f"<p>{html.escape(action['text'])}</p><ul>")
                parts += [f"<li>{html.escape(s)}</li>" for s in action["subtext"]]
                parts.append("</ul>")
        parts.append("</body></html>")
        slug = re.sub(r"[^a-z0-9]+", "-", flow.lower()).strip("-")
        (folder / f"{slug}.html").write_text("\n".join(parts), encoding="utf-8")
    return folder  # fmt: skip


def bitext_articles_jsonl(path: Path, per_intent: int = 3) -> Path:
    """One article per Bitext intent made of its first reference responses."""
    by_intent: dict[str, list[dict[str, str]]] = {}
    with (need("bitext-customer-support") / "bitext_train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_intent.setdefault(row["intent"], []).append(row)
    with path.open("w", encoding="utf-8") as fh:
        for intent, rows in sorted(by_intent.items()):
            body = "\n\n".join(f"## {r['instruction']}\n\n{r['response']}"
                               for r in rows[:per_intent])  # fmt: skip
            fh.write(json.dumps({"id": intent, "title": intent.replace("_", " ").title(),
                                 "body": body, "category": rows[0]["category"].title()}) + "\n")
    return path  # fmt: skip
