"""Status enums carry their own label and colour: one badge for every screen, no parallel dictionaries."""
import re
from pathlib import Path

import pytest

from portal.cards.models import CardStatus, ChangeState
from portal.customers.models import CustomerRequestStatus
from portal.infra.formatting import badge
from portal.ordering.models import InvoiceStatus, OrderStatus
from portal.outbox.models import OutboxState
from portal.printing.models import PrintJobStatus

ROOT = Path(__file__).parents[2]
STATUSES = [CardStatus, ChangeState, CustomerRequestStatus, InvoiceStatus, OrderStatus, OutboxState, PrintJobStatus]


@pytest.mark.parametrize("enum", STATUSES)
def test_every_status_has_a_readable_label_and_a_badge_colour(app, enum):
    with app.test_request_context():
        for member in enum:
            assert str(member.label) and str(member.label) != member.value
            assert member.colour in {"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"}
            assert enum.of(member.value) is member and member == member.value  # stored as the plain string


def test_badge_of_a_stored_status_reads_as_its_label_in_its_colour(app):
    with app.test_request_context():
        assert str(badge(CardStatus.of("active"))) == '<span class="badge badge-success">Active</span>'
        assert str(badge(OrderStatus.of("awaiting_approval"))) == '<span class="badge badge-warning">Awaiting approval</span>'
        assert CardStatus.of("no such status") is None and str(badge(None)) == ""


def test_no_parallel_label_or_colour_dictionaries_and_no_hand_written_badges():
    sources = [p for d in ("portal", "admin_views", "selfservice") for p in (ROOT / d).rglob("*.py")]
    parallel = [f"{p.relative_to(ROOT)}: {m}" for p in sources
                for m in re.findall(r"^\s*([A-Z_]+_(?:LABELS|COLOURS))\s*=", p.read_text(), re.M)]
    assert parallel == []
    templates = [p for d in ("portal", "admin_views", "selfservice") for p in (ROOT / d).rglob("*.html")]
    by_hand = [str(p.relative_to(ROOT)) for p in templates + sources
               if re.search(r'class="badge badge-(?!pill)', p.read_text()) and p.name != "formatting.py"]
    assert by_hand == []
