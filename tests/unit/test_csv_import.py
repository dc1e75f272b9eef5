"""The CSV importer with Excel-style files: BOM, semicolons, CRLF, quoted newlines, Windows-1252."""
import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.collection.csv_import import CsvFileError, FieldSpec, parse_csv, template_csv
from portal.collection.email_list import split_email_list

FIELDS = [
    FieldSpec("first_name", ("First name", "Förnamn"), "text", True, 40),
    FieldSpec("last_name", ("Last name", "Efternamn"), "text", True, 40),
    FieldSpec("national_id", ("Personal identity number", "Personnummer"), "national_id", False),
    FieldSpec("department", ("Department", "Avdelning"), "choice", False, 100, ("Office", "Warehouse")),
    FieldSpec("photo", ("Photo", "Foto"), "photo", True),
]


@pytest.fixture(autouse=True, scope="module")
def _ctx():
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def test_template_has_bom_email_first_and_no_photo_column():
    data = template_csv(FIELDS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == "EMAIL,First name,Last name,Personal identity number,Department"


def test_excel_nordic_file_with_bom_semicolons_crlf_and_swedish_headers():
    text = 'E-post;Förnamn;Efternamn;Personnummer;Avdelning\r\nasa@x.se;Åsa;Öberg;850101-0006;office\r\n'
    result = parse_csv(text.encode("utf-8-sig"), FIELDS, email_required=True)
    assert result.ok
    assert result.rows == [{"email": "asa@x.se", "first_name": "Åsa", "last_name": "Öberg",
                            "national_id": "198501010006", "department": "Office"}]


def test_quoted_newline_keeps_line_numbers_right():
    text = ('EMAIL,First name,Last name\n'
            'a@x.se,"Anna\nMaria",Berg\n'
            'b@x.se,,Ek\n')
    result = parse_csv(text.encode(), FIELDS, email_required=True)
    [error] = result.errors
    assert (error.line, error.column) == (4, "First name") and "Please fill in" in error.reason


def test_every_problem_is_listed_with_line_column_value_and_reason():
    text = ('EMAIL,First name,Last name,Personal identity number,Department\n'
            'not-an-email,A,B,,\n'
            'c@x.se,C,D,850101-0007,Office\n'
            'e@x.se,E,F,,Garden\n'
            'c@X.se,G,H,,\n')
    result = parse_csv(text.encode(), FIELDS, email_required=True, existing_emails={"e@x.se"})
    got = {(e.line, e.column) for e in result.errors}
    assert got == {(2, "EMAIL"), (3, "Personal identity number"), (4, "Department"), (4, "EMAIL"), (5, "EMAIL")}
    dup = next(e for e in result.errors if e.line == 5)
    assert "line 3" in dup.reason


def test_windows_1252_file_gets_a_how_to_fix_message():
    data = "EMAIL,First name,Last name\nasa@x.se,Åsa,Öberg\n".encode("cp1252")
    with pytest.raises(CsvFileError, match="CSV UTF-8"):
        parse_csv(data, FIELDS, email_required=True)


@pytest.mark.parametrize("text,message", [
    ("", "empty"), ("EMAIL,First name,Last name\n", "no rows"),
    ("EMAIL,First name,Shoe size\n", "Unknown column"), ("EMAIL,First name\n", "Missing column"),
])
def test_unusable_files_are_refused_as_a_whole(text, message):
    with pytest.raises(CsvFileError, match=message):
        parse_csv(text.encode(), FIELDS, email_required=True)


def test_ten_thousand_rows_come_back():
    lines = ["EMAIL,First name,Last name"] + [f"p{i}@x.se,P{i},Q" for i in range(10_000)]
    result = parse_csv("\n".join(lines).encode(), FIELDS, email_required=True)
    assert result.ok and len(result.rows) == 10_000


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_result_or_a_file_error(data):
    try:
        result = parse_csv(data, FIELDS, email_required=False)
    except CsvFileError as exc:
        assert str(exc)
    else:
        assert all(e.line >= 1 and e.reason for e in result.errors)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_email_splitter_never_crashes_and_explains_every_rejection(text):
    result = split_email_list(text)
    assert all(e.reason for e in result.invalid)
    assert len({a.email.lower() for a in result.valid}) == len(result.valid)


def test_email_splitter_handles_names_separators_and_duplicates():
    result = split_email_list('a@b.se; "Berg, Anna" <anna@X.se>\nOlle Ek <olle@x.se> A@B.se bad@')
    assert [a.email for a in result.valid] == ["a@b.se", "anna@x.se", "olle@x.se"]
    assert result.valid[1].name == "Berg, Anna"
    assert [e.text for e in result.invalid] == ["bad@"]


def test_values_longer_than_the_field_allows_are_listed():
    text = "EMAIL,First name,Last name\n" + f"a@x.se,{'A' * 41},Berg\n" + f"{'b' * 250}@x.se,Bo,Ek\n"
    result = parse_csv(text.encode(), FIELDS, email_required=True)
    got = {(e.line, e.column): e.reason for e in result.errors}
    assert "At most 40 characters" in got[(2, "First name")]
    assert (3, "EMAIL") in got
