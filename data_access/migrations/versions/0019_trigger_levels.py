"""System trigger levels per area and measure (where levels 2-4 begin, and what to do), and the
append-only history of each area's escalation level

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trigger_levels",
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("actions", sa.String(length=1000), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                name=op.f("fk_trigger_levels_area_code_areas")),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"],
                                name=op.f("fk_trigger_levels_load_id_loads")),
        sa.PrimaryKeyConstraint("area_code", "measure", "level", name=op.f("pk_trigger_levels")),
    )
    op.create_table(
        "trigger_level_changes",
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("measures", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                name=op.f("fk_trigger_level_changes_area_code_areas")),
        sa.PrimaryKeyConstraint("area_code", "at", name=op.f("pk_trigger_level_changes")),
    )


def downgrade() -> None:
    op.drop_table("trigger_level_changes")
    op.drop_table("trigger_levels")
