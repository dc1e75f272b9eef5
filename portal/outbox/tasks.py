"""The outbox job: claim due emails, send them over SMTP, record each result."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from time import monotonic

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import func, select, text, update

from portal.infra.claims import claim_due
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.outbox.international import NeedsSmtpUtf8, ascii_domain, needs_smtputf8, send_international
from portal.outbox.models import MAX_ATTEMPTS, STALE_CLAIM, OutboxEmail, OutboxState

log = logging.getLogger(__name__)



class _TimeoutConnection(Connection):
    """Flask-Mail's connection opens SMTP without a timeout; a dead server would hang the job."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        m = self.mail
        host = (smtplib.SMTP_SSL if m.use_ssl else smtplib.SMTP)(m.server, m.port, timeout=timeout)
        if m.use_tls:
            host.starttls()
        if m.username and m.password:
            host.login(m.username, m.password)
        return host


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most an hour between tries."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim_batch(now: datetime, limit: int) -> list[OutboxEmail]:
    # A claim left by a crash (process died between claiming and sending) is released: at most one
    # duplicate, never a loss.
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.state == OutboxState.SENDING.value, OutboxEmail.claimed_at < now - STALE_CLAIM)
        .values(state=OutboxState.PENDING.value, claim=None)
    )
    batch = claim_due(OutboxEmail, OutboxEmail.state, waiting=OutboxState.PENDING.value,
                      working=OutboxState.SENDING.value, due_column=OutboxEmail.next_attempt_at, now=now, limit=limit,
                      candidates=_fair_order(now, limit))
    return sorted(batch, key=lambda email: (email.priority, email.id))


def _fair_order(now: datetime, limit: int):
    """The next `limit` due emails: urgent before bulk, and within each, the companies take turns
    (each one's oldest first), so 20,000 invitations of one company delay nobody else's mail."""
    turn = func.row_number().over(partition_by=(OutboxEmail.priority, OutboxEmail.company_id),
                                  order_by=OutboxEmail.id).label("turn")
    due = (select(OutboxEmail.id, OutboxEmail.priority, turn)
           .where(OutboxEmail.state == OutboxState.PENDING.value, OutboxEmail.next_attempt_at <= now).subquery())
    return select(due.c.id).order_by(due.c.priority, due.c.turn, due.c.id).limit(limit)


@scheduled("outbox", 15)
def send_pending_emails(now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send what is due in the outbox over one SMTP connection. Returns counts sent and failed."""
    now = now or utcnow()
    limit = limit or current_app.config.get("OUTBOX_BATCH_SIZE", 200)
    batch = _claim_batch(now, limit)
    sent = failed = 0
    if not batch:
        return {"sent": 0, "failed": 0}
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        conn = _TimeoutConnection(current_app.extensions["mail"])
        conn.__enter__()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP unavailable: %s", exc)
        for email in batch:
            _record_failure(email, now, f"SMTP server unavailable: {exc}")
        db.session.commit()
        return {"sent": 0, "failed": len(batch)}
    started = monotonic()
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False  # a commit per message must not reload the whole batch (O(n^2))
    try:
        for done, email in enumerate(batch):
            if monotonic() - started > STALE_CLAIM.total_seconds() / 2:
                # A slow server: hand the rest back before another worker could take the claim as stale
                # and send them a second time.
                _release(batch[done:])
                break
            _relaxed_commit()
            try:
                _send_one(conn, email, sender)
            except NeedsSmtpUtf8 as exc:
                _record_failure(email, now, str(exc), permanent=True)
                failed += 1
            except smtplib.SMTPRecipientsRefused as exc:
                permanent = all(code >= 500 for code, _msg in exc.recipients.values())
                _record_failure(email, now, _smtp_error(exc), permanent=permanent)
                failed += 1
            except Exception as exc:  # noqa: BLE001 - one bad message (or a dropped connection) is recorded on
                # that message and retried later; it must not leave the rest of the batch claimed. An address
                # the server cannot take (non-ASCII without SMTPUTF8) will never go: give up at once.
                _record_failure(email, now, _smtp_error(exc), permanent=isinstance(exc, UnicodeError))
                failed += 1
            else:
                email.state = OutboxState.SENT.value
                # The bodies hold personal links: once delivered, only the envelope stays (to, subject, dates).
                email.body_text = email.body_html = ""
                email.sent_at = utcnow()
                email.attempts += 1
                email.claim = None
                sent += 1
            # Commit per message so a crash later in the batch does not resend these.
            db.session.commit()
    finally:
        session.expire_on_commit = expire
        session.expire_all()
        try:
            conn.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
    return {"sent": sent, "failed": failed}


def _send_one(conn: Connection, email: OutboxEmail, sender: str) -> None:
    """One message: the domain in IDNA form; a local part outside ASCII over SMTPUTF8 (or NeedsSmtpUtf8)."""
    if needs_smtputf8(email.to):
        if conn.host is None:  # MAIL_SUPPRESS_SEND: nothing goes out
            return
        send_international(conn.host, sender, email.to, email.subject, email.body_text, email.body_html or None)
        return
    conn.send(Message(subject=email.subject, recipients=[ascii_domain(email.to)], body=email.body_text,
                      html=email.body_html or None, sender=sender))


def _smtp_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for to, (code, msg) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


def _release(emails: list[OutboxEmail]) -> None:
    for email in emails:
        email.state, email.claim = OutboxState.PENDING.value, None
    db.session.commit()


def _relaxed_commit() -> None:
    """PostgreSQL: this transaction's commit need not wait for the disk. A crash can then forget that
    a message went out, so it is sent once more: still at most one duplicate, never a loss."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _record_failure(email: OutboxEmail, now: datetime, error: str, *, permanent: bool = False) -> None:
    """Count the attempt and schedule the next one (backing off); give up after MAX_ATTEMPTS or a
    permanent refusal (5xx), leaving the email visible to the operator with its last error."""
    email.attempts += 1
    email.last_error = error[:2000]
    email.claim = None
    if permanent or email.attempts >= MAX_ATTEMPTS:
        email.state = OutboxState.FAILED.value
    else:
        email.state = OutboxState.PENDING.value
        email.next_attempt_at = now + backoff(email.attempts)

