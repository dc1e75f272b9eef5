"""Screen: Data collection, the orderer's three tabs (COLLECT CARD DATA, PENDING, IN REVIEW).

One Flask-Admin view, endpoint "collection", assembled from one mixin per tab so each module
stays short. Views are thin: they parse the form, check the request belongs to the current
company (404 otherwise), call one operation in `portal.collection.operations`, commit, flash and
redirect back to their tab. Every action is a POST with the global CSRF token.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from admin_views.base import TenantView
from admin_views.collection_collect import CollectPages
from admin_views.collection_pending import PendingPages
from admin_views.collection_review import ReviewPages
from portal.collection import operations


class DataCollectionView(CollectPages, PendingPages, ReviewPages, TenantView):
    capability = "collect"

    @property
    def extra_css(self):
        return [url_for("static", filename="admin/collection.css")]

    @property
    def extra_js(self):
        return [url_for("static", filename="admin/collection.js")]

    def _counts(self, company) -> dict:
        """Badge numbers for the PENDING and IN REVIEW tabs."""
        return operations.request_counts(company)


def register(admin) -> None:
    admin.add_view(DataCollectionView(name=_l("Data collection"), endpoint="collection", url="/admin/collection"))
