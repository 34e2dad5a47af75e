"""Generate the bundled example data for the Shopcoach quick start.

Writes ``examples/conversations.jsonl`` (300 conversations) and ``examples/signals.jsonl``
for "Juniper & Pine", a fictional online shop selling outdoor gear and home goods. All text
comes from the templates in ``juniper/wording.py``; nothing is copied from a real data
set. The output is deterministic: the same script always writes the same bytes. The parts
of the generator are in ``juniper/`` (see examples/README.md).

Some AI answers are deliberately wrong (a stale return window, an old price, …) so that
scoring has something to find; run with ``--planted`` to list which conversations.

Usage::

    cd /work/main && PYTHONPATH=src .venv/bin/python examples/generate_examples.py [--planted]
"""

from __future__ import annotations

import argparse
import random

from juniper.check import (
    print_planted,
    summarize,
    validate,
    write_jsonl,
)
from juniper.plan import Stats
from juniper.settings import (
    CONVERSATIONS_PATH,
    SEED,
    SIGNALS_PATH,
)
from juniper.signals import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--planted", action="store_true",
                        help="also list the conversations with deliberately wrong answers")
    args = parser.parse_args()
    rng, stats = random.Random(SEED), Stats()
    built, signals = generate(rng, stats)
    write_jsonl(CONVERSATIONS_PATH, [b.record for b in built])
    write_jsonl(SIGNALS_PATH, signals)
    conversations, signals = validate(CONVERSATIONS_PATH, SIGNALS_PATH)
    print(f"wrote {len(conversations)} conversations and {len(signals)} signals; all valid")
    summarize(conversations, signals, built, stats)
    if args.planted:
        print_planted(built)


if __name__ == "__main__":
    main()
