"""Sweeps' draws, a run's progress (draws done of total) and its read-only share link.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sweep_draws",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("total_cost", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "draw"),
    )
    # existing runs get 0 of 0 (not a sweep) and no share link
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("progress_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("progress_total", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("share_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_runs_share_token", ["share_token"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_share_token", type_="unique")
        batch.drop_column("share_token")
        batch.drop_column("progress_total")
        batch.drop_column("progress_done")
    op.drop_table("sweep_draws")
