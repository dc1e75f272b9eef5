"""Idempotency-Key on writes: the same key and request give the same answer and the work is done once,
also when both arrive at the same moment (real threads, each with its own connection)."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cards.models import CardStatusEvent
from tests.api.conftest import at_the_same_moment


def _block(api, card, headers, key, reason="Lost on site"):
    return api.post(f"/api/v1/cards/{card.id}/block", json={"reason": reason},
                    headers={**headers, "Idempotency-Key": key})


def _history(db, card) -> int:
    return db.session.scalar(select(func.count()).select_from(CardStatusEvent).where(CardStatusEvent.card_id == card.id))


def test_a_repeated_write_gets_the_same_answer_and_is_done_once(api, db, api_world, make_key):
    headers, card = make_key(api_world["acme"], scopes="cards"), api_world["cards"][0]
    before = _history(db, card)
    first = _block(api, card, headers, "order-7f3a")
    again = _block(api, card, headers, "order-7f3a")
    assert first.status_code == again.status_code == 200 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _history(db, card) == before + 1
    without_key = api.post(f"/api/v1/cards/{card.id}/block", json={"reason": "x"}, headers=headers)
    assert without_key.status_code == 409  # no key: a second block is a second request, refused by the card's rules


def test_the_same_key_for_another_request_is_refused(api, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="cards")
    assert _block(api, api_world["cards"][0], headers, "k-1").status_code == 200
    other = _block(api, api_world["cards"][1], headers, "k-1")
    assert other.status_code == 422 and other.json["errors"][0]["field"] == "Idempotency-Key"


def test_failed_requests_are_not_remembered(api, db, api_world, make_key):
    headers, card = make_key(api_world["acme"], scopes="cards"), api_world["cards"][0]
    assert _block(api, card, headers, "k-2", reason="").status_code == 422  # invalid: nothing done, nothing kept
    assert _block(api, card, headers, "k-2", reason="Lost").status_code == 200  # the corrected request goes through


def test_keys_are_per_api_key(api, api_world, make_key):
    one, two = make_key(api_world["acme"], scopes="cards"), make_key(api_world["acme"], scopes="cards")
    assert _block(api, api_world["cards"][0], one, "same").status_code == 200
    assert _block(api, api_world["cards"][1], two, "same").status_code == 200


def test_two_at_the_same_moment_do_the_work_once(app, db, api_world, make_key):
    headers, card = make_key(api_world["acme"], scopes="cards"), api_world["cards"][2]
    before = _history(db, card)
    answers = at_the_same_moment(app, lambda client: _block(client, card, headers, "same-moment"))
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 3
    db.session.expire_all()
    assert _history(db, card) == before + 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "card.blocked", AuditEvent.object_id == str(card.id))) == 1
