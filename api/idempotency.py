"""`Idempotency-Key` on writes: the same key and request within a day give the same answer and do the work
once (portal.security.idempotency keeps the answers)."""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, make_response, request

from api.problems import ApiProblem
from portal.security.idempotency import IdempotencyMismatch, claim, remember, request_hash

HEADER = "Idempotency-Key"


def idempotent(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        idem_key = request.headers.get(HEADER)
        if idem_key is None:
            return view(*args, **kwargs)
        if not 1 <= len(idem_key) <= 255 or not idem_key.isprintable():
            raise ApiProblem(400, "invalid-idempotency-key", f"{HEADER} must be 1 to 255 printable characters.")
        digest = request_hash(request.method, request.path, request.get_data())
        try:
            done, row = claim(g.api_key, idem_key, digest)
        except IdempotencyMismatch:
            raise ApiProblem(422, "idempotency-key-reused", f"This {HEADER} was used for a different request "
                             "in the last 24 hours: use a new key for a new request.",
                             errors=[{"field": HEADER, "reason": "Used before for a different request."}]) from None
        if done is not None:
            replay = current_app.response_class(done.response_body, status=done.status_code,
                                                content_type=done.content_type)
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        response = make_response(view(*args, **kwargs))
        remember(row, response.status_code, response.content_type or "", response.get_data(as_text=True))
        return response
    return wrapped
