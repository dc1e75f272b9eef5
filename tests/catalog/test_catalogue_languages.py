"""Issue 13: catalogue data in every language. Card types, layout field labels, choice options and
accessories are read in the reader's language (English when a translation is missing); a choice keeps
its stable (English) value; the operator edits every language and sees what is missing."""
import io
import re

import pytest
from sqlalchemy import func, select

from portal.catalog.models import Accessory, CardType, LayoutField
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


@pytest.fixture()
def nordic(db, collect):
    """The collect fixture's card type with a choice field, named in Swedish, Finnish and Danish."""
    company, orderer, ct, addr = collect
    ct.set_translation("fi", "name", "Työmaakortti")
    ct.set_translation("sv", "name", "Byggkort")
    ct.fields[0].set_translation("da", "label", "Fornavn")
    ct.fields.append(LayoutField(key="department", label_en="Department", kind="choice", required=True, position=5,
                                 options="Office\nWarehouse\nField service",
                                 translations={"sv": {"label": "Avdelning", "options": "Kontor\nLager\nFältservice"},
                                               "da": {"label": "Afdeling", "options": "Kontor\nLager\nUdkørende service"}}))
    db.session.commit()
    return company, orderer, ct, addr


def _link(kind="collection_request") -> str:
    email = _db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)
                                .order_by(OutboxEmail.id.desc())).first()
    return re.search(r"(/r/[A-Za-z0-9_-]{30,})", email.body_text).group(1)


def test_a_swedish_employee_reads_swedish_labels_options_and_messages(client, db, nordic):
    company, orderer, ct, _ = nordic
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid, language="sv")
    _db.session.commit()
    link = _link()
    page = client.get(link)
    body = page.get_data(as_text=True)
    assert "Förnamn" in html_text(page) and "Avdelning" in html_text(page) and "Byggkort" in html_text(page)
    assert '<option value="Warehouse">Lager</option>' in body  # the stable value, shown in Swedish
    resp = client.post(link, {"first_name": "", "last_name": "Öberg", "department": "Warehouse"})
    text = html_text(resp)
    assert "Fyll i Förnamn." in text and "First name" not in text
    resp = client.post(link, {"first_name": "Åsa", "last_name": "Öberg", "department": "Fältservice"})
    assert resp.status_code == 302
    req = db.session.scalar(select(CollectionRequest))
    assert req.data["department"] == "Field service"  # typed in Swedish, stored as the stable value


def test_a_choice_answered_in_danish_is_stored_as_the_stable_value(client, db, nordic):
    company, orderer, ct, _ = nordic
    send_requests(company, orderer, ct, split_email_list("mads@x.dk").valid, language="da")
    _db.session.commit()
    link = _link()
    assert "Afdeling" in html_text(client.get(link))
    resp = client.post(link, {"first_name": "Mads", "last_name": "Holm", "department": "udkørende service"})
    assert resp.status_code == 302
    assert db.session.scalar(select(CollectionRequest)).data["department"] == "Field service"
    wrong = client.post(link, {"first_name": "Mads", "last_name": "Holm", "department": "Kantine"})
    assert "Kontor, Lager, Udkørende service" in html_text(wrong)  # the choices, in Danish


def test_an_invitation_to_a_finnish_employee_names_the_card_type_in_finnish(db, nordic):
    company, orderer, ct, _ = nordic
    send_requests(company, orderer, ct, split_email_list("aino@x.fi").valid, language="fi")
    _db.session.commit()
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "collection_request"))
    assert "Työmaakortti" in email.subject + email.body_text and "Site ID" not in email.body_text


def test_a_missing_translation_falls_back_to_english_and_is_listed(client, db, nordic, make_user):
    company, orderer, ct, _ = nordic
    db.session.add(Accessory(name="Lanyard", price=1, translations={"sv": {"name": "Nyckelband"}}))
    db.session.commit()
    # No Norwegian name: a Norwegian employee reads the English one.
    send_requests(company, orderer, ct, split_email_list("ola@x.no").valid, language="nb")
    _db.session.commit()
    assert "Site ID" in db.session.scalar(select(OutboxEmail.body_text))
    operator = make_user(email="op@cardwright.se", is_operator=True)
    client.login(operator.email)
    page = client.get("/admin/op_translations/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    norsk = body[body.index('data-language="nb"'):body.index('data-language="da"')]
    assert "Site ID" in norsk and "Lanyard" in norsk and "Site ID: Department" in norsk
    assert f"/admin/op_card_types/edit/?id={ct.id}" in norsk
    svenska = body[body.index('data-language="sv"'):body.index('data-language="nb"')]
    assert "Lanyard" not in svenska and "Site ID: Department" not in svenska  # translated into Swedish
    assert "Site ID: First name" not in svenska  # the fixture's Swedish label


def test_the_missing_translations_screen_says_when_everything_is_translated(client, db, make_user):
    db.session.add(Accessory(name="Lanyard", price=1, translations={
        lang: {"name": name} for lang, name in
        {"sv": "Nyckelband", "nb": "Nøkkelbånd", "da": "Halsbånd", "fi": "Kaulanauha"}.items()}))
    operator = make_user(email="op@cardwright.se", is_operator=True)
    client.login(operator.email)
    text = html_text(client.get("/admin/op_translations/"))
    assert "The whole catalogue is translated into every language." in text


def test_the_operator_edits_a_norwegian_name_and_it_shows(client, db, make_card_type, make_company, make_user):
    ct = make_card_type("Visitor card")
    company = make_company("Fjordbygg AS", language="nb")
    operator = make_user(email="op@cardwright.se", is_operator=True)
    client.login(operator.email)
    form = client.get(f"/admin/op_card_types/edit/?id={ct.id}").get_data(as_text=True)
    for own_name in ("English", "Svenska", "Norsk bokmål", "Dansk", "Suomi"):
        assert f">{own_name}</legend>" in form
    assert 'name="name_nb"' in form and 'name="fields-0-label_fi"' in form and 'name="fields-0-options_da"' in form
    data = {"name": "Visitor card", "kind": "card", "price": "89.00", "photo_width": "413", "photo_height": "531",
            "active": "y", "description": "", "name_nb": "Besøkskort", "description_nb": "For besøkende."}
    for i, f in enumerate(ct.fields):
        data.update({f"fields-{i}-id": str(f.id), f"fields-{i}-key": f.key, f"fields-{i}-label_en": f.label_en,
                     f"fields-{i}-kind": f.kind, f"fields-{i}-required": "y", f"fields-{i}-position": str(i),
                     f"fields-{i}-max_length": "100", f"fields-{i}-options": ""})
    data["fields-0-label_nb"] = "Fornavn"
    resp = client.post(f"/admin/op_card_types/edit/?id={ct.id}", data)
    assert resp.status_code == 302, html_text(resp)[:800]
    db.session.expire_all()
    ct = db.session.get(CardType, ct.id)
    assert ct.translations == {"nb": {"name": "Besøkskort", "description": "For besøkende."}}
    assert ct.fields[0].translation("nb", "label") == "Fornavn" and ct.fields[0].label_en == "First name"
    # An orderer reading Norwegian sees it on the order form.
    make_user(company, role="orderer", email="kari@fjordbygg.no", language="nb")
    client.login("kari@fjordbygg.no")
    page = html_text(client.get(f"/admin/order-cards/?card_type={ct.id}"))
    assert "Besøkskort" in page and "For besøkende." in page and "Fornavn" in page
    # The operator's list in English still reads the English name.
    client.login(operator.email)
    assert "Besøkskort" not in html_text(client.get("/admin/op_card_types/?lang=en"))


def _template(client, ct) -> str:
    resp = client.get(f"/admin/collection/template?card_type_id={ct.id}")
    assert resp.status_code == 200
    return resp.data.decode("utf-8-sig")


def _upload(client, ct, text: str):
    return client.post("/admin/collection/upload", {
        "card_type_id": ct.id, "collect_by_email": "yes",
        "file": (io.BytesIO(text.encode("utf-8-sig")), "people.csv")}, content_type="multipart/form-data")


def test_the_swedish_csv_template_has_swedish_headers_and_both_languages_import(client, db, nordic, make_user):
    company, orderer, ct, _ = nordic
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    client.login("sven@nordbygg.se")
    header = _template(client, ct).splitlines()[0]
    assert header == "E-POST;Förnamn;Efternamn;Personal identity number;Avdelning"
    assert _upload(client, ct, header + "\r\nasa@x.se;Åsa;Öberg;;Lager\r\n").status_code == 302
    client.login(orderer.email)
    client.get("/admin/?lang=en")  # the English orderer's own choice, in the same browser
    english = _template(client, ct).splitlines()[0]
    assert english == "EMAIL,First name,Last name,Personal identity number,Department"
    assert _upload(client, ct, english + "\r\nbo@x.se,Bo,Ek,,Field service\r\n").status_code == 302
    # a Danish file too: the labels and options of every language are read
    assert _upload(client, ct, "E-MAIL;Fornavn;Last name;Afdeling\r\nmads@x.dk;Mads;Holm;Kontor\r\n").status_code == 302
    stored = {r.email: r.data["department"] for r in db.session.scalars(select(CollectionRequest))}
    assert stored == {"asa@x.se": "Warehouse", "bo@x.se": "Field service", "mads@x.dk": "Office"}


def test_the_expected_columns_are_listed_once_in_the_readers_language(client, db, make_company, make_user,
                                                                        make_card_type):
    company = make_company("Nordbygg AB", language="sv")
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("email", "Email", "email", False)])
    ct.fields[0].set_translation("sv", "label", "Förnamn")
    ct.fields[1].set_translation("sv", "label", "E-post")
    db.session.commit()
    client.login("sven@nordbygg.se")
    text = html_text(_upload(client, ct, "E-POST;Förnamn;Shoe size\r\na@x.se;Åsa;42\r\n"))
    assert "Okänd(a) kolumn(er): Shoe size. Förväntade: E-POST, Förnamn." in text
    assert "Email" not in text and "First name" not in text
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 0


def test_back_office_lists_show_names_in_the_readers_language(client, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="sv")
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    ct = make_card_type("Employee badge")
    ct.set_translation("sv", "name", "Personalkort")
    db.session.add(Accessory(name="Lanyard", price=10, translations={"sv": {"name": "Nyckelband"}}))
    db.session.commit()
    client.login("sven@nordbygg.se")
    assert "Personalkort" in html_text(client.get("/admin/order-cards/"))
    text = html_text(client.get("/admin/order-cards/accessories"))
    assert "Nyckelband" in text and "Lanyard" not in text


def test_the_demo_catalogue_speaks_every_language(client, db):
    from portal.catalog.operations import missing_translations
    from portal.demo.seed import DEMO_PASSWORD, seed_demo

    seed_demo()
    db.session.commit()
    assert missing_translations() == {"sv": [], "nb": [], "da": [], "fi": []}
    client.login("orderer@nordbygg.example", DEMO_PASSWORD)  # a Swedish orderer
    text = html_text(client.get("/admin/order-cards/"))
    assert "Personalkort" in text and "Nyckelbricka" in text and "Employee badge" not in text
    badge = db.session.scalar(select(CardType).where(CardType.name == "Employee badge"))
    assert dict(badge.fields[3].option_choices("fi")) == {"Office": "Toimisto", "Warehouse": "Varasto",
                                                         "Field service": "Kenttähuolto"}


def test_a_missing_email_column_is_named_once(client, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    make_user(company, role="orderer", email="orderer@nordbygg.se")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("email", "Email", "email", True)])
    client.login("orderer@nordbygg.se")
    text = html_text(_upload(client, ct, "First name\r\nÅsa\r\n"))
    assert "Missing column(s): EMAIL." in text


def test_a_reminder_from_the_job_names_the_card_type_in_the_employees_language(app, db, nordic):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.collection.tasks import send_due_reminders
    from portal.infra.db_types import utcnow

    company, orderer, ct, _ = nordic
    send_requests(company, orderer, ct, split_email_list("aino@x.fi").valid, language="fi")
    then = utcnow() - timedelta(days=6)
    _db.session.execute(update(CollectionRequest).values(sent_at=then, last_sent_at=then))
    _db.session.commit()
    with app.app_context():  # the scheduler's context: no request
        assert send_due_reminders() == 1
    reminder = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "collection_reminder"))
    assert "Työmaakortti" in reminder.subject and "Työmaakortti" in reminder.body_text


def test_a_printed_card_shows_a_choice_in_the_companys_language(db, nordic):
    from portal.printing.operations import printed_values

    _company, _orderer, ct, _ = nordic
    assert printed_values(ct, {"department": "Warehouse"}, "SE", "sv")["department"] == "Lager"
    assert printed_values(ct, {"department": "Warehouse"}, "FI", "fi")["department"] == "Warehouse"  # no Finnish
