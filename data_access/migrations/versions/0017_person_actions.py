"""The huddle's actions on each person, with an append-only history of every version

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("owner_team", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blocked_reason", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.episode_id"],
                                name=op.f("fk_person_actions_episode_id_episodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_actions")),
    )
    op.create_index(op.f("ix_person_actions_episode_id"), "person_actions", ["episode_id"])
    op.create_table(
        "person_action_changes",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("before", sa.String(length=4000), nullable=True),
        sa.Column("after", sa.String(length=4000), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["person_actions.id"],
                                name=op.f("fk_person_action_changes_action_id_person_actions")),
        sa.PrimaryKeyConstraint("action_id", "version", name=op.f("pk_person_action_changes")),
    )


def downgrade() -> None:
    op.drop_table("person_action_changes")
    op.drop_index(op.f("ix_person_actions_episode_id"), table_name="person_actions")
    op.drop_table("person_actions")
