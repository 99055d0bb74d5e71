"""Feed sources' grants (the kinds each may send) and scope (the sites, services and areas it may
write for), the owner of every record a feed writes, and what each load made of its rows (new,
changed, unchanged, stale). Existing records keep their data and are owned by the administrator
(owner NULL); existing loads keep their counts (the new ones NULL)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONTRACT_TABLES = ("areas", "sites", "services", "episodes", "delay_reasons", "capacity_reports")
LOAD_COUNTS = ("rows_new", "rows_changed", "rows_unchanged", "rows_stale")


def upgrade() -> None:
    for table in CONTRACT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("owner", sa.String(length=100), nullable=True))
    with op.batch_alter_table("loads") as batch_op:
        for name in LOAD_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.create_table(
        "source_grants",
        sa.Column("source_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["source_name"], ["feed_sources.name"],
                                name=op.f("fk_source_grants_source_name_feed_sources")),
        sa.PrimaryKeyConstraint("source_name", "kind", name=op.f("pk_source_grants")),
    )
    op.create_table(
        "source_scopes",
        sa.Column("source_name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["source_name"], ["feed_sources.name"],
                                name=op.f("fk_source_scopes_source_name_feed_sources")),
        sa.PrimaryKeyConstraint("source_name", "scope", "code", name=op.f("pk_source_scopes")),
    )


def downgrade() -> None:
    op.drop_table("source_scopes")
    op.drop_table("source_grants")
    with op.batch_alter_table("loads") as batch_op:
        for name in reversed(LOAD_COUNTS):
            batch_op.drop_column(name)
    for table in CONTRACT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("owner")
