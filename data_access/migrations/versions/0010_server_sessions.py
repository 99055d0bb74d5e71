"""Sessions kept on the server (user_sessions) and device cookies (device_cookies)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("signed_in_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_user_sessions_username_users")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_username"), "user_sessions", ["username"])
    op.create_index(op.f("ix_user_sessions_signed_in_at"), "user_sessions", ["signed_in_at"])
    op.create_table(
        "device_cookies",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_device_cookies_username_users")),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_device_cookies")),
    )
    op.create_index(op.f("ix_device_cookies_username"), "device_cookies", ["username"])


def downgrade() -> None:
    op.drop_table("device_cookies")
    op.drop_table("user_sessions")
