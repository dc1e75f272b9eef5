"""Run every scheduled job in a tight loop for N seconds, with no scheduler lock at all.

    DATABASE_URL=... python -m tests.faults.job_loop <seconds>

What two web servers with SCHEDULER_ENABLED (or a scheduler whose lock was lost) would do: the jobs'
own claims are all that stands between them and a duplicate. Exits 1 if any job raised.
"""
from __future__ import annotations

import sys
import time
import traceback


def main() -> None:
    seconds = float(sys.argv[1])
    from app import create_app
    from portal.infra.extensions import db
    from portal.infra.jobs import registered_jobs

    app = create_app({"TESTING": True, "MAIL_SUPPRESS_SEND": False})
    errors = runs = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for job in registered_jobs():
            with app.app_context():
                try:
                    job.func()  # not run_job: no per-job advisory lock either
                    runs += 1
                except Exception:  # noqa: BLE001 - counted and reported; the test fails on any
                    errors += 1
                    traceback.print_exc()
                    db.session.rollback()
                finally:
                    db.session.remove()
    print(f"runs={runs} errors={errors}", flush=True)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
