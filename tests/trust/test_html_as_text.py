"""HTML typed into any field is shown as text everywhere: every admin, operator, customer-portal and
employee page, the HTML bodies of emails, card previews, reports, and the rendered card image."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops
from sqlalchemy import select

from portal.cards.models import Card
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import reject_request, send_requests
from portal.customers.models import CustomerRequest, PortalAccount, PortalSettings
from portal.infra.extensions import db as _db
from portal.ordering.models import Address, Order
from portal.outbox.models import OutboxEmail
from portal.printing.models import Printer
from portal.security.passwords import hash_password

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
RAW = re.compile(r'<script>alert\("xss"\)|<img src=x onerror', re.I)


@pytest.fixture()
def hostile(db, make_company, make_world, make_user):
    company = make_company("Alfa " + XSS)
    world = make_world(company)
    user = world["user"]
    user.name = "Admin " + XSS
    card = world[Card]
    card.holder_name, card.card_number = "Holder " + XSS, "9" + XSS[:30]
    card.holder_data = {"first_name": XSS, "last_name": XSS}
    card.readouts = {XSS[:30]: XSS}
    card.status_reason = XSS
    card.card_type.name = "Type " + XSS[:60]
    card.card_type.fields[0].label_en = card.card_type.fields[0].label_sv = "Label " + XSS[:60]
    order = world[Order]
    order.reference, order.cost_centre, order.note = XSS[:120], XSS[:60], XSS
    world[Address].name = "Office " + XSS[:60]
    world[Printer].name = "Printer " + XSS[:60]
    world[CollectionRequest].data = {"first_name": XSS, "last_name": XSS}
    world[CustomerRequest].subject, world[CustomerRequest].notes = XSS[:200], XSS
    world[PortalAccount].password_hash = hash_password("portal password 123")
    settings = db.session.get(PortalSettings, 1) or PortalSettings(id=1)
    settings.enabled, settings.sections = True, ["overview", "jobs", "invoices", "resources", "requests"]
    world[PortalAccount].access_right.can_view_invoices = True
    world[PortalAccount].access_right.can_view_notes = True
    db.session.add(settings)
    make_user(email="op@x.se", is_operator=True, name="Operator " + XSS[:60])
    db.session.commit()
    return world


def _urls(app, world):
    admin = app.extensions["admin"][0]
    views = {v.endpoint: v for v in admin._views}
    ids = {"card_id": world[Card].id, "order_id": world[Order].id, "request_id": world[CollectionRequest].id}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "static" in rule.endpoint or "token" in rule.arguments:
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        method = rule.endpoint.split(".", 1)[-1]
        view = views.get(rule.endpoint.split(".", 1)[0])
        if view is not None and hasattr(view, "model") and method in ("details_view", "edit_view"):
            row = world.get(view.model)
            if row is None:
                continue
            url += f"?id={row.id}"
        yield url


def test_html_in_fields_is_text_on_every_page(app, client, db, hostile):
    found, pages, escaped = [], 0, set()
    report = "/admin/reports/?col=holder_name&col=card_type&col=card_number&col=readout:" + XSS[:30]
    for who in (hostile["user"].email, "op@x.se"):
        client.post("/logout")
        client.login(who)
        for url in [*_urls(app, hostile), report, "/admin/orders/?search=Alfa"]:
            resp = client.get(url, follow_redirects=True)
            if resp.mimetype == "text/html":
                pages += 1
                body = resp.get_data(as_text=True)
                if RAW.search(body):
                    found.append(f"{who} {url}")
                if "&lt;script&gt;alert(" in body or "&lt;script&gt;alert(&#34;" in body:
                    escaped.add(url)
    client.post("/logout")
    client.post("/portal/login", {"username": hostile[PortalAccount].username, "password": "portal password 123"})
    for url in _urls(app, hostile):
        if url.startswith("/portal"):
            resp = client.get(url)
            pages += 1
            if RAW.search(resp.get_data(as_text=True)):
                found.append(f"portal {url}")
    assert pages > 40 and not found, found
    # The hostile values did reach the screens (shown escaped), so the walk proves something.
    assert {"/admin/cards/", "/admin/orders/?search=Alfa", report} <= escaped or len(escaped) >= 10, escaped


def test_html_in_fields_is_text_in_email_html_bodies(app, client, db, hostile):
    company = db.session.get(type(hostile["user"].memberships[0].company), hostile[Card].company_id)
    [req] = send_requests(company, hostile["user"], hostile[Card].card_type,
                          split_email_list(f'"{XSS[:40]}" <emp@x.se>').valid)
    _db.session.commit()  # the request commits; operations only flush
    req.status = "in_review"
    db.session.commit()
    reject_request(company, hostile["user"], req.id, XSS)
    _db.session.commit()  # the request commits; operations only flush
    db.session.commit()
    client.login(hostile["user"].email)
    client.post("/admin/company/users/", {"email": "new@x.se", "name": XSS[:100], "role": "orderer"})
    client.post(f"/admin/cards/{hostile[Card].id}/change", {"first_name": "Ann", "last_name": XSS[:30],
                                                           "holder_email": "h@x.se"})
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.body_html.is_not(None))).all()
    assert len(emails) >= 3, [e.subject for e in emails]
    for email in emails:
        assert not RAW.search(email.body_html or ""), email.subject
    assert any("&lt;script&gt;" in (e.body_html or "") for e in emails)


def test_html_in_a_name_is_drawn_as_its_characters_on_the_card(app):
    from portal.printing.render import render_card

    layout = {"fields": {"holder_name": [60, 400, 48]}}
    with app.app_context():
        tagged = render_card(layout=layout, background="#ffffff", values={"holder_name": "<b>Ann</b>"},
                             photo_key=None, logo_key=None)
        plain = render_card(layout=layout, background="#ffffff", values={"holder_name": "Ann"},
                            photo_key=None, logo_key=None)
    a, b = Image.open(io.BytesIO(tagged)), Image.open(io.BytesIO(plain))
    # The tags are drawn as text (wider ink), not interpreted or dropped.
    assert ImageChops.difference(a, b).getbbox() is not None
    ink = lambda img: img.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()  # noqa: E731
    assert ink(a)[2] - ink(a)[0] > ink(b)[2] - ink(b)[0]
