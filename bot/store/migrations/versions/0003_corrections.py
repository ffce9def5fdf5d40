"""Corrections: after a "Not helpful" vote, the topic the asker picked instead.

Adds ``k8sfix_corrections``, which ``k8sfix stats`` lists per topic so KB maintainers
see which entries answer the wrong questions.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the corrections table."""
    op.create_table(
        "k8sfix_corrections",
        sa.Column("query_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("answered_id", sa.String(128), nullable=False),
        sa.Column("chosen_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_k8sfix_corrections_answered_id", "k8sfix_corrections", ["answered_id"])


def downgrade() -> None:
    """Drop the corrections table."""
    op.drop_table("k8sfix_corrections")
