"""Password rules without HTTP: length, common and guessable passwords (zxcvbn), personal words, hashing."""
import pytest

from portal.security.passwords import (
    MIN_ADMIN_LENGTH,
    MIN_CUSTOMER_LENGTH,
    PasswordError,
    check_new_password,
    hash_password,
    verify_password,
)


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def _reason(password, **kw) -> str:
    with pytest.raises(PasswordError) as exc:
        check_new_password(password, **kw)
    return str(exc.value)


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "iloveyou12", "1234567890", "Password1!",
                                      "Summer2024!", "letmein123", "monkey12345", "aaaaaaaaaaaa", "abcdefghijk"])
def test_common_and_patterned_passwords_are_refused_with_a_reason(ctx, password):
    reason = _reason(password)
    assert "Try a short sentence" in reason
    assert any(word in reason for word in ("common", "guess", "Repeated", "Sequences", "Keyboard", "years"))


def test_the_reason_names_what_is_wrong(ctx):
    assert "most common passwords" in _reason("password123")
    assert "Keyboard patterns" in _reason("qwertyuiopasdf") or "common" in _reason("qwertyuiopasdf")
    assert "changing letters to digits" in _reason("P@ssw0rd2024")


def test_length_rules_differ_for_back_office_and_customers(ctx):
    assert f"at least {MIN_ADMIN_LENGTH}" in _reason("mint fox")
    check_new_password("mint fox lamp", min_length=MIN_CUSTOMER_LENGTH)
    assert "at least 8" in _reason("fox lam", min_length=MIN_CUSTOMER_LENGTH)
    assert "at most 200" in _reason("mint fox lamp " * 20)


def test_long_passphrases_and_random_passwords_pass(ctx):
    check_new_password("correct horse battery")
    check_new_password("a good long password")
    check_new_password("k3#Vq9!zLm2@xW")
    check_new_password("a sentence that is much longer than seventy-two characters and still fine to use")


def test_passwords_built_from_the_persons_own_names_are_refused(ctx):
    inputs = ["anna.berg@nordbygg.se", "Anna Berg"]
    for password in ("anna.berg2024", "nordbygg-anna", "AnnaBergNordbygg"):
        assert "your name, email address" in _reason(password, user_inputs=inputs)
    check_new_password("correct horse battery", user_inputs=inputs)


def test_swedish_reasons(app):
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert "vanligaste" in _reason("password123")
        assert "minst 10 tecken" in _reason("kort")


def test_hash_is_scrypt_salted_and_verifies():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("scrypt:") and first != second and "horse" not in first
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "correct horse battery!") and not verify_password(None, "x")
