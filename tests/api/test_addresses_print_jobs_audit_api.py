"""Addresses (add, change, archive), print jobs and the audit log through the API."""
from __future__ import annotations

from portal.printing.models import Printer, PrintJob


def test_add_change_and_archive_an_address(api, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,order")
    made = api.post("/api/v1/addresses", headers=headers, json={
        "name": "Site Hammarby", "street": "Lumaparksvägen 1", "postcode": "120 31", "city": "Stockholm"})
    assert made.status_code == 201 and made.json["country"] == "SE" and made.json["archived"] is False
    changed = api.patch(f"/api/v1/addresses/{made.json['id']}", headers=headers, json={"attention": "Site office"})
    assert changed.json["attention"] == "Site office" and changed.json["city"] == "Stockholm"
    assert [a["name"] for a in api.get("/api/v1/addresses", headers=headers).json["items"]] == ["Site Hammarby"]
    assert api.delete(f"/api/v1/addresses/{made.json['id']}", headers=headers).json["archived"] is True
    assert api.get("/api/v1/addresses", headers=headers).json["items"] == []
    bad = api.post("/api/v1/addresses", headers=headers, json={"name": "x", "street": "y", "postcode": "1", "city": "z",
                                                               "country": "Sweden"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "country"


def test_print_jobs_are_read_only_and_the_companys_own(api, db, api_world, make_key):
    acme = api_world["acme"]
    printer = Printer(company_id=acme.id, name="Reception printer")
    db.session.add(printer)
    db.session.flush()
    db.session.add(PrintJob(company_id=acme.id, card_id=api_world["cards"][0].id, printer_id=printer.id, status="failed",
                            error="Ribbon empty"))
    db.session.commit()
    [job] = api.get("/api/v1/print-jobs", headers=make_key(acme)).json["items"]
    assert (job["printer"], job["status"], job["error"]) == ("Reception printer", "failed", "Ribbon empty")
    assert api.get("/api/v1/print-jobs", headers=make_key(api_world["other"])).json["items"] == []


def test_the_audit_log_shows_what_a_key_did(api, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,cards")
    api.post(f"/api/v1/cards/{api_world['cards'][0].id}/block", json={"reason": "Lost"}, headers=headers)
    events = api.get("/api/v1/audit-events", query_string={"action": "card.blocked"}, headers=headers).json["items"]
    assert len(events) == 1 and events[0]["api_key_id"] is not None and "Lost" in events[0]["summary"]
