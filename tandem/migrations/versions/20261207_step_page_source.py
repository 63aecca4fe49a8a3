"""run steps: the page's HTML when a step failed

A failed step keeps the page's source next to its screenshot, so a first attempt whose trace has
no DOM snapshots (see 0006) still shows what the bot was looking at.

Revision ID: 0007_step_page_source
Revises: 0006_trace_snapshots
Create Date: 2026-12-07 03:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_step_page_source"
down_revision = "0006_trace_snapshots"
branch_labels = None
depends_on = None


# In place on SQLite too, as in 0006 (no table rebuild).
def upgrade() -> None:
    with op.batch_alter_table("run_steps", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("page_source_path", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_steps", recreate="never") as batch_op:
        batch_op.drop_column("page_source_path")
