"""Retention settings: the count of orders a period would anonymise is shown for the period being chosen
(before saving, from an endpoint the page asks), and a shorter period is saved only after a confirmation."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.infra.db_types import utcnow
from portal.ordering.models import Order
from portal.tenancy.models import Company
from tests.company.test_company_screens import _settings, admin  # noqa: F401 - shared fixture
from tests.conftest import html_text


@pytest.fixture()
def orders_of_age(db, admin):  # noqa: F811
    company, user = admin

    def make(*ages_in_days):
        for n, days in enumerate(ages_in_days):
            at = utcnow() - timedelta(days=days)
            db.session.add(Order(company_id=company.id, number=f"CW-R-{n}", orderer_id=user.id, total=Decimal("1"),
                                 placed_at=at, last_activity_at=at, delivery={"name": "Åsa"}))
        db.session.commit()

    return make


def test_the_count_follows_the_period_being_chosen(client, db, admin, orders_of_age):  # noqa: F811
    company, user = admin
    assert company.retention_months == 36
    orders_of_age(100, 120, 400)
    client.login(user.email)
    page = client.get("/admin/company/settings/").get_data(as_text=True)
    assert "0 orders would be anonymised" in html_text(client.get("/admin/company/settings/"))
    assert 'src="/static/admin/retention.js"' in page and 'data-url="/admin/company/settings/retention-preview"' in page
    answers = {m: client.get(f"/admin/company/settings/retention-preview?months={m}").get_json()
               for m in ("3", "12", "36", "")}
    assert {m: a["count"] for m, a in answers.items()} == {"3": 3, "12": 1, "36": 0, "": 0}
    assert answers["3"]["text"].startswith("3 orders would be anonymised") and answers["3"]["shorter"]
    assert answers[""]["text"] == "Nothing is anonymised automatically." and not answers[""]["shorter"]
    assert client.get("/admin/company/settings/retention-preview?months=7").status_code == 400


def test_a_shorter_period_is_saved_only_after_confirmation(client, db, admin, orders_of_age):  # noqa: F811
    company, user = admin
    orders_of_age(100, 120, 400)
    client.login(user.email)
    asked = client.post("/admin/company/settings/", _settings(retention="3"))
    text = html_text(asked)
    assert asked.status_code == 200 and "confirm it below" in text
    assert "3 orders will be anonymised by the next run" in text
    db.session.expire_all()
    assert db.session.get(Company, company.id).retention_months == 36  # nothing saved yet
    done = client.post("/admin/company/settings/", _settings(retention="3", confirm_retention="3"))
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).retention_months == 3
    # A confirmation of another period does not count; a longer period needs none.
    assert client.post("/admin/company/settings/", _settings(retention="", confirm_retention="3")).status_code == 302
    assert db.session.scalar(select(Company.retention_months).where(Company.id == company.id)) is None


def test_the_preview_is_for_the_company_admin_only(client, db, admin, make_user):  # noqa: F811
    company, _ = admin
    orderer = make_user(company, role="orderer", email="o@nordbygg.se")
    client.login(orderer.email)
    assert client.get("/admin/company/settings/retention-preview?months=3").status_code == 403
