"""Inviting people into a company, and an existing account's answer to an invitation.

A new address gets an account and a link to choose a password (choosing it is the acceptance). An
account that exists already (a member of another company, say) is asked: the membership waits,
without access, until that account accepts it under My account, so no company appears in anyone's
switcher without their consent. Either way the inviting company sees only what its admin typed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import new_token
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, Membership, Role, User
from portal.tenancy.operations import INVITE_VALID
from portal.tenancy.signals import announce


class InvitationError(ValueError):
    pass


def invite_user(company: Company, email: str, name: str, role: str, invited_by: User, language: str) -> Membership:
    """Invite `email` into the company with `role`; refuses someone already in the company's list.

    Re-inviting a member would otherwise change their role to whatever the form said (it used to).
    """
    email, name = email.strip().lower(), name.strip()
    if role not in {r.value for r in Role}:
        raise InvitationError(_l("Unknown role."))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        existing = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.company_id == company.id))
        if existing is not None:
            raise InvitationError(_l(
                "%(email)s is already in the list (%(role)s). Change the role or the access there.",
                email=email, role=Role.label_of(existing.role)))
    asked = user is not None  # an account that exists already decides for itself
    if user is None:
        user = User(email=email, name=name, language=language)
        db.session.add(user)
        db.session.flush()
    membership = Membership(user_id=user.id, company_id=company.id, role=role, invited_name=name,
                            pending=asked, active=not asked)
    db.session.add(membership)
    db.session.flush()
    send_invitation(company, invited_by, membership)
    announce("user.invited", company_id=company.id, obj=user, summary=f"{email} as {role}",
           user_id=invited_by.id if invited_by else None)
    return membership


def send_invitation(company: Company, invited_by: User, membership: Membership) -> None:
    """Queue the invitation email: a password link for a new account, a request to accept for an existing one."""
    user = membership.user
    token = None
    if not user.password_hash:
        token, user.invite_token_hash = new_token()
        user.invite_expires_at = utcnow() + INVITE_VALID
    language = user.language or company.language
    if membership.pending:
        queue_email(user.email, "membership_request", language, company_id=company.id, company=company,
                    invited_by=invited_by, role=Role.label_of(membership.role), token=token)
    else:
        queue_email(user.email, "user_invitation", language, company_id=company.id, company=company,
                    user=user, invited_by=invited_by, token=token)


def pending_invitations(user: User) -> list[Membership]:
    """Invitations the account has not answered yet, with their companies."""
    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.company))
        .where(Membership.user_id == user.id, Membership.pending.is_(True)).order_by(Membership.created_at)))


def answer_invitation(user: User, membership_id: int, accept: bool) -> Company:
    """Accept (the company is added to the switcher) or decline (the invitation is removed).

    Conditional on the invitation still waiting, so two answers at once cannot both count.
    """
    membership = db.session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.user_id == user.id, Membership.pending.is_(True)))
    if membership is None:
        raise LookupError(membership_id)
    company = membership.company
    where = (Membership.id == membership_id, Membership.pending.is_(True))
    if accept:
        done = db.session.execute(update(Membership).where(*where).values(pending=False, active=True))
    else:
        done = db.session.execute(delete(Membership).where(*where))
    if done.rowcount != 1:
        raise LookupError(membership_id)
    announce("membership.accepted" if accept else "membership.declined", company_id=company.id, obj=user,
           summary=user.email, user_id=user.id)
    return company
