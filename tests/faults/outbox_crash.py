"""Run the outbox job in a separate process that dies at a chosen point (a real crash: os._exit).

    python -m tests.faults.outbox_crash <after-claim|after-smtp> <now ISO> <database url> <smtp port>

after-claim: dies once the claim is committed, before talking to SMTP.
after-smtp: dies right after the SMTP server accepted the first message, before it is marked sent.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime

CRASH_EXIT = 17


def main() -> None:
    mode, now, url, port = sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "MAIL_PORT": port, "MAIL_TIMEOUT": 3,
                      "MAIL_SUPPRESS_SEND": False, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"})
    import portal.outbox.tasks as mail

    if mode == "after-claim":
        claim = mail._claim_batch

        def claim_then_die(*args, **kw):
            claim(*args, **kw)
            os._exit(CRASH_EXIT)

        mail._claim_batch = claim_then_die
    elif mode == "after-smtp":
        import portal.outbox.pool as pool

        deliver = pool.deliver

        def send_then_die(*args, **kw):
            deliver(*args, **kw)
            os._exit(CRASH_EXIT)

        pool.deliver = send_then_die
    else:
        raise SystemExit(f"unknown mode {mode}")
    with app.app_context():
        mail.send_pending_emails(now=now)
    raise SystemExit("did not crash")


if __name__ == "__main__":
    main()
