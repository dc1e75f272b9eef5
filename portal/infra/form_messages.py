"""WTForms' own messages ("This field is required." and friends) in our words and our catalogues.

WTForms and Flask-Admin translate these from WTForms' catalogues, which have no Danish and some wrong
or missing Norwegian and Finnish. Every form of the application (Flask-WTF's and Flask-Admin's) reads
them from our catalogue instead (`install`): the list below keeps them in it when `make
extract-messages` runs, and the translations live with all our others.
"""
from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message for extraction (`make extract-messages` reads `ngettext`)."""
    return singular, plural


WTFORMS_MESSAGES = [
    _l("Invalid field name '%s'."),
    _l('Field must be equal to %(other_name)s.'),
    ngettext('Field must be at least %(min)d character long.', 'Field must be at least %(min)d characters long.'),
    ngettext('Field cannot be longer than %(max)d character.', 'Field cannot be longer than %(max)d characters.'),
    ngettext('Field must be exactly %(max)d character long.', 'Field must be exactly %(max)d characters long.'),
    _l('Field must be between %(min)d and %(max)d characters long.'),
    _l('Number must be at least %(min)s.'),
    _l('Number must be at most %(max)s.'),
    _l('Number must be between %(min)s and %(max)s.'),
    _l('Date must be at least %(min)s.'),
    _l('Date must be at most %(max)s.'),
    _l('Date must be between %(min)s and %(max)s.'),
    _l('This field is required.'),
    _l('Invalid input.'),
    _l('Invalid email address.'),
    _l('Invalid IP address.'),
    _l('Invalid Mac address.'),
    _l('Invalid URL.'),
    _l('Invalid UUID.'),
    _l('Invalid value, must be one of: %(values)s.'),
    _l("Invalid value, can't be any of: %(values)s."),
    _l('This field cannot be edited.'),
    _l('This field is disabled and cannot have a value.'),
    _l('Invalid CSRF Token.'),
    _l('CSRF token missing.'),
    _l('CSRF failed.'),
    _l('CSRF token expired.'),
    _l('Invalid Choice: could not coerce.'),
    _l('Choices cannot be None.'),
    _l('Not a valid choice.'),
    _l('Invalid choice(s): one or more data inputs could not be coerced.'),
    ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
    _l('Not a valid datetime value.'),
    _l('Not a valid date value.'),
    _l('Not a valid time value.'),
    _l('Not a valid week value.'),
    _l('Not a valid integer value.'),
    _l('Not a valid decimal value.'),
    _l('Not a valid float value.'),
]


class FormMessages:
    """The translations object WTForms asks for its messages: our catalogue, in the page's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


FORM_MESSAGES = FormMessages()


def _get_translations(self, form) -> FormMessages:
    return FORM_MESSAGES


def install(*form_classes) -> None:
    """These form base classes (and every form deriving from them) ask our catalogue for WTForms' messages:
    Flask-WTF's `FlaskForm` here (`init_i18n`), Flask-Admin's `BaseForm` where the back office starts."""
    from flask_wtf import FlaskForm

    for form_class in form_classes or (FlaskForm,):
        form_class.Meta.get_translations = _get_translations
