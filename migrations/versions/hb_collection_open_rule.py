"""data collection: the database holds "no open duplicate" (a partial unique index on open requests,
emails in lower case), manual reminders counted apart from the automatic ones, and what a rejection
asked the employee to change

Revision ID: hb_collection_open_rule
Revises: h11_local_print_approval
"""
import sqlalchemy as sa
from alembic import op

revision = "hb_collection_open_rule"
down_revision = "h11_local_print_approval"
branch_labels = None
depends_on = None

OPEN = "status IN ('pending', 'in_review', 'rejected') AND email != ''"


def upgrade():
    with op.batch_alter_table("collection_request") as batch:
        batch.add_column(sa.Column("rejected_steps", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("manual_reminders_sent", sa.Integer(), nullable=False, server_default="0"))
    # Emails are compared case-insensitively: store them in lower case so a plain index can hold the rule.
    op.execute(f"UPDATE collection_request SET email = lower(email) WHERE {OPEN}")
    # Duplicates made before the rule (two uploads at once): keep the oldest open request of each address,
    # withdraw the others (their links then say the request was cancelled).
    op.execute(
        "UPDATE collection_request SET status = 'removed' "
        f"WHERE {OPEN} AND EXISTS (SELECT 1 FROM collection_request AS older "
        "WHERE older.company_id = collection_request.company_id "
        "AND older.card_type_id = collection_request.card_type_id AND older.email = collection_request.email "
        "AND older.status IN ('pending', 'in_review', 'rejected') AND older.id < collection_request.id)"
    )
    op.create_index("uq_collection_request_open_email", "collection_request", ["company_id", "card_type_id", "email"],
                    unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index("uq_collection_request_open_email", table_name="collection_request")
    with op.batch_alter_table("collection_request") as batch:
        batch.drop_column("manual_reminders_sent")
        batch.drop_column("rejected_steps")
