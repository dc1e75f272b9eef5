"""Hostile files on the employee's photo step: each gets a clear message (sv and en), nothing is stored."""
import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


def _png_bomb(width=10_000, height=10_000) -> bytes:
    """A 100-megapixel PNG that is tiny on disk."""
    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * (width // 8) for _ in range(height)), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def _jpeg(size=(800, 1000), **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (100, 120, 140)).save(buf, "JPEG", **kw)
    return buf.getvalue()


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (50, 50)).save(buf, "GIF")
    return buf.getvalue()


HOSTILE = {
    "zero bytes": b"",
    "truncated jpeg": _jpeg()[:600],
    "png bomb": _png_bomb(),
    "gif": _gif(),
    "svg with script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "pdf renamed jpg": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "polyglot": b"GIF89a/*" + b"\x00" * 20 + b"*/=alert(1);",
    "50 MB file": b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024),
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("lang,word", [("en", "photo"), ("sv", "foto")])
def test_hostile_photo_is_refused_clearly_and_nothing_is_stored(app, client, db, collect, name, lang, word):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    resp = client.post(f"{link}/photo?lang={lang}", {"photo": (io.BytesIO(HOSTILE[name]), "me.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code in (400, 413), resp.status_code
    assert word in html_text(resp).lower() or "fil" in html_text(resp).lower()  # a message, in the language
    db.session.expire_all()
    assert db.session.scalar(select(CollectionRequest.photo_key)) is None


def test_huge_exif_block_is_stripped_not_stored(client, db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # ImageDescription, 60 kB
    resp = client.post(f"{link}/photo", {"photo": (io.BytesIO(_jpeg(exif=exif)), "me.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    from portal.infra.storage import load

    stored = load(db.session.scalar(select(CollectionRequest.photo_key)))
    assert len(stored) < 60_000 and b"xxxxxxxxxx" not in stored
