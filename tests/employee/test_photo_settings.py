"""Hand-made rotation values on the employee's photo step get the page's clear message, not a 500."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 1000), (100, 120, 140)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("rotate", ["inf", "-inf", "1e400", "nan", "45", "ninety"])
def test_impossible_rotation_gets_a_clear_400(client, db, collect, rotate):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    db.session.commit()  # the request commits; operations only flush
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    resp = client.post(f"{link}/photo", {"photo": (io.BytesIO(_jpeg()), "me.jpg"), "rotate": rotate},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "The crop or rotation settings are invalid" in html_text(resp)
    db.session.expire_all()
    assert db.session.scalar(select(CollectionRequest.photo_key)) is None
    # A quarter turn still works.
    resp = client.post(f"{link}/photo", {"photo": (io.BytesIO(_jpeg()), "me.jpg"), "rotate": "-90"},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
