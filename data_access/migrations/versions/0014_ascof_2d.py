"""What ASCOF 2D needs, all optional: a service's type (reablement), and of an episode the date
of death, the date of entering permanent residential or nursing care, and where the person lived
when admitted

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch_op:
        batch_op.add_column(sa.Column("service_type", sa.String(length=16), nullable=True))
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.add_column(sa.Column("died_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("permanent_care_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("setting_at_admission", sa.String(length=16),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch_op:
        for name in ("setting_at_admission", "permanent_care_at", "died_at"):
            batch_op.drop_column(name)
    with op.batch_alter_table("services") as batch_op:
        batch_op.drop_column("service_type")
