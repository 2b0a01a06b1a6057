"""`aktiva questionnaire ...`: check, list, compare and freeze questionnaire files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.questionnaires.schema import Definition


def _expand(paths: tuple[str, ...]) -> list[Path]:
    from webapp.questionnaires.services import questionnaire_files

    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        result += questionnaire_files(path) if path.is_dir() else [path]
    return result


def _load_or_exit(path: str) -> Definition:
    from webapp.questionnaires.schema import load_definition
    from webapp.yamlio import FileErrors

    try:
        return load_definition(path)
    except FileErrors as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None


@click.group()
def questionnaire() -> None:
    """Check, list, compare and freeze questionnaire files."""


@questionnaire.command("validate")
@click.argument("paths", nargs=-1, required=True)
def validate(paths: tuple[str, ...]) -> None:
    """Check questionnaire files (or folders); print file:line: message for each error."""
    from webapp.questionnaires.services import read_entry

    failed = False
    files = _expand(paths)
    if not files:
        click.echo("Hittade inga enkätfiler (*.yaml).", err=True)
        raise SystemExit(1)
    for path in files:
        entry = read_entry(path)
        if entry.definition is None:
            failed = True
            for problem in entry.problems:
                click.echo(str(problem), err=True)
        else:
            d = entry.definition
            click.echo(f"{path}: OK ({d.id} {d.version}, {len(d.question_ids())} frågor)")
    if failed:
        raise SystemExit(1)


@questionnaire.command("list")
@click.option("--folder", type=click.Path(file_okay=False), default=None,
              help="Folder to list (default: QUESTIONNAIRE_FOLDER).")
@with_appcontext
def list_(folder: str | None) -> None:
    """List the questionnaire files: id, version, kind, number of questions, file."""
    from webapp.questionnaires.services import catalogue

    entries = catalogue(folder or current_app.config["QUESTIONNAIRE_FOLDER"])
    if not entries:
        click.echo("Inga enkätfiler.")
        return
    click.echo(f"{'id':<24} {'version':<10} {'typ':<14} {'frågor':>6}  fil")
    for e in entries:
        if e.definition is None:
            click.echo(f"{'(fel)':<24} {'':<10} {'':<14} {'':>6}  {e.path.name}: "
                       f"{len(e.problems)} fel, se `aktiva questionnaire validate`")
            continue
        d = e.definition
        click.echo(f"{d.id:<24} {d.version:<10} {d.kind:<14} {len(d.question_ids()):>6}  "
                   f"{e.path.name}")


@questionnaire.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
def diff(old: str, new: str) -> None:
    """Show added, removed and changed questions between two questionnaire files."""
    from webapp.questionnaires.services import diff as compare

    before, after = _load_or_exit(old), _load_or_exit(new)
    for line in compare(before, after):
        click.echo(line)


@questionnaire.command("freeze")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def freeze(path: str) -> None:
    """Store the file's current content as a version (or show the one already stored)."""
    from webapp.extensions import db
    from webapp.questionnaires.services import content_hash
    from webapp.questionnaires.services import freeze as do_freeze

    definition = _load_or_exit(path)
    digest = content_hash(definition)
    version = do_freeze(definition, path)
    db.session.commit()
    click.echo(f"{definition.id} {definition.version}: version {version.id}, "
               f"sha256 {digest[:12]}")
