"""`flask create-operator EMAIL`, `flask reset-two-factor EMAIL` and `flask api-key create ...`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.infra.extensions import db
from portal.security.api_cli import api_key


@click.command("create-operator")
@click.argument("email")
@click.password_option()
@with_appcontext
def create_operator(email: str, password: str) -> None:
    """Create an operator account (or make an existing user an operator)."""
    from portal.security.passwords import PasswordError, set_password
    from portal.tenancy.models import User

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        user = User(email=email.lower(), name=email.split("@")[0])
        db.session.add(user)
    user.is_operator = True
    try:
        set_password(user, password)
    except PasswordError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{email} is an operator.")


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Turn off two-step sign-in for a user who lost both the phone and the recovery codes."""
    from portal.security.two_factor import disable_verified
    from portal.tenancy.models import User

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    disable_verified(user)
    db.session.commit()
    click.echo(f"Two-step sign-in is off for {user.email}; they sign in with the password only.")


commands = [create_operator, reset_two_factor, api_key]
