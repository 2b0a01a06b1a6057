"""`aktiva retention apply`: delete raw anonymous answers past the retention period."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group()
def retention() -> None:
    """How long raw anonymous answers are kept."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@with_appcontext
def retention_apply(dry_run: bool) -> None:
    """Delete raw answers, codes and drafts of anonymous rounds past the retention period."""
    from webapp import settings
    from webapp.anonymous import services
    from webapp.clock import today
    from webapp.extensions import db

    months = settings.get_retention_months()
    done = services.apply_retention(today())
    for r in done:
        click.echo(f"{r.title} (stängd {r.closed_on.isoformat()}): {r.responses} svar, "
                   f"{r.codes} koder och {r.drafts} utkast raderade.")
    if not done:
        click.echo(f"Inget att radera (lagringstid {months} månader efter stängning).")
    if dry_run:
        db.session.rollback()
        click.echo("Provkörning: ingenting har raderats.")
        return
    db.session.commit()
