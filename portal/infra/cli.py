"""Commands of the infrastructure: `flask scheduler`, `flask translations status|check`."""
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


@click.group("translations")
def translations() -> None:
    """How complete the catalogues of every language are (translations/<lang>/LC_MESSAGES/*.po)."""


def _statuses():
    from portal.infra.config import BASE_DIR
    from portal.infra.translation_status import translation_status

    return translation_status(BASE_DIR / "translations", list(current_app.config["LANGUAGES"]))


@translations.command("status")
@with_appcontext
def translations_status() -> None:
    """One line per language and catalogue: how many strings are untranslated or fuzzy."""
    for s in _statuses():
        click.echo(f"{s.language} {s.domain}: {s.total - len(s.untranslated) - len(s.fuzzy)} of {s.total} translated, "
                   f"{len(s.untranslated)} untranslated, {len(s.fuzzy)} fuzzy")


@translations.command("check")
@click.option("--limit", default=20, show_default=True, help="How many strings to list per catalogue.")
@with_appcontext
def translations_check(limit: int) -> None:
    """Before a release: fail (exit 1) listing every language's untranslated and fuzzy strings."""
    incomplete = [s for s in _statuses() if not s.complete]
    for s in incomplete:
        click.echo(f"{s.language} {s.domain}: {len(s.untranslated)} untranslated, {len(s.fuzzy)} fuzzy", err=True)
        for kind, strings in (("untranslated", s.untranslated), ("fuzzy", s.fuzzy)):
            for text in strings[:limit]:
                click.echo(f"  {kind}: {text}", err=True)
            if len(strings) > limit:
                click.echo(f"  ... and {len(strings) - limit} more {kind}", err=True)
    if incomplete:
        raise SystemExit(1)
    click.echo("Every language is completely translated.")


commands = [scheduler, translations]
