"""Load test: N employees at once fill in their self-service form with a photo, against gunicorn.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/scratch make load
    .venv/bin/python -m bench.load_selfservice --employees 200 --workers 4 --threads 8

Use a scratch database: the script creates the tables if they are missing and adds a company of its
own ("Load test ...") with one data-collection request per employee. It starts gunicorn on a free
port of 127.0.0.1 (nothing else is contacted), lets every employee walk the real multi-step flow at
the same moment (details form, photo upload, delivery address, confirm; each POST with its CSRF token
and the redirect that follows), then counts the rows and photo files that arrived. It prints the p50,
p95 and maximum latency per step and overall, and exits 1 on any error or lost submission.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ADDRESS = re.compile(r'name="address_id" value="(\d+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # each request is timed on its own; the script follows redirects itself


def _multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
              f"Content-Type: image/jpeg\r\n\r\n".encode())
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Employee:
    """One phone: its own cookies, walking details -> photo -> address -> confirm."""

    def __init__(self, base: str, token: str, number: int, photo: bytes, timings: dict, errors: list):
        self.base, self.token, self.number, self.photo = base, token, number, photo
        self.timings, self.errors = timings, errors
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def _request(self, step: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, str, str]:
        req = urllib.request.Request(self.base + path, data=body, method="POST" if body is not None else "GET")
        if content_type:
            req.add_header("Content-Type", content_type)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=300) as resp:
                status, text, location = resp.status, resp.read().decode(), resp.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, text, location = exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")
        self.timings.setdefault(step, []).append(time.perf_counter() - started)
        return status, text, location

    def _page(self, step: str, path: str) -> str:
        status, text, _ = self._request(f"GET {step}", path)
        if status != 200:
            raise RuntimeError(f"GET {step} answered {status}")
        match = CSRF.search(text)
        if not match:
            raise RuntimeError(f"GET {step}: no CSRF token in the page")
        self.csrf = match.group(1)
        return text

    def _post(self, step: str, path: str, fields: dict, expect: str) -> str:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self._check(step, *self._request(f"POST {step}", path, body, "application/x-www-form-urlencoded"),
                           expect=expect)

    def _check(self, step: str, status: int, text: str, location: str, *, expect: str) -> str:
        if expect == "done":
            if status != 200 or "csrf_token" in text:
                raise RuntimeError(f"POST {step} answered {status} without the done page")
            return text
        if status != 302 or not location.endswith(expect):
            raise RuntimeError(f"POST {step} answered {status} -> {location!r}, wanted a redirect to {expect}")
        return location

    def run(self) -> None:
        link = f"/r/{self.token}"
        try:
            self._page("details", link)
            self._post("details", link, {"first_name": f"Load{self.number}", "last_name": "Tester"}, "/photo")
            self._page("photo", f"{link}/photo")
            body, ctype = _multipart({"csrf_token": self.csrf, "rotate": "0"}, f"phone{self.number}.jpg", self.photo)
            self._check("photo", *self._request("POST photo", f"{link}/photo", body, ctype), expect="/address")
            page = self._page("address", f"{link}/address")
            self._post("address", f"{link}/address", {"address_id": ADDRESS.findall(page)[-1]}, "/confirm")
            self._page("confirm", f"{link}/confirm")
            self._post("confirm", f"{link}/confirm", {}, "done")
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, never hidden
            self.errors.append(f"employee {self.number}: {type(exc).__name__}: {exc}")


def phone_photo(width: int, height: int) -> bytes:
    """A photo-like JPEG (noise over a gradient, so it compresses like a real one)."""
    from PIL import Image

    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    buf = io.BytesIO()
    Image.blend(base, noise, 0.5).save(buf, "JPEG", quality=88)
    return buf.getvalue()


def seed(url: str, storage_dir: str, secret: str, employees: int) -> tuple[int, list[str]]:
    """A company with a card type, two delivery addresses and one personal link per employee."""
    from decimal import Decimal

    from app import create_app
    from portal.catalog.models import CardTemplate, CardType, LayoutField
    from portal.collection.models import CollectionRequest
    from portal.collection.operations import issue_link
    from portal.infra.db_types import utcnow
    from portal.infra.extensions import db
    from portal.ordering.models import Address
    from portal.tenancy.models import Company

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret})
    with app.app_context():
        db.create_all()
        company = Company(name=f"Load test {secrets.token_hex(3)}", language="en")
        ct = CardType(name="Load badge", price=Decimal("89.00"), company=company)
        ct.fields = [LayoutField(key=k, label_en=label, label_sv=label, kind=kind, required=True, position=i)
                     for i, (k, label, kind) in enumerate([("first_name", "First name", "text"),
                                                           ("last_name", "Last name", "text"),
                                                           ("photo", "Photo", "photo")])]
        ct.template = CardTemplate(layout={"photo": [40, 150, 300, 386], "fields": {}})
        db.session.add_all([company, ct])
        db.session.flush()
        for name in ("Head office", "Warehouse"):
            db.session.add(Address(company_id=company.id, name=name, street="Storgatan 1", postcode="111 22",
                                   city="Stockholm", for_collection=True))
        now, tokens = utcnow(), []
        for i in range(employees):
            req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=f"load{i}@example.com",
                                    language="en", sent_at=now, last_sent_at=now, expires_at=now.replace(year=now.year + 1))
            tokens.append(issue_link(req))
            db.session.add(req)
        db.session.commit()
        company_id = company.id
        db.session.remove()
        db.engine.dispose()
    return company_id, tokens


def count_arrived(url: str, storage_dir: str, secret: str, company_id: int) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from portal.collection.models import CollectionRequest
    from portal.infra import storage
    from portal.infra.extensions import db
    from portal.outbox.models import OutboxEmail

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret})
    with app.app_context():
        rows = db.session.execute(select(CollectionRequest).where(CollectionRequest.company_id == company_id)).scalars().all()
        complete = [r for r in rows if r.status == "in_review" and r.submitted_at and r.address_id and r.photo_key
                    and (r.data or {}).get("last_name") == "Tester" and storage.exists(r.photo_key)]
        emails = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.company_id == company_id, OutboxEmail.kind == "collection_confirmed"))
        db.session.remove()
        db.engine.dispose()
    return {"requests": len(rows), "submitted_with_photo_and_address": len(complete), "confirmation_emails": emails}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited at start; see its output above")
        try:
            with urllib.request.urlopen(base + "/login", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))] if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--photo", default="2000x1500", help="size of each employee's photo (a 3 MP phone JPEG)")
    parser.add_argument("--limit", type=float, default=600, help="seconds before the test gives up (bounded)")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres")):
        print("Set DATABASE_URL to a scratch PostgreSQL database (postgresql+psycopg://...).", file=sys.stderr)
        return 2
    url = url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)
    storage_dir = tempfile.mkdtemp(prefix="cardwright-load-")
    secret = secrets.token_urlsafe(48)
    company_id, tokens = seed(url, storage_dir, secret, args.employees)
    width, height = (int(x) for x in args.photo.lower().split("x"))
    photo = phone_photo(width, height)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret,
           "CARDWRIGHT_ENV": "development", "SCHEDULER_ENABLED": "false", "BASE_URL": base}
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread", "--threads",
                str(args.threads), "-b", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning",
                "app:create_app()"]
    proc = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    try:
        _wait_until_up(base, proc)
        people = [Employee(base, token, i, photo, timings, errors) for i, token in enumerate(tokens)]
        threads = [threading.Thread(target=p.run, daemon=True) for p in people]
        started = time.perf_counter()
        for t in threads:
            t.start()
        deadline = time.monotonic() + args.limit
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        elapsed = time.perf_counter() - started
        unfinished = sum(t.is_alive() for t in threads)
        if unfinished:
            errors.append(f"{unfinished} employees still waiting after {args.limit:.0f} s")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    arrived = count_arrived(url, storage_dir, secret, company_id)
    shutil.rmtree(storage_dir, ignore_errors=True)
    every = [t for values in timings.values() for t in values]
    print(f"\n{args.employees} employees at once, gunicorn {args.workers} workers x {args.threads} threads, "
          f"photo {args.photo} ({len(photo) // 1024} KB), {elapsed:.1f} s in all")
    print(f"{'step':16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for step, values in [*sorted(timings.items()), ("all requests", every)]:
        print(f"{step:16} {len(values):8d} {_pct(values, 50) * 1000:8.0f} {_pct(values, 95) * 1000:8.0f} "
              f"{max(values, default=0) * 1000:8.0f}")
    lost = args.employees - arrived["submitted_with_photo_and_address"]
    print(f"errors: {len(errors)}   lost submissions: {lost}   rows counted after: {json.dumps(arrived)}")
    for line in errors[:20]:
        print("  " + line)
    return 1 if errors or lost or arrived["confirmation_emails"] != args.employees else 0


if __name__ == "__main__":
    sys.exit(main())
