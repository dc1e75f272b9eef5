"""Personal links: entropy, hashing, constant-time checks, expiry, throttling, no leaks (Referer, logs),
and a link of company B never shows company A's data."""
from __future__ import annotations

import io
import logging
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from portal.cards.models import Card, CardChange
from portal.cards.operations import request_card_change
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import issue_link, send_requests
from portal.customers.models import PortalAccount, PortalSettings
from portal.customers.operations import email_login_details
from portal.infra import tokens
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from portal.security import link_guard
from portal.tenancy.invitations import invite_user
from portal.tenancy.models import User
from tests.trust.helpers import snapshot

LINK = re.compile(r"(/r/[A-Za-z0-9_-]{20,})")


def _links(db) -> list[str]:
    bodies = db.session.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id)).all()
    return [LINK.search(b).group(1) for b in bodies if LINK.search(b)]


@pytest.fixture()
def link(db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    return _links(db)[-1], req


def test_tokens_carry_at_least_128_bits_from_secrets():
    token, stored = tokens.new_token()
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 32 random bytes, url-safe
    assert stored == tokens.hash_token(token) and token not in stored
    assert len({tokens.new_token()[0] for _ in range(1000)}) == 1000


def test_link_token_is_stored_only_as_a_hash(db, link):
    path, req = link
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43
    state = snapshot()
    # The queued email must carry the link until it is sent; nothing else in the database may.
    leaks = [t for t, rows in state.items() if t != "outbox_email" and token in repr(rows)]
    assert leaks == []
    assert req.token_hash == tokens.hash_token(token)


def test_link_lookup_compares_hashes_in_constant_time(client, link, monkeypatch):
    path, _req = link
    calls = []
    real = tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert client.get(path).status_code == 200
    assert calls, "the link's hash was not compared with hmac.compare_digest"


def test_link_expires_is_used_up_removed_and_replaced(client, db, link):
    path, req = link
    req.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 410
    req.expires_at = utcnow() + timedelta(days=5)
    req.status = "in_review"  # the employee confirmed: the link is used up
    db.session.commit()
    assert client.get(path).status_code == 410
    req.status = "removed"
    db.session.commit()
    assert client.get(path).status_code == 410
    req.status = "pending"
    new_token = issue_link(req)
    db.session.commit()
    assert client.get(path).status_code == 404  # replaced: the old link is unknown now
    assert client.get(f"/r/{new_token}").status_code == 200


def test_guessing_is_throttled_per_ip(client, db):
    for n in range(10):
        client.get(f"/r/{n}" + "g" * 42)
    assert client.get("/r/" + "h" * 43).status_code == 429


def test_guessing_one_prefix_from_many_addresses_is_throttled(client, db, link):
    path, _req = link
    token = path.rsplit("/", 1)[1]
    prefix = token[:link_guard.PREFIX_LENGTH]
    for n in range(10):  # ten addresses, each far below its own limit
        guess = prefix + ("x" if token[link_guard.PREFIX_LENGTH] != "x" else "y") * (43 - len(prefix))
        client.get(f"/r/{guess}", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    resp = client.get(f"/r/{prefix}{'z' * 37}", environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert resp.status_code == 429
    # Another link (other prefix) from a fresh address still opens.
    assert client.get("/r/" + "Q" * 43, environ_base={"REMOTE_ADDR": "10.0.2.2"}).status_code == 404


@pytest.mark.parametrize("path", ["/r/{t}", "/r/{t}/photo", "/r/change/{t}", "/invite/{t}",
                                  "/portal/set-password/{t}", "/reset/{t}", "/login/link/{t}.aBcD12.{t}"])
def test_access_log_never_contains_a_token(caplog, path):
    token = tokens.new_token()[0]
    link_guard.install_log_redaction()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "25/Nov/2026 03:00:00",
                                           f"GET {path.format(t=token)} HTTP/1.1", "200", "-")
    assert token not in caplog.text and "[redacted]" in caplog.text


def test_token_pages_send_no_referer_outside_and_load_nothing_from_outside(client, link):
    path, _req = link
    for page in ("", "/photo", "/address"):
        resp = client.get(path + page)
        assert resp.headers["Referrer-Policy"] in ("same-origin", "strict-origin", "no-referrer")
        html = resp.get_data(as_text=True)
        assert not re.findall(r'(?:src|href|action)="(?:https?:)?//', html), page


def _png(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 20), colour).save(buf, "PNG")
    return buf.getvalue()


def test_link_of_company_b_never_shows_company_a(client, db, collect, make_company, make_user, make_address):
    from portal.infra import storage

    company_a, orderer_a, ct, _addr_a = collect
    company_a.logo_key = storage.save(_png("red"), "logo", "png")
    company_a.primary_color = "#aa0000"
    send_requests(company_a, orderer_a, ct, split_email_list("anna@alfa.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    company_b = make_company("Beta AB")
    company_b.logo_key = storage.save(_png("blue"), "logo", "png")
    company_b.primary_color = "#0000bb"
    make_address(company_b, "Beta depot", for_collection=True)
    db.session.commit()
    send_requests(company_b, make_user(company_b, role="orderer"), ct, split_email_list("bo@beta.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    path_b = _links(db)[-1]
    a_marks = ["Nordbygg", "Site office", "anna@alfa.se", "#aa0000"]
    for page in ("", "/photo", "/address", "/confirm"):
        resp = client.get(path_b + page, follow_redirects=True)
        text = resp.get_data(as_text=True)
        assert not [m for m in a_marks if m in text], page
    logo = client.get(path_b + "/logo.png")
    assert logo.data == storage.load(company_b.logo_key)
    logo.close()
    # Company A's address id on company B's address step is refused and not stored.
    addr_a = collect[3]
    resp = client.post(path_b + "/address", {"address_id": addr_a.id})
    assert resp.status_code == 200 and "Choose where your card should be delivered" in resp.get_data(as_text=True)
    db.session.expire_all()
    req_b = db.session.scalar(select(CollectionRequest).where(CollectionRequest.email == "bo@beta.se"))
    assert req_b.address_id != addr_a.id


def test_the_real_access_log_of_a_served_link_is_redacted(live_server, caplog, link):
    import urllib.error
    import urllib.request

    path, _req = link
    token = path.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        with urllib.request.urlopen(live_server + path, timeout=10) as resp:  # noqa: S310 (127.0.0.1)
            assert resp.status == 200
        try:
            urllib.request.urlopen(live_server + "/r/" + "Z" * 43, timeout=10)  # noqa: S310 - the test's own http server
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/r/[redacted]" in line for line in lines), lines
    assert not any(token in line or "Z" * 43 in line for line in lines), lines


def _path(db, pattern: str) -> str:
    bodies = db.session.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id.desc())).all()
    return next(re.search(pattern, b).group(1) for b in bodies if re.search(pattern, b))


def test_invitation_and_portal_and_card_change_links_expire_and_are_replaced(client, db, make_company, make_user,
                                                                              make_world):
    company = make_company("Alfa AB")
    world = make_world(company)
    admin = world["user"]
    def invitation():  # the first time an invitation, then "Send invitation again" (a re-invitation is refused)
        from portal.tenancy.models import Membership
        from portal.tenancy.users import resend_invitation

        sent = db.session.scalar(select(Membership).join(User).where(User.email == "new@x.se"))
        if sent is None:
            invite_user(company, "new@x.se", "New", "orderer", admin, "en")
        else:
            resend_invitation(company, admin, sent.id)

    kinds = {
        "invitation": (invitation, r"(/invite/[\w-]+)"),
        "portal password": (lambda: email_login_details(world[PortalAccount]), r"(/portal/set-password/[\w-]+)"),
        "card change": (lambda: request_card_change(company, admin, world[Card], {"first_name": "Ann", "last_name": "B"},
                                                    holder_email="h@x.se"), r"(/r/change/[\w-]+)"),
    }
    settings = db.session.get(PortalSettings, 1) or PortalSettings(id=1)
    settings.enabled = True
    db.session.add(settings)
    world[PortalAccount].email = "acct@x.se"
    db.session.commit()
    for name, (issue, pattern) in kinds.items():
        issue()
        db.session.commit()
        first = _path(db, pattern)
        assert client.get(first).status_code == 200, name
        issue()
        db.session.commit()
        second = _path(db, pattern)
        assert second != first, name
        assert client.get(first).status_code == 404, f"{name}: the replaced link still works"
        assert client.get(second).status_code == 200, name
    # Expiry: move every deadline into the past.
    past = utcnow() - timedelta(minutes=1)
    db.session.execute(update(User).values(invite_expires_at=past))
    db.session.execute(update(PortalAccount).values(set_password_expires_at=past))
    db.session.execute(update(CardChange).values(expires_at=past))
    db.session.commit()
    for name, (_issue, pattern) in kinds.items():
        assert client.get(_path(db, pattern)).status_code in (404, 410), f"{name}: the expired link still works"


@pytest.mark.parametrize("prefix", ["/invite/", "/portal/set-password/", "/r/change/"])
def test_guessing_every_kind_of_link_is_throttled(client, db, prefix):
    db.session.merge(PortalSettings(id=1, enabled=True))
    db.session.commit()
    for n in range(10):
        client.get(f"{prefix}{n}{'q' * 42}")
    assert client.get(f"{prefix}{'w' * 43}").status_code == 429
