"""API keys: made by a company admin or the CLI, shown once, kept only as a hash, scoped, revocable."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.security.models import ApiKey
from tests.conftest import html_text


def test_company_admin_makes_a_key_sees_it_once_and_it_works(client, api, db, api_world):
    client.login("admin@acme.example")
    page = client.get("/admin/company/api-keys/")
    assert page.status_code == 200 and "No keys yet" in html_text(page)
    response = client.post("/admin/company/api-keys/", {"name": "Access control", "scopes": ["read", "cards"]},
                           follow_redirects=True)
    text = html_text(response)
    secret = text.split("cw_", 1)[1].split()[0]
    secret = "cw_" + secret
    assert "shown only this once" in text and "Access control" in text
    again = html_text(client.get("/admin/company/api-keys/"))
    assert secret not in again and "Never" in again  # shown once; not used yet
    stored = db.session.scalar(select(ApiKey))
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored.key_hash
    answer = api.get("/api/v1/cards", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and len(answer.json["items"]) == 5
    assert "Never" not in html_text(client.get("/admin/company/api-keys/"))  # last use shown


def test_a_revoked_key_is_refused_at_once(client, api, db, api_world, make_key):
    headers = make_key(api_world["acme"])
    assert api.get("/api/v1/cards", headers=headers).status_code == 200
    client.login("admin@acme.example")
    key = db.session.scalar(select(ApiKey))
    assert client.post(f"/admin/company/api-keys/{key.id}/revoke").status_code == 302
    refused = api.get("/api/v1/cards", headers=headers)
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"
    assert "Revoked" in html_text(client.get("/admin/company/api-keys/"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "ApiKey",
                                                      AuditEvent.action == "apikey.revoked")) is not None


def test_expired_wrong_and_missing_keys_get_401_problems(client, api, db, api_world, make_key, runner):
    headers = make_key(api_world["acme"])
    key = db.session.scalar(select(ApiKey))
    from datetime import date, timedelta
    key.expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    for h in (headers, {"Authorization": headers["Authorization"][:-2] + "xx"}, {}, {"Authorization": "Basic abc"}):
        answer = api.get("/api/v1/cards", headers=h)
        assert answer.status_code == 401 and answer.json["title"] == "Unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_companys_admin_cannot_see_or_revoke_the_key(client, db, api_world, make_key, make_user):
    make_key(api_world["acme"], name="Acme payroll")
    make_user(api_world["other"], role="admin", email="admin@other.example")
    client.login("admin@other.example")
    key = db.session.scalar(select(ApiKey))
    assert "Acme payroll" not in html_text(client.get("/admin/company/api-keys/"))
    assert client.post(f"/admin/company/api-keys/{key.id}/revoke").status_code == 404
    db.session.refresh(key)
    assert key.revoked_at is None


def test_an_orderer_cannot_make_keys(client, api_world, make_user):
    make_user(api_world["acme"], role="orderer", email="o@acme.example")
    client.login("o@acme.example")
    assert client.get("/admin/company/api-keys/").status_code == 403


def test_cli_refuses_unknown_scopes_and_companies(runner, api_world):
    bad = runner.invoke(args=["api-key", "create", "--company", "Acme Bygg AB", "--scopes", "everything", "--name", "x"])
    assert bad.exit_code != 0 and "Choose what the key may do" in bad.output
    missing = runner.invoke(args=["api-key", "create", "--company", "Nobody AB", "--name", "x"])
    assert missing.exit_code != 0 and "No company" in missing.output
    by_name = runner.invoke(args=["api-key", "create", "--company", "Acme Bygg AB", "--name", "x"])
    assert by_name.exit_code == 0 and by_name.output.startswith("cw_")


def test_an_operators_key_names_the_company_it_acts_in(api, runner, api_world):
    made = runner.invoke(args=["api-key", "create", "--scopes", "read", "--name", "Operator tooling"])
    headers = {"Authorization": f"Bearer {made.output.strip()}"}
    missing = api.get("/api/v1/cards", headers=headers)
    assert missing.status_code == 400 and "Cardwright-Company" in missing.json["detail"]
    acme = api.get("/api/v1/cards", headers={**headers, "Cardwright-Company": str(api_world["acme"].id)}).json
    other = api.get("/api/v1/cards", headers={**headers, "Cardwright-Company": str(api_world["other"].id)}).json
    assert len(acme["items"]) == 5 and [c["holder_name"] for c in other["items"]] == ["Olle Annan"]
