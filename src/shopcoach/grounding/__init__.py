"""Grounding: check the checkable claims of an answer against verified data (R-AGT-6).

Used by the agent before it sends an answer and by conversation scoring to flag likely
hallucinations. ``check_answer(draft, Evidence(...)) -> GroundingResult``.
"""

from shopcoach.grounding.check import Claim, GroundingResult, check_answer
from shopcoach.grounding.evidence import Evidence, OrderFact, PolicyFact, ProductFact, policy_facts
from shopcoach.grounding.facts import Duration, Money, amounts, durations

__all__ = [
    "Claim", "Duration", "Evidence", "GroundingResult", "Money", "OrderFact", "PolicyFact",
    "ProductFact", "amounts", "check_answer", "durations", "policy_facts",
]  # fmt: skip
