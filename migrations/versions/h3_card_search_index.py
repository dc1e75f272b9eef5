"""Trigram search over card holder names and emails (FTS5 on SQLite, pg_trgm GIN on PostgreSQL).

Revision ID: h3_card_search_index
Revises: h5_sign_in_security
"""
from alembic import op
from sqlalchemy import text

from portal.cards import fulltext

revision = "h3_card_search_index"
down_revision = "h5_sign_in_security"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    fulltext.create(conn)
    if conn.dialect.name == "sqlite":
        conn.execute(text(fulltext.SQLITE_REBUILD))  # index the cards that already exist


def downgrade():
    fulltext.drop(op.get_bind())
