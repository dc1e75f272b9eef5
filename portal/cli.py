"""Command-line tasks: `flask serve`, `flask seed`, `flask scheduler`, `flask send-outbox`."""
from __future__ import annotations

import click
from flask import Flask

from portal.extensions import db


def upgrade_database(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)


def register(app: Flask) -> None:
    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True)
    def serve(host: str, port: int) -> None:
        """Migrate, seed demo data if empty, start the scheduler and serve (single process)."""
        from portal.jobs import start_background_scheduler
        from portal.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo

        upgrade_database(app)
        with app.app_context():
            seeded = seed_demo()
        start_background_scheduler(app)
        url = f"http://{host}:{port}/"
        click.echo("")
        click.echo(f"  Cardwright is running at {url}")
        if seeded:
            click.echo(f"  Demo data created. Sign in with any of these (password: {DEMO_PASSWORD}):")
            for email, what in DEMO_LOGINS:
                click.echo(f"    {email:32} {what}")
        else:
            click.echo(f"  Existing database kept. Demo logins (if still there) use password: {DEMO_PASSWORD}")
        click.echo("  Scheduler: on (email outbox, reminders, print queue, retention)")
        click.echo("")
        from werkzeug.serving import run_simple

        # Flask ignores app.run() inside a CLI command; serve with Werkzeug directly (one process,
        # so the in-process scheduler runs exactly once).
        run_simple(host, port, app, threaded=True, use_reloader=False)

    @app.cli.command("seed")
    def seed() -> None:
        """Add demo data to an empty database."""
        from portal.seed import seed_demo

        click.echo("Demo data created." if seed_demo() else "The database is not empty; nothing done.")

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the scheduled jobs in this process (production: exactly one of these)."""
        from portal.jobs import run_scheduler_forever

        run_scheduler_forever(app)

    @app.cli.command("send-outbox")
    def send_outbox() -> None:
        """Send pending emails now."""
        from portal.mail import send_pending_emails

        click.echo(send_pending_emails())

    @app.cli.command("reset-two-factor")
    @click.argument("email")
    def reset_two_factor(email: str) -> None:
        """Turn off two-step sign-in for a user who lost both the phone and the recovery codes."""
        from sqlalchemy import select

        from portal.security.two_factor import disable_verified
        from portal.tenancy.models import User

        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with the email {email}.")
        disable_verified(user)
        db.session.commit()
        click.echo(f"Two-step sign-in is off for {user.email}; they sign in with the password only.")

    @app.cli.command("create-operator")
    @click.argument("email")
    @click.password_option()
    def create_operator(email: str, password: str) -> None:
        """Create an operator account (or make an existing user an operator)."""
        from sqlalchemy import select

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
