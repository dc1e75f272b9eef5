"""Shared fixtures: the app (SQLite file or TEST_DATABASE_URL), a clean database per test,
clients that carry CSRF tokens, login helpers, factories, a real SMTP server and a live server."""
from __future__ import annotations

import os
import re
import tempfile

import pytest
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text

from app import create_app
from portal.infra.extensions import db as _db

pytest_plugins = ["tests.fixtures.factories", "tests.fixtures.servers", "tests.fixtures.world", "tests.fixtures.collection"]

PASSWORD = "correct horse battery"


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{tmpdir}/test.db"


@pytest.fixture(scope="session")
def app():
    tmpdir = tempfile.mkdtemp(prefix="cardwright-test-")
    app = create_app({
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmpdir),
        "STORAGE_DIR": os.path.join(tmpdir, "files"),
        "PRINT_HOT_FOLDER_ROOT": os.path.join(tmpdir, "print"),
        "BASE_URL": "http://127.0.0.1:5000",
        "SCHEDULER_ENABLED": False,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_PORT": 1,  # nothing listens: tests that send start their own SMTP server
        "MAIL_TIMEOUT": 3,
    })

    @app.route("/_test/csrf")
    def _test_csrf():
        return generate_csrf()

    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()  # close pooled connections before the interpreter does (ResourceWarning)


@pytest.fixture()
def db(app):
    ctx = app.app_context()
    ctx.push()
    yield _db
    _db.session.rollback()
    _db.session.remove()
    _clean(app)
    ctx.pop()


def _clean(app) -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if _db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


class FormClient:
    """Wraps Flask's test client: `post` adds a valid CSRF token unless `csrf=False`.

    Each request runs in its own app context, as in production: otherwise Flask reuses the
    test's app context and `g` (cached company, CSRF token) leaks from one request to the next.
    """

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def _open(self, method: str, *args, **kw):
        with self._client.application.app_context():
            return getattr(self._client, method)(*args, **kw)

    def get(self, *args, **kw):
        return self._open("get", *args, **kw)

    def csrf(self) -> str:
        return self.get("/_test/csrf").get_data(as_text=True)

    def post(self, url, data=None, csrf=True, **kw):
        if isinstance(data, dict) or data is None:
            data = dict(data or {})
            if csrf and "csrf_token" not in data:
                data["csrf_token"] = self.csrf()
        return self._open("post", url, data=data, **kw)

    def login(self, email: str, password: str = PASSWORD):
        resp = self.post("/login", {"email": email, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp


@pytest.fixture()
def client(app, db):
    return FormClient(app.test_client())


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def html_text(resp) -> str:
    """Page text without tags, for asserting what a user reads."""
    body = resp.get_data(as_text=True)
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
