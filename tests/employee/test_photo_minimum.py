"""A tiny photo (120 x 160) would be enlarged 3.4x and print blurred: it is refused with the minimum
stated, on the employee's page (in their language), and the page says the minimum beforehand."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.infra import images
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


def _jpeg(size) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (100, 120, 140)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("lang,words", [("en", "at least 276 x 354 pixels"), ("sv", "minst 276 x 354 pixlar")])
def test_tiny_photo_is_refused_with_the_minimum_the_card_needs(client, db, collect, lang, words):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    db.session.commit()  # the request commits; operations only flush
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    page = client.get(f"{link}/photo?lang={lang}")
    assert words in html_text(page)  # said before the upload
    resp = client.post(f"{link}/photo?lang={lang}", {"photo": (io.BytesIO(_jpeg((120, 160))), "me.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert words in html_text(resp) and "120 x 154" in html_text(resp)
    db.session.expire_all()
    assert db.session.scalar(select(CollectionRequest.photo_key)) is None
    # Just big enough passes; a large photo cropped to a tiny part does not.
    ok = client.post(f"{link}/photo", {"photo": (io.BytesIO(_jpeg((276, 355))), "me.jpg")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302


def test_minimum_applies_to_the_chosen_part_of_a_big_photo():
    data = _jpeg((3000, 4000))
    with pytest.raises(images.ImageRejected) as refused:
        images.normalise_photo(data, crop={"x": 100, "y": 100, "width": 150, "height": 200})
    assert refused.value.code == "too_small"
    assert images.normalise_photo(data, crop={"x": 100, "y": 100, "width": 600, "height": 800})
    assert images.min_photo_size((413, 531)) == (276, 354)
