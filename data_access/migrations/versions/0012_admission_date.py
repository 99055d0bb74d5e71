"""The local calendar day of admission, derived at load time like the other local dates: a stay of
at least one night (the discharge delay measures count only those) is a discharge day after it.
Existing episodes get it from admitted_at here

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from dashboard.clock import from_utc_naive

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.add_column(sa.Column("admission_date", sa.Date(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE episodes SET admission_date = "
                   "(admitted_at AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/London')::date")
    else:  # SQLite has no time zones: the same conversion the loader makes, in Python
        bind.connection.dbapi_connection.create_function(  # type: ignore[union-attr]
            "london_date", 1, _london_date, deterministic=True)
        op.execute("UPDATE episodes SET admission_date = london_date(admitted_at)")


def _london_date(stored: str | None) -> str | None:
    return None if stored is None else from_utc_naive(datetime.fromisoformat(stored)) \
        .date().isoformat()


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.drop_column("admission_date")
