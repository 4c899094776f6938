"""Staff sessions that survive a page reload: the hash of a random token, its account, the fingerprint of the
account's password hash, creation, last activity and revocation times (ecosystem/corrections/staff_sessions.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("credential", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    # Sessions are found by their token's hash (the unique constraint's index) and pruned by age.
    op.create_index("ix_staff_session_last_seen_at", "staff_session", ["last_seen_at"])


def downgrade() -> None:
    op.drop_table("staff_session")
