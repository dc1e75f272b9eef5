"""Rate limits per key: every answer says where the key stands; past the limit, 429 with Retry-After,
and another key is not slowed down."""
from __future__ import annotations

import pytest


@pytest.fixture()
def three_a_minute(app):
    before = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["API_RATE_LIMIT"] = before


def test_past_the_limit_a_key_gets_429_with_retry_after_and_others_go_on(api, api_world, make_key, three_a_minute):
    busy, calm = make_key(api_world["acme"], name="Busy"), make_key(api_world["acme"], name="Calm")
    answers = [api.get("/api/v1/cards", headers=busy) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Policy"] == "3;w=60"
    assert answers[0].headers["RateLimit"].startswith("limit=3, remaining=2, reset=")
    refused = answers[3]
    assert refused.content_type == "application/problem+json" and refused.json["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.get("/api/v1/cards", headers=calm).status_code == 200


def test_the_screens_are_not_rate_limited_by_the_api(client, api_world, three_a_minute):
    client.login("admin@acme.example")
    assert all(client.get("/admin/company/api-keys/").status_code == 200 for _ in range(5))


def test_a_page_of_the_screens_does_not_run_the_apis_limit_check(client, api, api_world, make_key, monkeypatch):
    """The check costs every request CPU (issue 16, round two: the employee's page); only the API has limits."""
    from flask_limiter import Limiter

    checked = []
    real = Limiter.identify_request
    monkeypatch.setattr(Limiter, "identify_request", lambda self: checked.append(1) or real(self))
    client.get("/r/" + "z" * 43)  # the employee's page (an unknown link)
    assert checked == []
    assert api.get("/api/v1/cards", headers=make_key(api_world["acme"])).status_code == 200
    assert checked
