"""The employee's self-service page under gunicorn against a hello-world Flask app, and its weight."""
from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bench.harness import note

CLIENTS = 50
SECONDS = 6.0
WORKERS = 2  # one per core


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _client(port: int, path: str, stop_at: float, counts: dict) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    while time.perf_counter() < stop_at:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            data = await reader.read()
            writer.close()
            status = data[9:12]
            counts["ok" if status == b"200" else "errors"] += 1
        except OSError:
            counts["errors"] += 1


def _load(port: int, path: str, seconds: float) -> tuple[float, int]:
    """Requests per second and errors with CLIENTS concurrent clients (connection per request)."""
    counts = {"ok": 0, "errors": 0}

    async def main():
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, path, stop_at, counts) for _ in range(CLIENTS)))

    start = time.perf_counter()
    asyncio.run(main())
    return counts["ok"] / (time.perf_counter() - start), counts["errors"]


def _serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--backlog", "2048",
         "--log-level", "warning", target], env=env, cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gunicorn did not start: {proc.stderr.read()[-500:]!r}")


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _token(db) -> str:
    from portal.collection.models import CollectionRequest
    from portal.collection.operations import issue_link

    req = db.session.scalar(select(CollectionRequest).where(CollectionRequest.company_id == 1,
                                                            CollectionRequest.status == "pending")
                            .order_by(CollectionRequest.id).limit(1))
    token = issue_link(req)
    db.session.commit()
    return token


def bench_throughput(url: str, token: str) -> None:
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_STORAGE_DIR": str(Path(__file__).parent / "data" / "files"),
           "CARDWRIGHT_ENV": "development", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    figures = {}
    for name, target, path in (("hello-world Flask app", "bench.wsgi:hello()", "/"),
                               ("self-service page", "bench.wsgi:portal()", f"/r/{token}")):
        proc, port = _serve(target, env)
        try:
            _load(port, path, 1.0)  # warm up every worker
            figures[name] = _load(port, path, SECONDS)
        finally:
            _stop(proc)
    (hello, hello_errors), (page, page_errors) = figures["hello-world Flask app"], figures["self-service page"]
    ratio = page / hello if hello else 0
    note(f"self-service GET under gunicorn ({WORKERS} workers, {CLIENTS} clients)",
         f"{page:8.0f} req/s, errors {page_errors} | hello world {hello:8.0f} req/s, errors {hello_errors} "
         f"| ratio {ratio:5.0%}", target=">= 40% of hello world, 0 errors",
         met=ratio >= 0.4 and page_errors == 0, rps=page, hello_rps=hello, errors=page_errors)


_ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"', re.I)
_EXTERNAL = re.compile(r'''(?:src|href|url\()\s*=?\s*["']?(?:https?:)?//''', re.I)


def bench_weight(app, db, token: str) -> None:
    from bench.clients import get_ok

    client = app.test_client()
    for label, path in (("details step", f"/r/{token}"), ("photo step", f"/r/{token}/photo")):
        with app.app_context():
            resp = client.get(path, headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile"})
        html = resp.get_data()
        sizes = {"html": len(html)}
        external = _EXTERNAL.findall(html.decode())
        for asset in _ASSET.findall(html.decode()):
            if asset.startswith(("http:", "https:", "//")):
                external.append(asset)
                continue
            if asset.endswith((".css", ".js")) or "theme.css" in asset:
                body = get_ok(client, asset).get_data()
                sizes[asset.rsplit("/", 1)[-1].split("?")[0]] = len(body)
                external += _EXTERNAL.findall(body.decode(errors="replace"))
        total = sum(sizes.values())
        parts = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sizes.items())
        note(f"self-service page weight: {label} (status {resp.status_code})",
             f"{total / 1024:6.1f} KB ({parts}), external requests: {len(external)}",
             target="< 60 KB, no external requests", met=total < 60 * 1024 and not external, bytes=total)


def run(app, db, url: str) -> None:
    token = _token(db)
    bench_weight(app, db, token)
    bench_throughput(url, token)
