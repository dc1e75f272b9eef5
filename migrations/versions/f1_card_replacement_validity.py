"""Replacement and renewal: card validity per card type, a card's valid_until and expiry notices, why a card
is being replaced, and the end date an orderer enters for ID06-style cards in the cart.

Revision ID: f1_card_replacement_validity
Revises: h1_audit_subject
"""
import sqlalchemy as sa
from alembic import op

revision = "f1_card_replacement_validity"
down_revision = "h1_audit_subject"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of card or card_type would drop
# and re-create the table, and with foreign keys on that deletes the rows under it (status history, layouts).
COLUMNS = (
    ("card_type", sa.Column("validity_months", sa.Integer(), nullable=True)),
    ("card_type", sa.Column("validity_until_end_date", sa.Boolean(), nullable=False, server_default="0")),
    ("card", sa.Column("valid_until", sa.Date(), nullable=True)),
    ("card", sa.Column("expiry_notice_days", sa.Integer(), nullable=True)),
    ("card", sa.Column("replacement_reason", sa.String(length=16), nullable=True)),
    ("card", sa.Column("replacement_requested_at", sa.DateTime(), nullable=True)),
    ("cart_item", sa.Column("valid_until", sa.Date(), nullable=True)),
    ("collection_request", sa.Column("replaces_card_id", sa.Integer(), nullable=True)),
)


def upgrade():
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.create_index("ix_card_company_valid_until", "card", ["company_id", "valid_until"])


def downgrade():
    op.drop_index("ix_card_company_valid_until", table_name="card")
    for table, column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
