"""Gap mining measured on public intent data sets with known answers (docs/gaps.md, Quality).

A scenario: a knowledge base of one article per intent; the articles of ``n_gap`` intents
(seeded) are removed, and every request of those intents becomes an unanswered question;
requests of the other intents are added as noise (``noise`` times as many: questions the
agent got wrong although an article exists). Mining should find one topic per removed
intent, leave noise mostly unclustered or in topics linked to the right article, and not
call a removed intent covered.

Data sets (read from ``shopcoach.search.datasets.data_dir()``; never copied):
``bitext`` (27 intents; article = up to 8 reference responses), ``hint3`` (SOFMattress +
CureKart labels; article = the label's training phrases, noise questions are held-out
phrases) and ``clinc150`` (150 intents, no article text: clustering only).
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from shopcoach.review.gaps import ArticleChunk, GapQuestion, mine
from shopcoach.search.datasets import _require, data_dir, stratified_holdout
from shopcoach.search.embedders import Embedder


@dataclass(frozen=True)
class Labelled:
    """Requests with their intent, the intents' articles, and each intent's group
    (Bitext category, HINT3 bot) for the "sensible neighbour" check."""

    name: str
    texts: list[str]
    intents: list[str]
    held_out: list[bool]  # noise questions are drawn from held-out rows only
    articles: dict[str, ArticleChunk]
    group: dict[str, str]


def load_labelled(name: str) -> Labelled:
    root = data_dir()
    if name == "bitext":
        path = _require(root / "bitext-customer-support" / "bitext_train.csv")
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        held = stratified_holdout([r["intent"] for r in rows], seed=1)
        answers: dict[str, list[str]] = defaultdict(list)
        group = {}
        for r, h in zip(rows, held, strict=True):
            group[r["intent"]] = r["category"]
            got = answers[r["intent"]]
            if not h and len(got) < 8 and r["response"] not in got:
                got.append(r["response"])
        arts = {
            i: ArticleChunk(i, i.replace("_", " ").capitalize(), "\n\n".join(a), f"{i}#0")
            for i, a in answers.items()
        }
        return Labelled(
            name,
            [r["instruction"] for r in rows],
            [r["intent"] for r in rows],
            list(held),
            arts,
            group,
        )
    if name == "hint3":
        texts: list[str] = []
        intents: list[str] = []
        flags: list[bool] = []
        group = {}
        phrases: dict[str, list[str]] = defaultdict(list)
        for bot in ("sofmattress", "curekart"):
            seen: set[str] = set()
            pairs = []
            with open(_require(root / "hint3" / f"{bot}_train.csv"), encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    norm = " ".join(r["sentence"].lower().split())
                    if r["label"] != "NO_NODES_DETECTED" and norm and norm not in seen:
                        seen.add(norm)
                        pairs.append((r["sentence"].strip(), f"{bot}:{r['label'].strip()}"))
            held = stratified_holdout([lab for _, lab in pairs], seed=1)
            for (text, lab), h in zip(pairs, held, strict=True):
                group[lab] = bot
                texts.append(text)
                intents.append(lab)
                flags.append(bool(h))
                if not h:
                    phrases[lab].append(text)
        arts = {
            i: ArticleChunk(i, i.split(":", 1)[1].replace("_", " "), "\n".join(p), f"{i}#0")
            for i, p in phrases.items()
        }
        return Labelled(name, texts, intents, flags, arts, group)
    if name == "clinc150":
        path = _require(root / "clinc150" / "clinc150_train_val.jsonl")
        texts, intents, group = [], [], {}
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if not d.get("is_oos"):
                    texts.append(d["text"])
                    intents.append(d["intent"])
                    group[d["intent"]] = d["domain"]
        return Labelled(name, texts, intents, [True] * len(texts), {}, group)
    raise ValueError(f"unknown data set {name!r}; use bitext, hint3 or clinc150")


@dataclass(frozen=True)
class GapQuality:
    dataset: str
    embedder: str
    seed: int
    n_questions: int
    n_gap_intents: int
    topics: int
    ari: float  # gap questions: topics vs true intents (unclustered = singletons)
    purity: float  # clustered questions: share in their topic's majority intent
    coverage: float  # gap questions that landed in a topic
    intents_found: float  # gap intents that are the majority of at least one topic
    right_article: float | None  # noise topics linked to their intent's article
    gap_uncovered: float | None  # gap topics whose best article is below "covered"
    gap_neighbour: float | None  # gap topics linked to an article of the same group
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_scenario(
    data: Labelled,
    *,
    embedder: Embedder | str | None = None,
    n_gap: int = 6,
    noise: float = 0.2,
    seed: int = 0,
    max_per_intent: int | None = None,
) -> GapQuality:
    """Mine one seeded scenario on ``data`` and score it (see the module docstring)."""
    import time

    from sklearn.metrics import adjusted_rand_score

    rng = random.Random(seed)
    intents = sorted(set(data.intents))
    gap = set(rng.sample(intents, n_gap))
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(data.intents):
        by_intent[lab].append(i)
    chosen: list[int] = []
    for lab in sorted(gap):
        rows = by_intent[lab]
        chosen += (
            rows if max_per_intent is None else rng.sample(rows, min(len(rows), max_per_intent))
        )
    pool = [
        i
        for i, (lab, h) in enumerate(zip(data.intents, data.held_out, strict=True))
        if lab not in gap and h
    ]
    chosen += rng.sample(pool, min(len(pool), int(noise * len(chosen))))
    questions = [GapQuestion(f"q{i}", data.texts[i], ("no_answer",)) for i in chosen]
    truth = np.array([data.intents[i] for i in chosen], dtype=object)
    articles = [a for lab, a in sorted(data.articles.items()) if lab not in gap]
    started = time.perf_counter()
    result = mine(questions, embedder=embedder, articles=articles, seed=seed)
    seconds = time.perf_counter() - started
    labels = result.labels
    is_gap = np.array([t in gap for t in truth])
    pred = np.where(labels < 0, -1 - np.arange(labels.size), labels)
    ari = float(adjusted_rand_score(truth[is_gap].astype(str), pred[is_gap]))
    clustered = labels >= 0
    majority, majority_n = [], 0
    for t in range(len(result.topics)):
        lab, cnt = Counter(truth[labels == t]).most_common(1)[0]
        majority.append(lab)
        majority_n += cnt
    purity = majority_n / max(1, int(clustered.sum()))
    right, uncovered, neighbour = [], [], []
    for topic, lab in zip(result.topics, majority, strict=True):
        if topic.article is None:
            continue
        if lab in gap:
            uncovered.append(not topic.article.covered)
            neighbour.append(data.group.get(topic.article.article_id) == data.group.get(lab))
        else:
            right.append(topic.article.article_id == lab)
    return GapQuality(
        dataset=data.name,
        embedder=result.embedder,
        seed=seed,
        n_questions=len(questions),
        n_gap_intents=n_gap,
        topics=len(result.topics),
        ari=ari,
        purity=purity,
        coverage=float(clustered[is_gap].mean()),
        intents_found=len(gap & set(majority)) / n_gap,
        right_article=_mean(right),
        gap_uncovered=_mean(uncovered),
        gap_neighbour=_mean(neighbour),
        seconds=seconds,
    )


def _mean(values: list[bool]) -> float | None:
    return float(np.mean(values)) if values else None


def summarise(results: list[GapQuality]) -> dict[str, Any]:
    """Means over seeds of every figure (``None`` where no seed had one)."""
    out: dict[str, Any] = {
        "dataset": results[0].dataset,
        "embedder": results[0].embedder,
        "seeds": [r.seed for r in results],
    }
    for name in (
        "n_questions",
        "topics",
        "ari",
        "purity",
        "coverage",
        "intents_found",
        "right_article",
        "gap_uncovered",
        "gap_neighbour",
        "seconds",
    ):
        vals = [getattr(r, name) for r in results if getattr(r, name) is not None]
        out[name] = round(float(np.mean(vals)), 4) if vals else None
    return out
