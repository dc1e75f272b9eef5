"""Webhook test fixtures: a real HTTP receiver on 127.0.0.1 (threaded), endpoints, cards."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.cards.models import Card
from portal.webhooks.operations import create_endpoint


class Receiver:
    """A threaded http.server that records every POST. `mode`: "ok" (204), "error" (500), "redirect"
    (302 to another receiver), "hang" (waits until `release` is set). `stop()` takes it down (the port
    then refuses connections); `start()` brings it back on the same port."""

    def __init__(self, name: str = "receiver", keep_alive: bool = False):
        self.name, self.keep_alive = name, keep_alive
        self.received: list[dict] = []
        self.mode = "ok"
        self.location = ""
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                              "body": body, "at": time.monotonic(), "path": self.path,
                                              "peer": self.client_address})
                receiver.arrived.set()
                if receiver.mode == "hang":
                    receiver.release.wait(30)
                if receiver.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", receiver.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 500 if receiver.mode == "error" else 204
                self.send_response(status)
                payload = b"receiver broke" if status == 500 else b""
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def types(self) -> list[str]:
        import json

        return [json.loads(r["body"])["type"] for r in self.received]


@pytest.fixture()
def hooks_allowed(app, monkeypatch):
    """Plain http to loopback, as tests need (production refuses both)."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_TIMEOUT", 5)


@pytest.fixture()
def make_receiver():
    made: list[Receiver] = []

    def make(name: str = "receiver", keep_alive: bool = False) -> Receiver:
        made.append(Receiver(name, keep_alive))
        return made[-1]

    yield make
    for r in made:
        r.release.set()
        r.stop()


@pytest.fixture()
def make_endpoint(db, hooks_allowed):
    def make(company, url: str, events=None, description: str = ""):
        from portal.webhooks.models import EVENTS

        endpoint, secret = create_endpoint(company, None, url, description, events or list(EVENTS))
        db.session.commit()
        return endpoint, secret

    return make


@pytest.fixture()
def make_active_card(db, make_card_type):
    types: list = []

    def make(company, name: str = "Åsa Öberg") -> Card:
        if not types:
            types.append(make_card_type("Site ID"))
        card = Card(company_id=company.id, card_type_id=types[0].id, holder_name=name, status="active",
                    card_number=f"47110{len(name)}", holder_data={"first_name": name.split()[0]})
        db.session.add(card)
        db.session.commit()
        return card

    return make
