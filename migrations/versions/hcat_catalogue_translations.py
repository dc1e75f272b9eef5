"""catalog: catalogue data in every language (a translations JSON column on card types, layout fields
and accessories); layout_field.label_sv moves into it

Revision ID: hcat_catalogue_translations
Revises: i1_api_keys
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "hcat_catalogue_translations"
down_revision = "i1_api_keys"
branch_labels = None
depends_on = None

TABLES = ("card_type", "layout_field", "accessory")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


EMPTY = sa.text("'{}'")


def upgrade():
    # Plain ADD COLUMN (no table rebuild): rebuilding card_type on SQLite would drop it under the rows
    # that refer to it, and foreign keys are on.
    for table in TABLES:
        op.add_column(table, sa.Column("translations", JSON, nullable=False, server_default=EMPTY))
    bind = op.get_bind()
    fields = sa.table("layout_field", sa.column("id", sa.Integer), sa.column("label_sv", sa.String),
                      sa.column("translations", JSON))
    for field_id, label_sv in bind.execute(sa.select(fields.c.id, fields.c.label_sv)).all():
        label_sv = (label_sv or "").strip()
        if label_sv:
            bind.execute(fields.update().where(fields.c.id == field_id).values(translations={"sv": {"label": label_sv}}))
    op.execute("ALTER TABLE layout_field DROP COLUMN label_sv")


def downgrade():
    op.add_column("layout_field", sa.Column("label_sv", sa.String(length=80), nullable=False, server_default=""))
    bind = op.get_bind()
    fields = sa.table("layout_field", sa.column("id", sa.Integer), sa.column("label_sv", sa.String),
                      sa.column("translations", JSON))
    for field_id, translations in bind.execute(sa.select(fields.c.id, fields.c.translations)).all():
        label_sv = ((translations or {}).get("sv") or {}).get("label", "")
        if label_sv:
            bind.execute(fields.update().where(fields.c.id == field_id).values(label_sv=label_sv[:80]))
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN translations")
