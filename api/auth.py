"""Who is asking: the API key in `Authorization: Bearer <key>`, and what it may do.

`authenticate()` runs before every API endpoint: no key, a wrong, revoked or expired key -> 401; the
request then works in the key's company (`company()`), and audit events are marked as done by the key.
`require(scope)` on an endpoint -> 403 when the key lacks the scope. An operator's key (no company)
names the company it acts in with the `Cardwright-Company` header (its id).
"""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from api import limits
from api.problems import ApiProblem, problem_from_http_exception
from portal.infra.extensions import db
from portal.security.api_keys import key_for, note_use
from portal.tenancy.models import Company
from portal.tenancy.ownership import owned_by

BEARER = "bearer"
COMPANY_HEADER = "Cardwright-Company"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cardwright"'}


def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    key = key_for(secret.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise ApiProblem(401, "unauthorized", "Send a valid API key: Authorization: Bearer cw_... "
                         "(keys are made under Company > API keys).", headers=_CHALLENGE)
    company = key.company
    if company is None:  # an operator's key: the company is named per request
        wanted = request.headers.get(COMPANY_HEADER, "")
        company = db.session.get(Company, int(wanted)) if wanted.isdigit() else None
        if company is None:
            raise ApiProblem(400, "company-required", f"An operator's key names the company in the {COMPANY_HEADER} "
                             "header (its id).")
    g.api_key, g.api_key_id, g.api_company = key, key.id, company
    note_use(key)


def company() -> Company:
    return g.api_company


def owned(model, row_id: int, noun: str):
    """The company's row of `model` with this id, else a 404 problem (also for ids beyond every row)."""
    row = None
    if 0 < row_id < 2**31:
        row = db.session.scalar(select(model).where(model.id == row_id, owned_by(model, company().id)))
    if row is None:
        raise ApiProblem(404, "not-found", f"No such {noun} in your company.")
    return row


def require(scope: str):
    """The endpoint needs the key to have `scope` (read, order, collect, cards)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not g.api_key.allows(scope):
                raise ApiProblem(403, "scope-missing", f"This key may not do this: it needs the scope '{scope}'.")
            return view(*args, **kwargs)
        wrapped.required_scope = scope
        return wrapped
    return decorate


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """A resource of the API: every request authenticated, one transaction, errors as problem documents."""
    blp = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    blp.before_request(authenticate)
    blp.after_request(finish)
    blp.register_error_handler(HTTPException, problem_from_http_exception)
    return blp


def finish(response):
    """The request is one transaction: commit what it did (and the key's last use) once, at the end. Every
    answer carries the key's rate-limit standing."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    for name, value in limits.headers().items():
        response.headers[name] = value
    return response
