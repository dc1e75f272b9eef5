"""A company's webhook endpoints: add, change, switch on and off, rotate the secret, delete, send a
test event, send a delivery again, and the delivery log. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.operations import record
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, Membership, Role, User
from portal.webhooks.events import delivery_for, iso, payload
from portal.webhooks.models import EVENTS, ROTATION_OVERLAP, TEST_EVENT, WebhookDelivery, WebhookEndpoint
from portal.webhooks.signing import new_secret
from portal.webhooks.transport import UrlProblem, check_endpoint_url

MAX_ENDPOINTS = 20
LOG_PAGE = 25


class WebhookError(ValueError):
    """Something the company admin can fix; str() is the message, `field` the form field it is about."""

    def __init__(self, message, field: str = "url"):
        super().__init__(message)
        self.field = field


def check_url(url: str) -> str:
    """The URL as stored, or WebhookError saying why it cannot be used (its form, where it resolves to)."""
    try:
        return check_endpoint_url(url, allow_http=bool(current_app.config.get("WEBHOOKS_ALLOW_HTTP")),
                                  allow_private=bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE")))
    except UrlProblem as exc:
        raise WebhookError(str(exc)) from exc


def _events(events) -> list[str]:
    chosen = [e for e in EVENTS if e in set(events or ())]
    if not chosen:
        raise WebhookError(_l("Choose at least one event to send."), field="events")
    return chosen


def endpoints_of(company: Company) -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.company_id == company.id)
                                   .order_by(WebhookEndpoint.id)))


def own_endpoint(company: Company, endpoint_id) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, int(endpoint_id))
    if endpoint is None or endpoint.company_id != company.id:
        raise LookupError(endpoint_id)
    return endpoint


def create_endpoint(company: Company, user: User | None, url: str, description: str, events) -> tuple[
        WebhookEndpoint, str]:
    """A new endpoint, on; returns it with its secret (shown once: only the database keeps it)."""
    count = db.session.scalar(select(func.count()).select_from(WebhookEndpoint)
                              .where(WebhookEndpoint.company_id == company.id)) or 0
    if count >= MAX_ENDPOINTS:
        raise WebhookError(_l("A company can have at most %(count)d endpoints.", count=MAX_ENDPOINTS))
    events = _events(events)
    endpoint = WebhookEndpoint(company_id=company.id, url=check_url(url), description=(description or "").strip()[:200],
                               events=events, secret=new_secret(), enabled=True)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, endpoint.secret


def update_endpoint(company: Company, endpoint: WebhookEndpoint, url: str, description: str, events) -> None:
    _check_owned(company, endpoint)
    events = _events(events)
    endpoint.url, endpoint.description, endpoint.events = check_url(url), (description or "").strip()[:200], events


def set_enabled(company: Company, endpoint: WebhookEndpoint, enabled: bool) -> None:
    """On or off by hand. Switched on again, it starts afresh: the waiting deliveries are tried now."""
    _check_owned(company, endpoint)
    endpoint.enabled, endpoint.disabled_reason = enabled, ""
    if enabled:
        endpoint.failing_since = None
        db.session.execute(WebhookDelivery.__table__.update()
                           .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == "pending")
                           .values(next_attempt_at=utcnow()))


def rotate_secret(company: Company, user: User | None, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret; the current one keeps signing (next to the new one) for ROTATION_OVERLAP."""
    _check_owned(company, endpoint)
    now = now or utcnow()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    record("webhook.secret_rotated", company_id=company.id, obj=endpoint, summary=endpoint.url,
           user_id=user.id if user else None)
    return endpoint.secret


def delete_endpoint(company: Company, endpoint: WebhookEndpoint) -> None:
    _check_owned(company, endpoint)
    db.session.execute(WebhookDelivery.__table__.delete().where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)


def send_test_event(company: Company, user: User | None, endpoint: WebhookEndpoint,
                    now: datetime | None = None) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint only, sent by the job's next run (also when it is off)."""
    _check_owned(company, endpoint)
    now = now or utcnow()
    data = {"endpoint_id": endpoint.id, "company_id": company.id, "sent_by": user.email if user else None,
            "sent_at": iso(now)}
    return delivery_for(endpoint, TEST_EVENT, payload(TEST_EVENT, data, now), now)


def own_delivery(company: Company, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery:
    delivery = db.session.get(WebhookDelivery, int(delivery_id))
    if delivery is None or delivery.company_id != company.id or delivery.endpoint_id != endpoint.id:
        raise LookupError(delivery_id)
    return delivery


def send_again(company: Company, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """A new delivery of the same message (same body and `webhook-id`: the receiver can tell it is a repeat)."""
    if delivery.company_id != company.id:
        raise LookupError(delivery.id)
    now = now or utcnow()
    again = WebhookDelivery(company_id=company.id, endpoint_id=delivery.endpoint_id, message_id=delivery.message_id,
                            event_type=delivery.event_type, payload=delivery.payload, state="pending",
                            next_attempt_at=now, created_at=now)
    db.session.add(again)
    db.session.flush()
    return again


@dataclass
class LogPage:
    rows: list[WebhookDelivery]
    page: int
    pages: int
    total: int


def delivery_log(endpoint: WebhookEndpoint, page: int = 0, per_page: int = LOG_PAGE) -> LogPage:
    """The endpoint's deliveries, newest first, a page at a time."""
    total = db.session.scalar(select(func.count(WebhookDelivery.id))
                              .where(WebhookDelivery.endpoint_id == endpoint.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(0, page), pages - 1)
    rows = list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id.desc()).offset(page * per_page).limit(per_page)))
    return LogPage(rows, page, pages, total)


def last_deliveries(endpoints: list[WebhookEndpoint]) -> dict[int, WebhookDelivery]:
    """Each endpoint's newest delivery (for the list)."""
    if not endpoints:
        return {}
    newest = (select(func.max(WebhookDelivery.id)).where(WebhookDelivery.endpoint_id.in_([e.id for e in endpoints]))
              .group_by(WebhookDelivery.endpoint_id))
    rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(newest.scalar_subquery())))
    return {row.endpoint_id: row for row in rows}


def disable_failing(endpoint: WebhookEndpoint) -> int:
    """The job gave up on an endpoint that has failed for days: off (the audit listener records it, by
    nobody), and its company admins are told. Returns how many admins were emailed."""
    endpoint.enabled, endpoint.disabled_reason = False, "failing"
    company = db.session.get(Company, endpoint.company_id)
    admins = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.company_id == company.id, Membership.role == Role.ADMIN.value, Membership.active.is_(True),
        Membership.pending.is_(False)).order_by(User.id))
    sent = 0
    for admin in admins:
        queue_email(admin.email, "webhook_disabled", admin.language or company.language or "en",
                    company_id=company.id, company=company, user=admin, endpoint=endpoint,
                    failing_since=endpoint.failing_since)
        sent += 1
    return sent


def _check_owned(company: Company, endpoint: WebhookEndpoint) -> None:
    if endpoint.company_id != company.id:
        raise LookupError(endpoint.id)
