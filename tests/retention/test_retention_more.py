"""Retention beyond orders: locally printed cards, audit summaries that name people, old emails."""
from datetime import timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.operations import record
from portal.cards.models import Card
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.outbox.models import OutboxEmail
from portal.printing.models import Printer, PrintJob
from portal.retention.operations import anonymise_all
from tests.retention.test_retention import _photo, old_order  # noqa: F401 - shared fixture


def test_locally_printed_cards_audit_summaries_and_old_emails_go_too(db, make_company, make_card_type,
                                                                    old_order):  # noqa: F811
    company = make_company("Nordbygg AB", retention_months=12)
    order, line, card, photo = old_order(company, age_days=400)
    old = utcnow() - timedelta(days=400)
    printed_photo = _photo()
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    local = Card(company_id=company.id, card_type_id=make_card_type().id, holder_name="Bo Ek", holder_email="bo@x.se",
                 holder_data={"first_name": "Bo"}, photo_key=printed_photo, status="blocked", status_changed_at=old,
                 card_number="900")
    recent_local = Card(company_id=company.id, card_type_id=local.card_type_id, holder_name="Cia Ny", status="blocked")
    db.session.add_all([printer, local, recent_local])
    db.session.flush()
    job = PrintJob(company_id=company.id, card_id=local.id, printer_id=printer.id, status="printed", output="/x/bo.png")
    db.session.add(job)
    db.session.flush()
    record("card.blocked", company_id=company.id, obj=card, summary="Åsa Öberg: lost")
    record("card.print_queued", company_id=company.id, obj=job, summary="Bo Ek -> Desk")
    record("card.blocked", company_id=company.id, obj=recent_local, summary="Cia Ny: lost")
    db.session.add_all([
        OutboxEmail(company_id=company.id, to="asa@x.se", subject="Your card", body_text="Hej Åsa", state="sent",
                    created_at=old),
        OutboxEmail(company_id=company.id, to="new@x.se", subject="New", body_text="Hej", state="sent"),
        OutboxEmail(company_id=company.id, to="wait@x.se", subject="Waiting", body_text="Hej", state="pending",
                    created_at=old),
    ])
    db.session.commit()
    counts = anonymise_all()
    assert counts.cards == 2 and counts.emails == 1 and counts.audit_events == 2
    db.session.expire_all()
    local = db.session.get(Card, local.id)
    assert (local.holder_name, local.holder_email, local.holder_data, local.photo_key) == ("", "", {}, None)
    assert local.card_number == "900" and local.status == "blocked"
    assert not storage.exists(printed_photo)
    assert db.session.get(PrintJob, job.id).output == ""
    assert db.session.get(Card, recent_local.id).holder_name == "Cia Ny"
    summaries = set(db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action != "retention.run", AuditEvent.object_type.in_(["Card", "PrintJob"]))))
    assert summaries == {"", "Cia Ny: lost"}
    assert sorted(db.session.scalars(select(OutboxEmail.to))) == ["new@x.se", "wait@x.se"]
    run = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.run"))
    assert run.changes["emails"] == [None, 1] and run.changes["cards"] == [None, 2]
    assert anonymise_all().cards == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "retention.run")) == 1


def test_settings_page_previews_how_many_orders_the_next_run_anonymises(client, db, make_company, make_user,
                                                                        old_order):  # noqa: F811
    from tests.conftest import html_text

    company = make_company("Nordbygg AB", retention_months=12, language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    old_order(company, age_days=400)
    old_order(company, age_days=10, number="CW-2")
    client.login(admin.email)
    assert "1 order would be anonymised by the next run" in html_text(client.get("/admin/company/settings/"))
    anonymise_all()
    assert "0 orders would be anonymised by the next run" in html_text(client.get("/admin/company/settings/"))


def test_an_anonymised_card_says_so_on_its_page(client, db, make_company, make_user, old_order):  # noqa: F811
    from tests.conftest import html_text

    company = make_company("Nordbygg AB", retention_months=12, language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    order, line, card, photo = old_order(company, age_days=400)
    anonymise_all()
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{card.id}"))
    assert "personal data was removed" in page and "100200" in page and "Åsa" not in page
