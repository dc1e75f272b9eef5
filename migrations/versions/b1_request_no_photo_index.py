"""Speed: Data collection > In review counts the cards still missing a photo from a partial index
(company, status, card type) of the requests without one, not by reading every card in review.

Revision ID: b1_request_no_photo_index
Revises: a1_notice_days_replace_idx
"""
import sqlalchemy as sa
from alembic import op

revision = "b1_request_no_photo_index"
down_revision = "a1_notice_days_replace_idx"
branch_labels = None
depends_on = None

NO_PHOTO = sa.text("photo_key IS NULL")


def upgrade():
    op.create_index("ix_collection_request_no_photo", "collection_request", ["company_id", "status", "card_type_id"],
                    sqlite_where=NO_PHOTO, postgresql_where=NO_PHOTO)


def downgrade():
    op.drop_index("ix_collection_request_no_photo", table_name="collection_request")
