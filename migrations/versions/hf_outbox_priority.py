"""outbox: urgent mail before bulk mail; one-line company names and email subjects

Revision ID: hf_outbox_priority
Revises: hg_checkout_key_replaces
"""
import sqlalchemy as sa
from alembic import op

revision = "hf_outbox_priority"
down_revision = "hg_checkout_key_replaces"
branch_labels = None
depends_on = None

BULK_KINDS = ("collection_request", "collection_reminder")


def _one_line(column: str) -> str:
    return f"replace(replace(replace({column}, char(13) || char(10), ' '), char(13), ' '), char(10), ' ')"


def upgrade():
    with op.batch_alter_table("outbox_email") as batch:
        batch.add_column(sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False))
        batch.create_index("ix_outbox_email_claim_order", ["state", "priority", "company_id", "id"])
    outbox = sa.table("outbox_email", sa.column("kind", sa.String), sa.column("priority", sa.SmallInteger))
    op.execute(outbox.update().where(outbox.c.kind.in_(BULK_KINDS)).values(priority=1))
    # Names with a line break made every email naming them unsendable; emails still waiting get one line.
    chr_ = "chr" if op.get_bind().dialect.name == "postgresql" else "char"
    for table, column, where in (("company", "name", ""),
                                 ("outbox_email", "subject", " WHERE state IN ('pending', 'sending', 'failed')")):
        expression = _one_line(column).replace("char(", f"{chr_}(")
        op.execute(f"UPDATE {table} SET {column} = {expression}{where}")  # noqa: S608 - constant text


def downgrade():
    with op.batch_alter_table("outbox_email") as batch:
        batch.drop_index("ix_outbox_email_claim_order")
        batch.drop_column("priority")
