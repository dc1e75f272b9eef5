"""The print-queue job: claim due jobs, render, deliver, record. Never prints a job twice."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from portal.cards.operations import activate_printed_card
from portal.infra.claims import claim_due
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.printing.models import INTERRUPTED, PRINTER_DISABLED, PrintJob, PrintJobStatus
from portal.printing.operations import MAX_ATTEMPTS, deliver, render_job, retry_delay
from portal.printing.signals import print_job_failed

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
PRINTER_OFF_PAUSE = timedelta(minutes=5)


def _claim(now, limit: int) -> list[PrintJob]:
    return claim_due(PrintJob, PrintJob.status, waiting=PrintJobStatus.QUEUED.value,
                     working=PrintJobStatus.PRINTING.value, due_column=PrintJob.next_attempt_at, now=now, limit=limit,
                     attempts=PrintJob.attempts + 1)


@scheduled("print_queue", 10)
def process_print_queue(now=None, limit: int = 20) -> dict[str, int]:
    """Print what is due. A job that fails is retried (bounded); a reprint is always explicit."""
    now = now or utcnow()
    # A job claimed by a process that died may or may not have printed: never guess, mark it failed
    # so a person looks at the card and reprints explicitly.
    stale = list(db.session.scalars(select(PrintJob.id).where(PrintJob.status == PrintJobStatus.PRINTING.value,
                                                              PrintJob.claimed_at < now - STALE_CLAIM)))
    if stale:
        db.session.execute(
            update(PrintJob)
            .where(PrintJob.id.in_(stale), PrintJob.status == PrintJobStatus.PRINTING.value)
            .values(status=PrintJobStatus.FAILED.value, claim=None, error=INTERRUPTED)
            .execution_options(synchronize_session="fetch")
        )
        for job in db.session.scalars(select(PrintJob).where(PrintJob.id.in_(stale),
                                                             PrintJob.status == PrintJobStatus.FAILED.value)):
            print_job_failed.send(job)
    printed = failed = 0
    for job in _claim(now, limit):
        if not job.printer.enabled:
            # A disabled printer (out of ribbon, being serviced) keeps its jobs waiting, uncounted.
            job.status, job.claim, job.attempts = PrintJobStatus.QUEUED.value, None, job.attempts - 1
            job.next_attempt_at, job.error = now + PRINTER_OFF_PAUSE, PRINTER_DISABLED
            db.session.commit()
            continue
        try:
            job.output = deliver(job, render_job(job))
        except Exception as exc:  # noqa: BLE001 - any backend failure is recorded on the job
            log.warning("print job %s failed: %s", job.id, exc)
            job.error = str(exc)[:2000]
            if job.attempts < MAX_ATTEMPTS:
                job.status = PrintJobStatus.QUEUED.value
                job.next_attempt_at = now + retry_delay(job.attempts)
            else:
                job.status = PrintJobStatus.FAILED.value
                print_job_failed.send(job)
            failed += 1
        else:
            job.status = PrintJobStatus.PRINTED.value
            job.printed_at = utcnow()
            job.error = ""
            if job.card is not None:
                activate_printed_card(job.card)
            printed += 1
        job.claim = None
        db.session.commit()
    return {"printed": printed, "failed": failed}
