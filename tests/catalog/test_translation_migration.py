"""The migration to catalogue translations keeps every Swedish label (label_sv moves into `translations`),
on SQLite (foreign keys on: no table under the catalogue's rows is rebuilt) and PostgreSQL."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "hf_outbox_priority"


def _flask(*args, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "CARDWRIGHT_ENV": "development"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _check(url: str) -> None:
    _flask("upgrade", BEFORE, url=url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO card_type (id, name, kind, description, price, photo_width, photo_height,"
                              " active, created_at) VALUES (1, 'Badge', 'card', '', 10, 413, 531, :yes, :now)"),
                         {"yes": True, "now": "2026-01-01 00:00:00"})
            conn.execute(text("INSERT INTO layout_field (card_type_id, key, label_en, label_sv, kind, required, position,"
                              " max_length, options) VALUES (1, 'first_name', 'First name', 'Förnamn', 'text', :yes, 0,"
                              " 40, ''), (1, 'dept', 'Department', '', 'choice', :yes, 1, 40, 'Office')"), {"yes": True})
        _flask("upgrade", url=url)
        with engine.connect() as conn:
            rows = {k: _json(v) for k, v in conn.execute(text("SELECT key, translations FROM layout_field")).all()}
            assert rows == {"first_name": {"sv": {"label": "Förnamn"}}, "dept": {}}
            assert _json(conn.execute(text("SELECT translations FROM card_type")).scalar()) == {}
        _flask("downgrade", BEFORE, url=url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT label_sv FROM layout_field WHERE key = 'first_name'")).scalar() == "Förnamn"
    finally:
        engine.dispose()


def test_swedish_labels_move_into_translations_and_back_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path}/old.db")


def test_swedish_labels_move_into_translations_and_back_on_postgresql():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    name = f"cw_catmig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check(url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
