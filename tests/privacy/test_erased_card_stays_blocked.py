"""A card whose holder was erased stays blocked: Handle cards (one card and in bulk) and the API refuse to
unblock it and say why."""
from __future__ import annotations

import pytest

from portal.cards.models import Card
from portal.cards.operations import unblock_card
from portal.cards.status import CardError
from portal.privacy.erasure import erase_person
from portal.privacy.people import find_people, footprint
from tests.conftest import html_text
from tests.privacy.conftest import NAME

REFUSED = "holder data was erased, so it cannot be unblocked"


@pytest.fixture()
def erased(db, make_company, make_person):
    company = make_company("Nordbygg AB")
    made = make_person(company, card_status="blocked")
    erase_person(company, footprint(company, find_people(company, NAME)[0]))
    db.session.commit()
    card = made["cards"][0]
    db.session.refresh(card)
    assert card.anonymised_at is not None and card.status == "blocked"
    return company, made["user"], card


def _status(db, card):
    db.session.expire_all()
    return db.session.get(Card, card.id).status


def test_the_operation_refuses_to_unblock_an_erased_card(db, erased):
    company, user, card = erased
    with pytest.raises(CardError, match=REFUSED):
        unblock_card(company, user, card)
    assert _status(db, card) == "blocked"


def test_handle_cards_refuses_one_and_in_bulk_and_shows_no_unblock_button(db, erased, client):
    company, user, card = erased
    client.login(user.email)
    page = html_text(client.get(f"/admin/cards/{card.id}"))
    assert 'data-testid="unblock"' not in client.get(f"/admin/cards/{card.id}").get_data(as_text=True)
    assert REFUSED in page
    answer = client.post(f"/admin/cards/{card.id}/status", {"action": "unblock"}, follow_redirects=True)
    assert REFUSED in html_text(answer) and _status(db, card) == "blocked"
    answer = client.post("/admin/cards/bulk", {"action": "unblock", "card_id": [str(card.id)]}, follow_redirects=True)
    assert "1 card could not be unblocked" in html_text(answer) and REFUSED in html_text(answer)
    assert _status(db, card) == "blocked"


def test_the_api_refuses_with_a_conflict(db, erased, app, runner):
    company, user, card = erased
    made = runner.invoke(args=["api-key", "create", "--company", str(company.id), "--scopes", "cards",
                               "--name", "HR system"])
    headers = {"Authorization": f"Bearer {made.output.strip()}"}
    answer = app.test_client().post(f"/api/v1/cards/{card.id}/unblock", headers=headers)
    assert answer.status_code == 409 and REFUSED in answer.json["detail"]
    assert _status(db, card) == "blocked"


def test_in_swedish_too(db, erased, client):
    company, user, card = erased
    user.language = "sv"
    db.session.commit()
    client.login(user.email)
    answer = client.post(f"/admin/cards/{card.id}/status", {"action": "unblock"}, follow_redirects=True)
    assert "uppgifter har raderats, så spärren kan inte hävas" in html_text(answer)


def test_an_erasure_at_the_same_moment_wins_over_the_unblock(db, make_company, make_person):
    """The unblock read the card before the erasure wrote it: its conditional UPDATE still refuses."""
    from sqlalchemy import update

    from portal.infra.db_types import utcnow

    company = make_company("Nordbygg AB")
    made = make_person(company, card_status="blocked")
    card = made["cards"][0]
    assert card.anonymised_at is None  # as the unblock read it
    db.session.execute(update(Card).where(Card.id == card.id).values(anonymised_at=utcnow(), holder_name="")
                       .execution_options(synchronize_session=False))
    with pytest.raises(CardError, match=REFUSED):
        unblock_card(company, made["user"], card)
    assert _status(db, card) == "blocked"


def test_an_erased_card_cannot_be_replaced_either(db, erased, client):
    """Replacing would open an order from the card's data, which is gone: refused with the reason, and its page
    offers no Replace card."""
    company, user, card = erased
    client.login(user.email)
    assert 'data-testid="replace-card"' not in client.get(f"/admin/cards/{card.id}").get_data(as_text=True)
    answer = client.post(f"/admin/cards/{card.id}/replace", {"reason": "damaged", "via": "order"})
    assert "holder data was erased, so it cannot be replaced" in html_text(answer)
    db.session.expire_all()
    assert db.session.get(Card, card.id).replacement_reason is None
