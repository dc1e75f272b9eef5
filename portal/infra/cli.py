"""Commands of the infrastructure: `flask scheduler`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the scheduled jobs in this process (production: exactly one of these)."""
    from portal.infra.jobs import run_scheduler_forever

    run_scheduler_forever(current_app._get_current_object())


commands = [scheduler]
