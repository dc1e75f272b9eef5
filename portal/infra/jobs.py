"""Scheduled jobs: plain functions that APScheduler calls inside an app context.

Every job is idempotent and claims its rows, so running it twice (or in two processes) is safe.
In production exactly one `flask scheduler` process runs them; on PostgreSQL a second one waits on
an advisory lock instead of running the jobs again.
"""
from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from portal.infra.extensions import db

log = logging.getLogger(__name__)
SCHEDULER_LOCK_ID = 72_310_001  # arbitrary, fixed: the PostgreSQL advisory lock of the scheduler


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], object]
    seconds: float

    @property
    def lock_key(self) -> int:
        """A stable advisory-lock key per job (hash() changes between processes)."""
        return SCHEDULER_LOCK_ID + 1 + zlib.crc32(self.id.encode()) % 1_000_000


_REGISTRY: dict[str, Job] = {}


def scheduled(job_id: str, seconds: float):
    """Register a feature's task as a scheduled job, next to the task (in its `tasks.py`).

    The application imports every feature's `tasks` module at start, so a task module that fails to
    import stops the start instead of silently dropping its job.
    """
    def register(func: Callable[[], object]) -> Callable[[], object]:
        known = _REGISTRY.get(job_id)
        if known is not None and known.func is not func and known.func.__qualname__ != func.__qualname__:
            raise ValueError(f"two scheduled jobs are called {job_id!r}")
        _REGISTRY[job_id] = Job(job_id, func, seconds)
        return func
    return register


def registered_jobs() -> list[Job]:
    """Every scheduled job with its default interval, in the order they were registered."""
    return list(_REGISTRY.values())


class UnknownJob(ValueError):
    pass


def job_intervals(app: Flask) -> dict[str, float]:
    """Each job's interval: its default, or JOB_INTERVALS. An unknown name there is an error (a typo
    would otherwise leave a job on its default without a word)."""
    overrides = app.config.get("JOB_INTERVALS") or {}
    unknown = sorted(set(overrides) - set(_REGISTRY))
    if unknown:
        raise UnknownJob(f"JOB_INTERVALS names unknown jobs: {', '.join(unknown)} "
                         f"(known: {', '.join(_REGISTRY)})")
    return {job.id: overrides.get(job.id, job.seconds) for job in _REGISTRY.values()}


def run_job(app: Flask, job: Job) -> object:
    """Run one job in a fresh app context; a failure is logged and never kills the scheduler.

    On PostgreSQL the run holds an advisory lock of its own, so however many schedulers run (web
    workers with SCHEDULER_ENABLED, a second `flask scheduler`), one job never runs twice at once.
    The rows each job takes are claimed as well, so this is a second line, not the only one.
    """
    with app.app_context():
        lock = _JobLock(job) if db.engine.dialect.name == "postgresql" else None
        try:
            if lock is not None and not lock.acquire():
                log.info("job %s is running elsewhere; skipped", job.id)
                return None
            return job.func()
        except Exception:  # noqa: BLE001 - a job must not take the scheduler down
            log.exception("job %s failed", job.id)
            db.session.rollback()
            return None
        finally:
            db.session.remove()
            if lock is not None:
                lock.release()


class _JobLock:
    """A session-level advisory lock on a connection of its own (the job's session commits freely)."""

    def __init__(self, job: Job):
        self.key = job.lock_key
        self.conn = None

    def acquire(self) -> bool:
        self.conn = db.engine.connect()
        got = self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        self.conn.commit()
        return bool(got)

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self.conn.commit()
            finally:
                self.conn.close()
            self.conn = None


def _configure(scheduler, app: Flask) -> None:
    intervals = job_intervals(app)
    for job in registered_jobs():
        seconds = intervals[job.id]
        scheduler.add_job(
            run_job, "interval", args=[app, job], seconds=seconds, id=job.id,
            replace_existing=True, misfire_grace_time=int(max(30, seconds)), coalesce=True, max_instances=1,
        )


def start_background_scheduler(app: Flask) -> BackgroundScheduler:
    """In-process scheduler for `flask serve` (one process). Jobs live in memory: nothing shared."""
    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    _configure(scheduler, app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    return scheduler


def run_scheduler_forever(app: Flask) -> None:
    """The production scheduler process. On PostgreSQL only the holder of the lock runs jobs."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            conn = db.engine.connect()
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULER_LOCK_ID}).scalar():
                log.info("another scheduler holds the lock; waiting")
                time.sleep(app.config.get("SCHEDULER_LOCK_POLL_SECONDS", 15))
            app.extensions["scheduler_lock_conn"] = conn  # keep the session (and lock) alive
    scheduler = BlockingScheduler(timezone="UTC")
    _configure(scheduler, app)
    log.info("scheduler running %d jobs", len(scheduler.get_jobs()))
    scheduler.start()
