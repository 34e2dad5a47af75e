"""The sample store "Juniper & Pine" and its simulated customers (``docs/demo.md``).

>>> from shopcoach.demo import World, Simulator, import_demo_store, scenario_changes
>>> world = World.load()                                   # the truth: policies, catalog, orders
>>> import_demo_store(db, "default")                       # doctest: +SKIP
>>> sim = Simulator(world, seed=1)
>>> traffic = sim.week(1, 1000, respond)                   # doctest: +SKIP

Modules: ``policy`` (facts and calendar), ``catalog``, ``articles``, ``orders_data`` (the
tables the data files are written from), ``build_data`` (writes ``data/``), ``changes``
(the scenario's injected changes), ``world`` (ground truth by day), ``customers`` and
``phrases`` (what customers ask and how), ``judge`` (reply vs truth), ``records`` (capture
records and signals), ``simulator`` (a week of traffic), ``responders`` (plugging in an
agent), ``load`` (importing the sample store).
"""

from __future__ import annotations

from shopcoach.demo.changes import Change, scenario_changes
from shopcoach.demo.load import import_demo_store
from shopcoach.demo.paths import DATA_DIR
from shopcoach.demo.policy import SCENARIO_START, WEEKS, Policy, week_of, week_start
from shopcoach.demo.responders import AgentResponder, canned
from shopcoach.demo.simulator import ConversationTruth, SimConfig, Simulator, WeekTraffic
from shopcoach.demo.world import World

__all__ = [
    "DATA_DIR",
    "SCENARIO_START",
    "WEEKS",
    "AgentResponder",
    "Change",
    "ConversationTruth",
    "Policy",
    "SimConfig",
    "Simulator",
    "WeekTraffic",
    "World",
    "canned",
    "import_demo_store",
    "scenario_changes",
    "week_of",
    "week_start",
]
