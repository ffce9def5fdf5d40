"""Baseline: the store's schema as ``create_all`` made it before migrations existed.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the five tables of the first store."""
    op.create_table(
        "k8sfix_channels",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("triage", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "k8sfix_queries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("entry_point", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=True),
        sa.Column("confidence", sa.String(8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_index("ix_k8sfix_queries_created_at", "k8sfix_queries", ["created_at"])
    op.create_index("ix_k8sfix_queries_text_key", "k8sfix_queries", ["text_key"])
    op.create_index("ix_k8sfix_queries_entry_id", "k8sfix_queries", ["entry_id"])
    op.create_index("ix_k8sfix_queries_unmatched", "k8sfix_queries", ["abstained", "entry_point"])
    op.create_table(
        "k8sfix_feedback",
        sa.Column("query_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "k8sfix_claims",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_k8sfix_claims_created_at", "k8sfix_claims", ["created_at"])
    op.create_table(
        "k8sfix_topic_threads",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("entry_id", sa.String(128), primary_key=True),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("permalink", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop every table of the store."""
    for table in ("k8sfix_topic_threads", "k8sfix_claims", "k8sfix_feedback", "k8sfix_queries",
                  "k8sfix_channels"):
        op.drop_table(table)
