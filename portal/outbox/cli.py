"""`flask send-outbox`: send what is due now."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-outbox")
@with_appcontext
def send_outbox() -> None:
    """Send pending emails now."""
    from portal.infra.extensions import db
    from portal.outbox.tasks import send_pending_emails

    click.echo(send_pending_emails())
    db.session.commit()


commands = [send_outbox]
