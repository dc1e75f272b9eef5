"""The photo assistant where photos arrive: the employee's check before sending, the findings kept with the photo,
shown again before confirming, and as a warning badge In review, in the cart and on the card page; a card type
with photo checks off has none."""
import base64
import io

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select

from portal.cards.models import Card
from portal.catalog.models import CardType
from portal.collection import selfservice
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.collection.selfservice import check_employee_photo, save_employee_photo
from portal.infra import photo_assistant
from portal.infra.extensions import db as _db
from portal.infra.storage import load
from portal.ordering.checkout import place_order
from portal.ordering.models import CartItem
from tests.conftest import html_text
from tests.employee.test_employee_pages import _link

skdata = pytest.importorskip("skimage.data")
NO_FACE = "We could not find a face."
DARK = "The photo is too dark."


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _landscape() -> bytes:
    return _jpeg(Image.fromarray(skdata.coffee()).resize((1600, 1200)))


def _portrait() -> bytes:
    return _jpeg(Image.fromarray(skdata.astronaut()).resize((1536, 1536)))


@pytest.fixture()
def employee(client, db, collect) -> str:
    """The employee's link, with their details filled in."""
    company, orderer, ct, _addr = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid, language="en")
    _db.session.commit()
    link = _link(db)
    assert client.post(link, {"first_name": "Åsa", "last_name": "Öberg"}).status_code == 302
    return link


def test_the_check_before_sending_names_the_problem_and_suggests_the_crop(client, employee):
    answer = client.post(employee + "/photo/check", {"photo": (io.BytesIO(_landscape()), "beach.jpg")},
                         content_type="multipart/form-data").get_json()
    assert answer["codes"] == ["no_face"] and answer["findings"][0].startswith(NO_FACE)
    good = client.post(employee + "/photo/check", {"photo": (io.BytesIO(_portrait()), "me.jpg")},
                       content_type="multipart/form-data").get_json()
    assert good["findings"] == []
    crop = good["crop"]
    assert 0 < crop["x"] < 1536 / 2 < crop["x"] + crop["width"] <= 1536
    bad = client.post(employee + "/photo/check", {"photo": (io.BytesIO(b"GIF89a..."), "x.gif")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "not a picture we can read" in bad.get_json()["error"]


def test_a_photo_with_findings_is_sent_anyway_and_the_orderer_sees_the_warning(client, db, collect, employee):
    company, orderer, ct, addr = collect
    resp = client.post(employee + "/photo", {"photo": (io.BytesIO(_landscape()), "beach.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    client.post(employee + "/address", {"address_id": str(addr.id)})
    req = db.session.scalars(select(CollectionRequest)).one()
    assert req.photo_findings == ["no_face"]
    # Before confirming, the employee reads it again and can go back to the photo step.
    confirm = html_text(client.get(employee + "/confirm"))
    assert NO_FACE in confirm and "Change photo" in confirm
    photo_page = client.get(employee + "/photo").get_data(as_text=True)
    assert NO_FACE in photo_page and "Use this photo anyway" in photo_page
    client.post(employee + "/confirm", {})
    # In review, the cart and the card page show the warning with what was found.
    client.login(orderer.email)
    review = html_text(client.get("/admin/collection/review"))
    assert "Check the photo" in review and NO_FACE in review
    client.post(f"/admin/collection/review/{req.id}/approve", {})
    item = db.session.scalars(select(CartItem)).one()
    assert item.photo_findings == ["no_face"]
    cart = html_text(client.get("/admin/cart/"))
    assert "Check the photo" in cart and NO_FACE in cart


def test_findings_travel_to_the_order_line_and_the_card_page(client, db, collect):
    from portal.ordering.models import OrderLine
    from portal.ordering.operations import add_card_to_cart

    company, orderer, ct, addr = collect
    add_card_to_cart(company, orderer, ct, {"first_name": "Åsa", "last_name": "Öberg"}, "photos/x.jpg",
                     address_id=addr.id, photo_findings=["too_dark"])
    place_order(company, orderer, address_id=addr.id)
    _db.session.commit()
    assert db.session.scalars(select(OrderLine)).one().photo_findings == ["too_dark"]
    card = db.session.scalars(select(Card)).one()
    assert card.photo_findings == ["too_dark"]
    client.login(orderer.email)
    page = html_text(client.get(f"/admin/cards/{card.id}"))
    assert "Check the photo" in page and DARK in page


def test_a_good_photo_has_no_warning(client, db, collect, employee):
    client.post(employee + "/photo", {"photo": (io.BytesIO(_portrait()), "me.jpg")},
                content_type="multipart/form-data")
    client.post(employee + "/address", {"address_id": str(collect[3].id)})
    req = db.session.scalars(select(CollectionRequest)).one()
    assert req.photo_findings == []
    page = client.get(employee + "/confirm")
    assert page.status_code == 200 and "Check your card" in html_text(page)
    assert "Check your photo" not in html_text(page)


def test_photo_checks_off_for_the_card_type(client, db, collect, employee):
    _company, _orderer, ct, _addr = collect
    ct.photo_checks = False
    _db.session.commit()
    assert client.post(employee + "/photo/check", {"photo": (io.BytesIO(_landscape()), "logo.jpg")},
                       content_type="multipart/form-data").get_json() == {"findings": [], "crop": None}
    client.post(employee + "/photo", {"photo": (io.BytesIO(_landscape()), "logo.jpg")},
                content_type="multipart/form-data")
    assert db.session.scalars(select(CollectionRequest)).one().photo_findings == []


def test_a_card_change_with_a_new_photo_carries_its_findings_to_the_card(client, db, collect):
    from portal.cards.operations import approve_card_change, request_card_change
    from portal.ordering.operations import add_card_to_cart

    company, orderer, ct, addr = collect
    add_card_to_cart(company, orderer, ct, {"first_name": "Åsa", "last_name": "Öberg"}, "photos/x.jpg",
                     address_id=addr.id)
    place_order(company, orderer, address_id=addr.id)
    _db.session.commit()
    card = db.session.scalars(select(Card)).one()
    assert card.photo_findings == []
    change = request_card_change(company, orderer, card, dict(card.holder_data), _landscape(), holder_email="a@x.se")
    _db.session.commit()
    assert change.photo_findings == ["no_face"]
    client.login(orderer.email)
    assert NO_FACE in html_text(client.get(f"/admin/cards/{card.id}"))  # next to the proposed photo
    approve_card_change(change)
    _db.session.commit()
    assert card.photo_findings == ["no_face"]


def test_the_order_form_keeps_the_findings_with_the_photo_into_the_cart(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    resp = client.post(f"/admin/order-cards/?card_type={ct.id}", {
        "card_type": str(ct.id), "f-first_name": "Åsa", "f-last_name": "Öberg", "first_name": "Åsa",
        "last_name": "Öberg", "address_id": str(addr.id), "duplicate_choice": "additional",
        "photo": (io.BytesIO(_landscape()), "beach.jpg")}, content_type="multipart/form-data")
    assert resp.status_code == 302, html_text(resp)[:400]
    assert NO_FACE in html_text(client.get(resp.headers["Location"]))  # said at once on the order form
    item = db.session.scalars(select(CartItem)).one()
    assert item.photo_findings == ["no_face"]
    cart = html_text(client.get("/admin/cart/"))
    assert "Check the photo" in cart and NO_FACE in cart


def test_the_operator_turns_photo_checks_off_for_a_key_fob(client, db, make_card_type, make_user):
    from portal.catalog.models import CardType

    ct = make_card_type("Key fob", fields=[("first_name", "First name", "text", True)])
    assert ct.photo_checks  # on unless turned off
    operator = make_user(email="op@cardwright.se", is_operator=True)
    client.login(operator.email)
    form = client.get(f"/admin/op_card_types/edit/?id={ct.id}").get_data(as_text=True)
    assert 'name="photo_checks"' in form and "Check photos" in form and "key fob" in form
    data = {"name": "Key fob", "kind": "card", "price": "29.00", "photo_width": "413", "photo_height": "531",
            "active": "y", "description": ""}
    for i, f in enumerate(ct.fields):
        data.update({f"fields-{i}-id": str(f.id), f"fields-{i}-key": f.key, f"fields-{i}-label_en": f.label_en,
                     f"fields-{i}-kind": f.kind, f"fields-{i}-required": "y", f"fields-{i}-position": str(i),
                     f"fields-{i}-max_length": "100", f"fields-{i}-options": ""})
    assert client.post(f"/admin/op_card_types/edit/?id={ct.id}", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(CardType, ct.id).photo_checks is False
    data["photo_checks"] = "y"
    assert client.post(f"/admin/op_card_types/edit/?id={ct.id}", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(CardType, ct.id).photo_checks is True


def test_the_pages_own_check_is_not_run_again_for_the_same_bytes_and_cannot_be_passed_off(client, db, employee,
                                                                                         collect, monkeypatch):
    """The check before sending signs what it found for exactly those bytes of this link; sending those bytes
    with the crop keeps the findings without a second look. A verdict for other bytes, another link, or one
    altered on the way is not believed: the photo is checked again."""
    from portal.infra import photo_assistant

    looks = []
    real = photo_assistant.check_photo
    monkeypatch.setattr(photo_assistant, "check_photo", lambda *a, **kw: looks.append(1) or real(*a, **kw))
    landscape, portrait = _landscape(), _portrait()
    no_face = client.post(employee + "/photo/check", {"photo": (io.BytesIO(landscape), "beach.jpg")},
                          content_type="multipart/form-data").get_json()["verdict"]
    clean = client.post(employee + "/photo/check", {"photo": (io.BytesIO(portrait), "me.jpg")},
                        content_type="multipart/form-data").get_json()["verdict"]
    crop = {"crop_x": "100", "crop_y": "100", "crop_width": "700", "crop_height": "900", "rotate": "0"}

    def send(data: bytes, verdict: str) -> list[str]:
        looks.clear()
        answer = client.post(employee + "/photo", {"photo": (io.BytesIO(data), "p.jpg"), "verdict": verdict, **crop},
                             content_type="multipart/form-data")
        assert answer.status_code == 302, answer.text
        req = db.session.scalar(select(CollectionRequest))
        db.session.refresh(req)
        return req.photo_findings

    assert send(landscape, no_face) == ["no_face"] and looks == []  # the same bytes: kept, no second look
    assert send(landscape, clean) == ["no_face"] and looks == [1]  # another photo's clean verdict: looked again
    assert send(landscape, clean[:-3] + "abc") == ["no_face"] and looks == [1]  # altered: looked again
    assert send(portrait, clean) == [] and looks == []

    # Another link's verdict for the same bytes is not this link's.
    company, orderer, ct, _addr = collect
    send_requests(company, orderer, ct, split_email_list("bo@x.se").valid, language="en")
    first, second = db.session.scalars(select(CollectionRequest).order_by(CollectionRequest.id)).all()
    _advice, theirs, _card = check_employee_photo(second, landscape)
    looks.clear()
    assert save_employee_photo(first, landscape, {"x": 0, "y": 0, "width": 700, "height": 900}, 0,
                               theirs) == ["no_face"]
    assert looks == [1]


def test_the_card_photo_the_check_made_is_sent_back_once_and_kept_as_it_is(client, db, employee, collect,
                                                                          monkeypatch):
    """The phone's scaled copy is checked and, from the same decode, cropped to the box the cropper starts
    from; the phone sends that small JPEG back with its seal instead of the copy (the photo travels once).
    It is kept byte for byte with its findings, no second look. Other bytes, another link's seal, or a seal
    made for another photo size are not believed: the upload is then handled as any photo."""
    # head and shoulders, as photo.js sends a 3000 x 4000 photo
    portrait = Image.fromarray(skdata.astronaut()).crop((60, 0, 360, 400)).resize((1200, 1600))
    copy = _jpeg(portrait)
    answer = client.post(employee + "/photo/check", {"photo": (io.BytesIO(copy), "photo.jpg"), "width": "3000",
                                                     "height": "4000"}, content_type="multipart/form-data").get_json()
    card, seal = base64.b64decode(answer["card"]), answer["seal"]
    assert Image.open(io.BytesIO(card)).size == (413, 531)
    assert answer["card_box"] == answer["crop"]  # the suggested crop, in the 3000 px photo's pixels
    in_copy = photo_assistant.check_photo(copy, size=(413, 531)).crop
    # in the original's pixels (within one of the face detector's 10 % steps: the two looks use other grey copies)
    assert answer["crop"]["width"] == pytest.approx(in_copy["width"] * 2.5, rel=0.1)

    looks = []
    real = photo_assistant.assist_photo
    monkeypatch.setattr(photo_assistant, "assist_photo", lambda *a, **kw: looks.append(1) or real(*a, **kw))
    monkeypatch.setattr(selfservice, "assist_photo", photo_assistant.assist_photo)

    def send(data: bytes, seal: str) -> CollectionRequest:
        looks.clear()
        sent = client.post(employee + "/photo", {"photo": (io.BytesIO(data), "photo.jpg"), "seal": seal,
                                                 "rotate": "0"}, content_type="multipart/form-data")
        assert sent.status_code == 302, sent.text
        req = db.session.scalar(select(CollectionRequest))
        db.session.refresh(req)
        return req

    kept = send(card, seal)
    assert load(kept.photo_key) == card and kept.photo_findings == [] and looks == []
    # What the copy with that box would have given: the same face in the same place.
    expected = Image.open(io.BytesIO(photo_assistant.images.normalise_photo(
        copy, size=(413, 531), crop={k: v * 0.4 for k, v in answer["card_box"].items()}))).convert("L")
    assert ImageStat.Stat(ImageChops.difference(expected, Image.open(io.BytesIO(card)).convert("L"))).mean[0] < 3

    send(_jpeg(Image.open(io.BytesIO(card)).rotate(180)), seal)  # not the bytes that were sealed
    assert looks == [1]
    assert send(card, seal[:-3] + "abc").photo_key and looks == [1]  # altered seal: looked at again
    ct = db.session.get(CardType, collect[2].id)
    ct.photo_height += 1  # the card type's photo size changed since the check
    _db.session.commit()
    send(card, seal)
    assert looks == [1]
    ct.photo_height -= 1
    company, orderer, _ct, _addr = collect
    send_requests(company, orderer, ct, split_email_list("bo@x.se").valid, language="en")
    first, second = db.session.scalars(select(CollectionRequest).order_by(CollectionRequest.id)).all()
    _advice, _verdict, theirs = check_employee_photo(second, copy, (3000, 4000))
    looks.clear()
    save_employee_photo(first, theirs["jpeg"], None, 0, None, theirs["seal"])  # another link's card
    assert looks == [1]
