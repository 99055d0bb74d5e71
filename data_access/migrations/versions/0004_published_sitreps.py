"""NHS England's published discharge sitreps: organisations (ICBs, trusts), daily NCTR and
discharges per ICB and trust, monthly delay reasons per trust, the published reason texts
(new tables only: existing data is untouched)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ORGANISATIONS = "published_organisations"


def _load_id(table: str) -> sa.Column:
    return sa.Column("load_id", sa.Integer(), sa.ForeignKey(
        "loads.id", name=op.f(f"fk_{table}_load_id_loads")), nullable=True)


def _organisation(table: str, column: str, *, nullable: bool) -> sa.Column:
    return sa.Column(column, sa.String(length=32), sa.ForeignKey(
        f"{ORGANISATIONS}.code", name=op.f(f"fk_{table}_{column}_{ORGANISATIONS}")),
        nullable=nullable)


def upgrade() -> None:
    op.create_table(
        ORGANISATIONS,
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        _organisation(ORGANISATIONS, "icb_code", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("population_65_plus", sa.Integer(), nullable=True),
        _load_id(ORGANISATIONS),
        sa.PrimaryKeyConstraint("code", name=op.f(f"pk_{ORGANISATIONS}")),
    )
    op.create_index(op.f("ix_published_organisations_icb_code"), ORGANISATIONS, ["icb_code"])
    op.create_index(op.f("ix_published_organisations_level"), ORGANISATIONS, ["level"])

    op.create_table(
        "published_daily",
        sa.Column("level", sa.String(length=8), nullable=False),
        _organisation("published_daily", "org_code", nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("nctr_patients", sa.Integer(), nullable=True),
        sa.Column("discharged_by_1700", sa.Integer(), nullable=True),
        sa.Column("discharged_between_1701_2359", sa.Integer(), nullable=True),
        sa.Column("discharged_total", sa.Integer(), nullable=True),
        _load_id("published_daily"),
        sa.PrimaryKeyConstraint("level", "org_code", "date", name=op.f("pk_published_daily")),
    )
    op.create_index("ix_published_daily_level_date", "published_daily", ["level", "date"])

    op.create_table(
        "published_reasons",
        _organisation("published_reasons", "trust_code", nullable=False),
        sa.Column("month_start", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=4), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=True),
        _load_id("published_reasons"),
        sa.PrimaryKeyConstraint("trust_code", "month_start", "reason_code",
                                name=op.f("pk_published_reasons")),
    )
    op.create_index("ix_published_reasons_month_reason", "published_reasons",
                    ["month_start", "reason_code"])

    op.create_table(
        "published_reason_texts",
        sa.Column("published_text", sa.String(length=300), nullable=False),
        sa.Column("reason_code", sa.String(length=4), nullable=False),
        sa.Column("matched_by", sa.String(length=8), nullable=False),
        _load_id("published_reason_texts"),
        sa.PrimaryKeyConstraint("published_text", name=op.f("pk_published_reason_texts")),
    )


def downgrade() -> None:
    for table in ("published_reason_texts", "published_reasons", "published_daily",
                  ORGANISATIONS):
        op.drop_table(table)
