"""`make bench`'s data set in small, on the database under test: the generator fills every table the product
has today (on PostgreSQL with COPY, which leaves out the Python-side defaults an INSERT fills in: a column
added to the product without its value in the generator stopped the 1,000,000-card run)."""
from sqlalchemy import func, select

from bench.generate import generate
from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.ordering.models import Order


def test_a_small_data_set_is_generated_on_this_database(app, db, tmp_path):
    made = generate(db, str(tmp_path), cards=8_000, companies=5, requests=100, orders=1_600)  # the screens need 7,500
    assert made is not None
    assert db.session.scalar(select(func.count()).select_from(Card)) == 8_000
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1_600
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 100
    order = db.session.scalar(select(Order).order_by(Order.id).limit(1))
    assert order.tracking_number == ""  # filled as an INSERT would
