"""The pages behind a personal link stay cheap when hundreds of employees use them at once (issue 15):
the guessing guard asks the database once per page, not once per key it checks, and a step sent is
not read again after it is saved."""
import re
from contextlib import contextmanager

from sqlalchemy import event, select

from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail


def _link(db, collect) -> str:
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()
    body = db.session.scalar(select(OutboxEmail.body_text).where(OutboxEmail.kind == "collection_request"))
    return re.search(r"(/r/[A-Za-z0-9_-]{30,})", body).group(1)


@contextmanager
def sql_statements():
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(_db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", note)


def test_a_page_behind_the_link_checks_the_guessing_guard_in_one_query(client, db, collect):
    link = _link(db, collect)
    with sql_statements() as statements:
        assert client.get(link).status_code == 200
    guard = [s for s in statements if "login_attempt" in s]
    assert len(guard) == 1, statements


def test_opening_the_link_is_one_statement_with_the_guessing_guard_asked_in_it(client, db, collect):
    """Issue 17: the guard's question is a column of the statement that reads the request (it was a statement
    of its own on every page: a tenth of the page's CPU); an unknown link still asks it on its own."""
    link = _link(db, collect)
    with sql_statements() as statements:
        assert client.get(link).status_code == 200
    assert len(statements) == 1 and "login_attempt" in statements[0], statements
    with sql_statements() as statements:
        assert client.get(link[:-4] + "zzzz").status_code == 404
    assert any("login_attempt" in s for s in statements), statements


def test_the_guard_in_the_statement_still_stops_a_valid_link_whose_prefix_is_guessed(client, db, collect):
    link = _link(db, collect)
    prefix = link[len("/r/"):][:6]
    for n in range(10):  # ten addresses guessing with the real link's prefix
        client.get("/r/" + prefix + "x" * 37, environ_base={"REMOTE_ADDR": f"10.0.2.{n + 1}"})
    assert client.get(link, environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 429
    assert client.get(link + "/photo", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 429


def test_a_guessed_prefix_is_throttled_even_from_a_fresh_address(client, db):
    for n in range(10):  # ten addresses, one shared prefix: only the prefix counter reaches the limit
        client.get("/r/" + "q" * 6 + "x" * 37, environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"})
    blocked = client.get("/r/" + "q" * 6 + "y" * 37, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert blocked.status_code == 429
    other = client.get("/r/" + "z" * 43, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert other.status_code == 404


def test_sending_a_step_does_not_read_the_request_again_after_saving_it(client, db, collect):
    link = _link(db, collect)
    with sql_statements() as statements:
        resp = client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})
    assert resp.headers["Location"].endswith(link + "/photo")
    reads = [s for s in statements if s.startswith("SELECT collection_request.")]
    assert len(reads) == 1, statements  # opened once; the next step is decided from what is loaded


def test_opening_the_link_on_postgresql_runs_without_transaction_round_trips(client, db, collect):
    """Issue 16, round two: a GET of the page only reads, so on PostgreSQL it sends no BEGIN and no
    ROLLBACK (two of its five round trips); the step sent next still runs in one transaction."""
    import pytest

    if _db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no round trips to save")
    link = _link(db, collect)
    seen: list[tuple[str, bool]] = []

    def note(conn, _cursor, statement, *_args):
        seen.append((statement.split()[0], conn.connection.driver_connection.autocommit))

    event.listen(_db.engine, "before_cursor_execute", note)
    try:
        assert client.get(link).status_code == 200
        read = list(seen)
        seen.clear()
        client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})
    finally:
        event.remove(_db.engine, "before_cursor_execute", note)
    assert read and all(autocommit for _, autocommit in read), read
    assert any(kind == "UPDATE" for kind, _ in seen) and not any(autocommit for _, autocommit in seen), seen


def test_the_page_looks_up_its_language_catalogue_once_not_per_string(client, db, collect, monkeypatch):
    """Issue 16, round two: a dozen translated strings on the page, one catalogue look-up."""
    from flask_babel import Domain

    link = _link(db, collect)
    calls = []
    real = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: calls.append(1) or real(self))
    page = client.get(link + "?lang=sv")
    assert "Nästa" in page.get_data(as_text=True)
    assert len(calls) <= 3, len(calls)


def test_a_change_of_language_within_a_request_still_changes_the_strings(app):
    """The catalogue kept for the page follows a language switch and an email's own language."""
    from flask import render_template_string
    from flask_babel import force_locale

    from portal.infra.i18n import use_page_language

    with app.test_request_context("/"):
        use_page_language("sv")
        assert render_template_string("{{ _('Next') }}") == "Nästa"
        with force_locale("fi"):
            assert render_template_string("{{ _('Next') }}") == "Seuraava"
        assert render_template_string("{{ _('Next') }}") == "Nästa"
        use_page_language("en")
        assert render_template_string("{{ _('Next') }}") == "Next"


def test_sending_a_step_reads_the_delivery_addresses_once(client, db, collect):
    """The next step, and a choice of address, ask which addresses the employee may choose: once per page."""
    link = _link(db, collect)
    with sql_statements() as statements:
        resp = client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})
    assert resp.status_code == 302
    addresses = [s for s in statements if s.startswith("SELECT address.")]
    assert len(addresses) == 1, statements
