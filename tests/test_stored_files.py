"""Stored files go to the browser one way (portal.infra.storage.send): a file that is gone answers 404."""
import pytest
from werkzeug.exceptions import NotFound

from portal.infra import storage


def test_a_logo_whose_file_is_gone_answers_not_found_instead_of_failing(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se")
    company.logo_key = storage.save(b"\x89PNG fake", "logos", "png")
    db.session.commit()
    client.login("anna@x.se")
    shown = client.get(f"/company-logo/{company.id}.png")
    assert shown.status_code == 200 and shown.data == b"\x89PNG fake"
    shown.close()
    storage.delete(company.logo_key)
    assert client.get(f"/company-logo/{company.id}.png").status_code == 404


@pytest.mark.parametrize("key", [None, "", "../../etc/passwd", "photos/../../x.jpg", "photos/nosuchfile123.jpg"])
def test_send_refuses_empty_crafted_and_missing_keys(app, key):
    with app.test_request_context(), pytest.raises(NotFound):
        storage.send(key, "image/jpeg")


def test_no_screen_sends_a_storage_path_itself():
    from pathlib import Path

    root = Path(__file__).parents[1]
    found = [str(p) for d in ("admin_views", "selfservice", "portal") for p in (root / d).rglob("*.py")
             if "send_file(storage.path_for" in p.read_text()]
    assert found == []
