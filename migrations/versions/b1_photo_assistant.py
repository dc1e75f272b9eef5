"""photo assistant: the findings travel with the photo (a JSON list of finding codes on every row that holds
one), and card types say whether photos are checked

Revision ID: b1_photo_assistant
Revises: hh_speed_list_search
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b1_photo_assistant"
down_revision = "hh_speed_list_search"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
PHOTO_TABLES = ("collection_request", "cart_item", "order_line", "card", "card_change")


def upgrade():
    # Plain ADD COLUMN (no table rebuild): rebuilding these on SQLite would drop them under the rows that
    # refer to them, and foreign keys are on.
    for table in PHOTO_TABLES:
        op.add_column(table, sa.Column("photo_findings", JSON, nullable=False, server_default=sa.text("'[]'")))
    op.add_column("card_type", sa.Column("photo_checks", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    op.execute("ALTER TABLE card_type DROP COLUMN photo_checks")
    for table in PHOTO_TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN photo_findings")
