"""Soak run: employees, orderers and the scheduler at once on gunicorn + PostgreSQL, for minutes.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/scratch make soak
    .venv/bin/python -m bench.soak --seconds 600 --employees 12 --orderers 4

Use a scratch database: like `make load` it adds a company of its own ("Load test ..."), with an
orderer account and one personal link per employee round. It starts gunicorn (2 workers) and one
`flask scheduler` process with a local SMTP sink (aiosmtpd on 127.0.0.1), then for `--seconds`:
employees walk the real self-service flow with a photo, orderers sign in and read the pages they
use all day (dashboard, handle cards with a search, order history, In review, Pending, cart), and the
scheduler sends the confirmation emails and runs its jobs. Every 5 s it reads the resident memory of
every process (gunicorn's master and workers, the scheduler) from /proc.

It prints p50/p95 per page kind, errors, emails delivered, and per process the memory after warm-up
(the first fifth of the run) and at the end. It exits 1 on any error, on a lost submission, or when
a process grew by 10 % or more after warm-up (the target: memory flat). Bounded: it stops at
`--seconds` whatever happens, and every request has a timeout.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
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

from bench.load_selfservice import (
    Employee,
    _free_port,
    _pct,
    _wait_until_up,
    count_arrived,
    phone_photo,
    scaled_in_browser,
    scratch_postgres_url,
    seed,
)

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ORDERER_PAGES = [
    ("dashboard", "/admin/"),
    ("handle cards", "/admin/cards/"),
    ("card search", "/admin/cards/?q=Tester"),
    ("order history", "/admin/orders/"),
    ("in review", "/admin/collection/review"),
    ("pending", "/admin/collection/pending"),
    ("cart", "/admin/cart/"),
]
GROWTH_LIMIT = 0.10


def add_orderer(url: str, storage_dir: str, secret: str, company_id: int) -> tuple[str, str]:
    from app import create_app
    from portal.infra.extensions import db
    from portal.security.passwords import hash_password
    from portal.tenancy.models import Membership, Role, User

    email, password = f"soak-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(18)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret})
    with app.app_context():
        user = User(email=email, name="Soak Orderer", password_hash=hash_password(password), language="en")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, company_id=company_id, role=Role.ORDERER.value))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return email, password


class Orderer:
    """One signed-in back-office user reading the pages of the day, round after round."""

    def __init__(self, base: str, email: str, password: str, timings: dict, errors: list):
        self.base, self.email, self.password = base, email, password
        self.timings, self.errors = timings, errors
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def _get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as resp:
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def sign_in(self) -> None:
        status, page = self._get("/login")
        token = CSRF.search(page)
        if status != 200 or not token:
            raise RuntimeError(f"GET /login answered {status}")
        body = urllib.parse.urlencode({"csrf_token": token.group(1), "email": self.email,
                                       "password": self.password}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/login", data=body), timeout=60) as resp:
            if "/login" in resp.geturl():
                raise RuntimeError("the orderer could not sign in")

    def run(self, stop_at: float) -> None:
        try:
            self.sign_in()
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self.errors.append(f"orderer sign-in: {type(exc).__name__}: {exc}")
            return
        while time.monotonic() < stop_at:
            for kind, path in ORDERER_PAGES:
                started = time.perf_counter()
                try:
                    status, _ = self._get(path)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                    continue
                self.timings.setdefault(kind, []).append(time.perf_counter() - started)
                if status != 200:
                    self.errors.append(f"{kind}: answered {status}")
            time.sleep(0.5)  # a person reads the page before the next click


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _sample(processes: dict[str, int], gunicorn_pid: int, samples: dict[str, list[tuple[float, int]]]) -> None:
    named = dict(processes)
    for n, pid in enumerate(sorted(_children(gunicorn_pid)), start=1):
        named[f"gunicorn worker {n}"] = pid
    now = time.monotonic()
    for name, pid in named.items():
        rss = _rss_kb(pid)
        if rss:
            samples.setdefault(name, []).append((now, rss))


def _growth(points: list[tuple[float, int]], warm_until: float) -> tuple[int, int, float]:
    after = [rss for at, rss in points if at >= warm_until] or [rss for _, rss in points]
    head = sorted(after[: max(1, len(after) // 10)])
    tail = sorted(after[-max(1, len(after) // 10):])
    first, last = head[len(head) // 2], tail[len(tail) // 2]
    return first, last, (last - first) / first


def _smtp_sink():
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            Sink.received += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller, Sink


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="length of the run (bounded)")
    parser.add_argument("--employees", type=int, default=12, help="employees walking the flow at once")
    parser.add_argument("--orderers", type=int, default=4, help="orderers reading pages at once")
    parser.add_argument("--links", type=int, default=0,
                        help="personal links seeded, one per submission (default: enough for the run)")
    parser.add_argument("--photo", default="4032x3024",
                        help="the phone's original; sent as the page's script sends it (1,600 px, cropped)")
    args = parser.parse_args(argv)
    url = scratch_postgres_url()
    if url is None:
        return 2
    storage_dir = tempfile.mkdtemp(prefix="cardwright-soak-")
    secret = secrets.token_urlsafe(48)
    company_id, tokens = seed(url, storage_dir, secret, args.links or int(args.seconds * args.employees * 1.5))
    email, password = add_orderer(url, storage_dir, secret, company_id)
    photo = scaled_in_browser(phone_photo(*(int(x) for x in args.photo.lower().split("x"))), 413 / 531)
    smtp, sink = _smtp_sink()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "STORAGE_DIR": storage_dir, "SECRET_KEY": secret,
           "CARDWRIGHT_ENV": "development", "SCHEDULER_ENABLED": "false", "BASE_URL": base,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "SCHEDULER_LOCK_POLL_SECONDS": "1"}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{port}",
         "--timeout", "120", "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler"], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL)
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    samples: dict[str, list[tuple[float, int]]] = {}
    done = [0]
    links = iter(tokens)
    lock = threading.Lock()
    out_of_links = threading.Event()
    try:
        _wait_until_up(base, gunicorn)
        started = time.monotonic()
        stop_at = started + args.seconds
        warm_until = started + args.seconds / 5

        def employee_loop(n: int) -> None:
            while time.monotonic() < stop_at:
                with lock:
                    token = next(links, None)
                if token is None:
                    out_of_links.set()  # not an error: the seeded rounds are used up, the others go on
                    return
                Employee(base, token, n, photo, timings, errors).run()
                with lock:
                    done[0] += 1

        workers = [threading.Thread(target=employee_loop, args=(n,), daemon=True) for n in range(args.employees)]
        workers += [threading.Thread(target=Orderer(base, email, password, timings, errors).run, args=(stop_at,),
                                     daemon=True) for _ in range(args.orderers)]
        for t in workers:
            t.start()
        while time.monotonic() < stop_at:
            _sample({"gunicorn master": gunicorn.pid, "scheduler": scheduler.pid}, gunicorn.pid, samples)
            if scheduler.poll() is not None:
                errors.append("the scheduler process exited")
                break
            time.sleep(5)
        for t in workers:
            t.join(max(0.1, stop_at + 90 - time.monotonic()))
        if any(t.is_alive() for t in workers):
            errors.append("requests still waiting 90 s after the end")
        time.sleep(10)  # the scheduler's outbox run after the last confirmation
    finally:
        for proc in (gunicorn, scheduler):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        smtp.stop()
    arrived = count_arrived(url, storage_dir, secret, company_id)
    shutil.rmtree(storage_dir, ignore_errors=True)
    print(f"\nsoak: {args.seconds:.0f} s, {args.employees} employees and {args.orderers} orderers at once, "
          f"gunicorn 2 workers + scheduler on PostgreSQL")
    print(f"{'page kind':18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(timings.items()):
        print(f"{kind:18} {len(values):8d} {_pct(values, 50) * 1000:8.0f} {_pct(values, 95) * 1000:8.0f} "
              f"{max(values) * 1000:8.0f}")
    grew = []
    print(f"\n{'process':18} {'after warm-up MB':>16} {'at the end MB':>14} {'growth':>8}")
    for name, points in sorted(samples.items()):
        first, last, growth = _growth(points, warm_until)
        print(f"{name:18} {first / 1024:16.1f} {last / 1024:14.1f} {growth:8.1%}")
        if growth >= GROWTH_LIMIT:
            grew.append(name)
    lost = done[0] - arrived["submitted_with_photo_and_address"]
    if sink.received < arrived["confirmation_emails"]:
        errors.append(f"{arrived['confirmation_emails'] - sink.received} confirmation emails not delivered")
    print(f"\nsubmissions: {done[0]}   stored: {arrived['submitted_with_photo_and_address']}   lost: {lost}   "
          f"confirmation emails queued: {arrived['confirmation_emails']}   delivered to the SMTP sink: "
          f"{sink.received}")
    print(f"errors: {len(errors)}   memory flat (< {GROWTH_LIMIT:.0%} after warm-up): "
          f"{'met' if not grew else 'missed: ' + ', '.join(grew)}")
    if out_of_links.is_set():
        print("the employees used up the seeded links before the end (--links raises them)")
    for line in errors[:20]:
        print("  " + line)
    return 1 if errors or lost or grew else 0


if __name__ == "__main__":
    sys.exit(main())
