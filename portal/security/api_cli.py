"""`flask api-key create --company <id or name> --scopes read,cards --name "HR system"`: prints a new key
(for scripts and tests; company admins make keys under Company > API keys)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.infra.extensions import db


@click.group("api-key")
def api_key() -> None:
    """API keys for the integration API (/api/v1)."""


@api_key.command("create")
@click.option("--company", "company_ref", default="", help="The company's id or exact name; leave out for an "
              "operator's key over every company.")
@click.option("--scopes", default="read", show_default=True, help="Comma-separated: read, order, collect, cards.")
@click.option("--name", required=True, help="What uses the key.")
@click.option("--expires", "expires_on", default="", help="Last valid day (YYYY-MM-DD); empty: until revoked.")
@with_appcontext
def create(company_ref: str, scopes: str, name: str, expires_on: str) -> None:
    """Make a key and print it (only now: just its fingerprint is kept)."""
    from portal.security.api_keys import ApiKeyError, create_api_key
    from portal.tenancy.models import Company

    company = None
    if company_ref:
        company = (db.session.get(Company, int(company_ref)) if company_ref.isdigit()
                   else db.session.scalar(select(Company).where(Company.name == company_ref)))
        if company is None:
            raise click.ClickException(f"No company {company_ref!r}.")
    try:
        until = date.fromisoformat(expires_on) if expires_on else None
        key, secret = create_api_key(company, None, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                                     expires_on=until)
    except (ApiKeyError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(secret)
