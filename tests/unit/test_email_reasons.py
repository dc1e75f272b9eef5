"""email-validator's refusals in our words: each kind of mistake gets its own translated reason, never English."""
import pytest
from email_validator import EmailNotValidError, validate_email

from portal.infra.email_reasons import email_reason

KINDS = [
    ("anna", "It must have one @ sign."),
    ("a@@b.se", "It must have one @ sign."),
    ("@x.se", "Something must come before the @ sign."),
    ("anna@", "Something must come after the @ sign."),
    ("anna..b@x.se", "It cannot have two periods in a row."),
    ("anna.@x.se", "A period cannot stand right next to the @ sign."),
    ("anna@.x.se", "A period cannot stand right next to the @ sign."),
    (".anna@x.se", "It cannot start or end with a period."),
    ("anna@-x.se", "A hyphen cannot stand next to a period or at an end."),
    ("anna@x-.se", "A hyphen cannot stand next to a period or at an end."),
    ("anna@localhost", "The part after the @ sign must be a domain such as example.se."),
    ("anna@example.invalid", "The part after the @ sign is a reserved name that cannot receive email."),
    ("an na@x.se", "The part before the @ sign has characters that cannot be used."),
    ("anna@x_y.se", "The part after the @ sign has characters that cannot be used."),
    ("Anna <anna@x.se>", "Write only the address, such as anna@example.se."),
    ('"anna"@x.se', "Write the address without quotation marks."),
    ("anna@" + "x" * 300 + ".se", "It is too long."),
]


def _refusal(address: str) -> EmailNotValidError:
    with pytest.raises(EmailNotValidError) as exc:
        validate_email(address, check_deliverability=False)
    return exc.value


@pytest.mark.parametrize("address, reason", KINDS)
def test_each_kind_of_mistake_has_its_own_reason(app, address, reason):
    with app.test_request_context("/?lang=en"):
        assert email_reason(_refusal(address)) == reason


@pytest.mark.parametrize("language", ["sv", "nb", "da", "fi"])
def test_no_reason_is_english_after_a_translated_prefix(app, language):
    from tests.i18n_walk import catalogue_is_empty, english_strings

    if catalogue_is_empty(language):
        pytest.xfail("catalogue being filled")
    english = english_strings(language).exact
    with app.test_request_context(f"/?lang={language}"):
        reasons = {email_reason(_refusal(address)) for address, _reason in KINDS}
    assert not reasons & english, reasons & english
