"""api: keys per company (only their hash kept), answers kept for Idempotency-Key; cards know when they last changed

Revision ID: i1_api_keys
Revises: hh_webhooks
"""
import sqlalchemy as sa
from alembic import op

revision = "i1_api_keys"
down_revision = "hh_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=80), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_index("ix_api_key_company_id", "api_key", ["company_id"])
    op.create_table(
        "api_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("idem_key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key_id", "idem_key"),
    )
    op.create_index("ix_api_idempotency_created_at", "api_idempotency", ["created_at"])
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_audit_event_api_key_id", "api_key", ["api_key_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE card SET updated_at = CASE WHEN status_changed_at > created_at THEN status_changed_at "
               "ELSE created_at END")
    with op.batch_alter_table("card") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
        batch.create_index("ix_card_company_updated", ["company_id", "updated_at"])


def downgrade():
    with op.batch_alter_table("card") as batch:
        batch.drop_index("ix_card_company_updated")
        batch.drop_column("updated_at")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint("fk_audit_event_api_key_id", type_="foreignkey")
        batch.drop_column("api_key_id")
    op.drop_index("ix_api_idempotency_created_at", table_name="api_idempotency")
    op.drop_table("api_idempotency")
    op.drop_index("ix_api_key_company_id", table_name="api_key")
    op.drop_table("api_key")
