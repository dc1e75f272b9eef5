"""CSRF on every POST route, security headers on every response, and no asset from another host anywhere."""
from __future__ import annotations

import re
from pathlib import Path

import flask_admin
import pytest

from portal.infra.config import BASE_DIR
from tests.trust.helpers import changed_tables, snapshot, stored_files

# Views and blueprints that legitimately accept a POST without a CSRF token, with the reason. A new entry
# needs a reason a reviewer can check.
_API = ("the integration API authenticates every request by an API key in the Authorization header and "
        "never by a cookie, so a browser on another site cannot make a request in anyone's name")
CSRF_EXEMPT: dict[str, str] = {"api_cards": _API, "api_card_types": _API, "api_orders": _API, "api_collection": _API,
                                "api_addresses": _API, "api_print_jobs": _API, "api_audit": _API,
                                "api_accessories": _API}


def _fill(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "file" if m.group(1) == "kind" else "1", rule.rule)


def test_no_view_is_exempted_from_csrf_without_a_listed_reason(app):
    exempt = app.extensions["csrf"]._exempt_views | app.extensions["csrf"]._exempt_blueprints
    assert {getattr(x, "name", x) for x in exempt} <= set(CSRF_EXEMPT), exempt


@pytest.mark.parametrize("who", ["admin", "operator", "portal"])
def test_every_post_route_without_a_token_is_refused_and_changes_nothing(app, client, db, make_company, make_user,
                                                                         make_world, who):
    company = make_company("Alfa AB")
    world = make_world(company)
    if who == "operator":
        make_user(email="op@x.se", is_operator=True)
        client.login("op@x.se")
    elif who == "admin":
        client.login(world["user"].email)
    before, files = snapshot(), stored_files(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if ("POST" not in rule.methods or rule.rule.startswith("/_test") or rule.endpoint in CSRF_EXEMPT
                or rule.endpoint.split(".")[0] in CSRF_EXEMPT):
            continue
        resp = client.post(_fill(rule), {"id": "1", "rowid": "1", "action": "delete", "name": "x",
                                         "what": "deactivate", "decision": "approve"}, csrf=False)
        assert resp.status_code == 400, (rule.rule, resp.status_code)
        assert "The page had expired" in resp.get_data(as_text=True), rule.rule  # the CSRF refusal, in words
        checked += 1
    after = snapshot()
    assert changed_tables(before, after) == [] and stored_files(app) == files
    assert checked >= 60


HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def _check_headers(resp, where: str, public: bool) -> list[str]:
    problems = [f"{where}: {name}={resp.headers.get(name)!r}" for name, value in HEADERS.items()
                if resp.headers.get(name) != value]
    csp = resp.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "default-src 'self'" not in csp:
        problems.append(f"{where}: CSP {csp!r}")
    script_src = re.search(r"script-src([^;]*)", csp)
    if public and (script_src is None or "unsafe-inline" in script_src.group(1)):
        problems.append(f"{where}: scripts not locked down: {csp!r}")
    return problems


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith("/_test"):
            yield rule, _fill(rule)


def test_every_response_carries_the_security_headers(app, client, db, make_company, make_world, make_user):
    company = make_company("Alfa AB")
    world = make_world(company)
    make_user(email="op@x.se", is_operator=True)
    problems = []
    static = next(p.name for p in (BASE_DIR / "static").rglob("*.css"))
    extra = ["/static/" + str(next((BASE_DIR / "static").rglob(static)).relative_to(BASE_DIR / "static")),
             "/admin/static/bootstrap/bootstrap4/js/bootstrap.min.js", "/no-such-page", "/r/" + "x" * 43,
             "/portal/login", "/portal/no-such-page"]
    for who in ("anonymous", world["user"].email, "op@x.se"):
        if who != "anonymous":
            client.login(who)
        for _rule, url in list(_get_routes(app)) + [(None, u) for u in extra]:
            resp = client.get(url)
            public = url.startswith(("/r/", "/portal/", "/login", "/invite/", "/no-such-page"))
            problems += _check_headers(resp, f"{who} GET {url} ({resp.status_code})", public)
            resp.close()
        client.post("/logout")
    assert not problems, "\n".join(sorted(set(problems))[:40])


EXTERNAL = re.compile(r"""(?:src|href|url\(|@import)\s*=?\s*["']?((?:https?:)?//[^"' )>]+)""", re.I)
# External URLs that may appear in a file because they are never rendered here (with why).
EXTERNAL_ALLOWED = {
    "https://maps.googleapis.com/": "Flask-Admin's map widget, rendered only with FLASK_ADMIN_MAPS_SEARCH (never set)",
    "http://www.w3.org/": "an XML namespace name in SVG, not a request",
}


def _external(text: str) -> list[str]:
    return [u for u in EXTERNAL.findall(text) if not u.startswith(("//127.0.0.1", "http://127.0.0.1"))
            and not any(u.startswith(a) for a in EXTERNAL_ALLOWED)]


def test_no_template_or_static_file_loads_anything_from_another_host(app):
    assert not app.config.get("FLASK_ADMIN_MAPS_SEARCH")
    roots = [BASE_DIR / "admin_views", BASE_DIR / "portal", BASE_DIR / "selfservice", BASE_DIR / "static",
             Path(flask_admin.__file__).parent / "templates" / "bootstrap4"]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in {".html", ".css", ".js", ".txt", ".svg"} and path.is_file():
                text = path.read_text(errors="replace")
                if path.suffix == ".js" and path.name.endswith(".min.js"):
                    continue  # minified vendor code: URLs in comments and strings, never fetched by us
                found += [f"{path}: {u}" for u in _external(text)]
    assert not found, "\n".join(found[:30])


def test_no_rendered_page_loads_anything_from_another_host(app, client, db, make_company, make_world, make_user):
    company = make_company("Alfa AB")
    world = make_world(company)
    make_user(email="op@x.se", is_operator=True)
    found, assets = [], set()
    for who in (world["user"].email, "op@x.se"):
        client.login(who)
        for _rule, url in _get_routes(app):
            resp = client.get(url)
            if resp.mimetype in ("text/html", "text/css"):
                text = resp.get_data(as_text=True)
                found += [f"{url}: {u}" for u in _external(text)]
                assets |= set(re.findall(r'(?:src|href)="(/(?:admin/)?static/[^"?]+)', text))
            resp.close()
        client.post("/logout")
    # Every stylesheet and script the pages load (Flask-Admin's theme included) is served here and
    # fetches nothing from elsewhere either (fonts, @import).
    for asset in sorted(assets):
        resp = client.get(asset)
        assert resp.status_code == 200, asset
        if asset.endswith(".css"):
            found += [f"{asset}: {u}" for u in _external(resp.get_data(as_text=True))]
        resp.close()
    assert len(assets) >= 5 and not found, "\n".join(found)
