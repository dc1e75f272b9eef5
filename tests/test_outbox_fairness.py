"""One company's bulk email never holds up anyone else's: the outbox claims urgent mail (password
resets, sign-in links, approvals) before bulk (data-collection requests and reminders), and lets the
companies take turns within each."""
from __future__ import annotations

from sqlalchemy import select

from portal.collection.operations import import_csv
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.outbox.models import OutboxEmail, OutboxState, Priority
from portal.outbox.tasks import _claim_batch, send_pending_emails
from portal.security.password_reset import send_password_reset
from tests.fixtures.servers import body_text


def _import(company, orderer, ct, count: int, domain: str) -> None:
    rows = "\n".join(f"p{n}@{domain},First{n},Last{n}" for n in range(count))
    outcome = import_csv(company, orderer, ct, f"EMAIL,First name,Last name\n{rows}\n".encode(), collect_by_email=True)
    assert outcome.created == count
    db.session.commit()  # the upload's request commits; operations only flush


def test_a_password_reset_goes_out_in_the_first_batch_after_another_companys_2000_invitations(
        db, collect, make_company, make_user, smtp_server):
    company_a, orderer, ct, _ = collect
    _import(company_a, orderer, ct, 2000, "a.se")
    company_b = make_company("Other AB")
    make_user(company_b, email="bo@other.se")
    assert send_password_reset("bo@other.se")
    db.session.commit()
    result = send_pending_emails(limit=50)  # the first run: a batch far smaller than the queue
    assert result == {"sent": 50, "failed": 0}
    [reset] = smtp_server.wait_for("bo@other.se")
    assert "/reset/" in body_text(reset)
    assert smtp_server.messages[0]["To"] == "bo@other.se"  # ahead of the bulk, not merely inside the batch


def test_companies_take_turns_with_their_bulk_mail(db, collect, make_company, make_user):
    company_a, orderer_a, ct, _ = collect
    _import(company_a, orderer_a, ct, 2000, "a.se")
    company_b = make_company("Small AB")
    orderer_b = make_user(company_b, email="orderer@small.se")
    _import(company_b, orderer_b, ct, 5, "small.se")  # queued after all of A's
    batch = _claim_batch(utcnow(), 20)
    assert sorted(e.to for e in batch if e.company_id == company_b.id) == [f"p{n}@small.se" for n in range(5)]
    assert len(batch) == 20 and all(e.state == OutboxState.SENDING.value for e in batch)


def test_bulk_and_urgent_mail_are_told_apart_by_kind(db, collect, make_user):
    company, orderer, ct, _ = collect
    _import(company, orderer, ct, 1, "a.se")
    user = make_user(company, email="anna@x.se")
    send_password_reset(user.email)
    db.session.commit()
    kinds = dict(db.session.execute(select(OutboxEmail.kind, OutboxEmail.priority)).all())
    assert kinds == {"collection_request": Priority.BULK, "password_reset": Priority.URGENT}


def test_claims_running_at_once_never_take_the_same_email(app, db, collect, make_company, make_user):
    """Four outbox runs at the same moment (threads, each its own connection; PostgreSQL in its pass)."""
    import threading

    from portal.infra.extensions import db as _db

    company_a, orderer, ct, _ = collect
    _import(company_a, orderer, ct, 300, "a.se")
    company_b = make_company("Other AB")
    _import(company_b, make_user(company_b, email="o@other.se"), ct, 100, "b.se")
    start, claimed, errors = threading.Barrier(4), [], []

    def run():
        with app.app_context():
            try:
                start.wait(10)
                claimed.append([e.id for e in _claim_batch(utcnow(), 150)])
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    workers = [threading.Thread(target=run) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    ids = [i for batch in claimed for i in batch]
    assert len(ids) == len(set(ids)) and len(ids) > 0  # every email claimed by one run at most
    db.session.expire_all()
    sending = db.session.scalars(select(OutboxEmail.id).where(OutboxEmail.state == OutboxState.SENDING.value)).all()
    assert sorted(sending) == sorted(ids)
