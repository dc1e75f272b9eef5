"""The audit log names whose personal data was read (keyed digests, portal.audit.reads).

Revision ID: h1_audit_subject
Revises: e1_notifications_saved_reports
"""
import sqlalchemy as sa
from alembic import op

revision = "h1_audit_subject"
down_revision = "e1_notifications_saved_reports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=60), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("subject")
