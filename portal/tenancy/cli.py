"""`flask create-operator EMAIL`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.infra.extensions import db


@click.command("create-operator")
@click.argument("email")
@click.password_option()
@with_appcontext
def create_operator(email: str, password: str) -> None:
    """Create an operator account (or make an existing user an operator)."""
    from portal.tenancy.models import User
    from portal.tenancy.operations import PasswordError, set_password

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


commands = [create_operator]
