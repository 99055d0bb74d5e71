"""Live feeds: the source's updated_at on every contract table, feed sources and their hashed
API tokens, the channel of each load and what its rejections' positions count, and the reasons rows were rejected (existing rows keep their
data)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONTRACT_TABLES = ("areas", "sites", "services", "episodes", "delay_reasons", "capacity_reports")


def upgrade() -> None:
    for table in CONTRACT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("loads") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), nullable=False,
                                      server_default="file"))
        batch_op.add_column(sa.Column("unit", sa.String(length=8), nullable=False,
                                      server_default="line"))
    op.create_table(
        "load_rejections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"],
                                name=op.f("fk_load_rejections_load_id_loads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_rejections")),
    )
    op.create_index(op.f("ix_load_rejections_load_id"), "load_rejections", ["load_id"])
    op.create_table(
        "feed_sources",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("expected_every_minutes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_sources")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["source_name"], ["feed_sources.name"],
                                name=op.f("fk_api_tokens_source_name_feed_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_source_name"), "api_tokens", ["source_name"])


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("feed_sources")
    op.drop_table("load_rejections")
    with op.batch_alter_table("loads") as batch_op:
        batch_op.drop_column("unit")
        batch_op.drop_column("channel")
    for table in CONTRACT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("updated_at")
