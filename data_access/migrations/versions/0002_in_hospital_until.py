"""episodes.in_hospital_until: discharged_at or the end of time, so "in hospital at T" is one
indexed range; the indexes led by home area and by nctr_at give way to it (EXPLAIN showed SQLite
scanning a whole system through them)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STILL_IN_HOSPITAL = datetime(9999, 12, 31)


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.add_column(sa.Column("in_hospital_until", sa.DateTime(), nullable=True))
    episodes = sa.table("episodes", sa.column("discharged_at", sa.DateTime()),
                        sa.column("in_hospital_until", sa.DateTime()))
    op.execute(episodes.update().values(in_hospital_until=sa.func.coalesce(
        episodes.c.discharged_at, sa.literal(STILL_IN_HOSPITAL, sa.DateTime()))))
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.alter_column("in_hospital_until", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index("ix_episodes_in_hospital_until_nctr",
                              ["in_hospital_until", "nctr_at"], unique=False)
        batch_op.drop_index("ix_episodes_home_area_nctr")
        batch_op.drop_index("ix_episodes_nctr_discharged")


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.create_index("ix_episodes_nctr_discharged", ["nctr_at", "discharged_at"],
                              unique=False)
        batch_op.create_index("ix_episodes_home_area_nctr", ["home_area_code", "nctr_at"],
                              unique=False)
        batch_op.drop_index("ix_episodes_in_hospital_until_nctr")
        batch_op.drop_column("in_hospital_until")
