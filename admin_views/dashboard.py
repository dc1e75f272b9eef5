"""The back-office home: the numbers that matter for the current company, with a chart."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from portal.cards.models import CardStatus
from portal.collection.models import CollectionRequest, RequestStatus
from portal.customers.models import CustomerRequest, CustomerRequestStatus
from portal.infra.extensions import db
from portal.ordering.models import CartItem, Order, OrderStatus
from portal.outbox.status import outbox_figures
from portal.printing.models import PrintJob, PrintJobStatus
from portal.reports.operations import monthly_counts, status_counts
from portal.tenancy.context import current_company
from portal.tenancy.ownership import owned_by


def _count(model, company, *where) -> int:
    """Rows of `model` matching `where`: the company's only, unless company is None (operator-wide)."""
    if company is not None:
        where = (owned_by(model, company.id), *where)
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def dashboard_figures(company, user) -> dict:
    """The dashboard's counters, one small indexed count each."""
    return {
        "pending": _count(CollectionRequest, company,
                          CollectionRequest.status.in_([RequestStatus.PENDING.value, RequestStatus.REJECTED.value])),
        "in_review": _count(CollectionRequest, company,
                            CollectionRequest.status == RequestStatus.IN_REVIEW.value),
        "cart": _count(CartItem, company, CartItem.user_id == user.id),
        "awaiting_approval": _count(Order, company,
                                    Order.status == OrderStatus.AWAITING_APPROVAL.value),
        "in_production": _count(Order, company,
                                Order.status.in_([OrderStatus.PLACED.value, OrderStatus.IN_PRODUCTION.value])),
        "print_queue": _count(PrintJob, company,
                              PrintJob.status.in_([PrintJobStatus.QUEUED.value, PrintJobStatus.PRINTING.value])),
        "print_failed": _count(PrintJob, company,
                               PrintJob.status == PrintJobStatus.FAILED.value),
    }


class DashboardView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.url))

    @expose("/")
    def index(self):
        company = current_company()
        figures = dashboard_figures(company, current_user) if company else {}
        if current_user.is_operator:
            figures["customer_requests"] = _count(CustomerRequest, None, CustomerRequest.status.in_(
                [CustomerRequestStatus.NEW.value, CustomerRequestStatus.IN_PROGRESS.value]))
        months = monthly_counts(company) if company else []
        outbox = outbox_figures() if current_user.is_operator else None
        return self.render("admin/dashboard.html", company=company, figures=figures, months=months, outbox=outbox,
                           by_status=status_counts(company) if company else [],
                           statuses=CardStatus)
