"""Issue 12.10 and 12.30: pasted address lists are read in bounded work with capped answers, and
Outlook's unquoted "Last, First <address>" is one entry."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from portal.collection import email_list
from portal.collection.email_list import MAX_ENTRIES, MAX_LISTED_INVALID, split_email_list
from tests.conftest import html_text

ROOT = Path(__file__).resolve().parents[2]


def test_outlook_last_first_form_is_one_entry(app):
    with app.test_request_context():
        result = split_email_list("Berg, Anna <anna@x.se>; Öberg, Åsa <ASA@x.se>, Lind, Per <per@x.se>\nEk <ek@x.se>")
    assert [(a.email, a.name) for a in result.valid] == [
        ("anna@x.se", "Berg, Anna"), ("asa@x.se", "Öberg, Åsa"), ("per@x.se", "Lind, Per"), ("ek@x.se", "Ek")]
    assert result.invalid == []


def test_a_lone_word_before_a_comma_is_still_reported(app):
    with app.test_request_context():
        result = split_email_list("Berg, anna@x.se\nLind, <per@x.se>")
    assert [a.email for a in result.valid] == ["anna@x.se", "per@x.se"]
    assert [(e.text, e.line) for e in result.invalid] == [("Berg", 1), ("Lind", 2)]


def test_half_a_megabyte_of_junk_costs_a_bounded_number_of_checks(app, monkeypatch):
    """Each entry is validated at most once and reading stops at the cap, whatever the paste holds."""
    calls = []
    real = email_list.parse_single_email
    monkeypatch.setattr(email_list, "parse_single_email", lambda *a: calls.append(1) or real(*a))
    with app.test_request_context():
        for junk in ("x@\n" * 170_000, "a " * 250_000, "\n" * 500_000 + "bad@", "x@, " * 125_000):
            calls.clear()
            result = split_email_list(junk)
            assert len(calls) <= MAX_ENTRIES
            assert len(result.invalid) <= MAX_LISTED_INVALID
            assert result.invalid_count <= MAX_ENTRIES
    assert result.truncated and result.unlisted > 0


def test_huge_pastes_finish_in_a_subprocess(tmp_path):
    """Quadratic work (counting lines from the start per entry, rescanning a line per word) would not
    finish within the generous timeout; linear work takes a second or two."""
    script = textwrap.dedent("""
        import json
        from app import create_app
        from portal.collection.email_list import split_email_list
        app = create_app({"ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "k" * 48,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        out = []
        with app.test_request_context():
            for text in ("x\\n" * 1_000_000, "a " * 1_000_000 + "<b@x.se>", "Bo Ek " * 300_000, '"' * 500_000):
                r = split_email_list(text)
                out.append([len(r.valid), len(r.invalid), r.invalid_count])
        print(json.dumps(out))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for _valid, listed, counted in json.loads(done.stdout.strip().splitlines()[-1]):
        assert listed <= MAX_LISTED_INVALID and counted <= MAX_ENTRIES


def test_the_paste_answer_is_small_and_says_what_was_left_out(client, db, collect):
    company, orderer, ct, _ = collect
    client.login(orderer.email)
    resp = client.post("/admin/collection/parse-emails", {"text": "nope\n" * 100_000})
    assert resp.status_code == 200 and len(resp.get_data()) < 50_000
    body = resp.get_json()
    assert len(body["invalid"]) == MAX_LISTED_INVALID
    assert "not listed" in body["notice"] and "line" in body["notice"]
    page = client.post("/admin/collection/send", {"card_type_id": ct.id, "emails": "nope\n" * 100_000})
    text = html_text(page)
    assert page.status_code == 400 and "not listed" in text and "At most 5,000 addresses at a time" in text
    assert len(page.get_data()) < 500_000 + 100_000  # the paste comes back to be fixed, and little more
    assert json.dumps(body)  # plain data
