"""The `aktiva` command: every administrative task as `aktiva <command>`."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import with_appcontext

from webapp import create_app
from webapp.extensions import db
from webapp.yamlio import FileErrors


def register(app: Flask) -> None:
    """Attach Aktiva's commands to the app's CLI (also reachable as `flask --app webapp`)."""
    app.cli.add_command(org)
    app.cli.add_command(demo)
    app.cli.add_command(user)
    from webapp.measures.cli import measures

    app.cli.add_command(measures)
    app.cli.add_command(round_group)
    from webapp.questionnaires.cli import questionnaire

    app.cli.add_command(questionnaire)
    from webapp.anonymous.cli import retention

    app.cli.add_command(retention)


@click.group()
def org() -> None:
    """Manage the organisation tree."""


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--invite", is_flag=True, help="Email an invitation to every new head.")
@with_appcontext
def org_import(file: str, dry_run: bool, invite: bool) -> None:
    """Import units from a YAML or CSV FILE, matched by code; all rows or none."""
    from webapp.auth.services import send_invitation
    from webapp.mail import MailError
    from webapp.organisation import importer
    from webapp.organisation.services import find_user_by_email

    # Invitation links are absolute URLs; outside a request Flask can only build them from
    # SERVER_NAME, so refuse before importing rather than fail after committing.
    if invite and not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("--invite kräver att SERVER_NAME är satt (till exempel "
                               "AKTIVA_SERVER_NAME=aktiva.kommun.se) så att länkarna blir rätt.")
    try:
        result = importer.apply(file)
    except FileErrors as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    for change in result.changes:
        click.echo(str(change))
    click.echo(f"{sum(c.action == 'ny' for c in result.changes)} nya, "
               f"{sum(c.action == 'ändrad' for c in result.changes)} ändrade, "
               f"{result.unchanged} oförändrade enheter; {len(result.new_users)} nya chefer.")
    if dry_run:
        db.session.rollback()
        click.echo("Provkörning: ingenting har sparats.")
        return
    db.session.commit()
    if invite:
        for email in result.new_users:
            account = find_user_by_email(email)
            try:
                send_invitation(account)
                db.session.commit()
            except MailError as exc:
                click.echo(f"Inbjudan till {email} kunde inte skickas: {exc}", err=True)
    click.echo("Importen är sparad.")


@org.command("succession")
@click.argument("old_code")
@click.argument("new_code")
@click.option("--year", type=int, required=True, help="First year the new unit answers.")
@click.option("--note", default="", help="What happened, e.g. 'sammanslagning'.")
@with_appcontext
def org_succession(old_code: str, new_code: str, year: int, note: str) -> None:
    """Record that unit OLD_CODE became NEW_CODE, so year-over-year comparisons follow it."""
    from webapp import audit
    from webapp.organisation.models import UnitSuccession

    link = UnitSuccession(old_code=old_code, new_code=new_code, since_year=year, note=note)
    db.session.add(link)
    db.session.flush()
    audit.record("unit.succession", link, summary=f"{old_code} → {new_code} ({year})")
    db.session.commit()
    click.echo(f"{old_code} → {new_code} från {year} är sparat.")


@click.command()
@with_appcontext
def demo() -> None:
    """Load the demo municipality Exempelkommun into an empty database."""
    from webapp import demo as demo_data

    if not demo_data.is_empty():
        click.echo("Databasen innehåller redan en organisation; demodata laddas inte.")
        return
    logins = demo_data.load()
    db.session.commit()
    click.echo("Exempelkommun är skapad. Logga in på http://127.0.0.1:5000 med lösenordet "
               f"'{demo_data.DEMO_PASSWORD}' som:")
    for login in logins:
        click.echo(f"  {login.role:<6} {login.email}")


@click.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "hr", "head", "board"]), default="admin",
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(email: str, name: str, role: str, password: str) -> None:
    """Create a user with a password, e.g. the first administrator."""
    from webapp.auth.services import set_password
    from webapp.organisation import services

    if services.email_taken(email):
        raise click.ClickException(f"Det finns redan en användare med {email}.")
    if len(password) < 10:
        raise click.ClickException("Lösenordet måste ha minst 10 tecken.")
    account = services.save_user(None, email=email, name=name, role=role, active=True)
    set_password(account, password)
    db.session.commit()
    click.echo(f"Användaren {account.email} ({role}) är skapad.")


@click.group("round")
def round_group() -> None:
    """Yearly follow-up rounds."""


@round_group.command("remind")
@with_appcontext
def round_remind() -> None:
    """Remind every unit that has not submitted in the open rounds (at most once a day; cron)."""
    from sqlalchemy import select

    from webapp.clock import today
    from webapp.rounds import services
    from webapp.rounds.models import Round
    from webapp.rounds.models import RoundState

    failed = 0
    for round_ in db.session.scalars(select(Round).where(Round.state == RoundState.OPEN)):
        result = services.remind(round_, today())
        db.session.commit()
        failed += result.failed
        click.echo(f"{round_.title}: {result.sent} påminnelser skickade, {result.failed} "
                   f"misslyckades, {result.skipped_today} redan påminda i dag.")
    if failed:
        raise SystemExit(1)


cli = FlaskGroup(
    create_app=create_app,
    add_version_option=False,
    help="Aktiva: uppföljning av aktiva åtgärder. Run `aktiva COMMAND --help` for details.",
)


def main() -> None:
    """Entry point of the `aktiva` console script."""
    cli(prog_name="aktiva")
