"""Cursors: opaque strings that say where the next page starts (the client passes them back as they are)."""
from __future__ import annotations

import base64
import binascii

from api.problems import ApiProblem


def encode(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode(cursor: str | None, kind: str) -> int:
    """The position in a cursor of this kind; 0 without one; a problem answer for a cursor not made by us."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, _, value = text.partition(":")
        position = int(value)
        if found != kind or not 0 <= position < 2**62:
            raise ValueError(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiProblem(422, "invalid-cursor", "This cursor was not given by this list: start again without one.",
                         errors=[{"field": "cursor", "reason": "Not a cursor of this list."}]) from None
    return position


def answer(found: list, after: int | None, kind: str = "a") -> dict:
    """A page of a list: its items, and the cursor of the next page at position `after` (None: the last page).
    Lists read oldest first (`portal.infra.paging.rows_after`) are of kind "a"."""
    return {"items": found, "next_cursor": encode(kind, after) if after else None}


def of_list(rows: list, args: dict) -> dict:
    """A page of a short list read whole (the catalogue): `limit` rows from the cursor's position."""
    start = decode(args["cursor"], "o")
    end = start + args["limit"]
    return answer(rows[start:end], end if end < len(rows) else None, "o")
