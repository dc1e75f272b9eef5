"""Sign-in, company membership, roles and user invitations."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from portal.audit.operations import record
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import hash_matches, hash_token, new_token
from portal.outbox.mail import queue_email
from portal.security.passwords import MIN_ADMIN_LENGTH, check_new_password, spend_verify_time, verify_password
from portal.security.passwords import PasswordError as PasswordError  # re-exported for the views
from portal.security.passwords import hash_password as hash_password
from portal.tenancy.models import Company, LoginAttempt, Membership, Role, User

MIN_PASSWORD_LENGTH = MIN_ADMIN_LENGTH
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


def check_password_rules(password: str, *, min_length: int = MIN_PASSWORD_LENGTH, user: User | None = None) -> None:
    """Length and guessability (zxcvbn's offline lists); raises PasswordError with the reason."""
    inputs = [user.email, user.name] if user is not None else []
    check_new_password(password, min_length=min_length, user_inputs=inputs)


def set_password(user: User, password: str) -> None:
    check_password_rules(password, user=user)
    user.password_hash = hash_password(password)
    user.session_version += 1  # signs out other sessions
    user.invite_token_hash = None
    user.invite_expires_at = None


def is_throttled(key: str, limit: int = THROTTLE_LIMIT, window: timedelta = THROTTLE_WINDOW) -> bool:
    since = utcnow() - window
    n = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.created_at >= since)
    )
    return (n or 0) >= limit


def note_failure(key: str) -> None:
    db.session.add(LoginAttempt(key=key[:200]))
    # Keep the table small: drop what no window looks at any more.
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1)))
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for every failure)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        spend_verify_time(password)  # same time either way: the answer does not reveal which emails exist
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


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


def invite_user(company: Company, email: str, name: str, role: str, invited_by: User, language: str) -> User:
    """Create (or reuse) the user, add the membership and queue the invitation email."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name.strip(), language=language)
        db.session.add(user)
        db.session.flush()
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.company_id == company.id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, company_id=company.id, role=role)
        db.session.add(membership)
    else:
        membership.role, membership.active = role, True
    token = None
    if not user.password_hash:
        token, user.invite_token_hash = new_token()
        user.invite_expires_at = utcnow() + INVITE_VALID
    db.session.flush()
    queue_email(
        user.email, "user_invitation", user.language or company.language, company_id=company.id,
        company=company, user=user, invited_by=invited_by, token=token,
    )
    record("user.invited", company_id=company.id, obj=user, summary=f"{email} as {role}")
    return user


def user_for_invite(token: str) -> User | None:
    user = db.session.scalar(select(User).where(User.invite_token_hash == hash_token(token)))
    if user is None or not hash_matches(user.invite_token_hash, token) or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user
