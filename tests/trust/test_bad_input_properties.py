"""Property-based attacks on the three parsers of typed or uploaded text: the email-list splitter, the CSV
importer and the national-id normaliser. No input crashes them; every rejection says where and why."""
from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.collection.csv_import import CsvFileError, FieldSpec, parse_csv
from portal.collection.email_list import split_email_list
from portal.infra.national_ids import InvalidNationalId, normalise_national_id, search_keys

FIELDS = [
    FieldSpec("first_name", ("First name", "Förnamn"), "text", True, 40),
    FieldSpec("last_name", ("Last name", "Efternamn"), "text", False, 40),
    FieldSpec("national_id", ("Personal identity number", "Personnummer"), "national_id", False),
    FieldSpec("department", ("Department", "Avdelning"), "choice", False, 100, ("Office", "Warehouse")),
]
HOSTILE_CHARS = st.sampled_from(list('",;\t\r\n<>@\x00\ufeff=+-\u202e') + ["é", "Å", "😀", " ", "a", "1", "-"])
hostile_text = st.one_of(st.text(max_size=60), st.text(HOSTILE_CHARS, max_size=60),
                         st.from_regex(r"[0-9 +-]{0,16}", fullmatch=True))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def _ctx():
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


# --- email-list splitter ---------------------------------------------------------------------------
emails = st.one_of(st.emails(), st.text(max_size=30), st.builds(lambda n, e: f'"{n}" <{e}>', st.text(max_size=10), st.emails()))


@SETTINGS
@given(st.lists(st.tuples(emails, st.sampled_from([", ", ";", "\n", " ", "\r\n", "\t", ",,"])), max_size=20))
def test_email_splitter_rejections_carry_the_line_and_a_reason(parts):
    text = "".join(e + sep for e, sep in parts)
    result = split_email_list(text)
    lines = text.count("\n") + 1
    for entry in result.invalid:
        assert entry.reason.strip()
        assert 1 <= entry.line <= lines
        assert entry.text.strip()[:1] in text.split("\n")[entry.line - 1] + '"<'
    assert all("@" in a.email for a in result.valid)


def test_email_splitter_names_the_line_of_a_bad_entry():
    result = split_email_list("anna@x.se\nbo@y.se, not-an-address\n\ncecilia@\n")
    assert [(e.line, e.text) for e in result.invalid] == [(2, "not-an-address"), (4, "cecilia@")]


# --- CSV importer ----------------------------------------------------------------------------------
def _csv(rows, delimiter) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["EMAIL", "First name", "Last name", "Personnummer", "Avdelning"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@SETTINGS
@given(st.lists(st.lists(hostile_text, min_size=0, max_size=7), max_size=12), st.sampled_from([",", ";", "\t"]))
def test_csv_rows_of_hostile_values_give_rows_or_errors_with_line_column_and_reason(rows, delimiter):
    data = _csv(rows, delimiter)
    try:
        result = parse_csv(data, FIELDS, email_required=False)
    except CsvFileError as exc:
        assert str(exc).strip()  # the whole file refused: says why
        return
    # Lines as an editor counts them (CR, LF or CRLF each end one).
    physical_lines = len(re.findall(r"\r\n|\r|\n", data.decode("utf-8-sig"))) + 1
    for error in result.errors:
        assert 2 <= error.line <= physical_lines, (error, physical_lines)
        assert error.column and error.reason.strip()
    for row in result.rows:
        assert len(row.get("first_name", "")) <= 40


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from([b"", b"\xef\xbb\xbf", b"EMAIL;First name\r\n"]))
def test_csv_of_any_bytes_never_crashes(data, prefix):
    try:
        result = parse_csv(prefix + data, FIELDS, email_required=True)
    except CsvFileError as exc:
        assert str(exc).strip()
    else:
        assert all(e.line >= 1 and e.reason.strip() for e in result.errors)


# --- national ids ----------------------------------------------------------------------------------
@SETTINGS
@given(hostile_text, st.sampled_from(["SE", "NO", "FI", "DK", "XX", ""]))
def test_national_id_is_normalised_or_refused_with_a_reason(text, country):
    try:
        value = normalise_national_id(text, country=country)
    except InvalidNationalId as exc:
        assert str(exc).strip()
    else:
        assert value == "" or value.strip() == value
    search_keys(text)
