"""Issue 12.25: "Send reminders to all" pressed twice (or twice at the same moment) reminds each person
once; reminders by hand are counted apart and never use up the automatic ones."""
import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from portal.collection.email_list import split_email_list
from portal.collection.models import REMINDER_GAP, CollectionRequest
from portal.collection.operations import remind_all, send_requests
from portal.collection.tasks import send_due_reminders
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


def _reminders() -> list[str]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(OutboxEmail.to).where(OutboxEmail.kind == "collection_reminder")))


def _sent_days_ago(days: float) -> None:
    then = utcnow() - timedelta(days=days)
    _db.session.execute(update(CollectionRequest).values(sent_at=then, last_sent_at=then))
    _db.session.commit()


def test_pressing_remind_all_twice_reminds_each_person_once(client, db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se b@x.se c@x.se").valid)
    _sent_days_ago(2)
    client.login(orderer.email)
    first = html_text(client.post("/admin/collection/pending/remind-all", follow_redirects=True))
    second = html_text(client.post("/admin/collection/pending/remind-all", follow_redirects=True))
    assert "3 reminders sent." in first
    assert "reminders sent" not in second and "3 people got an email in the last 20 hours" in second
    assert sorted(_reminders()) == ["a@x.se", "b@x.se", "c@x.se"]
    # Counted apart: the company's two automatic reminders are all still to come.
    page = html_text(client.get("/admin/collection/pending"))
    assert page.count("0 of 2 automatic 1 sent by hand") == 3 and "1 of 2" not in page


def test_two_presses_at_the_same_moment_remind_each_person_once(app, db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list(" ".join(f"p{i}@x.se" for i in range(30))).valid)
    _sent_days_ago(2)
    company_id, barrier, results = company.id, threading.Barrier(3), []

    def press():
        from portal.tenancy.models import Company

        with app.app_context():
            barrier.wait()
            results.append(remind_all(_db.session.get(Company, company_id)).sent)
            _db.session.commit()
            _db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [0, 0, 30]
    assert len(_reminders()) == 30 and len(set(_reminders())) == 30


def test_a_reminder_by_hand_does_not_use_up_the_automatic_ones(db, collect):
    company, orderer, ct, _ = collect  # 2 automatic reminders within 10 days: day 5 and day 10
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _sent_days_ago(4.9)
    assert remind_all(company).sent == 1
    db.session.commit()
    # Day 5 (in 2.4 hours): the automatic slot is due, but the reminder by hand was just sent: it waits the gap.
    now = utcnow()
    assert send_due_reminders(now=now + REMINDER_GAP / 2) == 0
    assert send_due_reminders(now=now + REMINDER_GAP + timedelta(minutes=1)) == 1
    assert send_due_reminders(now=now + timedelta(days=7)) == 1  # day 11: the second automatic one
    assert send_due_reminders(now=now + timedelta(days=20)) == 0
    req = db.session.scalar(select(CollectionRequest))
    db.session.refresh(req)
    assert (req.reminders_sent, req.manual_reminders_sent) == (2, 1)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 1 + 3
