"""Reading uploaded CSV files: the UTF-8 check with Excel's advice, the delimiter, and the error shapes
every importer reports (a whole-file problem, or a problem on one line and column)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    reason: str


class CsvFileError(ValueError):
    """The file as a whole is unusable; str() tells the user how to fix it."""


def decode_utf8(data: bytes) -> str:
    """The file's text; a file not saved as UTF-8 is refused with the steps to save it right in Excel."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(_l("The file is not saved as UTF-8. In Excel choose File > Save As > "
                              "'CSV UTF-8 (Comma delimited) (*.csv)' and upload it again.")) from None
