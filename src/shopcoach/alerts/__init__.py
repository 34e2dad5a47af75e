"""Alerts (R-MON-2/3/5): rules over the metric series, alert records with a state machine,
and (``sinks.py``, ``delivery.py``, ``prometheus.py``) where they are sent.

``check_alerts(conn, store_id, now=…)`` evaluates the rules and upserts alerts;
``acknowledge`` / ``resolve`` / ``diagnose`` move them along. See ``docs/alerts.md``.
"""

from shopcoach.alerts.records import (
    STATES,
    CheckResult,
    acknowledge,
    add_rule,
    check_alerts,
    delete_rule,
    diagnose,
    get_alert,
    get_rule,
    list_alerts,
    list_rules,
    resolve,
    set_rule_enabled,
)
from shopcoach.alerts.rules import BUILTIN, Evaluation, Rule, evaluate

__all__ = [
    "BUILTIN",
    "STATES",
    "CheckResult",
    "Evaluation",
    "Rule",
    "acknowledge",
    "add_rule",
    "check_alerts",
    "delete_rule",
    "diagnose",
    "evaluate",
    "get_alert",
    "get_rule",
    "list_alerts",
    "list_rules",
    "resolve",
    "set_rule_enabled",
]
