"""The order confirmation as a PDF (fpdf2), in the reader's language: logo, addresses, lines, VAT.

The text is set in Noto Sans, embedded from the fontpkg-noto-sans package (a subset of it goes into each
file), so å ä ö ø æ and € print on any server without system fonts.
"""
from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import select

from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.formatting import money, number, when
from portal.ordering.models import Order, OrderLine

log = logging.getLogger(__name__)
FONT = "NotoSans"


@cache
def _font_file() -> Path:
    import fontpkg_noto_sans

    return next(fontpkg_noto_sans.ROOT.glob("files/NotoSans[[]*.ttf"))


def _address(snapshot: dict | None) -> list[str]:
    if not snapshot:
        return []
    city = f"{snapshot.get('postcode') or ''} {snapshot.get('city') or ''}".strip()
    return [part for part in (snapshot.get("name"), snapshot.get("attention"), snapshot.get("street"), city) if part]


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        # One weight: instancing the variable font's bold takes seconds per document; size marks headings.
        self.add_font(FONT, "", _font_file())
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def text_line(self, text: str, size: float = 10, bold: bool = False, height: float = 5.5, **kw) -> None:
        self.set_font(FONT, "", size + 1 if bold else size)
        self.cell(text=text, h=height, new_x="LMARGIN", new_y="NEXT", **kw)


def order_pdf(order: Order, language: str) -> bytes:
    """The confirmation of `order` in `language` (en, sv, nb, da, fi) as PDF bytes."""
    with force_locale(language or "en"):
        return _render(order)


def confirmation_filename(order: Order) -> str:
    return f"{order.number}.pdf"


def confirmation_attachment(order: Order, language: str) -> tuple[str, str, bytes]:
    """The confirmation as an email attachment: (filename, content type, bytes)."""
    return confirmation_filename(order), "application/pdf", order_pdf(order, language)


def _logo(pdf: _Document, key: str | None) -> None:
    if not key or not storage.exists(key):
        return
    try:
        pdf.image(io.BytesIO(storage.load(key)), x=pdf.w - 18 - 60, y=14, w=60, h=20, keep_aspect_ratio=True)
    except Exception:  # noqa: BLE001 - a logo that will not draw leaves the confirmation without it
        log.warning("logo %s not drawn in an order confirmation", key)


def _render(order: Order) -> bytes:
    company = order.company
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    pdf = _Document()
    pdf.set_title(_("Order confirmation %(number)s", number=order.number))
    pdf.add_page()
    _logo(pdf, company.logo_key)
    pdf.text_line(_("Order confirmation"), size=18, bold=True, height=9)
    pdf.text_line(_("Order %(number)s", number=order.number), size=12, bold=True)
    pdf.text_line(_("Placed: %(when)s", when=when(order.placed_at)))
    pdf.ln(4)
    facts = [(_("Customer"), company.name + (f" ({company.org_number})" if company.org_number else "")),
             (_("Orderer"), (order.orderer.name or order.orderer.email) if order.orderer else ""),
             (_("Reference / PO"), order.reference or "–"), (_("Cost centre"), order.cost_centre or "–")]
    for label, value in facts:
        pdf.set_font(FONT, "", 10)
        pdf.cell(42, 5.5, label)
        pdf.cell(text=value, h=5.5, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.text_line(_("Delivery address"), bold=True)
    for part in _address(order.delivery) or [_("Each card to its own address")]:
        pdf.text_line(part)
    pdf.ln(5)
    _lines_table(pdf, order, lines)
    _totals(pdf, order)
    if order.note:
        pdf.ln(4)
        pdf.text_line(_("Note"), bold=True)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5.5, order.note)
    return bytes(pdf.output())


def _lines_table(pdf: _Document, order: Order, lines) -> None:
    cur = order.currency
    with pdf.table(col_widths=(60, 50, 16, 24, 24), text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   line_height=6, headings_style=FontFace(emphasis="", fill_color=(235, 235, 235))) as table:
        pdf.set_font(FONT, "", 9)
        table.row([_("Item"), _("Card holder"), _("Quantity"), _("Unit price"), _("Amount")])
        for line in lines:
            table.row([line.shown_description, line.holder_name, number(line.quantity),
                       money(line.unit_price + line.surcharge, cur), money(line.line_total, cur)])


def _totals(pdf: _Document, order: Order) -> None:
    cur = order.currency
    rows = [(_("Total excluding VAT"), money(order.total, cur), False)]
    if order.vat_rate is not None:
        rows += [(_("VAT %(rate)s %%", rate=number(order.vat_rate)), money(order.vat, cur), False),
                 (_("Total including VAT"), money(order.gross, cur), True)]
    pdf.ln(3)
    for label, value, bold in rows:
        pdf.set_font(FONT, "", 11 if bold else 10)
        pdf.cell(pdf.epw - 40, 6, label, align="R")
        pdf.cell(40, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
