"""Benchmark PII redaction on a realistic mix of support messages.

    PYTHONPATH=src .venv/bin/python benchmarks/redaction.py [--n 200000] [--seed 7]

About 85% of the generated messages hold no PII (but plenty of order numbers, SKUs, prices,
dates and tracking numbers, which are the expensive things to *keep*); 15% hold an e-mail,
phone, card, address or government id. Prints throughput and mean (wall clock and CPU time,
which is steadier on a busy machine), mean/p50/p95 latency for both subsets, peak memory, and
a calibration loop to compare machines. It prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import timeit
import tracemalloc

from shopcoach.redaction import redactor_for

NO_PII = [
    "Hi, where is my order #{order}? It was supposed to arrive on {date}.",
    "I ordered the {product} ({sku}) last {day} and it still hasn't shipped. Can you check?",
    "Your order {order} has shipped! Tracking number {tracking}, expected in {n} business days.",
    "Can I return the {product}? It's too small. I paid ${price} for it.",
    "The discount code gave me {pct}% off but the total still shows ${price}.",
    "Thanks for waiting! I can see order number {long_order} was delivered on {date} at 10:42.",
    "Do you have the {product} in size {size}? The site says only {n} left in stock.",
    "I'd like to change the delivery address for order {ord_code}, is that still possible?",
    "Hello, my package arrived damaged. The box was crushed and the {product} is broken.",
    "What is your return policy for items bought during the sale?",
    "I was charged twice for invoice {long_order}, ticket #{n}{n}{n}{n}. Please refund one.",
    "Sure! The {product} ({sku}) is back in stock and ships within {n} days. Anything else?",
    "ok thanks",
    "Is shipping free over $50? I want {n} x {product} plus the {product}.",
    "My parcel {tracking} says delivered but I never got it, zip code {zip}.",
    "Can you confirm the price of {sku}? It was ${price} yesterday and ${price} today.",
]
PII = [
    "Please email me at {email} about order #{order}.",
    "You can call me on {phone} after 5pm, order {order}.",
    "My card {card} was declined twice, can you check why?",
    "Ship it to {address} instead please.",
    "For the customs form: passport number {passport}.",
    "Hi, I'm {name}, {email}, phone {phone}, order {ord_code}.",
    "New address: {address}, and my number is {phone}.",
    "My SSN is {ssn} for the financing application.",
]
PRODUCTS = ["blue hoodie", "trail runners", "2-person tent", "coffee grinder", "yoga mat"]
STREETS = ["Main St", "Baker Street", "Oak Lane", "Maple Ave", "Sunset Blvd", "Elm Drive"]


def _luhn_card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return rng.choice([s, " ".join(s[i : i + 4] for i in range(0, 16, 4))])


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "order": str(rng.randrange(10000, 99999)),
        "long_order": str(rng.randrange(10**8, 10**10)),
        "ord_code": f"ORD-2026-{rng.randrange(100000):05d}",
        "date": rng.choice(["2026-03-14", "14/03/2026", "March 14", "the 14th"]),
        "product": rng.choice(PRODUCTS),
        "sku": f"SKU-{rng.choice(['AB', 'HD', 'TN'])}-{rng.randrange(1000, 9999)}",
        "day": rng.choice(["Monday", "Tuesday", "week"]),
        "tracking": rng.choice(["1Z999AA10123456784", "9400111899223197428490"]),
        "n": str(rng.randrange(1, 9)),
        "price": f"{rng.randrange(5, 500)}.{rng.randrange(100):02d}",
        "pct": str(rng.randrange(5, 50)),
        "size": rng.choice(["M", "L", "10.5"]),
        "zip": str(rng.randrange(10000, 99999)),
        "email": rng.choice(["jane.doe", "sam_k", "li+shop"]) + rng.choice(["@gmail.com", "@x.io"]),
        "phone": rng.choice(["+1 (555) 123-4567", "07700 900123", "555.867.5309", "+49 301234567"]),
        "card": _luhn_card(rng),
        "address": f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        "passport": f"X{rng.randrange(10**6, 10**7)}",
        "name": rng.choice(["Jane", "Sam", "Li"]),
        "ssn": f"{rng.randrange(100, 899)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
    }
    return template.format(**values)


def build(n: int, seed: int) -> tuple[list[str], list[bool]]:
    rng = random.Random(seed)
    texts, has_pii = [], []
    for _ in range(n):
        pii = rng.random() < 0.15
        texts.append(_fill(rng.choice(PII if pii else NO_PII), rng))
        has_pii.append(pii)
    return texts, has_pii


PATHOLOGICAL = {  # long runs that could make a badly written pattern backtrack
    '"1 " x 10k': "1 " * 10_000, '"a@" x 10k': "a@" * 10_000,
    '"a" x 20k + "@"': "a" * 20_000 + "@", '"1-" x 10k': "1-" * 10_000,
    '"12 Main " x 2.5k': "12 Main " * 2_500, '"(" x 10k + "5" x 10k': "(" * 10_000 + "5" * 10_000,
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="number of messages")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    texts, has_pii = build(args.n, args.seed)
    redactor = redactor_for(None)
    redactor.redact_many(texts[:2000])  # warm up

    start, cpu_start = time.perf_counter(), time.process_time()
    redactor.redact_many(texts)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    lat: dict[bool, list[float]] = {True: [], False: []}
    clock = time.perf_counter_ns
    redact = redactor.redact
    for text, pii in zip(texts, has_pii, strict=True):
        t0 = clock()
        redact(text)
        lat[pii].append((clock() - t0) / 1000)

    tracemalloc.start()
    redactor.redact_many(texts[:20_000])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    loop = min(timeit.repeat("for i in range(100): x = i", number=2000, repeat=5)) / 2000
    chars = statistics.fmean(len(t) for t in texts)
    print(f"messages:        {args.n:,} ({sum(has_pii):,} with PII), mean {chars:.0f} chars")
    print(f"throughput:      {args.n / elapsed:,.0f} messages/s ({args.n / cpu:,.0f} per CPU-s)")
    print(f"mean:            {elapsed / args.n * 1e6:.2f} µs ({cpu / args.n * 1e6:.2f} µs CPU)")
    for pii, label in ((False, "no PII"), (True, "with PII")):
        q = statistics.quantiles(lat[pii], n=20)
        mean = statistics.fmean(lat[pii])
        print(
            f"{label + ':':<17}mean {mean:.2f} µs   p50 {q[9]:.2f} µs   p95 {q[18]:.2f} µs"
            f"   (n={len(lat[pii]):,})"
        )
    print(f"peak memory:     {peak / 1024:.0f} KiB while redacting 20,000 messages (tracemalloc)")
    print(f"calibration:     a 100-step Python loop takes {loop * 1e6:.2f} µs on this machine")
    for label, text in PATHOLOGICAL.items():  # the inputs tests/test_redaction.py guards
        best = min(timeit.repeat(lambda t=text: redact(t), number=1, repeat=5))
        print(f"adversarial:     {label:<22} {len(text):>6,} chars  {best * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
