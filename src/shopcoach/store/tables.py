"""The relational schema, as SQLAlchemy Core tables.

Core rather than ORM classes: every bulk path (import, scoring, metrics) is set-based SQL,
and Core tables are what those statements are built from. The migrations in
``store/migrations`` create exactly these tables; ``tests/store/test_migrations.py`` checks
that the two agree.

Times are stored as naive UTC. JSON columns are JSONB on PostgreSQL and TEXT on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# BIGINT on PostgreSQL; INTEGER on SQLite so that it aliases the rowid and autoincrements.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

stores = sa.Table(
    "stores",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(200), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("customer_salt", sa.String(64), nullable=False),
    sa.Column("redaction_policy", Json, nullable=False),
    sa.Column("settings", Json, nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

agent_versions = sa.Table(
    "agent_versions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("model", sa.String(200)),
    sa.Column("prompt", sa.Text()),
    sa.Column("config", Json, nullable=False),
    sa.Column("knowledge_snapshot", sa.String(200)),
    # draft | active | retired | observed (first seen in captured traffic, not created here)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("store_id", "label"),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("customer_hash", sa.String(64)),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("ended_at", sa.DateTime()),
    sa.Column("handled_by", sa.String(10), nullable=False),
    sa.Column("agent_version_id", BigId, sa.ForeignKey("agent_versions.id", ondelete="SET NULL")),
    sa.Column("intent", sa.String(200)),
    sa.Column("confidence", sa.Float()),
    sa.Column("outcome", sa.String(20)),
    sa.Column("csat", sa.SmallInteger()),
    sa.Column("language", sa.String(16)),
    sa.Column("tags", Json, nullable=False),
    sa.Column("metadata", Json, nullable=False),
    sa.Column("message_count", sa.Integer(), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("ingested_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "external_id"),
    sa.Index(None, "store_id", "started_at"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=False),
    sa.Column("latency_ms", sa.Float()),
    sa.Column("citations", Json),
    sa.Column("tool_calls", Json),
    sa.Column("redactions", Json),
    sa.UniqueConstraint("conversation_id", "seq"),
)

signals = sa.Table(
    "signals",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("value", sa.Float()),
    sa.Column("occurred_at", sa.DateTime(), nullable=False),
    # Kept as text so a signal may arrive before its conversation; conversation_id is filled
    # in (set-based) when the conversation is captured.
    sa.Column("conversation_external_id", sa.String(200)),
    sa.Column("conversation_id", BigId, sa.ForeignKey("conversations.id", ondelete="SET NULL")),
    sa.Column("message_index", sa.Integer()),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("context", Json, nullable=False),
    sa.Column("ingested_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "external_id"),
    sa.Index(None, "store_id", "conversation_external_id"),
    sa.Index(None, "store_id", "type", "occurred_at"),
    sa.Index(None, "conversation_id"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(20), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used_at", sa.DateTime()),
    sa.Column("revoked_at", sa.DateTime()),
)

# Append-only: the migration installs triggers that refuse UPDATE and DELETE.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    # No foreign key: the log outlives what it talks about, and a cascade would be an UPDATE.
    sa.Column("store_id", BigId),
    sa.Column("target", sa.String(300)),
    sa.Column("details", Json, nullable=False),
)

import_checkpoints = sa.Table(
    "import_checkpoints",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("source_key", sa.String(64), nullable=False),
    sa.Column("source_name", sa.String(1000), nullable=False),
    sa.Column("byte_offset", sa.BigInteger(), nullable=False),
    sa.Column("line_no", sa.BigInteger(), nullable=False),
    sa.Column("accepted", sa.BigInteger(), nullable=False),
    sa.Column("rejected", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("finished_at", sa.DateTime()),
    sa.UniqueConstraint("store_id", "kind", "source_key"),
)

# Knowledge base (kb/): items keyed by (store, kind, key), immutable content-hashed versions,
# article chunks per version, and which versions each answer used (R-KB-4).
kb_items = sa.Table(
    "kb_items",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # product | article
    sa.Column("key", sa.String(300), nullable=False),
    # No foreign key: items and versions point at each other; the importer keeps it right.
    sa.Column("current_version_id", BigId),
    sa.Column("first_seen", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("archived_at", sa.DateTime()),
    sa.UniqueConstraint("store_id", "kind", "key"),
)

kb_versions = sa.Table(
    "kb_versions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("item_id", BigId, sa.ForeignKey("kb_items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version_no", sa.Integer(), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("category", Json, nullable=False),
    sa.Column("brand", sa.String(300)),
    sa.Column("price", sa.Float()),
    sa.Column("in_stock", sa.Boolean()),
    sa.Column("attributes", Json, nullable=False),
    sa.Column("metadata", Json, nullable=False),
    sa.Column("valid_from", sa.Date()),
    sa.Column("valid_to", sa.Date()),
    sa.Column("reviewed_at", sa.Date()),
    sa.Column("source", sa.String(1000), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("superseded_at", sa.DateTime()),
    sa.UniqueConstraint("item_id", "version_no"),
)

kb_chunks = sa.Table(
    "kb_chunks",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "version_id", BigId, sa.ForeignKey("kb_versions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("heading_path", Json, nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.UniqueConstraint("version_id", "seq"),
)

kb_answer_sources = sa.Table(
    "kb_answer_sources",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("answer_ref", sa.String(200), nullable=False),
    # Versions are never deleted (a new one supersedes the old), so the evidence stays.
    sa.Column(
        "version_id", BigId, sa.ForeignKey("kb_versions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("document_id", sa.String(320), nullable=False),
    sa.Column("recorded_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "answer_ref", "version_id", "document_id"),
    sa.Index(None, "version_id"),
)

# Orders, inventory and carrier tracking (orders/): the built-in order connector's data, and
# every tool call the agent makes (R-AGT-5).
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),  # the order number customers see
    sa.Column("customer_hash", sa.String(64)),
    # placed | paid | fulfilled | shipped | delivered | cancelled | returned
    sa.Column("status", sa.String(20), nullable=False),
    # pending | paid | failed | refunded
    sa.Column("payment_status", sa.String(20), nullable=False),
    sa.Column("address_status", sa.String(20), nullable=False),  # ok | unverified | invalid
    sa.Column("placed_at", sa.DateTime(), nullable=False),
    sa.Column("total", sa.Float()),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("shipping_address", Json, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "external_id"),
)

order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("order_id", BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("sku", sa.String(200), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("price", sa.Float()),
    sa.UniqueConstraint("order_id", "seq"),
)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("order_id", BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("carrier", sa.String(100), nullable=False),
    sa.Column("tracking_number", sa.String(200), nullable=False),
    # label_created | in_transit | out_for_delivery | delivered | exception | lost | returned
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("exception", sa.String(30)),  # address | damaged | weather | customs | other
    sa.Column("shipped_at", sa.DateTime()),
    sa.Column("eta", sa.Date()),
    sa.Column("delivered_at", sa.DateTime()),
    sa.Column("last_event_at", sa.DateTime()),
    sa.Column("last_event", sa.Text()),
    sa.UniqueConstraint("order_id", "seq"),
    sa.Index(None, "tracking_number"),
)

inventory = sa.Table(
    "inventory",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sku", sa.String(200), nullable=False),
    sa.Column("on_hand", sa.Integer(), nullable=False),
    sa.Column("restock_date", sa.Date()),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "sku"),
)

tool_calls = sa.Table(
    "tool_calls",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("trace_ref", sa.String(200), nullable=False),  # the turn / triage run
    sa.Column("tool", sa.String(100), nullable=False),
    sa.Column("arguments", Json, nullable=False),
    sa.Column("result", Json),
    sa.Column("ok", sa.Boolean(), nullable=False),
    sa.Column("error", sa.Text()),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("called_at", sa.DateTime(), nullable=False),
    sa.Index(None, "store_id", "trace_ref"),
)

# Every agent turn (agent/runtime.py): the trace the loop scores later (R-AGT-5, R-SCO-*).
agent_turns = sa.Table(
    "agent_turns",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("conversation_external_id", sa.String(200), nullable=False),
    sa.Column("agent_version", sa.String(200), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("reply", sa.Text(), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # answer | escalate
    sa.Column("reasons", Json, nullable=False),
    sa.Column("intent", sa.String(200)),
    sa.Column("confidence", sa.Float(), nullable=False),
    sa.Column("out_of_scope", sa.Boolean(), nullable=False),
    sa.Column("sentiment", sa.Float()),
    sa.Column("retrieved", Json, nullable=False),  # doc id, kind, knowledge version, score
    sa.Column("used", Json, nullable=False),  # doc ids the answer came from
    sa.Column("draft", sa.Text(), nullable=False),
    sa.Column("draft_source", sa.String(20), nullable=False),
    sa.Column("grounding", Json, nullable=False),
    sa.Column("triage", Json),
    sa.Column("handoff", Json),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("stage_ms", Json, nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Index(None, "store_id", "created_at"),
    sa.Index(None, "store_id", "conversation_external_id"),
)

# Scoring (scoring/, R-SCO-1..5): versioned rubric configs per store, one score per
# conversation, human labels (they override a judge and measure its agreement), and the
# hallucination flags found in stored answers.
scoring_configs = sa.Table(
    "scoring_configs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("config", Json, nullable=False),  # weights, pass/partial/fail rules, brand voice
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("store_id", "version"),
)

conversation_scores = sa.Table(
    "conversation_scores",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("config_version", sa.Integer(), nullable=False),
    # Digest of what the score was computed from (conversation content hash, its signals,
    # human labels, config version): scoring is incremental on it.
    sa.Column("input_hash", sa.String(64), nullable=False),
    # Copied from the conversation so time series need no join.
    sa.Column("started_at", sa.DateTime(), nullable=False),
    # Points 0..100 per dimension (pass 100, partial 50, fail 0) after human overrides;
    # NULL when the dimension does not apply (e.g. no AI answer to check).
    sa.Column("accuracy", sa.Float()),
    sa.Column("relevance", sa.Float()),
    sa.Column("tone", sa.Float()),
    sa.Column("resolution", sa.Float()),
    sa.Column("accuracy_label", sa.String(10)),  # pass | partial | fail
    sa.Column("relevance_label", sa.String(10)),
    sa.Column("tone_label", sa.String(10)),
    sa.Column("resolution_label", sa.String(10)),
    sa.Column("total", sa.Float(), nullable=False),  # weighted, 0..100
    sa.Column("needs_review", sa.Boolean(), nullable=False),
    # Per dimension: judge, its own label, reason, evidence, and the human label if any.
    sa.Column("details", Json, nullable=False),
    sa.Column("scored_at", sa.DateTime(), nullable=False),
    sa.Index(None, "store_id", "started_at"),
)

human_labels = sa.Table(
    "human_labels",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # accuracy | relevance | tone | resolution
    sa.Column("dimension", sa.String(20), nullable=False),
    sa.Column("label", sa.String(10), nullable=False),  # pass | partial | fail
    sa.Column("labeler", sa.String(200), nullable=False),
    sa.Column("note", sa.Text()),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("conversation_id", "dimension", "labeler"),
    sa.Index(None, "store_id", "dimension"),
)

hallucination_flags = sa.Table(
    "hallucination_flags",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("message_seq", sa.Integer(), nullable=False),
    # price | stock | size | delivery_time | policy_window | product
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("claim", sa.Text(), nullable=False),  # the sentence that makes the claim
    sa.Column("claimed", sa.String(300), nullable=False),
    sa.Column("verified", sa.String(300)),  # NULL for a product that does not exist
    sa.Column("source", sa.String(320)),  # the document the verified value comes from
    sa.Column("source_version_id", BigId),  # kb_versions.id valid at the conversation's time
    sa.Column("occurred_at", sa.DateTime(), nullable=False),  # the conversation's start
    sa.Column("detected_at", sa.DateTime(), nullable=False),
    sa.Index(None, "conversation_id"),
    sa.Index(None, "store_id", "occurred_at"),
)

# Metrics and monitoring (metrics/, alerts/, drift/; R-MET-1..3, R-MON-1..5).
metric_baselines = sa.Table(
    "metric_baselines",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),  # e.g. "pre-launch"
    sa.Column("period_start", sa.DateTime(), nullable=False),
    sa.Column("period_end", sa.DateTime(), nullable=False),
    sa.Column("filters", Json, nullable=False),  # channel, intent, agent version
    sa.Column("metric_values", Json, nullable=False),  # the metrics of the period, frozen
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("store_id", "name"),
)

alert_rules = sa.Table(
    "alert_rules",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    # dimension_drop | resolution_drop | threshold
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("params", Json, nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "name"),
)

alert_sinks = sa.Table(
    "alert_sinks",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # webhook | slack | email
    sa.Column("config", Json, nullable=False),  # url / smtp host, port, from, to
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "name"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    # rule + subject + period: evaluating the same period again updates, never duplicates.
    sa.Column("fingerprint", sa.String(300), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # open | acknowledged | resolved
    sa.Column("severity", sa.String(10), nullable=False),  # info | warning | critical
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("subject", Json, nullable=False),  # metric, dimension, segment
    sa.Column("value", sa.Float()),
    sa.Column("threshold", sa.Float()),
    sa.Column("period_start", sa.DateTime()),
    sa.Column("period_end", sa.DateTime()),
    sa.Column("details", Json, nullable=False),
    sa.Column("diagnosis", sa.Text()),
    sa.Column("remediation", sa.Text()),
    sa.Column("opened_at", sa.DateTime(), nullable=False),
    sa.Column("acknowledged_at", sa.DateTime()),
    sa.Column("acknowledged_by", sa.String(200)),
    sa.Column("resolved_at", sa.DateTime()),
    sa.Column("resolved_by", sa.String(200)),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "fingerprint"),
    sa.Index(None, "store_id", "state"),
)

alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("alert_id", BigId, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sink", sa.String(200), nullable=False),
    # What was sent: "opened" or "resolved" (rows before revision 0006 were backfilled from
    # the first word of ``detail``).
    sa.Column("event", sa.String(20), nullable=False, server_default="opened"),
    sa.Column("ok", sa.Boolean(), nullable=False),
    sa.Column("detail", sa.Text()),
    sa.Column("attempted_at", sa.DateTime(), nullable=False),
    sa.Index(None, "alert_id"),
)

# Named, expiring leases: one holder at a time for jobs that must not run twice at once
# (``store/leases.py``; e.g. ``alerts.deliver:<store id>``).
leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("acquired_at", sa.DateTime(), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),
)

drift_findings = sa.Table(
    "drift_findings",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("detector", sa.String(100), nullable=False),
    sa.Column("window_start", sa.DateTime(), nullable=False),
    sa.Column("window_end", sa.DateTime(), nullable=False),
    sa.Column("reference_start", sa.DateTime()),
    sa.Column("reference_end", sa.DateTime()),
    sa.Column("drifted", sa.Boolean(), nullable=False),
    sa.Column("score", sa.Float()),
    sa.Column("threshold", sa.Float()),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("details", Json, nullable=False),  # the DriftResult as a dict, with examples
    sa.Column("computed_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("store_id", "detector", "window_start", "window_end"),
)

# The AI fix list (review/, R-REV-2): conversations someone flagged, with a note, an owner and
# a status; closing an item links the change that fixed it.
fix_items = sa.Table(
    "fix_items",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("store_id", BigId, sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    sa.Column("conversation_id", BigId, sa.ForeignKey("conversations.id", ondelete="SET NULL")),
    sa.Column("conversation_external_id", sa.String(200)),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # open | in_progress | done | wont_fix
    sa.Column("owner", sa.String(200)),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("closed_at", sa.DateTime()),
    # What fixed it: "agent_version:v7", "kb:article/returns@4", a commit, a ticket.
    sa.Column("fix_ref", sa.String(300)),
    sa.Index(None, "store_id", "status"),
)
