"""The daily retention job."""
from __future__ import annotations

from dataclasses import asdict

from portal.retention.operations import anonymise_all


def run_retention(now=None) -> dict:
    return asdict(anonymise_all(now))
