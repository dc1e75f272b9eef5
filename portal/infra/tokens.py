"""Personal-link tokens: random, shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash to store). 32 random bytes = 256 bits."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain hash suffices: the token has 256 bits of entropy, so it cannot be brute-forced
    # from the hash, and an index lookup by hash avoids comparing secrets in Python at all.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_matches(stored_hash: str | None, token: str) -> bool:
    """Constant-time check that a row found by its hash really carries this token's hash."""
    return hmac.compare_digest(stored_hash or "", hash_token(token))


def looks_like_token(token: str) -> bool:
    return 30 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def derived_token(purpose: str, salt: str) -> str:
    """A link token the server can rebuild (for reminders with the same link), never stored.

    HMAC-SHA256 of a random per-record salt under SECRET_KEY: 256 bits, unguessable without the key,
    and only its hash is kept for the lookup. A new salt replaces the link (the old one stops working).
    """
    import base64

    from flask import current_app

    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.digest(key, f"{purpose}:{salt}".encode(), "sha256")  # one-shot: 10,000 per CSV import
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_salt() -> str:
    return secrets.token_urlsafe(16)
