"""One transaction rule: operations flush; the request, job run or CLI command commits once. The few
places that commit on their own are named, with their reason, in portal/infra/transactions.py."""
import re
from pathlib import Path

from sqlalchemy import func, select

from portal.infra.transactions import COMMIT_EXCEPTIONS, UNIT_OF_WORK_MODULES

ROOT = Path(__file__).resolve().parent.parent
COMMIT = re.compile(r"\.(commit|rollback)\(\)")


def test_no_module_of_portal_commits_outside_the_named_places():
    stray = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in COMMIT_EXCEPTIONS or rel.endswith(UNIT_OF_WORK_MODULES) or "/demo/" in rel:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COMMIT.search(line) and not line.lstrip().startswith("#"):
                stray.append(f"{rel}:{number}: {line.strip()}")
    assert not stray, "operations only flush; commit in the view, job or command:\n" + "\n".join(stray)


def test_every_named_exception_exists_and_says_why():
    for rel, reason in COMMIT_EXCEPTIONS.items():
        assert (ROOT / rel).exists(), rel
        assert len(reason) > 20


def test_add_all_to_cart_is_one_transaction(db, collect):
    """Nothing of "Add all to cart" is stored until the request commits: a failure keeps every card in review."""
    from portal.collection.models import CollectionRequest
    from portal.collection.review import add_chunk_to_cart
    from portal.ordering.models import CartItem

    company, orderer, ct, _addr = collect
    for name in ("Åsa", "Bo", "Cia"):
        db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, email=f"{name}@x.se",
                                         status="in_review", data={"first_name": name, "last_name": "Ek"},
                                         photo_key="photos/abcdefgh12.jpg"))
    db.session.commit()
    assert add_chunk_to_cart(company, orderer).added == 3
    db.session.rollback()  # the request failed after the operation
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 0
    assert set(db.session.scalars(select(CollectionRequest.status))) == {"in_review"}
