"""Staff login attempts, for throttling across app instances and a log of failed logins
(ecosystem/corrections/throttle.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The throttle counts an account's and a client's recent failures; the pruning deletes by age.
    op.create_index("ix_login_attempt_account_time", "login_attempt", ["account", "attempted_at"])
    op.create_index("ix_login_attempt_client_time", "login_attempt", ["client", "attempted_at"])
    op.create_index("ix_login_attempt_attempted_at", "login_attempt", ["attempted_at"])


def downgrade() -> None:
    op.drop_table("login_attempt")
