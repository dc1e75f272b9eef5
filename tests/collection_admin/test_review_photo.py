"""An import without email for a card type that needs a photo: the import page says so beforehand, and
review lets the orderer add or replace the photo (checked by content, refused when too small)."""
import io

from PIL import Image
from sqlalchemy import func, select

from portal.collection.models import CollectionRequest
from portal.infra import storage
from portal.ordering.models import CartItem
from tests.conftest import html_text


def _upload_without_email(client, ct):
    rows = "First name,Last name\nÅsa,Öberg\nBo,Ek\n".encode("utf-8-sig")
    return client.post("/admin/collection/upload", {"card_type_id": ct.id, "collect_by_email": "no",
                                                   "file": (io.BytesIO(rows), "people.csv")},
                       content_type="multipart/form-data", follow_redirects=True)


def _edit(client, req_id, photo: bytes, name="me.jpg", first="Åsa"):
    return client.post(f"/admin/collection/review/{req_id}/edit",
                       {"first_name": first, "last_name": "Öberg", "photo": (io.BytesIO(photo), name)},
                       content_type="multipart/form-data")


def test_import_page_says_beforehand_that_cards_without_email_will_need_a_photo(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    resp = client.get("/admin/collection/")
    page = resp.get_data(as_text=True)
    note = page.split('data-testid="no-email-photo-note"')[0].rsplit("<small", 1)[1]
    assert "d-none" not in note  # shown for this card type, which needs a photo
    assert "every imported card needs a photo before it can go to the cart" in html_text(resp)
    text = html_text(_upload_without_email(client, ct))
    assert "These 2 cards need a photo before they can go to the cart" in text
    assert "2 cards need a photo before they can go to the cart" in text  # and review says it too
    assert text.count("Add photo") == 2


def test_orderer_adds_the_photo_in_review_and_the_card_then_goes_to_the_cart(client, db, collect, photo_bytes):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    _upload_without_email(client, ct)
    text = html_text(client.post("/admin/collection/review/approve-all", {}, follow_redirects=True))
    assert "2 cards are not complete (a photo or data is missing) and stay in review." in text
    req = db.session.scalar(select(CollectionRequest).where(CollectionRequest.data["first_name"].as_string() == "Åsa"))
    form = client.get(f"/admin/collection/review/{req.id}/edit?partial=1").get_data(as_text=True)
    assert 'name="photo"' in form and 'enctype="multipart/form-data"' in form and "at least 276 x 354 pixels" in form

    assert _edit(client, req.id, photo_bytes()).status_code == 302
    db.session.expire_all()
    first_key = db.session.get(CollectionRequest, req.id).photo_key
    assert first_key and storage.exists(first_key)
    with Image.open(storage.path_for(first_key)) as stored:
        assert stored.size == (ct.photo_width, ct.photo_height)
    # Replace it: the new photo is kept, the old file is gone.
    assert _edit(client, req.id, photo_bytes(size=(900, 1200))).status_code == 302
    db.session.expire_all()
    second_key = db.session.get(CollectionRequest, req.id).photo_key
    assert second_key != first_key and storage.exists(second_key) and not storage.exists(first_key)

    text = html_text(client.post(f"/admin/collection/review/{req.id}/approve", {}, follow_redirects=True))
    assert "The card was added to your cart." in text
    assert db.session.scalar(select(CartItem.photo_key)) == second_key


def test_review_photo_is_checked_by_content_and_size(client, db, collect, photo_bytes):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    _upload_without_email(client, ct)
    req = db.session.scalars(select(CollectionRequest)).first()
    script = _edit(client, req.id, b"<script>alert(1)</script>", name="photo.jpg")
    assert script.status_code == 422 and "not a picture we can read" in html_text(script)
    tiny = _edit(client, req.id, photo_bytes(size=(120, 160)), first="Changed")
    assert tiny.status_code == 422
    assert "the part used for the card is 120 x 154 pixels" in html_text(tiny) and "at least 276 x 354 pixels" in html_text(tiny)
    db.session.expire_all()
    kept = db.session.get(CollectionRequest, req.id)
    assert kept.photo_key is None and kept.data["first_name"] != "Changed"  # nothing was saved
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 0
