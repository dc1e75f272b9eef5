"""What the trust tests compare: the whole database and the storage folder, before and after an attack."""
from __future__ import annotations

import os

from sqlalchemy import select

from portal.infra.extensions import db

# Tables that legitimately change when an attack is refused: failed attempts are counted for throttling,
# and signing in (each upload point signs in its own user) records the browser's session.
VOLATILE_TABLES = {"login_attempt", "signed_in_session"}


def snapshot() -> dict:
    """Every row of every table (except throttle counters and session records), as comparable tuples."""
    db.session.expire_all()
    state = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            rows = conn.execute(select(table)).all()
            state[table.name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def stored_files(app) -> set[str]:
    root = app.config["STORAGE_DIR"]
    found = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found
