"""Speed: Order history and Data collection > Pending get indexes for newest-first pages and indexed
searches (prefix ranges; FTS5 trigram on SQLite / pg_trgm on PostgreSQL for parts of names and emails);
retention finds a company's due orders from one index.

Revision ID: hh_speed_list_search
Revises: hh_words_portal_language
"""
from alembic import op

from portal.collection.models import REQUEST_TRIGRAM
from portal.ordering.models import ORDER_LINE_TRIGRAM

revision = "hh_speed_list_search"
down_revision = "hh_words_portal_language"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_card_order_company_placed", "card_order", ["company_id", "placed_at"]),
    ("ix_card_order_company_number", "card_order", ["company_id", "number"]),
    ("ix_card_order_company_reference", "card_order", ["company_id", "reference"]),
    ("ix_card_order_retention", "card_order", ["company_id", "anonymised_at", "last_activity_at"]),
    ("ix_collection_request_waiting", "collection_request", ["company_id", "status", "id"]),
    ("ix_collection_request_company_email", "collection_request", ["company_id", "email"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    conn = op.get_bind()
    ORDER_LINE_TRIGRAM.create(conn, rebuild=True)
    REQUEST_TRIGRAM.create(conn, rebuild=True)


def downgrade():
    conn = op.get_bind()
    REQUEST_TRIGRAM.drop(conn)
    ORDER_LINE_TRIGRAM.drop(conn)
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
