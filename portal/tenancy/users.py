"""Managing the members of a company: roles, deactivation, re-sending and withdrawing invitations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.infra.extensions import db
from portal.tenancy.invitations import send_invitation
from portal.tenancy.models import Company, Membership, Role, User
from portal.tenancy.signals import announce


class MembershipError(ValueError):
    pass


def members(company: Company) -> list[Membership]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.user)).join(User)
        .where(Membership.company_id == company.id)
        # A pending invitee is known here only by the name typed in the invitation, also for sorting.
        .order_by(case((Membership.pending, Membership.invited_name), else_=User.name), User.email)
    ))


def own_membership(company: Company, membership_id) -> Membership:
    m = db.session.get(Membership, membership_id)
    if m is None or m.company_id != company.id:
        raise LookupError(membership_id)
    return m


def _active_admins(company: Company) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.company_id == company.id, Membership.role == Role.ADMIN.value, Membership.active.is_(True))) or 0


def _guard_last_admin(company: Company, m: Membership) -> None:
    if m.role == Role.ADMIN.value and m.active and _active_admins(company) <= 1:
        raise MembershipError(_l("The company needs at least one active admin. Make someone else admin first."))


def change_role(company: Company, actor: User, membership_id, role: str) -> Membership:
    if role not in {r.value for r in Role}:
        raise MembershipError(_l("Unknown role."))
    m = own_membership(company, membership_id)
    if role != Role.ADMIN.value:
        _guard_last_admin(company, m)
    m.role = role  # audited by the listener (Membership.__audited__)
    return m


def set_active(company: Company, actor: User, membership_id, active: bool) -> Membership:
    m = own_membership(company, membership_id)
    if m.pending:
        raise MembershipError(_l("%(name)s has not accepted the invitation yet.", name=m.invited_name or m.user.email))
    if not active:
        _guard_last_admin(company, m)
    m.active = active  # audited by the listener as membership.activated / deactivated
    return m


def resend_invitation(company: Company, actor: User, membership_id) -> None:
    m = own_membership(company, membership_id)
    user = m.user
    if user.password_hash and not m.pending:
        raise MembershipError(_l("%(email)s has already chosen a password.", email=user.email))
    send_invitation(company, actor, m)
    announce("user.invited", company_id=company.id, obj=user, summary=f"{user.email} (again)", user_id=actor.id)


def withdraw_invitation(company: Company, actor: User, membership_id) -> None:
    """Take back an invitation the account has not accepted yet."""
    m = own_membership(company, membership_id)
    if not m.pending:
        raise MembershipError(_l("This person has accepted already: remove their access instead."))
    announce("user.invitation_withdrawn", company_id=company.id, obj=m.user, summary=m.user.email, user_id=actor.id)
    db.session.delete(m)
