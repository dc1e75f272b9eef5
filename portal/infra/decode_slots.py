"""How many photos one process decodes at once.

A burst of uploads (200 employees sending their photo at the same moment, 8 threads per gunicorn
worker) queues for a slot instead of holding every thread's decoded photo in memory; two slots keep
both cores of a small server busy. A call made from inside a slot keeps it (no deadlock when one
bounded function calls another).
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

DECODE_SLOTS = 2

F = TypeVar("F", bound=Callable[..., Any])
_slots = threading.BoundedSemaphore(DECODE_SLOTS)
_in_slot = threading.local()


def in_decode_slot(fn: F) -> F:
    """Run ``fn`` in one of the process's DECODE_SLOTS."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if getattr(_in_slot, "held", False):
            return fn(*args, **kwargs)
        with _slots:
            _in_slot.held = True
            try:
                return fn(*args, **kwargs)
            finally:
                _in_slot.held = False

    return run  # type: ignore[return-value]
