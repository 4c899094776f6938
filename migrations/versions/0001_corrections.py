"""Corrections loop: submissions, proposed field changes, reviews, entity history.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(20), unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("entity_id", sa.String(120), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("contact_organisation", sa.String(200), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("session_key", sa.String(64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("reference", "entity_id", "status", "contact_email", "session_key", "submitted_at"):
        op.create_index(f"ix_submission_{column}", "submission", [column])
    op.create_table(
        "field_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text, nullable=False),
        sa.Column("new_value", sa.Text, nullable=False),
    )
    op.create_index("ix_field_change_submission_id", "field_change", ["submission_id"])
    op.create_table(
        "review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submission.id"), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_submission_id", "review", ["submission_id"])
    op.create_table(
        "entity_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity_id", sa.String(120), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text, nullable=False),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_entity_history_entity_id", "entity_history", ["entity_id"])
    op.create_index("ix_entity_history_reference", "entity_history", ["reference"])


def downgrade() -> None:
    for table in ("entity_history", "review", "field_change", "submission"):
        op.drop_table(table)
