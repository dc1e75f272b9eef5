"""Money: a card type's fee per month or year (Company > Card fees), a company's VAT rate set by the operator, the order's VAT as it was at checkout (rate, VAT,
amount including VAT; older orders keep their total with no rate), and files sent with outbox emails
(the order confirmation's PDF).

Revision ID: g1_order_vat_confirmation
Revises: f1_card_replacement_validity
"""
import sqlalchemy as sa
from alembic import op

revision = "g1_order_vat_confirmation"
down_revision = "f1_card_replacement_validity"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of a table on SQLite drops it
# and its dependants' rows go with it (ON DELETE CASCADE).


def upgrade():
    op.add_column("company", sa.Column("vat_rate", sa.Numeric(5, 2), nullable=True))
    op.add_column("card_order", sa.Column("vat_rate", sa.Numeric(5, 2), nullable=True))
    op.add_column("card_order", sa.Column("vat", sa.Numeric(12, 2), nullable=False, server_default="0"))
    op.add_column("card_order", sa.Column("gross", sa.Numeric(12, 2), nullable=False, server_default="0"))
    op.execute("UPDATE card_order SET gross = total")
    op.add_column("card_type", sa.Column("fee", sa.Numeric(10, 2), nullable=False, server_default="0"))
    op.add_column("card_type", sa.Column("fee_period", sa.String(length=8), nullable=False, server_default=""))  # no VAT was recorded on them
    op.create_table(
        "outbox_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["email_id"], ["outbox_email.id"], name=op.f("fk_outbox_attachment_email_id_outbox_email"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachment")),
    )
    op.create_index(op.f("ix_outbox_attachment_email_id"), "outbox_attachment", ["email_id"])


def downgrade():
    op.drop_index(op.f("ix_outbox_attachment_email_id"), table_name="outbox_attachment")
    op.drop_table("outbox_attachment")
    op.drop_column("card_type", "fee_period")
    op.drop_column("card_type", "fee")
    op.drop_column("card_order", "gross")
    op.drop_column("card_order", "vat")
    op.drop_column("card_order", "vat_rate")
    op.drop_column("company", "vat_rate")
