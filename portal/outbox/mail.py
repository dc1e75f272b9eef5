"""Writing emails into the outbox: rendered in the recipient's language, sent later by the outbox job."""
from __future__ import annotations

import logging

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from portal.infra.bulk import insert_rows
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.outbox.models import OutboxAttachment, OutboxEmail, OutboxState, Priority

log = logging.getLogger(__name__)

# Emails sent by the thousand (a CSV import, the reminder job): they wait behind every email a person is
# waiting for, so one company's import never holds up another's password reset.
BULK_KINDS = frozenset({"collection_request", "collection_reminder"})


def priority_of(kind: str) -> int:
    return Priority.BULK if kind in BULK_KINDS else Priority.URGENT


def header_text(value: str) -> str:
    """One line for a mail header: a line break from a company or card-type name would make the
    message unsendable (and is how headers are injected)."""
    return " ".join((value or "").split())


def render_email(template: str, language: str, **context) -> tuple[str, str, str]:
    """Render `emails/<template>.{subject,txt,html}` in the recipient's language.

    Works outside a request too (scheduled jobs): links are built from BASE_URL either way.
    """
    if not has_request_context():
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            return render_email(template, language, **context)
    with force_locale(language or "en"):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", subject=subject, **context)
    return subject, text, html


def queue_email(
    to: str, template: str, language: str, *, company_id: int | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (), **context
) -> OutboxEmail:
    """Add an email to the outbox in the current transaction (sent after commit by the job), with
    `attachments` as (filename, content type, bytes)."""
    subject, text, html = render_email(template, language, **context)
    email = OutboxEmail(
        to=to, subject=header_text(subject)[:300], body_text=text, body_html=html, kind=template,
        company_id=company_id, priority=priority_of(template),
    )
    db.session.add(email)
    if attachments:
        db.session.flush()
        db.session.add_all(OutboxAttachment(email_id=email.id, filename=header_text(name)[:200],
                                            content_type=kind, content=data) for name, kind, data in attachments)
    return email


def queue_rows(rows: list[dict]) -> None:
    """Bulk-add pre-rendered emails (dicts with to, subject, body_text, body_html, kind, company_id)."""
    if rows:
        now = utcnow()
        for r in rows:
            r.setdefault("state", OutboxState.PENDING.value)
            r.setdefault("attempts", 0)
            r.setdefault("next_attempt_at", now)
            r.setdefault("created_at", now)
            r.setdefault("last_error", "")
            r.setdefault("priority", priority_of(r.get("kind", "")))
            r["subject"] = header_text(r.get("subject", ""))[:300]
        insert_rows(OutboxEmail.__table__, rows)  # COPY on PostgreSQL


