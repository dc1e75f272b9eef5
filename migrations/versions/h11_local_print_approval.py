"""company setting: cards printed locally need approval when orders do (on by default)

Revision ID: h11_local_print_approval
Revises: h8_last_company
"""
import sqlalchemy as sa
from alembic import op

revision = "h11_local_print_approval"
down_revision = "h8_last_company"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company") as batch:
        batch.add_column(sa.Column("local_print_requires_approval", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("company") as batch:
        batch.drop_column("local_print_requires_approval")
