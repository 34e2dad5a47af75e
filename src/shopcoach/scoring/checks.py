"""Grounding of a stored conversation's AI messages, against the knowledge valid then (pure).

Each AI message is checked with :func:`shopcoach.grounding.check_answer` against an
:class:`~shopcoach.grounding.Evidence` of: the products it cites (their version valid at the
conversation's start), every policy fact of the articles valid then, the orders the
conversation names, and a name lookup over the catalog valid then. The same results feed the
accuracy judge and the hallucination flags (``flags.py``), so the check runs once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shopcoach.grounding import Evidence, GroundingResult, OrderFact, check_answer
from shopcoach.orders.refs import order_numbers
from shopcoach.scoring.knowledge import Epoch
from shopcoach.scoring.model import ConversationView

# Carriers and words that are capitalised in answers but never products.
EXTRA_NAMES = ("UPS", "USPS", "FedEx", "DHL", "Royal Mail", "Evri", "DPD", "Canada Post")
_ORDER_ARGS = ("order_number", "order_id", "order", "orderId", "orderNumber")


@dataclass(frozen=True)
class MessageCheck:
    seq: int
    result: GroundingResult


def order_refs(conv: ConversationView) -> set[str]:
    """Order numbers a conversation names: in text, tool-call arguments and citations."""
    refs: set[str] = set()
    for m in conv.messages:
        # A customer may give a bare number ("any eta on 21082?"); replies name orders.
        refs.update(order_numbers(m.text, bare=m.role == "customer"))
        for call in m.tool_calls:
            args = call.get("arguments") or {}
            refs.update(str(args[k]) for k in _ORDER_ARGS if isinstance(args, dict) and args.get(k))
        refs.update(str(c.get("id")) for c in m.citations if c.get("source") == "order")
    return refs


def check_conversation(
    conv: ConversationView,
    epoch: Epoch,
    orders: Mapping[str, OrderFact],
    extra_names: tuple[str, ...] = (),
    refs: set[str] | None = None,
) -> list[MessageCheck]:
    """The grounding result of every AI message of ``conv`` (``refs``: its
    :func:`order_refs`, when the caller already has them)."""
    refs = order_refs(conv) if refs is None else refs
    conv_orders = [orders[r] for r in sorted(refs) if r in orders]
    checks: list[MessageCheck] = []
    for m in conv.ai_messages:
        cited = [
            epoch.products[str(c.get("id"))]
            for c in m.citations
            if c.get("source") == "product" and str(c.get("id")) in epoch.products
        ]
        # The articles it cites (chunk ids "key#n"): a name or amount quoted from them is
        # what the store says, as when the agent checked the draft.
        passages = [
            epoch.articles[key]
            for key in dict.fromkeys(str(c.get("id")).split("#")[0] for c in m.citations
                                     if c.get("source") == "article")
            if key in epoch.articles
        ]  # fmt: skip
        evidence = Evidence(
            products=cited,
            passages=passages,
            policies=epoch.policies,
            orders=conv_orders,
            lookup=epoch.lookup,
            today=m.sent_at.date(),
            extra_names=EXTRA_NAMES + extra_names,
        )
        checks.append(MessageCheck(m.seq, check_answer(m.text, evidence)))
    return checks
