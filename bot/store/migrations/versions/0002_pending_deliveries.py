"""Pending deliveries: a question is recorded before Slack is acknowledged and marked done once answered.

Adds ``k8sfix_deliveries`` and ``k8sfix_claims.holder`` (the delivery that took a
claim, so its own redelivery after a crash may take it again).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the deliveries table and the claims' holder."""
    with op.batch_alter_table("k8sfix_claims") as batch:
        batch.add_column(sa.Column("holder", sa.String(200), nullable=False, server_default=sa.text("''")))
    op.create_table(
        "k8sfix_deliveries",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index("ix_k8sfix_deliveries_created_at", "k8sfix_deliveries", ["created_at"])
    op.create_index("ix_k8sfix_deliveries_pending", "k8sfix_deliveries", ["state", "lease_until"])


def downgrade() -> None:
    """Drop the deliveries table and the claims' holder."""
    op.drop_table("k8sfix_deliveries")
    with op.batch_alter_table("k8sfix_claims") as batch:
        batch.drop_column("holder")
