"""catalog: catalogue data in every language (a translations JSON column on card types, layout fields
and accessories); layout_field.label_sv moves into it

Revision ID: hcat_catalogue_translations
Revises: hf_outbox_priority
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "hcat_catalogue_translations"
down_revision = "hf_outbox_priority"
branch_labels = None
depends_on = None

TABLES = ("card_type", "layout_field", "accessory")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("translations", JSON, nullable=True))
    bind = op.get_bind()
    for table in ("card_type", "accessory"):
        rows = sa.table(table, sa.column("translations", JSON))
        bind.execute(rows.update().values(translations={}))
    fields = sa.table("layout_field", sa.column("id", sa.Integer), sa.column("label_sv", sa.String),
                      sa.column("translations", JSON))
    for field_id, label_sv in bind.execute(sa.select(fields.c.id, fields.c.label_sv)).all():
        label_sv = (label_sv or "").strip()
        bind.execute(fields.update().where(fields.c.id == field_id)
                     .values(translations={"sv": {"label": label_sv}} if label_sv else {}))
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("translations", existing_type=JSON, nullable=False)
    with op.batch_alter_table("layout_field") as batch:
        batch.drop_column("label_sv")


def downgrade():
    with op.batch_alter_table("layout_field") as batch:
        batch.add_column(sa.Column("label_sv", sa.String(length=80), nullable=True))
    bind = op.get_bind()
    fields = sa.table("layout_field", sa.column("id", sa.Integer), sa.column("label_sv", sa.String),
                      sa.column("translations", JSON))
    for field_id, translations in bind.execute(sa.select(fields.c.id, fields.c.translations)).all():
        label_sv = ((translations or {}).get("sv") or {}).get("label", "")
        bind.execute(fields.update().where(fields.c.id == field_id).values(label_sv=label_sv[:80]))
    with op.batch_alter_table("layout_field") as batch:
        batch.alter_column("label_sv", existing_type=sa.String(length=80), nullable=False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
