"""customer portal: each account's own language (the portal's language menu remembers it)

Revision ID: hh_words_portal_language
Revises: hcat_catalogue_translations
"""
import sqlalchemy as sa
from alembic import op

revision = "hh_words_portal_language"
down_revision = "hcat_catalogue_translations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("portal_account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("portal_account") as batch:
        batch.drop_column("language")
