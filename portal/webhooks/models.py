"""A company's webhook endpoints and one delivery row per (event, endpoint)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db

# The events an endpoint can ask for, in the order the screen lists them, with how they read there.
EVENTS = {
    "collection.submitted": _l("An employee sent in their card data"),
    "order.placed": _l("An order was placed"),
    "order.approved": _l("An order was approved"),
    "card.activated": _l("A card became active"),
    "card.blocked": _l("A card was blocked"),
    "card.unblocked": _l("A card was unblocked"),
    "card.terminated": _l("A card was terminated"),
    "card.changed": _l("A card's holder data changed"),
    "print_job.failed": _l("A print job failed"),
}
TEST_EVENT = "webhook.test"  # sent by *Send test event* to one endpoint, whatever it asked for
ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret still signs this long after a rotation
STALE_CLAIM = timedelta(minutes=10)


class DeliveryState(StrEnum):
    PENDING = "pending", _l("Waiting"), "info"
    SENDING = "sending", _l("Sending"), "primary"
    DELIVERED = "delivered", _l("Delivered"), "success"
    FAILED = "failed", _l("Gave up"), "danger"


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoint"
    # Secrets are never audited: only what the endpoint is and wants.
    __audited__ = frozenset({"url", "description", "events", "enabled"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JsonType, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it is off: "" (on, or switched off by hand) or "failing" (the job switched it off).
    disabled_reason: Mapped[str] = mapped_column(String(20), default="")
    # Since when every delivery has failed (None: the last one went through).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __str__(self) -> str:
        return self.url

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one during the overlap."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        # The claim takes each endpoint's oldest first; the log pages an endpoint's newest first.
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_delivery_created", "created_at"),  # the job prunes the log by age
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    # The `webhook-id` header: the same for every try (and for *Send again*), so a receiver can drop repeats.
    message_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    # The exact body, serialised once: every try sends (and signs) the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()
