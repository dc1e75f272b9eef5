"""Security defaults on every route: CSRF on every POST, security headers, no external assets."""
import re

import pytest


def _post_rules(app):
    """POST routes of the screens (the API takes no cookies: its keys are checked instead, see
    tests/trust/test_headers_and_csrf.py CSRF_EXEMPT)."""
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith(("/_test", "/api/")):
            yield rule


def _fill(rule) -> str:
    # Any value will do: the CSRF check runs before the view looks at its arguments.
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1", rule.rule)


def test_every_post_route_refuses_a_request_without_csrf_token(app, client, make_company, make_user):
    company = make_company()
    make_user(company, role="admin", email="admin@x.se")
    client.login("admin@x.se")
    checked = 0
    for rule in _post_rules(app):
        resp = client.post(_fill(rule), {"x": "1"}, csrf=False)
        assert resp.status_code == 400, (rule.rule, resp.status_code)
        assert "The page had expired" in resp.get_data(as_text=True)  # the CSRF refusal, in words
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("path", ["/login", "/admin/"])
def test_security_headers_on_pages(client, path):
    resp = client.get(path)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_login_page_loads_nothing_from_other_hosts(client):
    body = client.get("/login").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not url.startswith(("http:", "https:", "//")), url


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(email="anna@x.se")
    resp = client.post("/login", {"email": "anna@x.se", "password": "correct horse battery"})
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_html_in_a_name_is_shown_as_text(client, make_company, make_user):
    company = make_company("<script>alert(1)</script> AB")
    make_user(company, role="admin", email="admin@x.se", name="<b>Bold</b>")
    client.login("admin@x.se")
    body = client.get("/admin/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; AB" in body
