"""`flask serve` (what `make run` calls) and `flask seed`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.infra.cli import upgrade_database
from portal.infra.extensions import db


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Migrate, seed demo data if empty, start the scheduler and serve (single process)."""
    from flask.cli import ScriptInfo
    from werkzeug.serving import run_simple

    from portal.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
    from portal.infra.jobs import start_background_scheduler

    app = ctx.ensure_object(ScriptInfo).load_app()
    if not app.config.get("BASE_URL_EXPLICIT"):
        # Emailed links must reach this server: without BASE_URL they point where it listens.
        app.config["BASE_URL"] = served_address(host, port)
    with app.app_context():
        upgrade_database()
        seeded = seed_demo()
        db.session.commit()
    start_background_scheduler(app)
    url = served_address(host, port) + "/"
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
    # Flask ignores app.run() inside a CLI command; serve with Werkzeug directly (one process,
    # so the in-process scheduler runs exactly once).
    run_simple(host, port, app, threaded=True, use_reloader=False)


def served_address(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server listening on host:port."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - read, not bound: all interfaces mean this machine too
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command("seed")
@with_appcontext
def seed() -> None:
    """Add demo data to an empty database."""
    from portal.demo.seed import seed_demo

    done = seed_demo()
    db.session.commit()
    click.echo("Demo data created." if done else "The database is not empty; nothing done.")


commands = [serve, seed]
