"""The back-office home: the numbers that matter for the current company."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.ordering.models import CartItem, Order, OrderStatus
from portal.tenancy.context import current_company


class DashboardView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.url))

    @expose("/")
    def index(self):
        company = current_company()
        stats = {}
        if company is not None:
            stats = {
                "cart": db.session.scalar(
                    select(func.count()).select_from(CartItem).where(
                        CartItem.company_id == company.id, CartItem.user_id == current_user.id
                    )
                ) or 0,
                "open_orders": db.session.scalar(
                    select(func.count()).select_from(Order).where(
                        Order.company_id == company.id,
                        Order.status.in_([OrderStatus.PLACED.value, OrderStatus.IN_PRODUCTION.value,
                                          OrderStatus.AWAITING_APPROVAL.value]),
                    )
                ) or 0,
            }
        return self.render("admin/dashboard.html", company=company, stats=stats)
