"""Reading a card-data CSV: Excel's BOM and `;` accepted, every row validated before anything is stored."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.catalog.fields import FieldSpec
from portal.catalog.layout import clean_value  # the same rules as the forms
from portal.infra.csv_reading import CsvFileError, RowError, decode_utf8
from portal.infra.csv_safety import FORMULA_TRIGGERS, safe_row

__all__ = ["CsvFileError", "FieldSpec", "ImportResult", "RowError", "parse_csv", "template_csv"]

EMAIL_HEADERS = {"email", "e-mail", "e-post", "epost", "mail", "sähköposti"}
# The template in the orderer's language: its email header, and the separator that language's Excel
# expects when it opens a CSV file (Swedish Excel splits on ";", English on ",").
EMAIL_HEADER = {"sv": "E-POST", "nb": "E-POST", "da": "E-MAIL", "fi": "SÄHKÖPOSTI"}
SEPARATOR = {"sv": ";", "nb": ";", "da": ";", "fi": ";"}


def email_header(language: str) -> str:
    return EMAIL_HEADER.get(language, "EMAIL")


@dataclass
class ImportResult:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file's line of each row
    email_label: str = "EMAIL"

    @property
    def ok(self) -> bool:
        return not self.errors


def template_csv(fields: list[FieldSpec], language: str = "en") -> bytes:
    """Header row: the email column, then one column per field (photo excluded), named as the layout
    labels them in `language` (the fields come ordered for it). UTF-8 with BOM so Excel reads it."""
    header = [email_header(language)] + [f.label for f in fields if f.kind != "photo" and f.key != "email"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR.get(language, ","), lineterminator="\r\n")
    writer.writerow(safe_row(header))  # labels are typed by people
    return out.getvalue().encode("utf-8-sig")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: 0 for d in ",;\t"}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header_map(header: list[str], fields: list[FieldSpec]) -> tuple[dict[int, str], list[str]]:
    names: dict[str, str] = {h: "email" for h in EMAIL_HEADERS}
    for f in fields:
        names[f.key.lower()] = f.key
        for label in f.labels:
            names[label.strip().lower()] = f.key
    mapping, unknown = {}, []
    for i, raw in enumerate(header):
        name = raw.strip().lower()
        if name.startswith("'") and name[1:].lstrip(" ").startswith(FORMULA_TRIGGERS):
            name = name[1:]  # a label our template escaped against formula injection
        if not name:
            continue
        if name in names:
            mapping[i] = names[name]
        else:
            unknown.append(raw.strip())
    return mapping, unknown


def parse_csv(data: bytes, fields: list[FieldSpec], *, email_required: bool, existing_emails=frozenset(),
              max_rows: int = 20000, country: str = "SE", language: str = "en") -> ImportResult:
    """Rows keyed by field key (plus "email"), normalised; or the errors with line numbers and reasons.
    Either header language and either separator is read; messages name columns as `fields` label them
    (ordered for the orderer's language) and the email column as `language` calls it."""
    text = decode_utf8(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileError(_l("The file is empty.")) from None
    except csv.Error as exc:
        raise CsvFileError(_l("The file could not be read as CSV: %(error)s", error=str(exc))) from None
    mapping, unknown = _header_map(header, fields)
    typed = [f for f in fields if f.kind != "photo"]
    email_label = email_header(language)
    if unknown:
        # each column once: a layout's own email field is the EMAIL column
        expected = ", ".join([email_label] + [f.label for f in typed if f.key != "email"])
        raise CsvFileError(_l("Unknown column(s): %(columns)s. Expected: %(expected)s.",
                              columns=", ".join(unknown), expected=expected))
    present = set(mapping.values())
    missing = [f.label for f in typed if f.required and f.key not in present and f.key != "email"]
    email_needed = email_required or any(f.key == "email" and f.required for f in typed)
    if email_needed and "email" not in present:
        missing.insert(0, email_label)  # once, whether the EMAIL column or the layout's own email field
    if missing:
        raise CsvFileError(_l("Missing column(s): %(columns)s.", columns=", ".join(missing)))
    by_key = {f.key: f for f in typed}
    label_of = {f.key: f.label for f in typed} | {"email": email_label}
    result = ImportResult(email_label=email_label)
    first_line: dict[str, int] = {}
    existing = {e.lower() for e in existing_emails}
    email_spec = _EmailSpec(required=email_required, label=email_label)
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(result.rows) >= max_rows:
                raise CsvFileError(_l("The file has more than %(n)d rows. Split it and upload the parts.", n=max_rows))
            row: dict[str, str] = {}
            for i, key in mapping.items():
                raw = values[i] if i < len(values) else ""
                spec = by_key.get(key) or email_spec
                try:
                    row[key] = clean_value(spec, raw, country=country)
                except ValueError as exc:
                    result.errors.append(RowError(line, label_of[key], raw.strip()[:200], str(exc.args[0])))
            email = row.get("email", "").lower()
            if email:
                if email in first_line:
                    result.errors.append(RowError(line, email_label, email, str(_l(
                        "The same email is on line %(line)d.", line=first_line[email]))))
                elif email in existing:
                    result.errors.append(RowError(line, email_label, email, str(_l("already has an open request."))))
                first_line.setdefault(email, line)
            result.rows.append(row)
            result.lines.append(line)
    except csv.Error as exc:
        raise CsvFileError(_l("The file could not be read as CSV near line %(line)d: %(error)s",
                              line=reader.line_num, error=str(exc))) from None
    if not result.rows and not result.errors:
        raise CsvFileError(_l("The file has no rows."))
    return result


@dataclass(frozen=True)
class _EmailSpec:
    """The EMAIL column, validated like an email layout field."""

    required: bool
    label: str = "EMAIL"
    key: str = "email"
    kind: str = "email"
    max_length: int = 254

    @property
    def option_list(self) -> list[str]:
        return []

    def option_labels(self, lang: str | None = None) -> list[str]:
        return []

    def choice_value(self, text: str) -> str | None:
        return None
