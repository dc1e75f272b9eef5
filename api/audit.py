"""The company's audit log (read only): who did what, when, through the screens or with which API key."""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from api import pages
from api.auth import api_blueprint, company, require
from api.schemas import AuditPage, AuditQuery
from portal.audit.models import AuditEvent
from portal.infra.paging import rows_after

blp = api_blueprint("api_audit", __name__, "/audit-events", "The company's audit log.")


@blp.route("")
@require("read")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditPage)
def list_audit_events(args):
    """Audit events of the company, oldest first."""
    where = [AuditEvent.company_id == company().id]
    if args["action"]:
        where.append(AuditEvent.action == args["action"])
    return pages.answer(*rows_after(AuditEvent, *where, after_id=pages.decode(args["cursor"], "a"), limit=args["limit"],
                                    options=(joinedload(AuditEvent.user),)))
