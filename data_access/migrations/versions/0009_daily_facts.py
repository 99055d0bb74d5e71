"""Daily facts of waiting (seconds waited and people waiting at 00:00, per day, home area and
delay reason), the calendar of local days they use, and how far they reach. Existing data gets
its facts from ``python -m dashboard migrate`` (or the next load)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("starts_at", name=op.f("uq_calendar_days_starts_at")),
    )
    op.create_table(
        "daily_waits",
        sa.Column("home_area_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=4), nullable=False),
        sa.Column("waiting_seconds", sa.Float(), nullable=False),
        sa.Column("waiting_at_start", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["home_area_code"], ["areas.code"],
                                name=op.f("fk_daily_waits_home_area_code_areas")),
        sa.PrimaryKeyConstraint("home_area_code", "day", "reason_code",
                                name=op.f("pk_daily_waits")),
    )
    op.create_table(
        "facts_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("up_to", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_facts_state")),
    )


def downgrade() -> None:
    op.drop_table("facts_state")
    op.drop_table("daily_waits")
    op.drop_table("calendar_days")
