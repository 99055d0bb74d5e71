"""Area-led indexes for national scale (the home area first, then the time range),
in_service_until, so "receiving a service at T" is one indexed range, and the last load's time
found by an index (existing rows keep their data)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STILL_IN_SERVICE = datetime(9999, 12, 31)
OLD_INDEXES = {
    "ix_episodes_in_hospital_until_nctr": ["in_hospital_until", "nctr_at"],
    "ix_episodes_discharge_date_pathway": ["discharge_date", "pathway"],
    "ix_episodes_nctr_date_area": ["nctr_date", "home_area_code", "pathway"],
    "ix_episodes_discharge_date_area": ["discharge_date", "pathway", "home_area_code"],
    "ix_episodes_service_start_date_area": ["service_start_date", "pathway", "home_area_code"],
    "ix_episodes_service_end_date_area": ["service_end_date", "pathway", "home_area_code"],
    "ix_episodes_service_start_pathway": ["service_start_at", "pathway"],
    "ix_episodes_nctr_date": ["nctr_date"],
}
NEW_INDEXES = {
    "ix_episodes_area_in_hospital": ["home_area_code", "in_hospital_until", "nctr_at"],
    "ix_episodes_area_nctr_date": ["home_area_code", "nctr_date", "pathway"],
    "ix_episodes_area_discharge_date": ["home_area_code", "discharge_date", "pathway"],
    "ix_episodes_area_service_start_date": ["home_area_code", "service_start_date", "pathway"],
    "ix_episodes_area_service_end_date": ["home_area_code", "service_end_date", "pathway"],
    "ix_episodes_area_in_service": ["home_area_code", "in_service_until", "service_start_at"],
    "ix_episodes_area_referred": ["home_area_code", "referred_to_hub_at"],
}
# Only pathway 1-3 journeys with no end outcome yet (data_access.models.OPEN_JOURNEY).
OPEN_JOURNEY = "end_outcome IS NULL AND pathway > 0"


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.add_column(sa.Column("in_service_until", sa.DateTime(), nullable=True))
    episodes = sa.table("episodes", sa.column("service_start_at", sa.DateTime()),
                        sa.column("service_end_at", sa.DateTime()),
                        sa.column("in_service_until", sa.DateTime()))
    op.execute(episodes.update().where(episodes.c.service_start_at.is_not(None)).values(
        in_service_until=sa.func.coalesce(episodes.c.service_end_at,
                                          sa.literal(STILL_IN_SERVICE, sa.DateTime()))))
    for name in OLD_INDEXES:
        op.drop_index(name, table_name="episodes")
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "episodes", columns, unique=False)
    op.create_index("ix_loads_outcome_finished_at", "loads", ["outcome", "finished_at"],
                    unique=False)
    op.create_index("ix_episodes_area_open_journeys", "episodes", ["home_area_code", "nctr_at"],
                    unique=False, sqlite_where=sa.text(OPEN_JOURNEY),
                    postgresql_where=sa.text(OPEN_JOURNEY))


def downgrade() -> None:
    op.drop_index("ix_episodes_area_open_journeys", table_name="episodes")
    op.drop_index("ix_loads_outcome_finished_at", table_name="loads")
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="episodes")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "episodes", columns, unique=False)
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.drop_column("in_service_until")
