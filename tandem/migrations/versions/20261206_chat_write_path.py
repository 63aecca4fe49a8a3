"""chat write path: no redundant message index, HOT updates of conversations

Every chat turn inserts two messages and updates its conversation. The single-column index on
``messages.conversation_id`` duplicated the leading column of the unique constraint
(conversation_id, client_message_id), so each message paid for two index entries where one
serves every query. ``conversations.last_message_at`` was indexed for the agent queue, which
filters on the (indexed) status first and sorts a few handoffs; with no updated column indexed,
PostgreSQL updates a conversation in place (HOT) instead of adding an entry to each of its five
indexes, and a fill factor of 70 leaves the page room to do so.

Revision ID: 0005_chat_write_path
Revises: 0004_conversation_notes
Create Date: 2026-12-06 19:45:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005_chat_write_path"
down_revision = "0004_conversation_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_conversation_id"))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_last_message_at"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE conversations SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE conversations RESET (fillfactor)")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_last_message_at"), ["last_message_at"], unique=False
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_conversation_id"), ["conversation_id"], unique=False)
