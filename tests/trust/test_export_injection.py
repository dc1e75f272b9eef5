"""Formula injection: every CSV and xlsx export, filled with values a spreadsheet would run, starts no cell
with = + - @ tab or carriage return unescaped."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from portal.cards.models import Card
from portal.catalog.models import LayoutField
from portal.ordering.models import Order
from portal.tenancy.models import Company

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1+1)", "-2+3", "@cmd", "\t=1", "\r=1", " =1"]
NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?(?:\s?[A-Z]{3})?$")
# Custom exports (not Flask-Admin's own export action). Flask-Admin model screens with can_export are
# found from the registered views; a route whose endpoint says export/template/download must be here.
CUSTOM_EXPORTS = {
    "reports.index": ["/admin/reports/?format=csv&col=holder_name&col=card_number&col=order_number"
                      "&col=readout:chip&col=card_type", "/admin/reports/?format=xlsx&col=holder_name"
                      "&col=card_number&col=readout:chip&col=card_type"],
    "collection.template": ["/admin/collection/template?card_type_id={card_type}"],
}
NOT_EXPORTS = {
    "customer.download": "sends the stored file as uploaded (checked at upload), no generated cells",
    "employee.change_photo": "a JPEG",
}


def _cells(resp) -> list[str]:
    if resp.mimetype.endswith("sheet") or resp.data[:2] == b"PK":
        wb = load_workbook(io.BytesIO(resp.data))
        return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    text = resp.data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _unsafe(cells) -> list[str]:
    return [c for c in cells if c and (c.startswith(TRIGGERS) or c.lstrip(" ").startswith(TRIGGERS))
            and not NUMBER.match(c.strip())]


@pytest.fixture()
def hostile_world(db, make_company, make_world, make_user):
    company = make_company(HOSTILE[0])
    world = make_world(company)
    user = world["user"]
    user.name = HOSTILE[3]
    order = world[Order]
    order.reference, order.cost_centre = HOSTILE[1], HOSTILE[2]
    card = world[Card]
    card.holder_name, card.card_number, card.employee_no = HOSTILE[4], HOSTILE[5], HOSTILE[6]
    card.holder_data = {"first_name": HOSTILE[0], "last_name": HOSTILE[3]}
    card.readouts = {"chip": HOSTILE[1]}
    card.card_type.name = HOSTILE[2]
    db.session.add(LayoutField(card_type_id=card.card_type_id, key="dept", label_en=HOSTILE[0], label_sv=HOSTILE[0],
                               kind="text", required=False, position=9))
    operator = make_user(email="op@x.se", is_operator=True, name=HOSTILE[2])
    db.session.commit()
    return world, operator, card


def test_every_export_escapes_formula_cells(app, client, db, hostile_world):
    world, operator, card = hostile_world
    admin = app.extensions["admin"][0]
    for rule in app.url_map.iter_rules():
        if re.search(r"export|template|download", rule.endpoint) and not rule.endpoint.endswith(".export"):
            assert rule.endpoint in CUSTOM_EXPORTS or rule.endpoint in NOT_EXPORTS, (
                f"{rule.endpoint} looks like an export: add it to CUSTOM_EXPORTS in {__file__}")
    problems, walked = [], []
    for who in (world["user"].email, operator.email):
        client.post("/logout")
        client.login(who)
        urls = [u.format(card_type=card.card_type_id) for us in CUSTOM_EXPORTS.values() for u in us]
        for view in admin._views:
            if getattr(view, "can_export", False):
                urls += [f"{view.url.rstrip('/')}/export/{kind}/" for kind in view.export_types]
        for url in urls:
            resp = client.get(url)
            if resp.status_code != 200:
                continue
            cells = _cells(resp)
            walked.append(url)
            problems += [f"{who} {url}: {c!r}" for c in _unsafe(cells)]
    assert not problems, "\n".join(problems)
    assert any("/orders/export/csv" in u for u in walked) and any("format=xlsx" in u for u in walked), walked
    assert any("/op_users/export/" in u for u in walked) and any("template" in u for u in walked), walked


def test_escaped_values_are_still_there_to_read(app, client, db, hostile_world):
    world, _operator, _card = hostile_world
    client.login(world["user"].email)
    cells = _cells(client.get("/admin/orders/export/csv/"))
    assert "'" + HOSTILE[1] in cells and "'" + HOSTILE[2] in cells


def test_csv_template_with_an_escaped_label_reads_back(app, client, db, hostile_world):
    """The template's header cell is escaped; uploading the template again still maps that column."""
    from portal.catalog.layout import field_specs
    from portal.collection.csv_import import parse_csv

    world, _operator, card = hostile_world
    client.login(world["user"].email)
    template = client.get(f"/admin/collection/template?card_type_id={card.card_type_id}").data
    header = template.decode("utf-8-sig").splitlines()[0]
    rows = template + b"a@x.se,Ada,Lind,Sales\r\n"
    db.session.refresh(card.card_type)
    result = parse_csv(rows, field_specs(card.card_type), email_required=True)
    assert result.ok and result.rows[0].get("dept") == "Sales", (header, result.errors)
    assert db.session.get(Company, card.company_id).name == HOSTILE[0]
