"""The weekly pack as Markdown and as a self-contained HTML page that prints well (R-REV-1).

Both render the dict of :meth:`WeeklyPack.to_dict`, so a pack fetched as JSON from the API
renders the same way. No template engine: the layout is small and escaped by hand
(``html.escape`` on every value).
"""

from __future__ import annotations

from html import escape
from typing import Any

from shopcoach.review.pack import example_texts


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def _num(x: Any, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _trend_line(r: dict[str, Any]) -> str:
    delta = r.get("delta_points")
    change = "" if delta is None else f" ({delta:+.1f} points vs last week)"
    flag = " — **dropped more than 2 points**" if r.get("dropped") else ""
    return (f"Automated resolution {_pct(r.get('this_week'))}{change}{flag}; "
            f"{r.get('conversations', 0)} conversations "
            f"({r.get('conversations_last_week', 0)} last week).")  # fmt: skip


def markdown(pack: dict[str, Any]) -> str:
    out = [f"# Weekly coaching pack · {pack['store']} · {pack['week']}", ""]
    out += [f"_{pack['start'][:10]} to {pack['end'][:10]} (exclusive), generated "
            f"{pack['generated_at'][:16]} UTC_", "", "## Recommended changes", ""]  # fmt: skip
    if not pack["recommendations"]:
        out.append("No change to recommend this week: nothing crossed a threshold.")
    for i, r in enumerate(pack["recommendations"], 1):
        pts = "" if r["impact_points"] is None else f", ≈{r['impact_points']:.1f} points"
        out.append(f"{i}. **{r['title']}**  ")
        out.append(f"   Impact: {r['impact']:.1f} conversations/week{pts} ({r['impact_note']}).  ")
        out.append(f"   Do it: `{r['action']}`  ")
        ids = (r.get("evidence") or {}).get("conversation_ids") or []
        if ids:
            out.append(f"   Evidence: {', '.join(ids[:5])}")
    out += ["", "## Resolution", "", _trend_line(pack["resolution"]), ""]
    e = pack["escalations"]
    out.append(f"Escalations: {e['count']} ({_pct(e.get('rate'))}).")
    if e["top_reasons"]:
        out.append("Top reasons: " + ", ".join(f"{x['reason']} ({x['count']})"
                                               for x in e["top_reasons"]) + ".")  # fmt: skip
    if e["top_intents"]:
        top = ", ".join(f"{x['intent']} ({x['count']})" for x in e["top_intents"])
        out.append(f"Most escalated intents: {top}.")
    out += ["", "## The worst-scored conversations", ""]
    if not pack["worst"]:
        out.append("No scored conversations this week (run `shopcoach score run`).")
    else:
        out += ["| conversation | intent | total | accuracy | relevance | tone | resolution |",
                "|---|---|---|---|---|---|---|"]  # fmt: skip
        for w in pack["worst"]:
            cells = []
            for d in ("accuracy", "relevance", "tone", "resolution"):
                info = w["dimensions"][d]
                cells.append(f"{info['label'] or 'n/a'}: {info['reason'] or ''}".replace("|", "/"))
            out.append(f"| {w['conversation_id']} | {w['intent'] or ''} | "
                       f"{_num(w['total'])} | " + " | ".join(cells) + " |")  # fmt: skip
    out += ["", "## Knowledge gaps", ""]
    if not pack["gaps"]:
        out.append("No unanswered or wrongly answered topics this week.")
    for g in pack["gaps"]:
        near = g.get("nearest_article") or {}
        near_s = (
            f"; nearest article: {near.get('title')} ({_num(near.get('score'), 2)})" if near else ""
        )
        ex = "; ".join(f"“{x}”" for x in (g.get("examples") or [])[:3])
        out.append(f"- **{g.get('label')}** — {g.get('count')} this week "
                   f"({g.get('trend', 'new')}){near_s}. {ex}")  # fmt: skip
    out += ["", "## Knowledge that answers have not caught up with", ""]
    if not pack["contradictions"] and not pack["knowledge_changes"]:
        out.append("No knowledge changes and no contradicted answers this week.")
    for c in pack["contradictions"]:
        out.append(f"- {c['answers']} answers contradicted {c['kind']} '{c['verified']}' "
                   f"(said '{c['claimed']}') — source {c.get('title') or c.get('source')}; "
                   f"cited: {', '.join(c['cited']) or '–'}")  # fmt: skip
    for k in pack["knowledge_changes"]:
        out.append(f"- Changed: {k['kind']} {k['title']} (v{k['version']}, "
                   f"{k['changed_at'][:10]}); {k['stale_answers']} answers since used an "
                   "older version")  # fmt: skip
    out += ["", "## Alerts and drift", ""]
    if not pack["alerts"] and not pack["drift"]:
        out.append("No open alerts, no drift.")
    for a in pack["alerts"]:
        out.append(f"- Alert #{a['id']} [{a['severity']}, {a['state']}] {a['title']}")
    for d in pack["drift"]:
        out.append(f"- Drift: {d['detector']} — {d['summary']}")
    out += ["", "## Threshold dials", ""]
    if not pack["dials"]:
        out.append("No threshold change recommended.")
    for d in pack["dials"]:
        out.append(f"- {d['reason']}")
    fi = pack["fix_items"]
    out += ["", "## AI fix list", ""]
    if not fi["open"] and not fi["closed"]:
        out.append("The fix list is empty.")
    for it in fi["open"]:
        out.append(f"- #{it['id']} [{it['status']}] {it.get('conversation_external_id') or ''}: "
                   f"{it['note']} (owner {it.get('owner') or '–'})")  # fmt: skip
    for it in fi["closed"]:
        out.append(f"- #{it['id']} closed: {it['note']} — fixed by {it.get('fix_ref')}")
    if pack.get("notes"):
        out += ["", "## Notes", ""] + [f"- {n}" for n in pack["notes"]]
    return "\n".join(out) + "\n"


CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2329;
max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #d8dee4;
padding-bottom:.2rem;margin-top:2rem}.sub{color:#57606a;margin-top:0}
ol.recs li{margin:.6rem 0}.impact{color:#57606a;font-size:.9rem}code{background:#f3f5f7;
padding:.1rem .3rem;border-radius:3px;font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #d8dee4;
padding:.3rem .4rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.fail{color:#b42318;font-weight:600}.partial{color:#9a6700}.pass{color:#1a7f37}
.drop{color:#b42318;font-weight:600}.kpi{font-size:1.1rem}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}
tr,li{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _label(info: dict[str, Any]) -> str:
    label = info.get("label") or "n/a"
    return (f'<span class="{escape(label)}">{escape(label)}</span>'
            f"<br>{escape(info.get('reason') or '')}")  # fmt: skip


def html(pack: dict[str, Any]) -> str:
    e = escape
    r = pack["resolution"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Weekly coaching pack · {e(pack['store'])} · {e(pack['week'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Weekly coaching pack · {e(pack['week'])}</h1>",
        f"<p class='sub'>Store {e(pack['store'])} · {e(pack['start'][:10])} to "
        f"{e(pack['end'][:10])} (exclusive)</p>",
    ]
    delta = r.get("delta_points")
    cls = " drop" if r.get("dropped") else ""
    parts.append(
        f"<p class='kpi{cls}'>Automated resolution <b>{_pct(r.get('this_week'))}</b>"
        + ("" if delta is None else f" ({delta:+.1f} points vs last week)")
        + f" · {r.get('conversations', 0)} conversations · escalations "
        f"{pack['escalations']['count']} ({_pct(pack['escalations'].get('rate'))})</p>"
    )
    parts.append("<h2>Recommended changes</h2><ol class='recs'>")
    for rec in pack["recommendations"]:
        pts = "" if rec["impact_points"] is None else f", ≈{rec['impact_points']:.1f} points"
        ids = ", ".join((rec.get("evidence") or {}).get("conversation_ids") or [])
        parts.append(
            f"<li><b>{e(rec['title'])}</b><br><span class='impact'>Impact "
            f"{rec['impact']:.1f} conversations/week{pts} — {e(rec['impact_note'])}</span>"
            f"<br>Do it: <code>{e(rec['action'])}</code>"
            + (f"<br><span class='impact'>Evidence: {e(ids)}</span>" if ids else "")
            + "</li>"
        )
    if not pack["recommendations"]:
        parts.append("<li>No change to recommend this week.</li>")
    parts.append("</ol><h2>The worst-scored conversations</h2>")
    if pack["worst"]:
        head = "".join(f"<th>{h}</th>" for h in ("conversation", "intent", "total", "accuracy",
                                                 "relevance", "tone", "resolution"))  # fmt: skip
        parts.append(f"<table><tr>{head}</tr>")
        for w in pack["worst"]:
            dims = "".join(f"<td>{_label(w['dimensions'][d])}</td>"
                           for d in ("accuracy", "relevance", "tone", "resolution"))  # fmt: skip
            parts.append(f"<tr><td>{e(w['conversation_id'])}</td><td>{e(w['intent'] or '')}</td>"
                         f"<td>{_num(w['total'])}</td>{dims}</tr>")  # fmt: skip
        parts.append("</table>")
    else:
        parts.append("<p>No scored conversations this week.</p>")
    parts.append("<h2>Knowledge gaps</h2><ul>")
    for g in pack["gaps"]:
        near = g.get("article") or {}
        ex = "; ".join(f"“{x}”" for x in example_texts(g))
        parts.append(f"<li><b>{e(str(g.get('label')))}</b> — {g.get('count')} this week "
                     f"({e(str(g.get('trend', 'new')))})"
                     + (f"; nearest article {e(str(near.get('title')))}" if near else "")
                     + f"<br><span class='impact'>{e(ex)}</span></li>")  # fmt: skip
    if not pack["gaps"]:
        parts.append("<li>No unanswered or wrongly answered topics.</li>")
    parts.append("</ul><h2>Knowledge answers have not caught up with</h2><ul>")
    for c in pack["contradictions"]:
        parts.append(f"<li>{c['answers']} answers contradicted {e(str(c['kind']))} "
                     f"'{e(str(c['verified']))}' (said '{e(str(c['claimed']))}')</li>")  # fmt: skip
    for k in pack["knowledge_changes"]:
        parts.append(f"<li>Changed {e(k['kind'])} {e(k['title'])} (v{k['version']}): "
                     f"{k['stale_answers']} answers since used an older version</li>")  # fmt: skip
    if not pack["contradictions"] and not pack["knowledge_changes"]:
        parts.append("<li>Nothing this week.</li>")
    parts.append("</ul><h2>Alerts and drift</h2><ul>")
    for a in pack["alerts"]:
        parts.append(f"<li>#{a['id']} [{e(a['severity'])}, {e(a['state'])}] {e(a['title'])}</li>")
    for d in pack["drift"]:
        parts.append(f"<li>Drift {e(d['detector'])}: {e(d['summary'])}</li>")
    if not pack["alerts"] and not pack["drift"]:
        parts.append("<li>No open alerts, no drift.</li>")
    parts.append("</ul><h2>AI fix list</h2><ul>")
    for it in pack["fix_items"]["open"]:
        parts.append(f"<li>#{it['id']} [{e(it['status'])}] {e(it['note'])}</li>")
    for it in pack["fix_items"]["closed"]:
        parts.append(f"<li>#{it['id']} closed — {e(it['note'])} (fixed by "
                     f"{e(str(it.get('fix_ref')))})</li>")  # fmt: skip
    if not pack["fix_items"]["open"] and not pack["fix_items"]["closed"]:
        parts.append("<li>The fix list is empty.</li>")
    parts.append("</ul>")
    if pack.get("notes"):
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in pack["notes"])
                     + "</ul>")  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)
