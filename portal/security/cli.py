"""`flask reset-two-factor EMAIL`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.infra.extensions import db


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


commands = [reset_two_factor]
