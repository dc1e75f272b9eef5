"""A company's own expiry notices (`company.expiry_notice_days`, owner: tenancy), and indexes on the cards and
data-collection requests that replace a card (`replaces_card_id`: the old card's page, the API, renewal).

Revision ID: a1_notice_days_replace_idx
Revises: i1_invoice_lines
"""
import sqlalchemy as sa
from alembic import op

revision = "a1_notice_days_replace_idx"
down_revision = "i1_invoice_lines"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("company", sa.Column("expiry_notice_days", sa.String(length=16), nullable=True))
    op.create_index("ix_card_replaces_card_id", "card", ["replaces_card_id"],  # only cards that replace one
                    sqlite_where=sa.text("replaces_card_id IS NOT NULL"),
                    postgresql_where=sa.text("replaces_card_id IS NOT NULL"))
    op.create_index(op.f("ix_collection_request_replaces_card_id"), "collection_request", ["replaces_card_id"])


def downgrade():
    op.drop_index(op.f("ix_collection_request_replaces_card_id"), table_name="collection_request")
    op.drop_index("ix_card_replaces_card_id", table_name="card")
    op.drop_column("company", "expiry_notice_days")
