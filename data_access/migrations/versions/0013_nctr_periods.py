"""Earlier periods of not meeting the criteria to reside (a person who met the criteria again):
the NCTR history before the discharge ready date, as the contract's nctr_periods.csv sends it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nctr_periods",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("nctr_at", sa.DateTime(), nullable=False),
        sa.Column("criteria_met_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.episode_id"],
                                name=op.f("fk_nctr_periods_episode_id_episodes")),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], name=op.f("fk_nctr_periods_load_id_loads")),
        sa.PrimaryKeyConstraint("episode_id", "nctr_at", name=op.f("pk_nctr_periods")),
    )


def downgrade() -> None:
    op.drop_table("nctr_periods")
