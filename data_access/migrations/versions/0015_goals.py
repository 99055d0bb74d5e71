"""Local goals per area, measure and period, with the direction in which better lies, as the
Goals page and the contract's goals.csv set them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("goal", sa.Float(), nullable=False),
        sa.Column("better", sa.String(length=4), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                name=op.f("fk_goals_area_code_areas")),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], name=op.f("fk_goals_load_id_loads")),
        sa.PrimaryKeyConstraint("area_code", "measure", "first_day", name=op.f("pk_goals")),
    )


def downgrade() -> None:
    op.drop_table("goals")
