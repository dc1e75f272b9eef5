"""Errors as RFC 9457 problem documents (`application/problem+json`): type, title, status, detail, and for
invalid input the fields and reasons (`errors`: [{"field": ..., "reason": ...}])."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask.json import dumps
from werkzeug.exceptions import HTTPException, InternalServerError

from api import limits

PROBLEM = "application/problem+json"
TYPE_BASE = "https://cardwright.example/problems/"  # stable identifiers, not fetched by anyone


class ApiProblem(HTTPException):
    """An error an endpoint raises with its own words: `raise ApiProblem(409, "conflict", "...")`."""

    def __init__(self, status: int, kind: str, detail: str, *, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(description=detail)
        self.code, self.kind, self.errors, self.extra_headers = status, kind, errors or [], headers or {}


def problem(status: int, title: str, detail: str = "", *, kind: str | None = None, errors: list[dict] | None = None,
            headers: dict | None = None):
    body = {"type": TYPE_BASE + (kind or title.lower().replace(" ", "-")), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = current_app.response_class(dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_path(prefix: str, key) -> str:
    """`lines[0].fields.national_id`: list positions in brackets, names after dots."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _flatten(messages, prefix: str = "") -> list[dict]:
    """webargs/marshmallow's nested {"location": {"field": ["reason"]}} as a flat list of field + reason."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "headers", "path", "form", "files") and not prefix:
                out += _flatten(value, "")
            else:
                out += _flatten(value, field_path(prefix, key))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out += [{"field": prefix or None, "reason": m} for m in messages]
        else:
            for m in messages:
                out += _flatten(m, prefix)
    else:
        out.append({"field": prefix or None, "reason": str(messages)})
    return out


def problem_from_http_exception(error: HTTPException):
    if isinstance(error, ApiProblem):
        return problem(error.code, _TITLES.get(error.code, error.name), error.description, kind=error.kind,
                       errors=error.errors, headers=error.extra_headers)
    data = getattr(error, "data", None) or {}
    errors = _flatten(data.get("messages") or data.get("errors") or {})
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = data.get("message") or (_DETAILS.get(error.code) or error.description or "")
    return problem(error.code or 500, _TITLES.get(error.code, error.name), detail, errors=errors, headers=headers)


_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 413: "Payload too large", 415: "Unsupported media type", 422: "Invalid input",
           429: "Too many requests", 500: "Internal server error"}
_DETAILS = {404: "Nothing here, or not of your company.", 405: "This address does not take that method.",
            429: "Too many requests with this key: wait for the time in Retry-After, then go on.",
            422: "The request has invalid values: see errors.", 500: "Something went wrong on our side."}


def install_problem_pages(app: Flask, prefix: str) -> None:
    """Addresses under `prefix` that match no route (404), a wrong method (405), too many requests (429, the
    rate limit is checked before the API's views) and a crash (500) answer
    with problem documents too (errors inside the API's views are its blueprints' own); every other page
    keeps the application's error pages."""
    def wrap(fallback):
        def handler(error):
            if request.path.startswith(prefix):
                response = problem_from_http_exception(error if isinstance(error, HTTPException) else InternalServerError())
                if response.status_code == 429:
                    response.headers.update(limits.headers())
                return response
            return fallback(error) if fallback is not None else error
        return handler

    for code in (404, 405, 429, 500):
        handlers = app.error_handler_spec.setdefault(None, {}).setdefault(code, {})
        if not handlers:
            app.register_error_handler(code, wrap(None))
            continue
        for exc_class, fallback in list(handlers.items()):
            handlers[exc_class] = wrap(fallback)
    # Handlers of exception classes (a database error: rolled back, "nothing was saved"): the application's
    # handler does its work, the API answers with a problem document of the same status.
    class_handlers = app.error_handler_spec[None].get(None, {})
    for exc_class, fallback in list(class_handlers.items()):
        def by_class(error, _fallback=fallback):
            answer = _fallback(error)
            if not request.path.startswith(prefix):
                return answer
            status = answer[1] if isinstance(answer, tuple) else getattr(answer, "status_code", 500)
            return problem(status, _TITLES.get(status, "Service unavailable"), "Nothing was saved: try again in a moment.")
        class_handlers[exc_class] = by_class
