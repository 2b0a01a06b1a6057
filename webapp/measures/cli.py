"""The `aktiva measures` commands: import and export the register from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.extensions import db


@click.group()
def measures() -> None:
    """Import and export the active measures register."""


@measures.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--period", type=int, help="Only this year.")
@click.option("--semicolon", is_flag=True, help="CSV with ; for Swedish Excel.")
@with_appcontext
def export_command(file: str, period: int | None, semicolon: bool) -> None:
    """Write the register to FILE (.csv or .xlsx)."""
    from webapp.measures import exchange
    from webapp.measures import services

    rows = services.filtered(None, services.MeasureFilter(period=period))
    headers, table = exchange.export_table(rows)
    if file.lower().endswith(".xlsx"):
        data = exchange.to_xlsx(headers, table)
    else:
        data = exchange.to_csv(headers, table, ";" if semicolon else ",")
    Path(file).write_bytes(data)
    click.echo(f"{len(table)} åtgärder skrivna till {file}.")


@measures.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change.")
@with_appcontext
def import_command(file: str, dry_run: bool) -> None:
    """Import measures from FILE (.csv or .xlsx); all rows or none, matched by Referens."""
    from webapp.measures import exchange

    try:
        plan = exchange.plan_import(*exchange.read_table(file, Path(file).read_bytes()))
    except exchange.ImportError_ as exc:
        plan = exchange.ImportPlan(problems=exc.problems)
    if not plan.ok:
        for problem in plan.problems:
            click.echo(str(problem), err=True)
        click.echo("Ingenting har importerats.", err=True)
        raise SystemExit(1)
    click.echo(f"{plan.count('ny')} nya, {plan.count('ändrad')} ändrade, "
               f"{plan.count('oförändrad')} oförändrade åtgärder.")
    if dry_run:
        click.echo("Provkörning: ingenting har sparats.")
        return
    exchange.apply_import(plan, source=Path(file).name)
    db.session.commit()
    click.echo("Importen är sparad.")
