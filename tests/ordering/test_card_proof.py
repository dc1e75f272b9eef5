"""The card proof: the order form's live proof, the cart's and In review's thumbnails (the print renderer)."""
import io
from urllib.parse import unquote

from PIL import Image, ImageChops
from sqlalchemy import select

from portal.collection.models import CollectionRequest
from portal.ordering.models import CartItem
from portal.printing.render import DEFAULT_LAYOUT
from tests.conftest import html_text


def _named_layout(ct, db):
    ct.template.layout = {**DEFAULT_LAYOUT, "fields": {"first_name": [380, 220, 56], "last_name": [380, 290, 56]}}
    db.session.commit()


def _proof(client, ct, **fields):
    data = {"card_type": ct.id, "first_name": "Åsa", "last_name": "Öberg", **fields}
    return client.post("/admin/order-cards/proof", data, content_type="multipart/form-data")


def _image(resp) -> Image.Image:
    assert resp.status_code == 200, resp.status_code
    assert resp.mimetype == "image/webp"
    return Image.open(io.BytesIO(resp.data)).convert("RGB")


def test_the_proof_changes_when_the_name_changes(client, db, shop):
    company, orderer, ct, _acc, _addr = shop
    _named_layout(ct, db)
    client.login(orderer.email)
    first = _proof(client, ct)
    asa = _image(first)
    assert unquote(first.headers["X-Proof-Alt"]) == "Card proof: Employee badge for Åsa Öberg, Nordbygg AB"
    assert first.headers["Cache-Control"] == "private, no-store"
    same = _image(_proof(client, ct))
    assert ImageChops.difference(asa, same).getbbox() is None  # the same values draw the same card
    other = _image(_proof(client, ct, first_name="Bertil"))
    # Lossy WebP shifts a few pixel values anywhere; what a reader sees changes only where the name is.
    box = ImageChops.difference(asa, other).convert("L").point(lambda v: 255 if v > 48 else 0).getbbox()
    assert box is not None, "a new first name changes the proof"
    assert box[0] > asa.width // 3, "only the text side of the card changed, not the photo or logo"


def test_the_proof_draws_the_chosen_photo_and_fits_a_thumbnail(client, db, shop, jpeg_bytes):
    company, orderer, ct, _acc, _addr = shop
    client.login(orderer.email)
    without = _image(_proof(client, ct))
    data = {"card_type": ct.id, "first_name": "Åsa", "photo": (io.BytesIO(jpeg_bytes(colour=(200, 30, 30))), "me.jpg")}
    with_photo = _image(client.post("/admin/order-cards/proof", data, content_type="multipart/form-data"))
    assert without.size == with_photo.size == (640, 404)
    r, g, b = with_photo.getpixel((int(170 / 1011 * 640), int(340 / 638 * 404)))  # the middle of the photo frame
    assert r > 150 and g < 80 and b < 80


def test_another_companys_card_type_and_oversize_input_are_refused(client, db, shop, make_company,
                                                                   make_card_type):
    company, orderer, ct, _acc, _addr = shop
    theirs = make_card_type("Their badge", company=make_company("Other AB"))
    client.login(orderer.email)
    assert _proof(client, theirs).status_code == 404
    assert _proof(client, ct, first_name="Å" * 5000).status_code == 413
    huge = {"card_type": ct.id, "photo": (io.BytesIO(b"\xff\xd8" + b"0" * (3 * 1024 * 1024)), "big.jpg")}
    assert client.post("/admin/order-cards/proof", huge, content_type="multipart/form-data").status_code == 413
    assert client.post("/admin/order-cards/proof", {"card_type": ct.id}, csrf=False).status_code == 400


def test_the_order_form_has_the_live_proof(client, db, shop):
    company, orderer, ct, _acc, _addr = shop
    client.login(orderer.email)
    page = client.get(f"/admin/order-cards/?card_type={ct.id}").get_data(as_text=True)
    assert 'data-proof-url="/admin/order-cards/proof"' in page and "live_proof.js" in page
    assert 'alt="Card proof: Employee badge, Nordbygg AB (no name filled in yet)"' in page


def test_cart_and_review_show_the_proof_with_its_alt_text(client, db, shop, jpeg_bytes):
    company, orderer, ct, _acc, _addr = shop
    _named_layout(ct, db)
    orderer_id = orderer.id
    client.login(orderer.email)
    data = {"card_type": ct.id, "action": "cart", "first_name": "Åsa", "last_name": "Öberg",
            "photo": (io.BytesIO(jpeg_bytes()), "me.jpg")}
    assert client.post(f"/admin/order-cards/?card_type={ct.id}", data,
                       content_type="multipart/form-data").status_code == 302
    item = db.session.scalar(select(CartItem).where(CartItem.user_id == orderer_id))
    cart = client.get("/admin/cart/").get_data(as_text=True)
    assert f'src="/admin/cart/proof/{item.id}.webp"' in cart
    assert 'alt="Card proof: Employee badge for Åsa Öberg, Nordbygg AB"' in cart
    assert _image(client.get(f"/admin/cart/proof/{item.id}.webp?size=large")).size == (1011, 638)

    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="b@x.se", status="in_review",
                            data={"first_name": "Bertil", "last_name": "Ek"})
    db.session.add(req)
    db.session.commit()
    review = client.get("/admin/collection/review")
    assert "Card proof: Employee badge for Bertil Ek, Nordbygg AB" in review.get_data(as_text=True)
    assert "Bertil Ek" in html_text(review)
    assert _image(client.get(f"/admin/collection/proof/{req.id}.webp")).size == (320, 202)


def test_a_stored_cards_proof_is_not_drawn_again_while_unchanged(client, db, shop, jpeg_bytes, monkeypatch):
    company, orderer, ct, _acc, _addr = shop
    client.login(orderer.email)
    data = {"card_type": ct.id, "action": "cart", "first_name": "Åsa", "last_name": "Öberg",
            "photo": (io.BytesIO(jpeg_bytes()), "me.jpg")}
    client.post(f"/admin/order-cards/?card_type={ct.id}", data, content_type="multipart/form-data")
    item = db.session.scalar(select(CartItem))
    first = client.get(f"/admin/cart/proof/{item.id}.webp")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    again = client.get(f"/admin/cart/proof/{item.id}.webp", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    item.holder_data = {**item.holder_data, "first_name": "Bertil"}
    db.session.commit()
    changed = client.get(f"/admin/cart/proof/{item.id}.webp", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_a_busy_server_asks_to_try_again_instead_of_drawing_without_bound(client, db, shop, monkeypatch):
    import portal.printing.proof as proof

    company, orderer, ct, _acc, _addr = shop
    client.login(orderer.email)
    monkeypatch.setattr(proof, "PROOF_WAIT_SECONDS", 0.01)
    taken = [proof._drawing.acquire() for _ in range(proof.PROOF_CONCURRENCY)]
    try:
        resp = _proof(client, ct)
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "2"
    finally:
        for _ in taken:
            proof._drawing.release()
    assert _proof(client, ct).status_code == 200


def test_the_proof_prints_a_choice_in_the_companys_language_like_the_printer(db, make_company, make_card_type,
                                                                           monkeypatch):
    from portal.printing import proof

    company = make_company("Nordbygg AB", language="sv")
    ct = make_card_type(fields=[("first_name", "First name", "text", True),
                                ("dept", "Department", "choice", False, "Office\nWarehouse")])
    ct.fields[1].set_translation("sv", "options", "Kontor\nLager")
    db.session.commit()
    drawn = {}
    monkeypatch.setattr(proof, "draw_card", lambda **kw: drawn.update(kw["values"]) or Image.new("RGB", (1011, 638)))
    proof.render_proof(company, ct, {"first_name": "Bo", "dept": "Warehouse"})
    assert drawn["dept"] == "Lager"
