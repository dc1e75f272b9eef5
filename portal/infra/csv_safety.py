"""Spreadsheet-safe CSV cells: a cell that a spreadsheet would run as a formula is neutralised."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGERS = FORMULA_TRIGGERS


def safe_cell(value) -> str:
    """Text for one cell; strings starting with = + - @ tab or CR get a leading apostrophe (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value)  # a negative number is a number, not a formula
    text = str(value)
    if text.lstrip(" ").startswith(_TRIGGERS) or text.startswith(_TRIGGERS):
        return "'" + text
    return text


def safe_row(values: Iterable) -> list[str]:
    return [safe_cell(v) for v in values]


def write_csv(rows: Iterable[Iterable], header: Iterable[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def write_xlsx(rows: Iterable[Iterable], header: Iterable[str], title: str) -> bytes:
    """One sheet: every text cell escaped like CSV (no cell can start a formula), dates as date cells."""
    from datetime import date

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    ws.append(safe_row(header))
    for row in rows:
        ws.append([v if isinstance(v, date) else safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
