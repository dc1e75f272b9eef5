"""The integration API: `/api/v1/`, JSON, described by an OpenAPI 3.1 document generated from the code
(flask-smorest and marshmallow) at `/api/v1/openapi.json`, with its documentation page at `/api/v1/docs`.

Every request carries a company's API key (`Authorization: Bearer cw_...`, see `api.auth`); errors are
RFC 9457 problem documents (`api.problems`). The endpoints are thin: they read the request, call the
same operations the screens call, and answer.
"""
from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api as _SmorestApi

from api import accessories, addresses, audit, card_types, cards, collection, docs, orders, print_jobs
from api.auth import BEARER
from api.limits import init_limits
from api.problems import PROBLEM, install_problem_pages, problem_from_http_exception
from api.schemas import Problem
from portal.infra.extensions import csrf

RESOURCES = (card_types.blp, accessories.blp, cards.blp, orders.blp, collection.blp, addresses.blp, print_jobs.blp,
             audit.blp)


class Api(_SmorestApi):
    """flask-smorest's Api, with error answers only for the API's own routes (the screens keep theirs)."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """Every error answer is documented as a problem document (application/problem+json)."""
        from flask_smorest.utils import prepare_response

        for name, description in ((s.name, s.phrase) for s in http.HTTPStatus if s >= 400):
            response = {"description": description, "schema": Problem}
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(name, response, lazy=True)
        response = {"description": "An error: a problem document (RFC 9457)", "schema": Problem}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error):
        return problem_from_http_exception(error)


def init_api(app: Flask) -> Api:
    app.config.update({
        "API_TITLE": "Cardwright API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    })
    api = Api(app, spec_kwargs={
        "info": {"description": "Order, collect and manage ID cards from your own systems. Every request needs an "
                                "API key of your company: Authorization: Bearer cw_..."},
        "security": [{BEARER: []}],
    })
    api.spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer", "description": "An API key"})
    for blp in RESOURCES:
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")
    init_limits(app, RESOURCES)
    app.register_blueprint(docs.bp)
    install_problem_pages(app, "/api/")
    return api
