"""Load test: N employees at once fill in their self-service form with a photo, against gunicorn.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/scratch make load
    .venv/bin/python -m bench.load_selfservice --employees 200 --workers 4 --threads 8   # else gunicorn.conf.py's

Use a scratch database: the script creates the tables if they are missing and adds a company of its
own ("Load test ...") with one data-collection request per employee. It starts gunicorn on a free
port of 127.0.0.1 (nothing else is contacted), lets every employee walk the real multi-step flow at
the same moment (details form, the photo assistant's check, photo upload, delivery address, confirm;
each POST with its CSRF token and the redirect that follows), then counts the rows and photo files that arrived. It prints the p50,
p95 and maximum latency per step and overall, where the machine's CPU went per employee (gunicorn,
PostgreSQL, the script itself, all processes) and how busy the cores were, and exits 1 on any error or lost
submission.

The photos are what phones send: most employees' browsers scale the photo down before the upload
(1,600 px, about 350 KB, orientation applied; the photo assistant checks that copy first, suggests the
crop and makes the card's photo for it, which the phone sends back with its seal as photo.js does when the
suggested box is kept), a share (`--originals`, default 20%)
send the full 12 MP original with its EXIF orientation, as a phone without JavaScript or with a HEIC
photo does. Meanwhile a prober opens another employee's page four times a second: its p95 tells
whether the other pages stay answerable. `--compare` runs a second burst in the same run where every
employee sends the original (the way it was before the phone scaled photos down) and prints the ratio
of the photo step's p95, which holds up better than the absolute figures on a shared machine.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import resource
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

    def __init__(self, base: str, token: str, number: int, photo: tuple[bytes, dict, tuple | None], timings: dict,
                 errors: list):
        self.base, self.token, self.number = base, token, number
        self.photo, self.photo_fields, self.check_copy = photo
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
            verdict = {}
            if self.check_copy:  # photo_check.js: the assistant looks at the scaled copy as soon as it is made
                width, height = self.check_copy
                body, ctype = _multipart({"csrf_token": self.csrf, "width": width, "height": height},
                                         "photo.jpg", self.photo)
                status, text, _ = self._request("POST photo check", f"{link}/photo/check", body, ctype)
                if status != 200 or "findings" not in text:
                    raise RuntimeError(f"POST photo check answered {status}")
                answer = json.loads(text)
                verdict = {"verdict": answer["verdict"]}  # the same bytes are sent: no second look
            if self.check_copy and answer.get("seal"):
                # photo.js: the cropper took the suggested box and the employee kept it, so the card's photo the
                # check made from this copy goes back with its seal (a few dozen KB), not the copy again.
                body, ctype = _multipart({"csrf_token": self.csrf, "rotate": "0", "seal": answer["seal"]},
                                         "photo.jpg", base64.b64decode(answer["card"]))
            else:
                body, ctype = _multipart({"csrf_token": self.csrf, "rotate": "0", **self.photo_fields, **verdict},
                                         f"phone{self.number}.jpg", self.photo)
            self._check("photo", *self._request("POST photo", f"{link}/photo", body, ctype), expect="/address")
            page = self._page("address", f"{link}/address")
            self._post("address", f"{link}/address", {"address_id": ADDRESS.findall(page)[-1]}, "/confirm")
            self._page("confirm", f"{link}/confirm")
            self._post("confirm", f"{link}/confirm", {}, "done")
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, never hidden
            self.errors.append(f"employee {self.number}: {type(exc).__name__}: {exc}")


def phone_photo(width: int, height: int, orientation: int = 6, face: bool = True) -> bytes:
    """A phone's original JPEG as the sensor stored it (`width` x `height`, 12 MP comes to about 2.4 MB like
    a real one, with sensor grain) and an EXIF orientation (6: the phone was held upright, so the picture is
    a portrait once turned). On it a real face: the head and shoulders of scikit-image's astronaut, the face
    about a quarter of the height, as an ID photo is taken; the photo assistant finds it, looks for the eyes,
    judges the light and sharpness and frames it. ``face=False``: a drawn scene without a face (cheaper to
    check; the figures of earlier runs)."""
    from PIL import Image

    upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    if face:
        from skimage import data as skdata

        person = Image.fromarray(skdata.astronaut()).crop((60, 0, 360, 400))  # head and shoulders, 3:4
        side = upright[1]
        scene = Image.new("RGB", upright, (176, 186, 196))
        scene.paste(person.resize((round(side * 0.75), side), Image.Resampling.BICUBIC),
                    ((upright[0] - round(side * 0.75)) // 2, upright[1] - side))
    else:
        from bench.paths_jobs import drawn_scene

        scene = drawn_scene(upright)
    grain = Image.effect_noise((upright[0] // 2, upright[1] // 2), 64).convert("RGB").resize(
        upright, Image.Resampling.BILINEAR)
    photo = Image.blend(scene, grain, 0.15)
    if orientation in (5, 6, 7, 8):
        photo = photo.transpose(Image.Transpose.ROTATE_90)  # as the sensor saw it; EXIF 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def scaled_in_browser(original: bytes, aspect: float, max_side: int = 1600) -> tuple[bytes, dict, tuple]:
    """What static/employee/photo.js sends for that original: turned upright, longest side 1,600 px,
    JPEG at 0.85, no metadata; with the crop box of the untouched frame (centred, full width). And what it
    sends the photo assistant first: the upright photo's size (the check sees the same scaled bytes)."""
    from PIL import Image, ImageOps

    img = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))
    full = img.size
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    w, h = img.size
    cw, ch = (w, w / aspect) if w / h < aspect else (h * aspect, h)
    crop = {"crop_x": f"{(w - cw) / 2:.2f}", "crop_y": f"{(h - ch) / 2:.2f}", "crop_width": f"{cw:.2f}",
            "crop_height": f"{ch:.2f}"}
    return buf.getvalue(), crop, full


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


def scratch_postgres_url() -> str | None:
    """DATABASE_URL as a psycopg URL if it names PostgreSQL (the load runs need several processes); else None
    after saying what to set."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres")):
        print("Set DATABASE_URL to a scratch PostgreSQL database (postgresql+psycopg://...).", file=sys.stderr)
        return None
    return url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)


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


class Prober:
    """Another employee's page, opened four times a second while the burst runs: is it still answering?"""

    def __init__(self, url: str, every: float = 0.25):
        self.url, self.every = url, every
        self.times: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=60) as resp:
                    resp.read()
                    if resp.status != 200:
                        self.failures.append(f"probe answered {resp.status}")
            except OSError as exc:
                self.failures.append(f"probe: {type(exc).__name__}: {exc}")
            took = time.perf_counter() - started
            self.times.append(took)
            self._stop.wait(max(0.0, self.every - took))

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(90)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # /proc's clock ticks per second


def _cpu_seconds(counted) -> float | None:
    """CPU seconds used so far by the processes ``counted(pid, ppid, name)`` picks (Linux /proc; None elsewhere)."""
    total = 0.0
    try:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                head, tail = stat.read_text().rsplit(")", 1)
            except OSError:
                continue
            fields = tail.split()
            if counted(int(stat.parent.name), int(fields[1]), head.split("(", 1)[1]):
                total += (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    except OSError:
        return None
    return total


def server_cpu(master: int) -> float | None:
    """CPU seconds used so far by gunicorn's workers. Unlike the latencies, this hardly changes when other
    work shares the machine: the figure to compare between runs."""
    return _cpu_seconds(lambda _pid, ppid, _name: ppid == master)


def database_cpu() -> float | None:
    """CPU seconds used so far by the local PostgreSQL server's processes (on the same two cores)."""
    return _cpu_seconds(lambda _pid, _ppid, name: name.startswith("postgres"))


def machine_busy() -> float | None:
    """CPU seconds all cores have been busy since boot (/proc/stat: everything but idle and iowait)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(values[:8]) - values[3] - values[4]) / _TICK


def burst(base: str, tokens: list[str], photos: list[tuple[bytes, dict]], probe: str, limit: float,
          master: int) -> dict:
    """All employees at once, each with its photo; the prober runs meanwhile."""
    cpu_before, client_before = server_cpu(master), resource.getrusage(resource.RUSAGE_SELF)
    db_before, busy_before = database_cpu(), machine_busy()
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    people = [Employee(base, token, i, photos[i], timings, errors) for i, token in enumerate(tokens)]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    with Prober(probe) as prober:
        started = time.perf_counter()
        for t in threads:
            t.start()
        deadline = time.monotonic() + limit
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        elapsed = time.perf_counter() - started
    unfinished = sum(t.is_alive() for t in threads)
    if unfinished:
        errors.append(f"{unfinished} employees still waiting after {limit:.0f} s")
    errors += prober.failures
    cpu_after, client_after = server_cpu(master), resource.getrusage(resource.RUSAGE_SELF)
    db_after, busy_after = database_cpu(), machine_busy()
    client = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return {"timings": timings, "errors": errors, "elapsed": elapsed, "probe": prober.times, "cpu": cpu,
            "client_cpu": client, "employees": len(tokens),
            "db_cpu": db_after - db_before if db_before is not None and db_after is not None else None,
            "busy": busy_after - busy_before if busy_before is not None and busy_after is not None else None}


def idle_probe(url: str, times: int = 20) -> list[float]:
    """The probe page on the quiet server: the yardstick for the same page under load."""
    out = []
    for _ in range(times):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as resp:
            resp.read()
        out.append(time.perf_counter() - started)
    return out


def print_burst(title: str, result: dict, idle: list[float]) -> None:
    timings = result["timings"]
    every = [t for values in timings.values() for t in values]
    cpu = (f", server CPU {result['cpu'] * 1000 / result['employees']:.0f} ms per employee (this script: "
           f"{result['client_cpu'] * 1000 / result['employees']:.0f} ms)" if result["cpu"] else "")
    print(f"\n{title}, {result['elapsed']:.1f} s in all{cpu}")
    if result.get("busy") and result.get("db_cpu") is not None:
        # Where the machine's cores went during the burst: the photo step waits for all of it.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        each = {name: seconds * 1000 / result["employees"] for name, seconds in
                [("gunicorn", result["cpu"] or 0.0), ("PostgreSQL", result["db_cpu"]),
                 ("this script", result["client_cpu"]), ("all processes", result["busy"])]}
        print(f"machine CPU per employee: {', '.join(f'{k} {v:.0f} ms' for k, v in each.items())}; "
              f"the {cores} cores were busy {result['busy'] / (cores * result['elapsed']):.0%} of the burst")
    print(f"{'step':16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for step, values in [*sorted(timings.items()), ("all requests", every),
                         ("probe (other)", result["probe"]), ("probe when idle", idle)]:
        print(f"{step:16} {len(values):8d} {_pct(values, 50) * 1000:8.0f} {_pct(values, 95) * 1000:8.0f} "
              f"{max(values, default=0) * 1000:8.0f}")


def served_by(workers: int | None, threads: int | None) -> tuple[int, int]:
    """Worker processes and threads: as given, else gunicorn.conf.py's (what production runs)."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return workers or conf["workers"], threads or conf["threads"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default: gunicorn.conf.py's, one per core)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gunicorn worker (default: gunicorn.conf.py's, 2)")
    parser.add_argument("--photo", default="4000x3000", help="size of a phone's original photo (12 MP)")
    parser.add_argument("--no-face", action="store_true",
                        help="photos of a drawn scene without a face (the assistant finds nothing: cheaper)")
    parser.add_argument("--originals", type=float, default=0.2,
                        help="share of employees sending the full original (no JavaScript, HEIC)")
    parser.add_argument("--compare", action="store_true",
                        help="then a second burst where everyone sends the original; print the p95 ratio")
    parser.add_argument("--limit", type=float, default=600, help="seconds before the test gives up (bounded)")
    args = parser.parse_args(argv)
    url = scratch_postgres_url()
    if url is None:
        return 2
    storage_dir = tempfile.mkdtemp(prefix="cardwright-load-")
    secret = secrets.token_urlsafe(48)
    phases = 2 if args.compare else 1
    company_id, tokens = seed(url, storage_dir, secret, args.employees * phases + 1)
    probe_token = tokens.pop()
    width, height = (int(x) for x in args.photo.lower().split("x"))
    original = (phone_photo(width, height, face=not args.no_face), {}, None)
    scaled = scaled_in_browser(original[0], 413 / 531)
    every_nth = round(1 / args.originals) if args.originals > 0 else 0
    mixed = [original if every_nth and i % every_nth == 0 else scaled for i in range(args.employees)]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret,
           "CARDWRIGHT_ENV": "development", "SCHEDULER_ENABLED": "false", "BASE_URL": base}
    # The production settings (gunicorn.conf.py), unless --workers / --threads say otherwise.
    workers, threads = served_by(args.workers, args.threads)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
                "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning",
                "app:create_app()"]
    proc = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    probe = f"{base}/r/{probe_token}"
    results = []
    try:
        _wait_until_up(base, proc)
        idle = idle_probe(probe)
        results.append(burst(base, tokens[:args.employees], mixed, probe, args.limit, proc.pid))
        if args.compare:
            time.sleep(2)
            results.append(burst(base, tokens[args.employees:], [original] * args.employees, probe, args.limit,
                                 proc.pid))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    arrived = count_arrived(url, storage_dir, secret, company_id)
    shutil.rmtree(storage_dir, ignore_errors=True)
    sent_originals = sum(photo is original for photo in mixed)
    head = f"{args.employees} employees at once, gunicorn {workers} workers x {threads} threads"
    print_burst(f"{head}: {args.employees - sent_originals} photos scaled in the browser "
                f"({len(scaled[0]) // 1024} KB), {sent_originals} originals {args.photo} ({len(original[0]) // 1024} KB)",
                results[0], idle)
    if args.compare:
        print_burst(f"{head}: every photo the original {args.photo} ({len(original[0]) // 1024} KB)", results[1], idle)
        now, before = (_pct(r["timings"].get("POST photo", []), 95) for r in results)
        if before:
            print(f"\nphoto step p95, scaled in the browser / originals only: {now * 1000:.0f} / {before * 1000:.0f} ms"
                  f" = {now / before:.2f}")
        if results[0]["cpu"] and results[1]["cpu"]:
            print(f"server CPU, scaled in the browser / originals only: {results[0]['cpu']:.1f} / "
                  f"{results[1]['cpu']:.1f} s = {results[0]['cpu'] / results[1]['cpu']:.2f}")
    errors = [e for r in results for e in r["errors"]]
    expected = args.employees * phases
    lost = expected - arrived["submitted_with_photo_and_address"]
    print(f"errors: {len(errors)}   lost submissions: {lost}   rows counted after: {json.dumps(arrived)}")
    for line in errors[:20]:
        print("  " + line)
    return 1 if errors or lost or arrived["confirmation_emails"] != expected else 0


if __name__ == "__main__":
    sys.exit(main())
