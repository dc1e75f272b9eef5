"""National identity numbers: any common way of typing one gives the same stored value."""
import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.infra.national_ids import InvalidNationalId, format_national_id, normalise_national_id, search_keys


@pytest.fixture(autouse=True, scope="module")
def _ctx():
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def _luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


@st.composite
def swedish_numbers(draw):
    year = draw(st.integers(1930, 2005))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    serial = draw(st.integers(0, 999))
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return year, nine + _luhn_digit(nine)


@settings(max_examples=100, deadline=None)
@given(swedish_numbers())
def test_every_format_of_a_valid_number_gives_one_canonical_value(number):
    year, ten = number
    canonical = f"{year // 100}{ten}"
    for typed in (ten, f"{ten[:6]}-{ten[6:]}", f"{year // 100}{ten}", f"{year // 100}{ten[:6]}-{ten[6:]}",
                  f" {ten[:6]} {ten[6:]} "):
        assert normalise_national_id(typed) == canonical
    assert search_keys(f"{ten[:6]}-{ten[6:]}") == [canonical]
    assert format_national_id(canonical) == f"{canonical[:8]}-{canonical[8:]}"


def test_wrong_check_digit_is_refused_with_a_message():
    with pytest.raises(InvalidNationalId, match="Swedish"):
        normalise_national_id("850101-0007")


def test_partial_numbers_give_prefixes_for_search():
    assert search_keys("19850101") == ["19850101"]
    assert search_keys("850101") == ["19850101", "20850101"]


@pytest.mark.parametrize("country,value,canonical", [
    ("NO", "15108695088", "15108695088"), ("FI", "131052-308T", "131052-308T"), ("DK", "211062-5629", "2110625629"),
])
def test_nordic_neighbours(country, value, canonical):
    assert normalise_national_id(value, country) == canonical


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_normalised_or_refused_never_crashes(text):
    try:
        normalise_national_id(text)
    except InvalidNationalId as exc:
        assert str(exc)
    search_keys(text)


def test_the_inline_luhn_check_agrees_with_stdnum_on_every_ten_digit_pattern_tried():
    import random

    from stdnum import luhn

    from portal.infra.national_ids import _luhn_ok

    rng = random.Random(16)
    samples = ["0000000000", "8501010006", "8501010007"] + [
        "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(5000)]
    assert [_luhn_ok(s) for s in samples] == [luhn.is_valid(s) for s in samples]
