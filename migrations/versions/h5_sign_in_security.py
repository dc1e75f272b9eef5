"""sign-in security: TOTP secrets and recovery codes of back-office users, server-side signed-in sessions

Revision ID: h5_sign_in_security
Revises: 1c692334c3f2
"""
import sqlalchemy as sa
from alembic import op

revision = "h5_sign_in_security"
down_revision = "1c692334c3f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "two_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("last_used_step", sa.Integer(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_two_factor_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factor")),
        sa.UniqueConstraint("user_id", name=op.f("uq_two_factor_user_id")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_recovery_code_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)
    op.create_table(
        "signed_in_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("portal_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["portal_account_id"], ["portal_account.id"],
                                name=op.f("fk_signed_in_session_portal_account_id_portal_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_signed_in_session_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_in_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_signed_in_session_key_hash")),
    )
    with op.batch_alter_table("signed_in_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signed_in_session_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signed_in_session_portal_account_id"), ["portal_account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signed_in_session_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("signed_in_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_in_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_signed_in_session_portal_account_id"))
        batch_op.drop_index(batch_op.f("ix_signed_in_session_created_at"))
    op.drop_table("signed_in_session")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    op.drop_table("two_factor")
