"""Submissions carry a digest of their content, so that a request sent twice is stored once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: requests stored before this revision have no digest and are never matched as duplicates.
    op.add_column("submission", sa.Column("content_digest", sa.String(64), nullable=True))
    op.create_index("ix_submission_content_digest", "submission", ["content_digest"])


def downgrade() -> None:
    op.drop_index("ix_submission_content_digest", table_name="submission")
    with op.batch_alter_table("submission") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("content_digest")
