"""Care needs for matching people to places: episodes.needs (a person's, such as nursing) and
services.meets_needs (the needs a service's places meet, or none)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.add_column(sa.Column("needs", sa.String(length=64), nullable=True))
    with op.batch_alter_table("services") as batch_op:
        batch_op.add_column(sa.Column("meets_needs", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch_op:
        batch_op.drop_column("meets_needs")
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.drop_column("needs")
