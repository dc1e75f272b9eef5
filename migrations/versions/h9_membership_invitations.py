"""invitations to existing accounts wait for acceptance; the company keeps the name its admin typed

Revision ID: h9_membership_invitations
Revises: hb_collection_open_rule
"""
import sqlalchemy as sa
from alembic import op

revision = "h9_membership_invitations"
down_revision = "hb_collection_open_rule"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("invited_name", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("invited_name")
        batch.drop_column("pending")
