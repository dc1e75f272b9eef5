"""Signed-in test clients: the big company's admin, and an operator for the operator screens."""
from __future__ import annotations

from sqlalchemy import select


def bench_user(db, *, operator: bool):
    from portal.tenancy.models import Membership, User

    email = "bench-operator@bench.example" if operator else "bench-admin@bench.example"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name="Bench Operator" if operator else "Bench Admin", is_operator=operator,
                    active=True)
        db.session.add(user)
        db.session.flush()
        if not operator:
            db.session.add(Membership(user_id=user.id, company_id=1, role="admin", active=True))
        db.session.commit()
    return user


def signed_in_client(app, db, company_id: int = 1, *, operator: bool = False):
    from portal.infra.tokens import new_token
    from portal.security.models import SignedInSession
    from portal.security.sessions import SESSION_KEYS
    from portal.tenancy.context import SESSION_KEY

    user = bench_user(db, operator=operator)
    key, key_hash = new_token()  # the server-side record of a signed-in browser, as a real sign-in makes
    db.session.add(SignedInSession(key_hash=key_hash, user_id=user.id))
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_version}"
        sess[SESSION_KEYS["user"]] = key
        sess["_fresh"] = True
        sess[SESSION_KEY] = company_id
    return client


def get_ok(client, url: str):
    """GET in a fresh app context, as in production (otherwise `g` leaks from one request to the next)."""
    with client.application.app_context():
        resp = client.get(url)
    if resp.status_code != 200:
        raise RuntimeError(f"GET {url} answered {resp.status_code}")
    return resp
