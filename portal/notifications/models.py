"""Which emails a user wants: one row per user and kind they changed from the default (all on)."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.infra.extensions import db


class NotificationPreference(db.Model):
    """A user's own choice for one kind of notification (kinds in `portal.notifications.operations.KINDS`).

    A user's, not a company's: the same choice holds in every company the user works for."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
