"""Cards through the API with what landed after it: the last valid day, the card replaced, why a card is being
replaced, the photo assistant's findings, and the list of cards expiring by a day (with and without a search)."""
from __future__ import annotations

from datetime import date, timedelta


def _expiring(db, api_world):
    """Anna's card ends in 10 days, Bo's in 40, Cecilia's (blocked) in 5, Other AB's card in 3; Eva's card
    replaces David's, which is being replaced because it was damaged; Eva's photo was too dark."""
    today = date.today()
    anna, bo, cecilia, david, eva = api_world["cards"]
    anna.valid_until, bo.valid_until = today + timedelta(days=10), today + timedelta(days=40)
    cecilia.valid_until, cecilia.status = today + timedelta(days=5), "blocked"
    api_world["theirs"].valid_until = today + timedelta(days=3)
    david.replacement_reason = "damaged"
    eva.replaces_card_id, eva.photo_findings = david.id, ["too_dark"]
    db.session.commit()
    return today


def test_a_card_tells_its_last_day_what_it_replaces_and_its_photo_findings(api, db, api_world, make_key):
    today = _expiring(db, api_world)
    headers = make_key(api_world["acme"])
    anna, _bo, _cecilia, david, eva = api_world["cards"]
    got = api.get(f"/api/v1/cards/{anna.id}", headers=headers).json
    assert got["valid_until"] == (today + timedelta(days=10)).isoformat()
    assert got["replaces_card_id"] is None and got["replacement_reason"] is None and got["photo_findings"] == []
    got = api.get(f"/api/v1/cards/{eva.id}", headers=headers).json
    assert got["valid_until"] is None and got["replaces_card_id"] == david.id and got["photo_findings"] == ["too_dark"]
    assert api.get(f"/api/v1/cards/{david.id}", headers=headers).json["replacement_reason"] == "damaged"


def test_cards_expiring_by_a_day_in_use_and_of_the_company_only(api, db, api_world, make_key):
    today = _expiring(db, api_world)
    headers = make_key(api_world["acme"])

    def names(**query):
        answer = api.get("/api/v1/cards", query_string=query, headers=headers)
        assert answer.status_code == 200, answer.json
        return sorted(c["holder_name"] for c in answer.json["items"])

    in_30 = (today + timedelta(days=30)).isoformat()
    assert names(expiring_before=in_30) == ["Anna Berg"]  # not Bo (later), Cecilia (blocked), Olle (Other AB)
    assert names(expiring_before=(today + timedelta(days=40)).isoformat()) == ["Anna Berg", "Bo Ek"]
    assert names(expiring_before=in_30, q="Berg") == ["Anna Berg"]
    assert names(expiring_before=in_30, q="Bo Ek") == []
    assert names(expiring_before=(today - timedelta(days=1)).isoformat()) == []
    bad = api.get("/api/v1/cards", query_string={"expiring_before": "soon"}, headers=headers)
    assert bad.status_code == 422 and [e["field"] for e in bad.json["errors"]] == ["expiring_before"]

