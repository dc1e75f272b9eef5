"""Writes through the API that carry an `Idempotency-Key` are done once: the same key and request within
`KEPT` get the stored answer again, also when both arrive at the same moment (the unique index makes the
second wait for the first and then read its answer)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.security.models import ApiIdempotency, ApiKey

KEPT = timedelta(hours=24)


class IdempotencyMismatch(Exception):
    """The key was used before for a different request."""


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def _stored(key: ApiKey, idem_key: str) -> ApiIdempotency | None:
    return db.session.scalar(select(ApiIdempotency).where(
        ApiIdempotency.api_key_id == key.id, ApiIdempotency.idem_key == idem_key,
        ApiIdempotency.created_at >= utcnow() - KEPT).execution_options(populate_existing=True))


def _checked(row: ApiIdempotency | None, digest: str) -> ApiIdempotency | None:
    if row is not None and row.request_hash != digest:
        raise IdempotencyMismatch(row.idem_key)
    return row


def claim(key: ApiKey, idem_key: str, digest: str) -> tuple[ApiIdempotency | None, ApiIdempotency | None]:
    """(the stored answer to replay, None) or (None, a new row to fill with this request's answer)."""
    done = _checked(_stored(key, idem_key), digest)
    if done is not None:
        return done, None
    db.session.execute(delete(ApiIdempotency).where(  # an old use of the same key no longer counts
        ApiIdempotency.api_key_id == key.id, ApiIdempotency.idem_key == idem_key,
        ApiIdempotency.created_at < utcnow() - KEPT))
    row = ApiIdempotency(api_key_id=key.id, idem_key=idem_key, request_hash=digest)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same request at the same moment: it has committed, its answer counts
        return _checked(_stored(key, idem_key), digest), None
    return None, row


def remember(row: ApiIdempotency, status_code: int, content_type: str, body: str) -> None:
    row.status_code, row.content_type, row.response_body = status_code, content_type[:100], body
    db.session.flush()


def forget_old() -> int:
    """Drop answers older than KEPT (the scheduled job)."""
    return db.session.execute(delete(ApiIdempotency).where(ApiIdempotency.created_at < utcnow() - KEPT)).rowcount
