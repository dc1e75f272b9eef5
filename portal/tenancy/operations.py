"""Sign-in, company membership, roles and user invitations."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import hash_matches, hash_token
from portal.tenancy.models import Company, LoginAttempt, Membership, Role, User

INVITE_VALID = timedelta(days=7)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_LIMIT = 10

# What each role may do; the operator may do everything everywhere.
CAPABILITIES: dict[str, set[str]] = {
    Role.ADMIN.value: {"view", "order", "collect", "cards", "approve", "users", "addresses", "settings", "print"},
    Role.ORDERER.value: {"view", "order", "collect", "cards", "print"},
    Role.APPROVER.value: {"view", "approve"},
    Role.VIEWER.value: {"view"},
}


def store_password_hash(user: User, password_hash: str) -> None:
    """Keep a new password hash (made and checked by portal.security.passwords.set_password)."""
    user.password_hash = password_hash
    user.session_version += 1  # signs out other sessions
    user.invite_token_hash = None
    user.invite_expires_at = None


def _throttled(keys):
    return (select(_ATTEMPT.key)
            .where(keys, _ATTEMPT.created_at >= bindparam("since"))
            .group_by(_ATTEMPT.key)
            .having(func.count() >= bindparam("limit"))
            .limit(1))


# One statement for any number of keys, built once: a valid personal link pays one indexed lookup.
# On the table, not the entity: a plain Core statement skips the ORM's result set-up (a third of its cost).
_ATTEMPT = LoginAttempt.__table__.c
_THROTTLED = _throttled(_ATTEMPT.key.in_(bindparam("keys", expanding=True)))
# The same question for two keys as a column of another statement (`pair_throttle_values` fills it in): a page
# that reads its own row anyway asks it there, without a statement of its own. Two plain parameters, not an
# expanding list, so the long statement around it is not rewritten at every execution.
PAIR_THROTTLED = _throttled(_ATTEMPT.key.in_([bindparam("key_1"), bindparam("key_2")])).exists()


def pair_throttle_values(keys: tuple[str, str], limit: int = THROTTLE_LIMIT,
                         window: timedelta = THROTTLE_WINDOW) -> dict:
    first, second = (k[:200] for k in keys)
    return {"key_1": first, "key_2": second, "since": utcnow() - window, "limit": limit}


def any_throttled(keys, limit: int = THROTTLE_LIMIT, window: timedelta = THROTTLE_WINDOW) -> bool:
    """Whether any of these keys has `limit` failures inside `window` (one query for all of them)."""
    since = utcnow() - window
    row = db.session.execute(_THROTTLED, {"keys": [k[:200] for k in keys], "since": since, "limit": limit}).first()
    return row is not None


def is_throttled(key: str, limit: int = THROTTLE_LIMIT, window: timedelta = THROTTLE_WINDOW) -> bool:
    return any_throttled((key,), limit=limit, window=window)


def note_failure(key: str) -> None:
    db.session.add(LoginAttempt(key=key[:200]))
    # Keep the table small: drop what no window looks at any more.
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1)))
    db.session.commit()


def memberships_of(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Company)
            .where(Membership.user_id == user.id, Membership.active.is_(True), Company.active.is_(True))
            .order_by(Company.name)
        )
    )


def companies_for(user: User) -> list[Company]:
    """Companies the user may switch to: all for the operator, else their memberships."""
    if user.is_operator:
        return list(db.session.scalars(select(Company).where(Company.active.is_(True)).order_by(Company.name)))
    return [m.company for m in memberships_of(user)]


SWITCHER_SHOWN = 8  # companies listed in the switcher menu; more are found by name


def find_companies(user: User, search: str = "", limit: int = SWITCHER_SHOWN) -> tuple[list[Company], bool]:
    """Companies the user may switch to whose name contains `search`, alphabetically: at most `limit`,
    and whether more match (an operator has thousands: the menu must not grow with them)."""
    query = select(Company).where(Company.active.is_(True))
    if not user.is_operator:
        query = query.join(Membership).where(Membership.user_id == user.id, Membership.active.is_(True))
    if search.strip():
        query = query.where(func.lower(Company.name).contains(search.strip().lower()[:200], autoescape=True))
    found = list(db.session.scalars(query.order_by(Company.name).limit(limit + 1)))
    return found[:limit], len(found) > limit


def role_in(user: User, company: Company | None) -> str | None:
    if company is None:
        return None
    if user.is_operator:
        return Role.ADMIN.value
    return db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.company_id == company.id, Membership.active.is_(True)
        )
    )


def can(user: User, company: Company | None, capability: str) -> bool:
    role = role_in(user, company)
    return role is not None and capability in CAPABILITIES.get(role, set())


def user_for_invite(token: str) -> User | None:
    user = db.session.scalar(select(User).where(User.invite_token_hash == hash_token(token)))
    if user is None or not hash_matches(user.invite_token_hash, token) or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user
