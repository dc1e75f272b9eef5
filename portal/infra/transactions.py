"""The transaction rule, and its few named exceptions.

Operations only `flush()`. The request (the view), the job run (`tasks.py`) or the CLI command
(`cli.py`) commits once, so a request either happens wholly or not at all. Work that must wait for
the outcome (deleting a replaced file) is registered with `on_commit` / `on_rollback`.

A handful of places commit on their own, each for a reason that outweighs the rule. They are listed
here, and `tests/test_transaction_rule.py` fails on any other commit or rollback in `portal/` outside
tasks, CLI commands and the request/job plumbing of `portal/infra`:
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.infra.extensions import db

# module -> why it commits by itself
COMMIT_EXCEPTIONS = {
    "portal/security/throttle.py": "a failed attempt is counted even when the request that saw it fails",
    "portal/tenancy/operations.py": "sign-in failures are counted (a throttle) even when the request fails",
    "portal/security/login.py": "the sign-in session row exists before the response that carries its cookie",
    "portal/infra/claims.py": "a claim on a row is visible to other workers before the claimed work starts",
    "portal/retention/operations.py": "one transaction per company, so photo files are deleted only after "
                                      "the rows that referred to them are committed",
}
# Modules where the unit of work itself begins and ends (they may commit and roll back).
UNIT_OF_WORK_MODULES = ("tasks.py", "cli.py", "portal/infra/jobs.py", "portal/infra/web.py",
                        "portal/infra/transactions.py")


def on_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction is committed (never if it rolls back)."""
    db.session.info.setdefault("on_commit", []).append(callback)


def on_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the current transaction rolls back (never if it commits)."""
    db.session.info.setdefault("on_rollback", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    session.info.pop("on_rollback", None)
    for callback in session.info.pop("on_commit", []):
        callback()


@event.listens_for(Session, "after_rollback")
def _run_on_rollback(session: Session) -> None:
    session.info.pop("on_commit", None)
    for callback in session.info.pop("on_rollback", []):
        callback()


def reads_only() -> None:
    """This request only reads (a GET of a page): on PostgreSQL its statements run without a transaction
    of their own (autocommit), which saves the BEGIN and ROLLBACK round trips. Each SELECT still sees
    committed rows only, as under READ COMMITTED. A write it makes after all (a guessed link counted)
    commits by itself. Call it before the request's first statement; the connection goes back to the
    pool with its usual isolation level. SQLite has no round trips to save."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
