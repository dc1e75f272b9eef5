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


# Plain ADD / DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild of a table on SQLite drops it
# and its dependants' rows go with it (ON DELETE CASCADE).


def upgrade():
    op.add_column("audit_event", sa.Column("subject", sa.String(length=60), nullable=False, server_default=""))


def downgrade():
    op.drop_column("audit_event", "subject")
