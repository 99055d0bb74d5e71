"""Covering indexes for the day-by-day counts (NCTR, discharge, service start and end dates,
with pathway and home area)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_episodes_nctr_date_area": ["nctr_date", "home_area_code", "pathway"],
    "ix_episodes_discharge_date_area": ["discharge_date", "pathway", "home_area_code"],
    "ix_episodes_service_start_date_area": ["service_start_date", "pathway", "home_area_code"],
    "ix_episodes_service_end_date_area": ["service_end_date", "pathway", "home_area_code"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "episodes", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="episodes")
