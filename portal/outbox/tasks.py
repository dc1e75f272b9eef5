"""The outbox job: claim due emails, send them over a pool of SMTP connections, record each result."""
from __future__ import annotations

import logging
import queue
import smtplib
import uuid
from datetime import datetime, timedelta
from time import monotonic

from flask import current_app
from sqlalchemy import func, select, text, update

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.outbox.international import NeedsSmtpUtf8
from portal.outbox.models import MAX_ATTEMPTS, STALE_CLAIM, OutboxAttachment, OutboxEmail, OutboxState
from portal.outbox.pool import Pool, Settings, prepare, sender_text

log = logging.getLogger(__name__)



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
    # Statements on lists of ids, without subqueries: PostgreSQL with stale statistics (an import of
    # 10,000 emails a moment ago) ran the claim's subqueries once per row of the table (minutes).
    ids = list(db.session.scalars(_fair_order(now, limit)))
    if ids and db.engine.dialect.name == "postgresql":  # lock them, skipping any another run has locked
        ids = list(db.session.scalars(select(OutboxEmail.id).where(
            OutboxEmail.id.in_(ids), OutboxEmail.state == OutboxState.PENDING.value).with_for_update(skip_locked=True)))
    if not ids:
        db.session.commit()  # the released claims
        return []
    token = uuid.uuid4().hex
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_(ids), OutboxEmail.state == OutboxState.PENDING.value)
                       .values(state=OutboxState.SENDING.value, claim=token, claimed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()  # the claim is visible to other runs before the slow work
    batch = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.claim == token)))
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
    """Send what is due in the outbox over a small pool of SMTP connections. Returns counts sent and failed."""
    now = now or utcnow()
    limit = limit or current_app.config.get("OUTBOX_BATCH_SIZE", 200)
    batch = _claim_batch(now, limit)
    if not batch:
        return {"sent": 0, "failed": 0}
    settings = _settings()
    record = _Recorder(batch, now)
    items = []
    files = _attachments([email.id for email in batch])
    for email in batch:  # each message built once, before any connection opens
        try:
            items.append(prepare(email.id, email.priority, email.to, email.subject, email.body_text,
                                 email.body_html or None, settings.sender, tuple(files.get(email.id, ()))))
        except Exception as exc:  # noqa: BLE001 - a message that cannot be built never will be: give up at once
            record.failed(email.id, exc, permanent=True)
    size = max(1, int(current_app.config.get("OUTBOX_SMTP_CONNECTIONS", 4)))
    # A slow server: what is not started by half the stale-claim time is handed back, before another
    # worker could take the claim as stale and send it a second time.
    pool = Pool(settings, size, budget=STALE_CLAIM.total_seconds() / 2)
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False  # a commit per few hundred messages must not reload the whole batch
    try:
        if items:
            pool.start(len(items))
        for priority in sorted({item.priority for item in items}):
            group = [item for item in items if item.priority == priority]  # urgent first, all of it
            _send_group(pool, group, record)
        record.flush()
    finally:
        pool.stop()
        session.expire_on_commit = expire
        session.expire_all()
    return {"sent": record.sent_count, "failed": record.failed_count}


def _attachments(email_ids: list[int]) -> dict[int, list[tuple[str, str, bytes]]]:
    """The batch's attachments in one query, by email."""
    files: dict[int, list] = {}
    rows = db.session.execute(select(OutboxAttachment.email_id, OutboxAttachment.filename,
                                     OutboxAttachment.content_type, OutboxAttachment.content)
                              .where(OutboxAttachment.email_id.in_(email_ids)).order_by(OutboxAttachment.id))
    for email_id, filename, content_type, content in rows:
        files.setdefault(email_id, []).append((filename, content_type, content))
    return files


def _settings() -> Settings:
    m = current_app.extensions["mail"]
    return Settings(server=m.server, port=m.port, use_ssl=m.use_ssl, use_tls=m.use_tls, username=m.username,
                    password=m.password, timeout=current_app.config.get("MAIL_TIMEOUT", 10), suppress=m.suppress,
                    sender=sender_text(current_app.config["MAIL_DEFAULT_SENDER"]))


def _send_group(pool: Pool, group: list, record: _Recorder) -> None:
    """Hand the group to the connections and record every result; returns once all are accounted for."""
    for item in group:
        pool.jobs.put(item)
    waiting, down = len(group), None
    while waiting:
        try:
            result = pool.results.get(timeout=0.05)
        except queue.Empty:
            if pool.alive == 0:  # no connection left: what is still queued waits for the next run
                while waiting:
                    item = pool.jobs.get_nowait()
                    record.failed(item.email_id, f"SMTP server unavailable: {down}")
                    waiting -= 1
            record.flush_if_due()
            continue
        if result.kind == "down":
            pool.alive -= 1
            down = result.error
            log.warning("SMTP unavailable: %s", down)
            continue
        waiting -= 1
        if result.kind == "sent":
            record.sent(result.item.email_id)
        elif result.kind == "late":
            record.release(result.item.email_id)
        else:
            record.failed(result.item.email_id, result.error)
        record.flush_if_due()


class _Recorder:
    """Results into the database: sent emails marked in batches (one UPDATE each), failures one by one."""

    FLUSH_EVERY, FLUSH_SECONDS = 250, 0.5

    def __init__(self, batch: list[OutboxEmail], now: datetime) -> None:
        self.by_id = {email.id: email for email in batch}
        self.claim = batch[0].claim
        self.now = now
        self.pending_sent: list[int] = []
        self.sent_count = self.failed_count = 0
        self.dirty = False
        self.flushed_at = monotonic()

    def sent(self, email_id: int) -> None:
        self.pending_sent.append(email_id)
        self.sent_count += 1

    def failed(self, email_id: int, exc, *, permanent: bool | None = None) -> None:
        if permanent is None:
            permanent = _permanent(exc)
        _record_failure(self.by_id[email_id], self.now, exc if isinstance(exc, str) else _smtp_error(exc),
                        permanent=permanent)
        self.failed_count += 1
        self.dirty = True

    def release(self, email_id: int) -> None:
        email = self.by_id[email_id]
        email.state, email.claim = OutboxState.PENDING.value, None
        self.dirty = True

    def flush_if_due(self) -> None:
        if len(self.pending_sent) >= self.FLUSH_EVERY or monotonic() - self.flushed_at > self.FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.flushed_at = monotonic()
        if not self.pending_sent and not self.dirty:
            return
        _relaxed_commit()
        if self.pending_sent:
            # The bodies hold personal links: once delivered, only the envelope stays (to, subject, dates).
            # `claim` in the condition: a row another worker took over as stale is its to record.
            db.session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id.in_(self.pending_sent), OutboxEmail.claim == self.claim)
                .values(state=OutboxState.SENT.value, body_text="", body_html="", sent_at=utcnow(),
                        attempts=OutboxEmail.attempts + 1, claim=None)
                .execution_options(synchronize_session=False))
        db.session.commit()
        self.pending_sent, self.dirty = [], False


def _permanent(exc: BaseException) -> bool:
    """Refused for good (5xx for every recipient), or a message the server can never take (non-ASCII
    without SMTPUTF8): not delivered at once. Anything else (4xx, a dropped connection) is tried again."""
    if isinstance(exc, NeedsSmtpUtf8 | UnicodeError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return False


def _smtp_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for to, (code, msg) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


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

