"""Printers, "Print now", and handing rendered cards to a printer backend."""
from __future__ import annotations

import re
import shutil
import subprocess  # noqa: S404 - lp is called with an argument list, never a shell
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus
from portal.cards.status import create_card
from portal.catalog.layout import validate_layout_values
from portal.catalog.models import CardType, FieldKind
from portal.infra.extensions import db
from portal.infra.national_ids import format_national_id
from portal.printing.models import NO_LP, Printer, PrinterBackend, PrintJob, PrintJobStatus
from portal.printing.render import render_card
from portal.printing.rules import PrintRefused, check_printable
from portal.tenancy.models import Company, User

MAX_ATTEMPTS = 3
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class PrintError(ValueError):
    pass


def validate_target(backend: str, target: str) -> str:
    """A CUPS queue name, or a hot-folder name under PRINT_HOT_FOLDER_ROOT (never an arbitrary path)."""
    target = (target or "").strip()
    if not _SAFE_NAME.match(target):
        if backend == PrinterBackend.CUPS:
            raise PrintError(_l("Write the CUPS queue name (letters, digits, dot, dash, underscore)."))
        raise PrintError(_l("Write a folder name (letters, digits, dot, dash, underscore); it is created "
                            "inside the server's print folder."))
    return target


def hot_folder_path(printer: Printer) -> Path:
    root = Path(current_app.config["PRINT_HOT_FOLDER_ROOT"]).resolve()
    path = (root / f"company-{printer.company_id}" / validate_target(printer.backend, printer.target)).resolve()
    if root not in path.parents:
        raise PrintError(_l("The hot folder must be inside the print folder."))
    return path


def enabled_printers(company: Company) -> list[Printer]:
    return list(db.session.scalars(
        select(Printer).where(Printer.company_id == company.id, Printer.enabled.is_(True)).order_by(Printer.name)
    ))


def _printer_of(company: Company, printer_id: int) -> Printer:
    printer = db.session.get(Printer, printer_id)
    if printer is None or printer.company_id != company.id:
        raise PrintError(_l("Choose one of your company's printers."))
    if not printer.enabled:
        raise PrintError(_l("This printer is disabled."))
    return printer


def queue_print(company: Company, user: User | None, card: Card, printer_id: int) -> PrintJob:
    """Queue one print of a card (also used for an explicit reprint): every print path ends here."""
    if card.company_id != company.id:
        raise PrintError(_l("Card not found."))
    _check(company, user, card.card_type, card.photo_key, card.status)
    printer = _printer_of(company, printer_id)
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id,
                   requested_by_id=user.id if user else None)
    db.session.add(job)
    db.session.flush()
    record("card.print_queued", company_id=company.id, obj=job, summary=f"{card.holder_name} -> {printer.name}")
    return job


def print_now(company: Company, user: User, card_type: CardType, holder_data: dict, photo_key: str | None,
              printer_id: int) -> tuple[Card, PrintJob]:
    """Create the card at once and queue it for printing (instead of adding it to the cart)."""
    clean, errors = validate_layout_values(card_type, holder_data, country=company.country)
    if errors:
        raise PrintError(next(iter(errors.values())))
    _check(company, user, card_type, photo_key)  # before the card exists: a refused print leaves nothing
    printer = _printer_of(company, printer_id)
    card = create_card(company, card_type, clean, photo_key, orderer=user, status=CardStatus.IN_PRODUCTION.value,
                       reason="Printed locally")  # a SYSTEM_REASONS key, translated when shown
    job = queue_print(company, user, card, printer.id)
    return card, job


def _check(company: Company, user: User | None, card_type: CardType, photo_key: str | None,
           status: str | None = None) -> None:
    try:
        check_printable(company, user, card_type, photo_key, status)
    except PrintRefused as exc:
        raise PrintError(str(exc)) from None


def queue_test_page(company: Company, user: User, printer_id: int) -> PrintJob:
    printer = _printer_of(company, printer_id)
    job = PrintJob(company_id=company.id, printer_id=printer.id, is_test_page=True, requested_by_id=user.id)
    db.session.add(job)
    db.session.flush()
    return job


def cancel_job(company: Company, job: PrintJob) -> None:
    if job.company_id != company.id or job.status not in (PrintJobStatus.QUEUED, PrintJobStatus.FAILED):
        raise PrintError(_l("Only queued or failed jobs can be cancelled."))
    job.status = PrintJobStatus.CANCELLED.value


def render_job(job: PrintJob) -> bytes:
    company = db.session.get(Company, job.company_id)
    if job.is_test_page or job.card is None:
        return render_card(layout=None, background="#ffffff", values={}, photo_key=None,
                           logo_key=company.logo_key, test_page=True, company_name=company.name)
    card = job.card
    template = card.card_type.template
    return render_card(
        layout=template.layout if template else None,
        background=template.background_color if template else "#ffffff",
        values=printed_values(card.card_type, card.holder_data or {}, company.country, company.language),
        photo_key=card.photo_key, logo_key=company.logo_key, company_name=company.name,
    )


def printed_values(card_type, values: dict, country: str, language: str | None = None) -> dict:
    """The holder's values as they are printed: personal identity numbers in their usual form, with the dash;
    choices in the company's language."""
    fields = {f.key: f for f in card_type.fields}
    shown = dict(values)
    for key, value in values.items():
        field = fields.get(key)
        if field is not None and field.kind == FieldKind.NATIONAL_ID and value:
            shown[key] = format_national_id(str(value), country or "SE")
        elif field is not None and field.kind == FieldKind.CHOICE and value:
            shown[key] = field.shown_value(str(value), language or "en")
    return shown


def deliver(job: PrintJob, png: bytes) -> str:
    """Hand the rendered card to the printer's backend. Returns where it went."""
    printer = job.printer
    name = f"cardwright-job-{job.id}.png"
    if printer.backend == PrinterBackend.HOT_FOLDER:
        folder = hot_folder_path(printer)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (name + ".part")
        tmp.write_bytes(png)
        tmp.rename(folder / name)  # the printer software only ever sees whole files
        return str(folder / name)
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError(NO_LP)  # stored on the job in English, shown translated (SYSTEM_ERRORS)
    spool = Path(current_app.config["PRINT_HOT_FOLDER_ROOT"]) / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / name
    path.write_bytes(png)
    queue = validate_target(printer.backend, printer.target)
    result = subprocess.run([lp, "-d", queue, "-t", name, str(path)], capture_output=True, text=True,  # noqa: S603 - argument list, no shell; queue name checked by validate_target
                            timeout=60, check=False)
    if result.returncode != 0:
        raise PrintError(result.stderr.strip() or f"lp exited with {result.returncode}")
    return result.stdout.strip() or queue


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** attempts)
