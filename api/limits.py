"""Rate limits per API key (Flask-Limiter counts; RATELIMIT_STORAGE_URI chooses where: memory for one
process, e.g. redis:// to share the count between gunicorn workers). Every answer says where the key stands
with the IETF RateLimit fields; past the limit the answer is 429 with Retry-After."""
from __future__ import annotations

import time

from flask import Flask, current_app, request
from flask_limiter import Limiter


def _key_of_request() -> str:
    """The key's public prefix (counted per key even before the key is checked); the address without one."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.startswith("cw_"):
        return "key:" + secret[3:].split("_", 1)[0][:16]
    return "addr:" + (request.remote_addr or "")


def _limit_value() -> str:
    return current_app.config["API_RATE_LIMIT"]


def init_limits(app: Flask, blueprints) -> None:
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter = Limiter(key_func=_key_of_request, headers_enabled=False, default_limits=[])  # one per application
    limiter.init_app(app)
    # Only the API has limits: they are checked before its own hooks (the key check, as before), not on
    # every page of the screens (the check cost each page about 0.07 ms of CPU; issue 16, round two).
    check = limiter._check_request_limit
    app.before_request_funcs[None].remove(check)
    for blp in blueprints:
        limiter.limit(_limit_value)(blp)
        app.before_request_funcs.setdefault(blp.name, []).insert(0, check)
    app.extensions["api_limiter"] = limiter


def headers() -> dict:
    """RateLimit and RateLimit-Policy of this request (draft-ietf-httpapi-ratelimit-headers), and Retry-After
    when the limit is reached."""
    current = current_app.extensions["api_limiter"].current_limit
    if current is None:
        return {}
    window = current.limit.get_expiry()
    reset = max(0, int(current.reset_at - time.time()))
    out = {"RateLimit-Policy": f"{current.limit.amount};w={window}",
           "RateLimit": f"limit={current.limit.amount}, remaining={current.remaining}, reset={reset}"}
    if current.breached or current.remaining <= 0:
        out["Retry-After"] = str(max(1, reset))
    return out
