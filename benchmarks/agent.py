"""Agent benchmark: turns per second and p50/p95 latency per turn, lexical-only and hybrid,
plus intent-model train time and predict throughput. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/agent.py                 # all modes, 1,000 turns each
    .venv/bin/python benchmarks/agent.py --turns 300 --modes lexical

Data (real, from ../shared/data or $SHOPCOACH_DATA_DIR): the knowledge is the ESCI catalog
(6,764 Amazon products) plus one help article per Bitext intent (built from the reference
responses of training rows); the customer messages are held-out Bitext requests, and the
intent model is trained on the Bitext training rows. No LLM: the extractive generator. Every
turn runs the whole pipeline: intent, retrieval, draft, grounding check, escalation dials.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import time

from shopcoach.agent.retrieval import IndexRetriever
from shopcoach.agent.runtime import Agent, Conversation
from shopcoach.search import Document, SearchIndex
from shopcoach.search.datasets import data_dir, load_bitext


def catalog() -> list[Document]:
    docs = []
    with (data_dir() / "esci-us-150" / "products.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = " ".join(x for x in (r.get("bullet_points"), r.get("description")) if x)
            docs.append(Document(id=r["product_id"], title=r["title"] or r["product_id"],
                                 text=text, brand=r.get("brand") or "",
                                 price=float(r["price"]) if r.get("price") else None))  # fmt: skip
    return docs


def percentiles(ms: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(ms, n=20)
    return q[9], q[18]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--turns", type=int, default=1000)
    p.add_argument("--modes", default="lexical,hybrid")
    p.add_argument("--intent-variant", default="tfidf", help="tfidf | embedding | combined")
    args = p.parse_args()
    load = os.getloadavg()[0]

    bitext = load_bitext()
    docs = [*catalog(), *bitext.documents]
    messages = [q.text for q in bitext.queries][: args.turns]

    from shopcoach.intents import IntentModel, ModelConfig

    with (data_dir() / "bitext-customer-support" / "bitext_train.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    held = {q.id.removeprefix("bitext:") for q in bitext.queries}
    train = [r for r in rows if r["row_id"] not in held]
    started = time.perf_counter()
    model = IntentModel(ModelConfig(variant=args.intent_variant)).fit(
        [r["instruction"] for r in train], [r["intent"] for r in train]
    )
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    model.predict(messages)
    batch_s = time.perf_counter() - started
    single = []
    for m in messages[:200]:
        t = time.perf_counter()
        model.predict([m])
        single.append((time.perf_counter() - t) * 1000)
    s50, s95 = percentiles(single)
    print(f"load average at start: {load:.2f} (2 cores)")
    print(
        f"knowledge: {len(docs):,} documents ({len(bitext.documents)} articles); "
        f"messages: {len(messages):,} held-out Bitext requests"
    )
    print(
        f"\nintent model ({args.intent_variant}): trained on {len(train):,} rows in "
        f"{train_s:.1f} s; predict {len(messages) / batch_s:,.0f} queries/s batched, "
        f"single query p50 {s50:.2f} ms p95 {s95:.2f} ms"
    )

    print(f"\n{'mode':<9}{'build s':>9}{'turns/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'answered':>10}{'grounded':>10}  slowest stage (p95 ms)")  # fmt: skip
    for mode in args.modes.split(","):
        started = time.perf_counter()
        index = SearchIndex(embedder=None if mode == "lexical" else "auto")
        index.upsert(docs)
        build_s = time.perf_counter() - started
        agent = Agent(retriever=IndexRetriever(index), intents=model)
        agent.respond(Conversation("warm"), "warm up")
        lat: list[float] = []
        stages: dict[str, list[float]] = {}
        answered = grounded = 0
        started = time.perf_counter()
        for i, m in enumerate(messages):
            turn = agent.respond(Conversation(f"b{i}"), m)
            lat.append(turn.latency_ms)
            for k, v in turn.stage_ms.items():
                stages.setdefault(k, []).append(v)
            answered += turn.action == "answer"
            grounded += turn.grounding.get("ok") is True
        elapsed = time.perf_counter() - started
        p50, p95 = percentiles(lat)
        slow = max(stages, key=lambda k: percentiles(stages[k])[1])
        print(f"{mode + ('' if index.semantic or mode == 'lexical' else ' (no model)'):<9}"
              f"{build_s:>9.1f}{len(messages) / elapsed:>9.1f}{p50:>9.2f}{p95:>9.2f}"
              f"{answered / len(messages):>10.1%}{grounded / len(messages):>10.1%}  "
              f"{slow} {percentiles(stages[slow])[1]:.2f}")  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {rss:,.0f} MB")


if __name__ == "__main__":
    main()
