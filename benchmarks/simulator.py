"""Traffic simulator throughput: simulated conversations/s without an agent, and with the real
lexical reference agent over the imported sample store (SQLite in a temp folder).

    .venv/bin/python benchmarks/simulator.py [--conversations 1000] [--weeks 3]

Prints conversations/s (first contacts plus the repeat contacts they cause), signals, peak
Python memory, and with the agent the share of time spent inside it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from shopcoach.demo import AgentResponder, Simulator, World, canned, import_demo_store
from shopcoach.settings import Settings
from shopcoach.store.engine import open_store
from shopcoach.store.migrate import upgrade
from shopcoach.stores import ensure_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--weeks", type=int, default=3)
    args = ap.parse_args()
    world = World.load()
    sim = Simulator(world, seed=1)
    tracemalloc.start()
    took, convs = [], 0
    for week in range(1, args.weeks + 1):
        t = time.perf_counter()
        traffic = sim.week(week, args.conversations, canned())
        took.append(time.perf_counter() - t)
        convs += len(traffic.conversations)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"simulator alone: {convs:,} conversations in {sum(took):.2f} s "
          f"({convs / sum(took):,.0f}/s; {', '.join(f'{x:.2f}' for x in took)} s per week of "
          f"{args.conversations:,} first contacts); peak Python memory {peak:.1f} MiB")  # fmt: skip

    from shopcoach.agent.factory import build_agent

    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(f"sqlite:///{tmp}/bench.db", check=False)
        upgrade(db.engine)
        with db.begin() as conn:
            store, _ = ensure_store(conn, "default", "Juniper & Pine", actor="bench")
        t = time.perf_counter()
        import_demo_store(db, store.slug)
        print(f"import of the sample store: {time.perf_counter() - t:.2f} s")
        settings = Settings(database_url=str(db.url), home=Path(tmp) / "home", embedder="none")
        agent = build_agent(db, settings, store)
        spent = [0.0]
        responder = AgentResponder(agent)

        def timed(cid: str, message: str) -> object:
            t0 = time.perf_counter()
            turn = responder(cid, message)
            spent[0] += time.perf_counter() - t0
            return turn

        timed.set_day = responder.set_day  # type: ignore[attr-defined]
        t = time.perf_counter()
        traffic = Simulator(world, seed=1).week(2, args.conversations, timed)
        total = time.perf_counter() - t
        n = len(traffic.conversations)
        turns = sum(1 for c in traffic.conversations for m in c["messages"] if m["role"] == "ai")
        print(f"with the lexical agent: {n:,} conversations ({turns:,} agent turns) in "
              f"{total:.2f} s ({n / total:,.0f}/s); agent {spent[0]:.2f} s, simulator "
              f"{total - spent[0]:.2f} s; accuracy {traffic.summary()['accuracy']}")  # fmt: skip
        db.close()


if __name__ == "__main__":
    main()
