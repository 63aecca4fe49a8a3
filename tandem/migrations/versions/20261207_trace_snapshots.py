"""job attempts: whether the attempt's trace holds DOM snapshots

A trace records every action of an attempt; its DOM snapshots and network log (what the trace
viewer replays) are recorded on retries and on the attempts sampled for keeping, or on every
attempt when ``TANDEM_TRACE_SNAPSHOTS=always``. The ops console says which a trace holds.
NULL: an attempt recorded before this revision (its trace, if any, has snapshots).

Revision ID: 0006_trace_snapshots
Revises: 0005_chat_write_path
Create Date: 2026-12-07 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_trace_snapshots"
down_revision = "0005_chat_write_path"
branch_labels = None
depends_on = None


# ALTER TABLE in place on SQLite too (it drops columns since 3.35): a batch rebuild of
# job_attempts would drop the old table, and with foreign keys on, its delete would cascade to
# every run step.
def upgrade() -> None:
    with op.batch_alter_table("job_attempts", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("trace_snapshots", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_attempts", recreate="never") as batch_op:
        batch_op.drop_column("trace_snapshots")
