"""The monthly leadership summary and the campaign report as Markdown (R-REV-3/4)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "conversations": "Conversations",
    "automated_resolution_rate": "Automation rate",
    "escalation_rate": "Escalation rate",
    "csat_ai": "CSAT, AI",
    "csat_human": "CSAT, human",
    "score_accuracy": "Accuracy score",
    "score_total": "Total score",
    "repeat_contact_rate": "Repeat contacts",
}
SHARES = {"automated_resolution_rate", "escalation_rate", "repeat_contact_rate"}


def _fmt(metric: str, value: Any) -> str:
    if value is None:
        return "–"
    if metric in SHARES:
        return f"{value * 100:.1f}%"
    if metric == "conversations":
        return f"{int(value):,}"
    return f"{value:.2f}"


def _change(metric: str, d: dict[str, Any]) -> str:
    if d.get("delta") is None:
        return "–"
    sign = "+" if d["delta"] > 0 else ""
    text = (f"{sign}{d['delta'] * 100:.1f} pts" if metric in SHARES
            else f"{sign}{d['delta']:,.2f}")  # fmt: skip
    better = d.get("better")
    mark = "" if better is None else (" ✓" if better else " ✗")
    return text + mark


def _table(before_name: str, after_name: str, deltas: list[dict[str, Any]]) -> list[str]:
    out = [f"| metric | {before_name} | {after_name} | change |", "|---|---|---|---|"]
    for d in deltas:
        m = d["metric"]
        out.append(f"| {LABELS.get(m, m)} | {_fmt(m, d['baseline'])} | {_fmt(m, d['current'])} "
                   f"| {_change(m, d)} |")  # fmt: skip
    return out


def monthly_markdown(s: dict[str, Any]) -> str:
    out = [f"# Monthly summary · {s['store']} · {s['month']}", ""]
    out += _table("last month", "this month", s["deltas"]) + ["", "## Improvements made", ""]
    if not s["improvements"]:
        out.append("No threshold, knowledge or fix-list change this month.")
    for i in s["improvements"]:
        line = f"- {i['at'][:10]} · {i['kind']}: {i['what']}"
        if i["effect"] is not None:
            m = i["metric"]
            line += (f" — {LABELS.get(m, m)} {_fmt(m, i['before'])} → {_fmt(m, i['after'])} "
                     f"({i['conversations_before']} vs {i['conversations_after']} conversations, "
                     f"14 days either side)")  # fmt: skip
        out.append(line)
    out += ["", "## Open issues", ""]
    for a in s["open_alerts"]:
        out.append(f"- Alert #{a['id']} [{a['severity']}, {a['state']}] {a['title']}")
    for f in s["open_fix_items"]:
        out.append(f"- Fix item #{f['id']} [{f['status']}] {f['note']}")
    if not s["open_alerts"] and not s["open_fix_items"]:
        out.append("None.")
    out += ["", f"## Week-1 sample for human scoring ({len(s['sample'])} conversations, "
            f"seed {s['sample_seed']})", "", ", ".join(s["sample"]) or "No conversations.",
            "", "Label them with `shopcoach score label ID --dimension D --label L`; "
            "`shopcoach score agreement` then shows how well each judge agrees."]  # fmt: skip
    return "\n".join(out) + "\n"


def campaign_markdown(r: dict[str, Any]) -> str:
    base = r["baseline"]
    name = base["name"] or f"{base['since'][:10]} – {base['until'][:10]}"
    out = [f"# Campaign report · {r['store']} · {r['since'][:10]} – {r['until'][:10]}", "",
           f"Baseline: {name}.", ""]  # fmt: skip
    out += ["## All conversations in the campaign", ""]
    out += _table("baseline", "campaign", r["deltas"])
    if r.get("tag"):
        out += ["", f"## Conversations tagged '{r['tag']}'", ""]
        out += _table("baseline", "tagged", r["tagged_deltas"] or [])
    return "\n".join(out) + "\n"
