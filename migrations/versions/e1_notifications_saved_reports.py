"""Being told: notification preferences per user, an order's tracking number and carrier, saved reports
and their sent periods.

Revision ID: e1_notifications_saved_reports
Revises: b1_photo_assistant
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "e1_notifications_saved_reports"
down_revision = "b1_photo_assistant"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of a table on SQLite drops it
# and its dependants' rows go with it (ON DELETE CASCADE).


def upgrade():
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),
    )
    op.create_index("ix_notification_preference_user_id", "notification_preference", ["user_id"])
    op.add_column("card_order", sa.Column("tracking_number", sa.String(80), nullable=False, server_default=""))
    op.add_column("card_order", sa.Column("carrier", sa.String(60), nullable=False, server_default=""))
    op.add_column("card_order", sa.Column("shipped_at", sa.DateTime(), nullable=True))
    op.create_table(
        "saved_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("company.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("schedule", sa.String(16), nullable=False),
        sa.Column("recipient_ids", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("company_id", "name", name="uq_saved_report_company_name"),
    )
    op.create_index("ix_saved_report_company_id", "saved_report", ["company_id"])
    op.create_table(
        "saved_report_send",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("saved_report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("report_id", "period", name="uq_saved_report_send_period"),
    )
    op.create_index("ix_saved_report_send_report_id", "saved_report_send", ["report_id"])


def downgrade():
    op.drop_index("ix_saved_report_send_report_id", table_name="saved_report_send")
    op.drop_table("saved_report_send")
    op.drop_index("ix_saved_report_company_id", table_name="saved_report")
    op.drop_table("saved_report")
    op.drop_column("card_order", "shipped_at")
    op.drop_column("card_order", "carrier")
    op.drop_column("card_order", "tracking_number")
    op.drop_index("ix_notification_preference_user_id", table_name="notification_preference")
    op.drop_table("notification_preference")
