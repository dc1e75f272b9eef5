"""The daily retention job."""
from __future__ import annotations

from dataclasses import asdict

from portal.infra.jobs import scheduled
from portal.retention.operations import anonymise_all


@scheduled("retention", 24 * 60 * 60)
def run_retention(now=None) -> dict:
    return asdict(anonymise_all(now))
