"""conversation events

Revision ID: 0002_conversation_events
Revises: 0001_initial
Create Date: 2026-11-25 12:01:02.488309
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_conversation_events"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_events_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_events")),
    )
    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_events_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_events_conversation_id"))

    op.drop_table("conversation_events")
