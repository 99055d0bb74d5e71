"""Optional episode details for equity and outcomes: ethnic group, deprivation decile,
Modified Barthel at service start and end, own goals met (existing rows keep their data)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (
    ("ethnic_group", sa.String(length=16)),
    ("imd_decile", sa.SmallInteger()),
    ("barthel_start", sa.SmallInteger()),
    ("barthel_end", sa.SmallInteger()),
    ("goals_met", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        for name, _ in COLUMNS:
            batch_op.drop_column(name)
