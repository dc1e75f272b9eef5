"""The current company of a signed-in back-office user (kept in the session, checked every request)."""
from __future__ import annotations

from flask import abort, g, session
from flask_login import current_user

from portal.infra.extensions import db
from portal.tenancy.models import Company
from portal.tenancy.operations import CAPABILITIES, companies_for, role_in

SESSION_KEY = "company_id"


def current_company() -> Company | None:
    """The company the user works in now: the one chosen in the switcher if still allowed."""
    if "company" in g:
        return g.company
    company = None
    if current_user and current_user.is_authenticated and hasattr(current_user, "memberships"):
        # This session's choice, else the company the user chose last time (a new sign-in starts an
        # empty session), else the first one allowed.
        wanted = session.get(SESSION_KEY) or getattr(current_user, "last_company_id", None)
        if wanted is not None:
            candidate = db.session.get(Company, wanted)
            if candidate is not None and candidate.active and role_in(current_user, candidate):
                company = candidate
        if company is None:
            allowed = companies_for(current_user)
            company = allowed[0] if allowed else None
            if company is not None:
                session[SESSION_KEY] = company.id
    g.company = company
    return company


def user_can(capability: str) -> bool:
    if not current_user or not current_user.is_authenticated:
        return False
    # The role is looked up once per request: menus and list rows ask many times (no query per row).
    company = current_company()
    key = (current_user.id, company.id if company else None)
    cached = g.get("_role_cache")
    if cached is None or cached[0] != key:
        cached = g._role_cache = (key, role_in(current_user, company))
    role = cached[1]
    return role is not None and capability in CAPABILITIES.get(role, set())


def require_company() -> Company:
    company = current_company()
    if company is None:
        abort(403)
    return company


def switch_company(company_id: int) -> bool:
    """Make `company_id` current if the user may work in it."""
    company = db.session.get(Company, company_id)
    if company is None or not company.active or not role_in(current_user, company):
        return False
    session[SESSION_KEY] = company.id
    current_user.last_company_id = company.id  # the caller commits
    g.pop("company", None)
    return True


def user_language() -> str | None:
    """A signed-in back-office user's own language (a page-language source, see portal.infra.i18n)."""
    if current_user and current_user.is_authenticated and hasattr(current_user, "memberships"):
        return current_user.language
    return None


def company_language() -> str | None:
    """The current company's language (a page-language source)."""
    try:
        company = current_company()
    except RuntimeError:
        return None
    return company.language if company is not None else None


def template_context() -> dict:
    return {"current_company": current_company, "user_can": user_can}
