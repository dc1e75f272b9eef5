"""Webhook deliveries per second to a loopback receiver (target >= 300/s): the job claims, signs,
posts over a kept-alive connection and records, as in production."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete, func, insert, select

from bench.harness import note

DELIVERIES = int(__import__("os").environ.get("BENCH_WEBHOOKS", "2000"))


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers behind a proxy

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def bench_webhooks(app, db, company) -> None:
    from portal.infra.db_types import utcnow
    from portal.webhooks.events import new_message_id, payload
    from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
    from portal.webhooks.signing import new_secret
    from portal.webhooks.tasks import deliver_webhooks

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    saved = {k: app.config.get(k) for k in ("WEBHOOKS_ALLOW_HTTP", "WEBHOOKS_ALLOW_PRIVATE", "WEBHOOKS_RUN_SECONDS")}
    app.config.update(WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True, WEBHOOKS_RUN_SECONDS=600)
    try:
        endpoint = WebhookEndpoint(company_id=company.id, url=f"http://127.0.0.1:{server.server_address[1]}/in",
                                   events=["card.blocked"], secret=new_secret())
        db.session.add(endpoint)
        db.session.flush()
        now = utcnow()
        body = payload("card.blocked", {"id": 1, "status": "blocked", "holder_name": "Bench Holder"}, now)
        db.session.execute(insert(WebhookDelivery), [
            {"company_id": company.id, "endpoint_id": endpoint.id, "message_id": new_message_id(),
             "event_type": "card.blocked", "payload": body, "state": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now, "last_error": ""} for _ in range(DELIVERIES)])
        db.session.commit()
        started = time.perf_counter()
        deliver_webhooks()
        seconds = time.perf_counter() - started
        delivered = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == "delivered"))
        rate = delivered / seconds
        note(f"webhooks: {DELIVERIES} deliveries to a loopback receiver", f"{rate:,.0f}/s ({delivered} in "
             f"{seconds:.1f} s)", target=">= 300/s", met=rate >= 300 and delivered == DELIVERIES)
    finally:
        app.config.update(saved)
        server.shutdown()
        server.server_close()
        db.session.rollback()
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.company_id == company.id))
        db.session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.company_id == company.id))
        db.session.commit()
