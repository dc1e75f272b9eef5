"""Invoice lines, and one card-fee invoice per company and month (`invoice.period`, unique with the company).

Revision ID: i1_invoice_lines
Revises: g1_order_vat_confirmation
"""
import sqlalchemy as sa
from alembic import op

revision = "i1_invoice_lines"
down_revision = "g1_order_vat_confirmation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("period", sa.String(length=7), nullable=True))
        batch.create_unique_constraint(batch.f("uq_invoice_company_id"), ["company_id", "period"])
    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("card_type_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 4), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.ForeignKeyConstraint(["card_type_id"], ["card_type.id"], name=op.f("fk_invoice_line_card_type_id_card_type"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_line_invoice_id_invoice"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line")),
    )
    op.create_index(op.f("ix_invoice_line_invoice_id"), "invoice_line", ["invoice_id"])
    op.create_index(op.f("ix_invoice_line_card_type_id"), "invoice_line", ["card_type_id"])


def downgrade():
    op.drop_index(op.f("ix_invoice_line_card_type_id"), table_name="invoice_line")
    op.drop_index(op.f("ix_invoice_line_invoice_id"), table_name="invoice_line")
    op.drop_table("invoice_line")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_constraint(batch.f("uq_invoice_company_id"), type_="unique")
        batch.drop_column("period")
