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
    app.cli.add_command(report_group)


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
    click.echo("Exempelkommun är skapad. Logga in med lösenordet "
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


@click.group("report")
def report_group() -> None:
    """The yearly board report."""


@report_group.command("build")
@click.option("--round", "round_id", type=int, required=True, help="The follow-up round's id.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "html"]), default="pdf",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def report_build(round_id: int, fmt: str, output: str) -> None:
    """Build the board report of a round (its saved texts, or a fresh draft's) into OUTPUT."""
    from pathlib import Path

    from reports import board_report
    from reports import render
    from webapp.boardreports import services
    from webapp.rounds.models import Round

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"Det finns ingen runda med id {round_id}.")
    report = services.report_for(round_) or services.new_report(round_)
    steps = ["svar", "åtgärder", "medarbetarenkät", "tidigare år", "dokument", fmt]
    with click.progressbar(length=len(steps), label="Bygger rapporten",
                           item_show_func=lambda s: s) as bar:
        data = services.gather(report, round_, progress=lambda label: bar.update(1, label))
        doc = board_report.build(data)
        bar.update(1, "dokument")
        if fmt == "pdf":
            out = render.board_pdf(doc)
        elif fmt == "docx":
            out = render.board_docx(doc)
        else:
            out = render.board_html(doc).encode("utf-8")
        bar.update(1, fmt)
    Path(output).write_bytes(out)
    db.session.rollback()  # an unsaved draft is never stored
    click.echo(f"{output}: {len(out):,} byte".replace(",", " "))


@report_group.command("word-template")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
def report_word_template(output: str) -> None:
    """Write the Word template the .docx report starts from, to edit in Word.

    Save the edited file as tjansteskrivelse.docx in reports/templates/ (keep the style names
    Title, Heading 1-4, Caption and Quote: the report uses them).
    """
    from reports import render

    render.word_template().save(output)
    click.echo(f"{output}: mallen är skriven.")


cli = FlaskGroup(
    create_app=create_app,
    add_version_option=False,
    help="Aktiva: uppföljning av aktiva åtgärder. Run `aktiva COMMAND --help` for details.",
)


def main() -> None:
    """Entry point of the `aktiva` console script."""
    cli(prog_name="aktiva")
