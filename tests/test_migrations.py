"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]


def _flask(*args, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "CARDWRIGHT_ENV": "development"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _upgrade_and_check(url: str) -> None:
    up = _flask("upgrade", url=url)
    assert up.returncode == 0, up.stderr[-2000:]
    check = _flask("check", url=url)
    assert check.returncode == 0 and "No new upgrade operations" in check.stdout + check.stderr, check.stderr[-2000:]


def test_migrations_match_the_models_on_sqlite(tmp_path):
    _upgrade_and_check(f"sqlite:///{tmp_path}/fresh.db")


def test_migrations_match_the_models_on_postgresql():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    base = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    name = f"cw_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _upgrade_and_check(base.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_every_revision_id_fits_alembic_version():
    """alembic_version.version_num is VARCHAR(32): a longer id upgrades on SQLite and stops PostgreSQL's."""
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    ids = [re.search(r'^revision(?:: str)? = ["\']([^"\']+)', f.read_text(), re.M).group(1) for f in versions.glob("*.py")]
    assert ids and all(len(i) <= 32 for i in ids), [i for i in ids if len(i) > 32]
