"""The daily card-expiry job: expired cards are blocked, orderers get their digest before expiry."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask import current_app

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.renewal.expiry import (
    CHUNK,
    block_expired,
    claim_notices,
    company_notice_days,
    expired_card_ids,
    queue_digest,
)
from portal.tenancy.models import Company, User


@dataclass
class ExpiryRun:
    blocked: int = 0
    notified_cards: int = 0
    digests: int = 0


def run_expiry(today: date) -> ExpiryRun:
    """Block what has expired (a commit per chunk), then claim and queue the due digests (one commit)."""
    run = ExpiryRun()
    while ids := expired_card_ids(today):
        blocked = block_expired(ids)
        run.blocked += blocked
        db.session.commit()
        if len(ids) < CHUNK or not blocked:
            break
    days = tuple(current_app.config.get("CARD_EXPIRY_NOTICE_DAYS") or ())
    for (company_id, orderer_id), ids in claim_notices(today, days, company_notice_days()).items():
        company, orderer = db.session.get(Company, company_id), db.session.get(User, orderer_id)
        if orderer is not None and orderer.email and orderer.active:
            queue_digest(company, orderer, ids, today)
            run.digests += 1
        run.notified_cards += len(ids)
    db.session.commit()
    return run


@scheduled("card_expiry", 24 * 60 * 60)
def expire_cards(now=None) -> dict:
    return asdict(run_expiry((now or utcnow()).date()))
