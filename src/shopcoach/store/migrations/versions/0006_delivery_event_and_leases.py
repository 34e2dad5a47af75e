"""alert deliveries get an event column; leases for jobs that must not overlap

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event", sa.String(length=20), nullable=False, server_default="opened")
        )
    # Until now the event was the first word of ``detail`` ("resolved: ok").
    op.execute("UPDATE alert_deliveries SET event = 'resolved' WHERE detail LIKE 'resolved%'")
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_column("event")
