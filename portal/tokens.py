"""Personal-link tokens: random, shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash to store). 32 random bytes = 256 bits."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain hash suffices: the token has 256 bits of entropy, so it cannot be brute-forced
    # from the hash, and an index lookup by hash avoids comparing secrets in Python at all.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(token: str) -> bool:
    return 30 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)
