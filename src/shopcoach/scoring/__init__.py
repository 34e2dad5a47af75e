"""Conversation scoring (R-SCO-1..5): rubric judges, weighted totals, human labels, flags.

``score_conversations(db, store_id)`` scores a store's new and changed conversations;
``docs/scoring.md`` describes the config, the judges and the rules.
"""

from shopcoach.scoring.config import (
    DIMENSIONS,
    LABELS,
    ScoringConfig,
    VersionedConfig,
    active_config,
    parse_config,
    save_config,
)
from shopcoach.scoring.judges import JudgeInput, build_judges, judges, register_judge
from shopcoach.scoring.labels import add_label, agreement, cohen_kappa
from shopcoach.scoring.model import ConversationView, MessageView, SignalView, Verdict, combine
from shopcoach.scoring.reads import get_score, list_flags, review_queue, summary
from shopcoach.scoring.run import RunReport, judge_conversation, record_label, score_conversations

__all__ = [
    "DIMENSIONS",
    "LABELS",
    "ConversationView",
    "JudgeInput",
    "MessageView",
    "RunReport",
    "ScoringConfig",
    "SignalView",
    "Verdict",
    "VersionedConfig",
    "active_config",
    "add_label",
    "agreement",
    "build_judges",
    "cohen_kappa",
    "combine",
    "get_score",
    "judge_conversation",
    "judges",
    "list_flags",
    "parse_config",
    "record_label",
    "register_judge",
    "review_queue",
    "save_config",
    "score_conversations",
    "summary",
]
