"""Planning scenarios saved on the Plan page, per area

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_scenarios",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=4000), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                name=op.f("fk_plan_scenarios_area_code_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_scenarios")),
    )
    op.create_index("ix_plan_scenarios_area_code_name", "plan_scenarios", ["area_code", "name"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_plan_scenarios_area_code_name", table_name="plan_scenarios")
    op.drop_table("plan_scenarios")
