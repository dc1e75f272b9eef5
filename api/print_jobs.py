"""Print jobs of the company's own printers (read only)."""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from api import pages
from api.auth import api_blueprint, company, require
from api.problems import ApiProblem
from api.schemas import PrintJobOut, PrintJobPage, StatusListQuery
from portal.infra.extensions import db
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
    found, after = rows_after(PrintJob, *where, after_id=pages.decode(args["cursor"], "a"), limit=args["limit"],
                              options=(joinedload(PrintJob.printer),))
    return {"items": found, "next_cursor": pages.encode("a", after) if after else None}


@blp.route("/<int:job_id>")
@require("read")
@blp.response(200, PrintJobOut)
def get_print_job(job_id):
    """One print job."""
    job = db.session.get(PrintJob, job_id) if 0 < job_id < 2**31 else None
    if job is None or job.company_id != company().id:
        raise ApiProblem(404, "not-found", "No such print job in your company.")
    return job
