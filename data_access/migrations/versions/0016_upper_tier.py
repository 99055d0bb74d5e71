"""A district's upper-tier local authority (the Health and Wellbeing Board footprint on which
Better Care Fund goals are set): areas.upper_tier_code, an area of the new level "utla"

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("areas") as batch_op:
        batch_op.add_column(sa.Column("upper_tier_code", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("areas") as batch_op:
        batch_op.drop_column("upper_tier_code")
