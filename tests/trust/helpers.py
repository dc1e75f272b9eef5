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


# Tables of no company even though they point at a company-owned row through a nullable column.
NOT_COMPANY_OWNED = {"company", "user_account"}


def company_owned_tables(metadata) -> dict[str, str]:
    """Every company-owned table -> why: a `company_id` column, or a required link to a company-owned parent."""
    owned = {t.name: "it has a company_id column" for t in metadata.sorted_tables
             if "company_id" in t.c and t.name not in NOT_COMPANY_OWNED}
    grew = True
    while grew:
        grew = False
        for table in metadata.sorted_tables:
            if table.name in owned or table.name in NOT_COMPANY_OWNED:
                continue
            for column in table.c:
                parent = next((fk.column.table.name for fk in column.foreign_keys if fk.column.table.name in owned), None)
                if parent and not column.nullable:
                    owned[table.name] = f"it belongs to a row of {parent} through {column.name}"
                    grew = True
                    break
    return owned


HOW_TO_COVER = (
    "Table {table} is company-owned ({why}), but the tenant-isolation world has no row of it, so the walker "
    "would not attack it. Add one to make_world in tests/fixtures/world.py (rows[{table_model}] = ...), or, for a "
    "link table, name the model it links in COVERED_THROUGH in tests/trust/test_isolation_walker.py."
)


def uncovered_tables(metadata, world: dict, covered_through: dict) -> list[str]:
    """One message per company-owned table that the world (model -> row) does not hold."""
    covered = {model.__table__.name for model in world if hasattr(model, "__table__")}
    covered |= {table for table, model in covered_through.items() if model in world}
    return [HOW_TO_COVER.format(table=name, why=why, table_model="<its model>")
            for name, why in sorted(company_owned_tables(metadata).items()) if name not in covered]
