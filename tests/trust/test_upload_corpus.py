"""The hostile-file corpus on EVERY upload point, in English and Swedish: a clear message, nothing stored
(database and storage folder unchanged), and memory bounded while refusing a decompression bomb."""
from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.support import Translations
from PIL import Image

from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.customers.models import PortalAccount, PortalSettings
from portal.infra.config import BASE_DIR
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from portal.security.passwords import hash_password
from tests.conftest import html_text
from tests.employee.test_hostile_uploads import HOSTILE, _jpeg
from tests.trust.helpers import changed_tables, snapshot, stored_files

# Every message an upload can be refused with. A refusal must show one of them, in the page's language.
REFUSALS = [
    "The picture is damaged or incomplete.",
    "This file is not a picture we can read.",
    "Upload the logo as PNG, JPEG or WebP.",
    "The file is empty.",
    "The file is too large",
    "The picture is too large (%(mp)s megapixels).",
    "The photo could not be used. Try again.",
    "Upload PDF, Word, Excel, PNG, JPEG or text files only.",
    "The file name ends in .%(ext)s but the file is %(kind)s.",
    "The file is not saved as UTF-8.",
    "Unknown column(s): %(columns)s.",
    "Missing column(s): %(columns)s.",
    "The file could not be read as CSV",
    "The file has no rows.",
    'The file needs a column "card id" or "order number".',
]


def _catalogue():
    po = Translations.load(str(BASE_DIR / "translations"), ["sv"])
    out = {}
    for msgid in REFUSALS:
        # Look the message up by its full msgid in the catalogue, then keep the fixed text before any placeholder.
        full = msgid if msgid in _msgids() else next((m for m in _msgids() if m.startswith(msgid)), msgid)
        out[msgid.split("%(")[0].strip()] = po.gettext(full).split("%(")[0].strip()
    return out


def _msgids():
    text = (BASE_DIR / "translations/sv/LC_MESSAGES/messages.po").read_text()
    return [m.replace('"\n"', "").replace('\\"', '"') for m in re.findall(r'^msgid "(.*?)"\nmsgstr', text, re.S | re.M)]


MESSAGES = _catalogue()  # English fixed text -> Swedish fixed text


def _refused_in(lang: str, resp) -> str | None:
    """The refusal shown on the page, in the right language; None if there is none."""
    text = html.unescape(html_text(resp))
    for en, sv in MESSAGES.items():
        if lang == "en" and en in text:
            return en
        if lang == "sv" and sv in text and sv != en:
            return sv
    return None


@pytest.fixture()
def points(app, client, db, make_company, make_user, make_world):
    """Upload point name -> function(data, filename, lang) -> the page the uploader sees."""
    company = make_company("Alfa AB", org_number="556000-0000")
    world = make_world(company)
    admin = world["user"]
    operator = make_user(email="op@x.se", is_operator=True)
    card, item = world[__import__("portal.cards.models", fromlist=["Card"]).Card], None
    from portal.ordering.models import CartItem

    item = world[CartItem]
    item.card_type.fields[-1].required = False
    settings = db.session.get(PortalSettings, 1) or PortalSettings(id=1)
    settings.enabled, settings.sections = True, ["overview", "requests"]
    db.session.add(settings)
    account = world[PortalAccount]
    account.password_hash = hash_password("portal password 123")
    db.session.commit()
    send_requests(company, admin, item.card_type, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", db.session.scalars(
        __import__("sqlalchemy").select(OutboxEmail.body_text).order_by(OutboxEmail.id.desc())).first()).group(1)
    ct = item.card_type

    def as_user(user, lang):
        client.post("/logout")
        user.language = lang
        db.session.commit()
        client.login(user.email)

    def as_portal(lang):
        client.post("/logout")
        client.post(f"/portal/login?lang={lang}", {"username": account.username, "password": "portal password 123"})

    def post(url, field, extra):
        def send(data, filename, lang):
            return client.post(url, {**extra, field: (io.BytesIO(data), filename)}, content_type="multipart/form-data",
                               follow_redirects=True)
        return send

    def admin_point(url, field, extra, who=admin):
        def run(data, filename, lang):
            as_user(who, lang)
            return post(url, field, extra)(data, filename, lang)
        return run

    def portal_point(data, filename, lang):
        as_portal(lang)
        return post(f"/portal/requests?lang={lang}", "attachment", {"subject": "Order", "notes": "x"})(data, filename, lang)

    def link_point(data, filename, lang):
        client.post("/logout")
        return post(f"{link}/photo?lang={lang}", "photo", {})(data, filename, lang)

    settings_form = {"name": company.name, "org_number": "556000-0000", "language": "en", "primary_color": "#1f4e79",
                     "reminder_count": "2", "reminder_days": "5", "request_valid_days": "30", "retention": ""}
    return {
        "employee photo": link_point,
        "order form photo": admin_point(f"/admin/order-cards/?card_type={ct.id}", "photo",
                                        {"card_type": ct.id, "first_name": "Ada", "last_name": "Lind"}),
        "cart item photo": admin_point(f"/admin/cart/item/{item.id}/edit", "photo",
                                       {"first_name": "Ada", "last_name": "Lind"}),
        "card change photo": admin_point(f"/admin/cards/{card.id}/change", "photo",
                                         {"first_name": "Ada", "last_name": "Lind", "holder_email": "h@x.se"}),
        "company logo": admin_point("/admin/company/settings/", "logo", settings_form),
        "customer-portal login logo": admin_point("/admin/portal/settings/", "logo",
                                                  {"enabled": "1", "section_requests": "1"}, who=operator),
        "customer resources": admin_point("/admin/portal/resources/upload", "file", {}, who=operator),
        "customer request attachment": portal_point,
        "csv import": admin_point("/admin/collection/upload", "file", {"card_type_id": ct.id}),
        "production import": admin_point("/admin/production/", "file", {}, who=operator),
    }


FILENAMES = {"pdf renamed jpg": "scan.jpg", "50 MB file": "big.jpg"}


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_every_upload_point_refuses_the_file_clearly_and_stores_nothing(app, db, points, hostile, lang):
    problems = []
    for point, upload in points.items():
        name = FILENAMES.get(hostile, "upload.csv" if "import" in point else "upload.jpg")
        before, files = snapshot(), stored_files(app)
        resp = upload(HOSTILE[hostile], name, lang)
        shown = _refused_in(lang, resp)
        if shown is None:
            problems.append(f"{point}: no clear {lang} message ({resp.status_code}): {html_text(resp)[-300:]!r}")
        after = snapshot()
        # The uploader's own account rows change when the test signs in (language, last sign-in).
        changed = [t for t in changed_tables(before, after) if t not in ("user_account", "portal_account")]
        if changed or stored_files(app) != files:
            problems.append(f"{point}: stored something: {changed} {stored_files(app) - files}")
        resp.close()
    assert not problems, "\n".join(problems)


def _exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "EXIFPAYLOAD" * 5000  # ImageDescription, 55 kB
    return _jpeg(exif=exif)


def test_huge_exif_block_is_refused_or_stripped_everywhere(app, db, points):
    root = Path(app.config["STORAGE_DIR"])
    for point, upload in points.items():
        files = stored_files(app)
        resp = upload(_exif_jpeg(), "upload.csv" if "import" in point else "upload.jpg", "en")
        for new in stored_files(app) - files:
            assert b"EXIFPAYLOAD" not in (root / new).read_bytes(), (point, new)
        resp.close()


def test_memory_stays_bounded_while_refusing_a_decompression_bomb():
    """A 100-megapixel PNG of 12 kB would take 300 MB decoded: the refusal must not decode it."""
    script = textwrap.dedent("""
        import resource, sys
        from flask import Flask
        from flask_babel import Babel
        from tests.employee.test_hostile_uploads import HOSTILE
        from portal.infra import images
        from portal.customers.file_checks import FileRejected, checked_file
        app = Flask("m"); Babel(app)
        with app.app_context():
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            for attempt in (lambda d: images.normalise_photo(d), lambda d: images.normalise_logo(d),
                            lambda d: images.normalise_picture(d), lambda d: checked_file(d, "a.png", "image/png", 20 << 20)):
                try:
                    attempt(HOSTILE["png bomb"])
                except (images.ImageRejected, FileRejected):
                    pass
                else:
                    sys.exit("bomb accepted")
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=BASE_DIR, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    grown_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
    assert len(HOSTILE["png bomb"]) < 200_000
    assert grown_mb < 60, f"peak memory grew by {grown_mb:.0f} MB"
