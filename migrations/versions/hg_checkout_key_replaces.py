"""an order remembers the cart it was placed from (one order per cart); a card can replace another

Revision ID: hg_checkout_key_replaces
Revises: h9_membership_invitations
"""
import sqlalchemy as sa
from alembic import op

revision = "hg_checkout_key_replaces"
down_revision = "h9_membership_invitations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("card_order") as batch:
        batch.add_column(sa.Column("checkout_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_card_order_checkout_key", ["checkout_key"])
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("replaces_card_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_card_replaces_card_id_card", "card", ["replaces_card_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("cart_item") as batch:
        batch.add_column(sa.Column("replaces_card_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cart_item_replaces_card_id_card", "card", ["replaces_card_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("cart_item") as batch:
        batch.drop_constraint("fk_cart_item_replaces_card_id_card", type_="foreignkey")
        batch.drop_column("replaces_card_id")
    with op.batch_alter_table("card") as batch:
        batch.drop_constraint("fk_card_replaces_card_id_card", type_="foreignkey")
        batch.drop_column("replaces_card_id")
    with op.batch_alter_table("card_order") as batch:
        batch.drop_constraint("uq_card_order_checkout_key", type_="unique")
        batch.drop_column("checkout_key")
