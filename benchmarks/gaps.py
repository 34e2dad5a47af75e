"""Gap-mining benchmark: ``run(n)`` mines n questions (time, peak RSS, embedder used).

Questions are real customer requests (Bitext 20k intent sample, else the Bitext support set),
articles one per intent. Usage: ``python benchmarks/gaps.py [--n 20000] [--embedder lsa]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import time
from typing import Any

from shopcoach.review.gaps import ArticleChunk, GapQuestion, mine
from shopcoach.review.gaps_embed import embed_all, family_of, resolve_embedder
from shopcoach.search.datasets import data_dir


def _requests() -> list[tuple[str, str]]:
    root = data_dir()
    path = root / "bitext-intents-20k" / "bitext20k_train.csv"
    if not path.exists():
        path = root / "bitext-customer-support" / "bitext_train.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    text = "utterance" if "utterance" in rows[0] else "instruction"
    return [(r[text], r["intent"]) for r in rows]


def run(n: int = 20_000, embedder: str = "auto") -> dict[str, Any]:
    rows = _requests()
    questions = [GapQuestion(f"q{i}", rows[i % len(rows)][0], ("no_answer",)) for i in range(n)]
    intents = sorted({i for _, i in rows})
    articles = [ArticleChunk(i, i.replace("_", " "), f"Help with {i.replace('_', ' ')}.")
                for i in intents]  # fmt: skip
    emb = resolve_embedder(embedder)
    t0 = time.perf_counter()
    q, d = embed_all(emb, [x.text for x in questions], [a.text for a in articles])
    t1 = time.perf_counter()
    result = mine(questions, embedder=emb, vectors=q, article_vectors=d, articles=articles,
                  family=family_of(emb))  # fmt: skip
    t2 = time.perf_counter()
    return {
        "questions": n, "distinct_texts": len({x.text for x in questions}),
        "embedder": emb.name, "embed_s": round(t1 - t0, 2), "mine_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2), "questions_per_s": round(n / (t2 - t0), 1),
        "topics": len(result.topics), "unclustered": result.unclustered,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }  # fmt: skip


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--embedder", default="auto")
    args = p.parse_args()
    print(json.dumps(run(args.n, args.embedder)))
