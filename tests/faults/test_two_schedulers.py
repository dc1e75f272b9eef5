"""Requirement: two scheduler processes against one PostgreSQL database for about a minute send no
reminder twice, print no job twice and run retention once (checked in the database, on the SMTP
server and in the printer's log). Real OS processes; job intervals shortened by configuration.

SQLite serves one machine with one scheduler, so these tests need PostgreSQL (CI runs them there).
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.jobs import SCHEDULER_LOCK_ID
from portal.ordering.models import Order, OrderLine
from portal.outbox.mail import queue_email
from portal.outbox.models import OutboxEmail, OutboxState
from portal.printing.models import Printer, PrintJob, PrintJobStatus

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.smtp


@pytest.fixture()
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("two scheduler processes need a shared PostgreSQL database (SQLite runs one scheduler)")


@pytest.fixture()
def fake_lp(tmp_path):
    """A CUPS `lp` that only writes down what it was asked to print: one line per print."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text('#!/bin/sh\n# lp -d QUEUE -t TITLE FILE\necho "$4" >> "$FAKE_LP_LOG"\necho "request id is $2-1"\n')
    lp.chmod(0o755)
    log = tmp_path / "lp.log"
    log.touch()
    return bin_dir, log


def _photo() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


class Work:
    """Everything the jobs have to do, and the checks that it was done exactly once."""

    def __init__(self, db, company, user, card_type, printer):
        self.db, self.company, self.user, self.ct, self.printer = db, company, user, card_type, printer
        self.invitations: list[str] = []
        self.reminded: list[str] = []
        self.photos: list[str] = []
        self.n = 0

    def add_emails(self, count: int) -> None:
        for _ in range(count):
            self.n += 1
            to = f"invite{self.n}@alfa.se"
            queue_email(to, "user_invitation", "en", company_id=self.company.id, company=self.company,
                        user=self.user, invited_by=self.user, token="t")
            self.invitations.append(to)
        self.db.session.commit()

    def add_prints(self, count: int) -> None:
        for _ in range(count):
            self.db.session.add(PrintJob(company_id=self.company.id, printer_id=self.printer.id, is_test_page=True))
        self.db.session.commit()

    def add_reminders_due(self, count: int) -> None:
        now = utcnow()
        for i in range(count):
            to = f"remind{i}@alfa.se"
            self.db.session.add(CollectionRequest(
                company_id=self.company.id, card_type_id=self.ct.id, email=to, status="pending", language="en",
                token_salt=f"salt{i}", token_hash=f"hash{i}", sent_at=now - timedelta(days=6), last_sent_at=now - timedelta(days=6),
                expires_at=now + timedelta(days=30)))
            self.reminded.append(to)
        self.db.session.commit()

    def add_retention_due(self, count: int) -> None:
        at = utcnow() - timedelta(days=400)
        for _ in range(count):
            i = len(self.photos)
            photo = _photo()
            self.photos.append(photo)
            order = Order(company_id=self.company.id, number=f"CW-OLD-{i}", orderer_id=self.user.id, total=Decimal(89),
                          placed_at=at, last_activity_at=at, status="delivered", delivery={"name": "Åsa"})
            order.lines = [OrderLine(kind="card", card_type_id=self.ct.id, description="Badge", unit_price=Decimal(89),
                                     holder_name="Åsa Öberg", holder_data={"first_name": "Åsa"}, photo_key=photo)]
            self.db.session.add(order)
            self.db.session.flush()
            self.db.session.add(Card(company_id=self.company.id, order_id=order.id, order_line_id=order.lines[0].id,
                                     card_type_id=self.ct.id, holder_name="Åsa Öberg", photo_key=photo,
                                     status="terminated", holder_data={}))
        self.db.session.commit()

    def all_done(self) -> bool:
        s = self.db.session
        s.expire_all()
        waiting_mail = s.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.state != OutboxState.SENT.value))
        waiting_print = s.scalar(select(func.count()).select_from(PrintJob).where(
            PrintJob.status != PrintJobStatus.PRINTED.value))
        reminders = s.scalar(select(func.count()).select_from(CollectionRequest).where(
            CollectionRequest.reminders_sent == 0))
        retention = s.scalar(select(func.count()).select_from(Order).where(Order.anonymised_at.is_(None)))
        return not (waiting_mail or waiting_print or reminders or retention)

    def wait_until_done(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.all_done():
            assert time.monotonic() < deadline, "the schedulers did not finish the work in time"
            time.sleep(0.5)

    def assert_each_done_once(self, inbox, lp_log: Path) -> None:
        s = self.db.session
        s.expire_all()
        # SMTP server: one message per recipient, nothing else.
        received = Counter(m["X-Envelope-To"] for m in inbox.messages)
        expected = Counter(self.invitations + self.reminded)
        assert received == expected
        # Database: every email sent on its first attempt, one reminder per request.
        assert {(e.state, e.attempts) for e in s.scalars(select(OutboxEmail))} == {(OutboxState.SENT.value, 1)}
        assert Counter(s.scalars(select(OutboxEmail.to).where(OutboxEmail.kind == "collection_reminder"))) == \
            Counter(self.reminded)
        assert set(s.scalars(select(CollectionRequest.reminders_sent))) == {1}
        # Printer: each job handed over once, printed on its first attempt.
        jobs = list(s.scalars(select(PrintJob)))
        assert {(j.status, j.attempts) for j in jobs} == {(PrintJobStatus.PRINTED.value, 1)}
        printed = Counter(lp_log.read_text().split())
        assert printed == Counter(f"cardwright-job-{j.id}.png" for j in jobs)
        # Retention: every order and photo anonymised by exactly one run (the runs' audit events add up to
        # the totals: a second run over the same orders would count them, or their photos, again).
        runs = list(s.scalars(select(AuditEvent.changes).where(AuditEvent.action == "retention.run")))
        assert runs and all(run["orders"][1] > 0 for run in runs)
        assert sum(run["orders"][1] for run in runs) == len(self.photos)
        assert sum(run["photos"][1] for run in runs) == len(self.photos)
        assert not any(storage.exists(p) for p in self.photos)
        assert set(s.scalars(select(OrderLine.holder_name))) == {""}


@pytest.fixture()
def work(db, make_company, make_user, make_card_type):
    company = make_company("Alfa AB", retention_months=12, reminder_count=2, reminder_days=10)
    user = make_user(company, role="admin")
    ct = make_card_type()
    printer = Printer(company_id=company.id, name="Desk printer", backend="cups", target="desk")
    db.session.add(printer)
    db.session.commit()
    w = Work(db, company, user, ct, printer)
    w.add_emails(15)
    w.add_prints(8)
    w.add_reminders_due(8)
    w.add_retention_due(3)
    return w


def _env(app, smtp_server, fake_lp, name: str) -> dict:
    bin_dir, log = fake_lp
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"] + f"?application_name={name}",
        "SECRET_KEY": app.config["SECRET_KEY"], "CARDWRIGHT_ENV": "development", "SCHEDULER_ENABLED": "false",
        "STORAGE_DIR": app.config["STORAGE_DIR"], "PRINT_HOT_FOLDER_ROOT": app.config["PRINT_HOT_FOLDER_ROOT"],
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "MAIL_TIMEOUT": "3",
        "JOB_INTERVALS": "outbox=1,reminders=1,print_queue=1,retention=1", "SCHEDULER_LOCK_POLL_SECONDS": "1",
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "FAKE_LP_LOG": str(log), "PYTHONUNBUFFERED": "1",
    })
    return env


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _lock_holder(db) -> str | None:
    return db.session.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.objid = :k AND l.granted"), {"k": SCHEDULER_LOCK_ID}).scalar()


def test_two_flask_scheduler_processes_do_everything_once_and_the_second_takes_over(
        app, db, postgres, smtp_server, fake_lp, work, tmp_path):
    flask = [sys.executable, "-m", "flask", "--app", "app", "scheduler"]
    procs = {name: _start(flask, _env(app, smtp_server, fake_lp, name), tmp_path / f"{name}.log")
             for name in ("scheduler-a", "scheduler-b")}
    try:
        work.wait_until_done(40)
        holder = _lock_holder(db)
        db.session.rollback()
        assert holder in procs, holder
        # The holder dies (kill -9): the other one takes the lock and carries on with new work.
        procs[holder].kill()
        procs[holder].wait(10)
        work.add_emails(5)
        work.add_prints(4)
        work.add_retention_due(2)
        work.wait_until_done(30)
        survivor = _lock_holder(db)
        db.session.rollback()
        assert survivor in procs and survivor != holder
    finally:
        for proc in procs.values():
            _stop(proc)
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in procs}
    assert not any("Traceback" in log for log in logs.values()), logs
    work.assert_each_done_once(smtp_server, fake_lp[1])


def test_two_job_loops_without_any_lock_still_do_everything_once(
        app, db, postgres, smtp_server, fake_lp, work, tmp_path):
    loop = [sys.executable, "-m", "tests.faults.job_loop", os.environ.get("TWO_SCHEDULERS_SECONDS", "25")]
    procs = [_start(loop, _env(app, smtp_server, fake_lp, f"loop-{i}"), tmp_path / f"loop-{i}.log") for i in range(2)]
    try:
        for _ in range(10):  # keep work coming while both run
            time.sleep(1)
            work.add_emails(3)
            work.add_prints(2)
            work.add_retention_due(2)
        work.wait_until_done(40)
    finally:
        codes = [proc.wait(90) for proc in procs]
    logs = [(tmp_path / f"loop-{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], logs
    assert all("runs=" in log for log in logs), logs
    work.assert_each_done_once(smtp_server, fake_lp[1])
