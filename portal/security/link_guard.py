"""Guessing personal links is throttled twice: per IP address and per token prefix.

The per-prefix counter stops a guesser who spreads attempts over many addresses while holding part
of a link (from a truncated log line or a shoulder); a real link's prefix is almost never shared.
Tokens never reach the logs: the access-log filter below replaces them with a marker.
"""
from __future__ import annotations

import logging
import re

from flask import request

from portal.tenancy.operations import any_throttled, note_failure

PREFIX_LENGTH = 6

# Every route that carries a secret in its path: employee links, card-change links, invitations,
# password-reset links, emailed sign-in links (signed, so with dots), customer-portal password links.
TOKEN_IN_PATH = re.compile(r"(/r/(?:change/)?|/invite/|/reset/|/set-password/|/login/link/)[A-Za-z0-9_.-]{16,}")


def guard_keys(token: str) -> tuple[str, str]:
    """The two counters a guess at this link counts on. A page that reads the link's row anyway asks
    whether they are throttled in the same statement (`portal.collection.operations.open_request`)."""
    return f"link:ip:{request.remote_addr}", f"link:prefix:{(token or '')[:PREFIX_LENGTH]}"


def link_throttled(token: str) -> bool:
    return any_throttled(guard_keys(token))


def note_bad_link(token: str) -> None:
    for key in guard_keys(token):
        note_failure(key)


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a log record so that no personal-link token is written to the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction() -> None:
    """werkzeug's development server and gunicorn both log the request line with its path."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
