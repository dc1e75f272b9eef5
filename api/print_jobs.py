"""Print jobs of the company's own printers (read only)."""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from api import pages
from api.auth import api_blueprint, company, owned, require
from api.schemas import PrintJobOut, PrintJobPage, StatusListQuery
from portal.infra.paging import rows_after
from portal.printing.models import PrintJob

blp = api_blueprint("api_print_jobs", __name__, "/print-jobs", "Cards printed on the company's own printers.")


@blp.route("")
@require("read")
@blp.arguments(StatusListQuery, location="query")
@blp.response(200, PrintJobPage)
def list_print_jobs(args):
    """Print jobs, oldest first (status: queued, printing, printed, failed, cancelled)."""
    where = [PrintJob.company_id == company().id]
    if args["status"]:
        where.append(PrintJob.status == args["status"])
    return pages.answer(*rows_after(PrintJob, *where, after_id=pages.decode(args["cursor"], "a"), limit=args["limit"],
                                    options=(joinedload(PrintJob.printer),)))


@blp.route("/<int:job_id>")
@require("read")
@blp.response(200, PrintJobOut)
def get_print_job(job_id):
    """One print job."""
    return owned(PrintJob, job_id, "print job")
