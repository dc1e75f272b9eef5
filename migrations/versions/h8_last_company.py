"""remember the company a user chose last, so signing in again opens it

Revision ID: h8_last_company
Revises: h3_card_search_index
"""
import sqlalchemy as sa
from alembic import op

revision = "h8_last_company"
down_revision = "h3_card_search_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("last_company_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("last_company_id")
