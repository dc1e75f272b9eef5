"""The webhooks job: claim due deliveries, post them from a small thread pool, record each result.

Fairness: the claim takes each endpoint's oldest due deliveries, the endpoints taking turns (at most
PER_ENDPOINT each per claim), and every endpoint gets its own worker, which posts its deliveries one
at a time over one kept-alive connection. A slow or hanging endpoint therefore holds up only itself:
another company's endpoint is served by another worker meanwhile. After a failure the rest of that
endpoint's batch goes back unchanged (untried, uncounted) and the endpoint waits for the next run. A
run claims again while there is work, for at most WEBHOOKS_RUN_SECONDS (workers start no new request
after that), so a busy endpoint is served in bulk and a slow one cannot hold the job for long. The
workers only talk HTTP; this thread reads and writes the database.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, text, update

from portal.infra.claims import claim_due
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.webhooks.models import STALE_CLAIM, TEST_EVENT, DeliveryState, WebhookDelivery, WebhookEndpoint
from portal.webhooks.operations import disable_failing
from portal.webhooks.signing import signed_headers
from portal.webhooks.transport import Outcome, Sender

log = logging.getLogger(__name__)

# After the first try: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 10 h; about four and a half days in all.
BACKOFF = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5), timedelta(hours=10)]
MAX_ATTEMPTS = 15
DISABLE_AFTER = timedelta(days=3)  # an endpoint failing this long is switched off and its admins told
PER_ENDPOINT = 50  # deliveries of one endpoint per claim
# The log keeps finished deliveries this long: their bodies name card holders, and Send again needs them.
LOG_KEPT = timedelta(days=30)
PRUNE_CHUNK = 1000


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts >= 1 else BACKOFF[0]


@dataclass(frozen=True)
class Item:
    """What a worker needs to post one delivery: plain values, no database rows."""
    delivery_id: int
    url: str
    message_id: str
    body: bytes
    secrets: tuple[str, ...]


def _fair_order(now: datetime, limit: int, skip: set[int]):
    """The due deliveries, each endpoint's oldest first, the endpoints taking turns. An endpoint that is
    off keeps its deliveries waiting (a test event goes anyway); `skip`: endpoints done for this run."""
    turn = func.row_number().over(partition_by=WebhookDelivery.endpoint_id, order_by=WebhookDelivery.id).label("turn")
    due = (select(WebhookDelivery.id, turn)
           .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
           .where(WebhookDelivery.state == DeliveryState.PENDING.value, WebhookDelivery.next_attempt_at <= now,
                  or_(WebhookEndpoint.enabled.is_(True), WebhookDelivery.event_type == TEST_EVENT),
                  WebhookDelivery.endpoint_id.not_in(skip or {0}))
           .subquery())
    return select(due.c.id).where(due.c.turn <= PER_ENDPOINT).order_by(due.c.turn, due.c.id).limit(limit)


def _claim(now: datetime, limit: int, skip: set[int]) -> list[WebhookDelivery]:
    # A claim left by a crash goes back to waiting: at most one duplicate (same webhook-id), never a loss.
    db.session.execute(update(WebhookDelivery)
                       .where(WebhookDelivery.state == DeliveryState.SENDING.value,
                              WebhookDelivery.claimed_at < now - STALE_CLAIM)
                       .values(state=DeliveryState.PENDING.value, claim=None)
                       .execution_options(synchronize_session=False))
    return claim_due(WebhookDelivery, WebhookDelivery.state, waiting=DeliveryState.PENDING.value,
                     working=DeliveryState.SENDING.value, due_column=WebhookDelivery.next_attempt_at, now=now,
                     limit=limit, candidates=_fair_order(now, limit, skip))


def _post_all(items: list[Item], settings: dict, deadline: float) -> list[tuple[int, Outcome | None]]:
    """One endpoint's deliveries, in order, one at a time; after a failure, or once the run's time is
    up, the rest are left untried."""
    results: list[tuple[int, Outcome | None]] = []
    sender = Sender(items[0].url, **settings)
    try:
        for n, item in enumerate(items):
            if n and time.monotonic() > deadline:
                results.extend((rest.delivery_id, None) for rest in items[n:])
                break
            headers = signed_headers(list(item.secrets), item.message_id, int(time.time()), item.body)
            outcome = sender.post(item.body, headers)
            results.append((item.delivery_id, outcome))
            if not outcome.ok:
                results.extend((rest.delivery_id, None) for rest in items[n + 1:])
                break
    finally:
        sender.close()
    return results


@scheduled("webhooks", 5)
def deliver_webhooks(now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Post what is due. Returns counts delivered, failed (this try) and endpoints switched off."""
    now = now or utcnow()
    config = current_app.config
    limit = limit or config.get("WEBHOOKS_BATCH_SIZE", 200)
    deadline = time.monotonic() + float(config.get("WEBHOOKS_RUN_SECONDS", 10))
    settings = {"timeout": float(config.get("WEBHOOKS_TIMEOUT", 10)),
                "allow_http": bool(config.get("WEBHOOKS_ALLOW_HTTP")),
                "allow_private": bool(config.get("WEBHOOKS_ALLOW_PRIVATE"))}
    counts = {"delivered": 0, "failed": 0, "disabled": 0}
    _prune(now)
    done: set[int] = set()  # endpoints that failed (or ran out of time) in this run: they wait for the next
    while True:
        batch = _claim(now, limit, done)
        if not batch:
            break
        _run_batch(batch, now, settings, deadline, counts, done)
        if time.monotonic() > deadline:
            break
    return counts


def _prune(now: datetime) -> None:
    """Finished deliveries older than LOG_KEPT leave the log (a chunk per run: never a long lock)."""
    old = (select(WebhookDelivery.id).where(
        WebhookDelivery.state.in_((DeliveryState.DELIVERED.value, DeliveryState.FAILED.value)),
        WebhookDelivery.created_at < now - LOG_KEPT).limit(PRUNE_CHUNK))
    if db.session.execute(WebhookDelivery.__table__.delete()
                          .where(WebhookDelivery.id.in_(old.scalar_subquery()))).rowcount:
        db.session.commit()


def _run_batch(batch: list[WebhookDelivery], now: datetime, settings: dict, deadline: float, counts: dict,
               done: set[int]) -> None:
    by_endpoint: dict[int, list[Item]] = defaultdict(list)
    for delivery in batch:
        endpoint = delivery.endpoint
        by_endpoint[endpoint.id].append(Item(delivery.id, endpoint.url, delivery.message_id,
                                             delivery.payload.encode(), tuple(endpoint.secrets_at(now))))
    workers = max(1, min(int(current_app.config.get("WEBHOOKS_WORKERS", 8)), len(by_endpoint)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook") as pool:
        futures = {pool.submit(_post_all, items, settings, deadline): endpoint_id
                   for endpoint_id, items in by_endpoint.items()}
        for future in as_completed(futures):
            endpoint_id = futures[future]
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - a bug in one worker must not leave the others' rows claimed
                log.exception("webhook worker for endpoint %s failed", endpoint_id)
                results = [(item.delivery_id, Outcome(False, None, f"{type(exc).__name__}: {exc}"))
                           for item in by_endpoint[endpoint_id]]
            if any(outcome is None or not outcome.ok for _id, outcome in results):
                done.add(endpoint_id)
            _record(endpoint_id, results, now, counts)
            _relaxed_commit()
            db.session.commit()  # per endpoint: a crash later does not send these again


def _record(endpoint_id: int, results: list[tuple[int, Outcome | None]], now: datetime, counts: dict) -> None:
    """Write one endpoint's results: the delivered and the untried in one statement each (a busy endpoint
    has many), each failure on its own (its tries, next try and error)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    untried = [delivery_id for delivery_id, outcome in results if outcome is None]
    delivered: dict[int, list[int]] = defaultdict(list)  # by answer code
    for delivery_id, outcome in results:
        if outcome is not None and outcome.ok:
            delivered[outcome.status].append(delivery_id)
    table = WebhookDelivery.__table__
    if untried:  # not tried this run: they wait as they were
        db.session.execute(update(table).where(table.c.id.in_(untried))
                           .values(state=DeliveryState.PENDING.value, claim=None))
    for code, ids in delivered.items():
        db.session.execute(update(table).where(table.c.id.in_(ids)).values(
            state=DeliveryState.DELIVERED.value, attempts=table.c.attempts + 1, last_attempt_at=now,
            delivered_at=now, response_code=code, last_error="", claim=None))
        counts["delivered"] += len(ids)
    failed = False
    for delivery_id, outcome in results:
        if outcome is None or outcome.ok:
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:  # its endpoint was deleted meanwhile
            continue
        delivery.claim, delivery.attempts = None, delivery.attempts + 1
        delivery.last_attempt_at, delivery.response_code = now, outcome.status
        delivery.last_error = outcome.error or f"HTTP {outcome.status}"
        counts["failed"] += 1
        failed = failed or delivery.event_type != TEST_EVENT
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED.value
        else:
            delivery.state, delivery.next_attempt_at = DeliveryState.PENDING.value, now + backoff(delivery.attempts)
    if endpoint is None:
        return
    if delivered:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
    elif failed:
        endpoint.failing_since = endpoint.failing_since or now
        if endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
            disable_failing(endpoint)
            counts["disabled"] += 1


def _relaxed_commit() -> None:
    """PostgreSQL: this commit need not wait for the disk. A crash can then forget that a delivery went
    out, so it is sent once more (same webhook-id): at most one duplicate, never a loss."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
