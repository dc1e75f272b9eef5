"""Writing events: one delivery row per endpoint that wants the event, in the caller's transaction.

Each payload is `{"type": ..., "timestamp": ISO 8601 UTC, "data": {...}}`, serialised once: every try
sends the same bytes. The data names the object by id and carries its main fields, never national ids
or photos.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint


def iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def payload(event_type: str, data: dict, now: datetime) -> str:
    return json.dumps({"type": event_type, "timestamp": iso(now), "data": data}, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def delivery_for(endpoint: WebhookEndpoint, event_type: str, body: str, now: datetime) -> WebhookDelivery:
    delivery = WebhookDelivery(company_id=endpoint.company_id, endpoint_id=endpoint.id, message_id=new_message_id(),
                               event_type=event_type, payload=body, state=DeliveryState.PENDING.value,
                               next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    return delivery


def emit(company_id: int, event_type: str, data: dict, now: datetime | None = None) -> int:
    """Queue the event for every enabled endpoint of the company that asked for it. Returns how many."""
    now = now or utcnow()
    endpoints = [e for e in db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.company_id == company_id, WebhookEndpoint.enabled.is_(True)).order_by(WebhookEndpoint.id))
        if event_type in (e.events or [])]
    if not endpoints:
        return 0
    body = payload(event_type, data, now)
    for endpoint in endpoints:
        delivery_for(endpoint, event_type, body, now)
    return len(endpoints)


def card_data(card, **extra) -> dict:
    return {"id": card.id, "status": card.status, "holder_name": card.holder_name,
            "holder_email": card.holder_email or None, "employee_number": card.employee_no or None,
            "card_number": card.card_number, "chip_uid": card.chip_uid, "card_type_id": card.card_type_id,
            "order_id": card.order_id, "status_reason": card.status_reason or None,
            "activated_at": iso(card.activated_at), "replaces_card_id": card.replaces_card_id, **extra}


def order_data(order, cards: int | None = None) -> dict:
    return {"id": order.id, "number": order.number, "status": order.status, "reference": order.reference or None,
            "cost_centre": order.cost_centre or None, "total": str(order.total), "currency": order.currency,
            "placed_at": iso(order.placed_at), "orderer_id": order.orderer_id,
            "approved_by_id": order.approved_by_id, "cards": cards}


def collection_data(req) -> dict:
    return {"id": req.id, "status": req.status, "email": req.email or None, "name": req.name or None,
            "card_type_id": req.card_type_id, "address_id": req.address_id,
            "submitted_at": iso(getattr(req, "submitted_at", None))}


def print_job_data(job) -> dict:
    return {"id": job.id, "card_id": job.card_id, "printer_id": job.printer_id,
            "printer_name": job.printer.name if job.printer else None, "attempts": job.attempts,
            "error": job.error or None, "is_test_page": job.is_test_page}
