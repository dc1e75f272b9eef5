"""Issue 12.31: the CSV template in the orderer's language (the layout's labels, ';' where that language's
Excel expects it); the importer reads either language and either separator and names columns, and
email-validator's reasons, in the orderer's language."""
import io

from sqlalchemy import func, select

from portal.collection.models import CollectionRequest
from tests.conftest import html_text


def _template(client, ct) -> str:
    resp = client.get(f"/admin/collection/template?card_type_id={ct.id}")
    assert resp.status_code == 200
    return resp.data.decode("utf-8-sig")


def _upload(client, ct, text: str, *, by_email: bool = True):
    return client.post("/admin/collection/upload", {
        "card_type_id": ct.id, "collect_by_email": "yes" if by_email else "no",
        "file": (io.BytesIO(text.encode("utf-8-sig")), "people.csv")}, content_type="multipart/form-data")


def test_a_swedish_orderer_gets_a_swedish_semicolon_template(client, db, collect, make_user):
    company, _orderer, ct, _ = collect
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    client.login("sven@nordbygg.se")
    assert _template(client, ct).splitlines()[0] == "E-POST;Förnamn;Efternamn;Personal identity number"


def test_an_english_orderer_gets_an_english_comma_template(client, db, collect):
    company, orderer, ct, _ = collect
    client.login(orderer.email)
    assert _template(client, ct).splitlines()[0] == "EMAIL,First name,Last name,Personal identity number"


def test_either_header_language_and_separator_is_read(client, db, collect, make_user):
    company, _orderer, ct, _ = collect
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    client.login("sven@nordbygg.se")
    for i, text in enumerate(("E-POST;Förnamn;Efternamn\r\na{0}@x.se;Åsa;Öberg\r\n",
                              "EMAIL,First name,Last name\r\nb{0}@x.se,Bo,Ek\r\n",
                              "EMAIL;First name;Last name\r\nc{0}@x.se;Cia;Berg\r\n",
                              "e-post,Förnamn,Efternamn\r\nd{0}@x.se,Dan,Ek\r\n")):
        assert _upload(client, ct, text.format(i)).status_code == 302, text
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 4


def test_a_swedish_orderer_reads_the_row_errors_in_swedish(client, db, collect, make_user):
    company, _orderer, ct, _ = collect
    make_user(company, role="orderer", email="sven@nordbygg.se", language="sv")
    client.login("sven@nordbygg.se")
    resp = _upload(client, ct, "EMAIL,First name,Last name\r\nasa@x.se,,Öberg\r\nbo@@x,Bo,Ek\r\n")
    text = html_text(resp)
    assert resp.status_code == 422
    assert "Fyll i Förnamn" in text and "First name" not in text
    assert "E-POST bo@@x Inte en giltig e-postadress: Den måste ha ett @-tecken." in text
    assert "@-sign" not in text  # email-validator's English is not shown


def test_an_english_orderer_reads_english_column_names(client, db, collect):
    company, orderer, ct, _ = collect
    client.login(orderer.email)
    text = html_text(_upload(client, ct, "E-POST;Förnamn;Efternamn\r\nasa@x.se;;Öberg\r\n"))
    assert "Please fill in First name" in text
