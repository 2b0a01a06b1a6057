"""Board reports: gather a round's figures through reports.analysis, build, render, archive.

Services change state, flush and audit; they never commit (the view or command commits once).
The document itself is built by reports.board_report and written by reports.render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from reports import analysis
from reports import board_report as br
from reports import render
from webapp import audit
from webapp.boardreports.models import TEXT_SECTIONS
from webapp.boardreports.models import BoardReport
from webapp.boardreports.models import ReportState
from webapp.boardreports.models import ReportStateError
from webapp.clock import today
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.questionnaires.schema import AREAS
from webapp.results import queries
from webapp.rounds.models import AssignmentState
from webapp.rounds.models import Round

# The report is the organisation-wide document: it is read with HR's scope (every unit).
_ORGANISATION = SimpleNamespace(role=Role.HR, is_authenticated=True, id=None)
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _config(key: str, default: Any = "") -> Any:
    return current_app.config.get(key, default)


def create_draft(round_: Round) -> BoardReport:
    """Create the round's report with the starting texts; flush and audit."""
    if report_for(round_) is not None:
        raise ReportStateError("Rundan har redan en rapport.")
    report = new_report(round_)
    db.session.add(report)
    db.session.flush()
    audit.record("board_report.created", report, summary=br.title_for(round_.year))
    return report


def new_report(round_: Round) -> BoardReport:
    """Return an unsaved draft of the round's report with the starting texts."""
    organ = _config("BOARD_ORGAN", "Kommunstyrelsen")
    author = _config("BOARD_AUTHOR", "Kommunledningsförvaltningen")
    date = today()
    survey = _survey_round(round_.year)
    texts = br.default_texts(round_.year, author, organ, date,
                             survey.title if survey is not None else "")
    report = BoardReport(round_id=round_.id, year=round_.year, organ=organ, author=author,
                         report_date=date, quotes=[],
                         state=ReportState.DRAFT, diarienummer="",
                         **{name: getattr(texts, name) for name in TEXT_SECTIONS})
    return report


def report_for(round_: Round) -> BoardReport | None:
    """Return the round's report, if any."""
    return db.session.scalar(select(BoardReport).where(BoardReport.round_id == round_.id))


def update(report: BoardReport, quotes: list[dict[str, str]], **values: Any) -> None:
    """Change the text sections, head fields and quotes of a draft; flush and audit."""
    report.require_editable()
    changed = []
    for name, value in values.items():
        if getattr(report, name) != value:
            setattr(report, name, value)
            changed.append(name)
    if quotes != (report.quotes or []):
        report.quotes = quotes
        changed.append("quotes")
    db.session.flush()
    if changed:
        audit.record("board_report.edited", report, summary=", ".join(changed))


def mark_sent(report: BoardReport) -> None:
    """Mark the draft as sent to the board; flush and audit."""
    report.mark_sent()
    db.session.flush()
    audit.record("board_report.sent", report, summary=br.title_for(report.year))


def back_to_draft(report: BoardReport) -> None:
    """Take a sent report back to draft; flush and audit."""
    report.back_to_draft()
    db.session.flush()
    audit.record("board_report.back_to_draft", report, summary=br.title_for(report.year))


def approve(report: BoardReport, organ: str, date: dt.date, paragraph: str, diarienummer: str,
            by: Any) -> None:
    """Record the decision and archive the report as an immutable PDF/A with its SHA-256."""
    report.approve(organ, date, paragraph, diarienummer, getattr(by, "id", None))
    pdf = render.board_pdf(document(report), archival=True)
    digest = hashlib.sha256(pdf).hexdigest()
    relative = Path(str(report.year)) / f"rapport-{report.id}-{digest[:12]}.pdf"
    path = archive_folder() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: an archived file is never overwritten; 0o444: nobody writes to it afterwards.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pdf)
    _remove_unless_committed(path)
    report.archive_path = str(relative)
    report.archive_sha256 = digest
    report.archive_size = len(pdf)
    db.session.flush()
    audit.record("board_report.approved", report, summary=br.title_for(report.year),
                 organ=organ, date=date.isoformat(), paragraph=paragraph,
                 diarienummer=diarienummer, sha256=digest)


_PENDING = "aktiva_archived_uncommitted"


def _remove_unless_committed(path: Path) -> None:
    """Delete the freshly archived file if the transaction recording it is rolled back, so a
    failed approval leaves no orphan in the archive; once committed, the file stays."""
    db.session().info.setdefault(_PENDING, []).append(path)


@event.listens_for(Session, "after_commit")
def _keep_archived(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _remove_archived(session: Session) -> None:
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)


def archive_folder() -> Path:
    """Return the folder of archived reports (inside the instance folder by default)."""
    return Path(_config("ARCHIVE_FOLDER") or os.path.join(current_app.instance_path, "archive"))


class ArchiveError(Exception):
    """The archived file is missing or no longer matches its recorded SHA-256."""


def archived_pdf(report: BoardReport) -> bytes:
    """Return the archived PDF/A after checking its SHA-256; raise ArchiveError otherwise."""
    if not report.is_approved or not report.archive_path:
        raise ArchiveError("Rapporten är inte arkiverad.")
    path = archive_folder() / report.archive_path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError("Den arkiverade filen saknas.") from exc
    if hashlib.sha256(data).hexdigest() != report.archive_sha256:
        raise ArchiveError("Den arkiverade filen stämmer inte med sin kontrollsumma.")
    return data


def by_year(approved_only: bool) -> dict[int, list[BoardReport]]:
    """Return the reports grouped by year, newest first."""
    query = select(BoardReport).order_by(BoardReport.year.desc(), BoardReport.id.desc())
    if approved_only:
        query = query.where(BoardReport.state == ReportState.APPROVED)
    grouped: dict[int, list[BoardReport]] = {}
    for report in db.session.scalars(query):
        grouped.setdefault(report.year, []).append(report)
    return grouped


def rounds_without_report() -> list[Round]:
    """Return the rounds with answers (not drafts) that have no report yet, newest first."""
    taken = select(BoardReport.round_id)
    return list(db.session.scalars(
        select(Round).where(Round.state != "draft", Round.id.not_in(taken))
        .order_by(Round.year.desc(), Round.id.desc())))


# --- gathering the data ------------------------------------------------------------------------


def _survey_round(year: int) -> Any:
    from webapp.anonymous.models import AnonymousRound

    return db.session.scalar(
        select(AnonymousRound).where(AnonymousRound.year == year,
                                     AnonymousRound.state == "closed")
        .order_by(AnonymousRound.id.desc()))


def _survey(year: int) -> br.SurveyData | None:
    """Return the closed anonymous survey of the year, k-suppressed by the analysis layer."""
    from webapp.anonymous import results as anonymous_results

    round_ = _survey_round(year)
    if round_ is None:
        return None
    view = anonymous_results.build(round_, anonymous_results.UNIT)
    if view.aggregates is None:
        return None
    return br.SurveyData(title=round_.title, k=view.k, respondents=view.total,
                         result=view.aggregates)


def _measure_rows(period: int) -> list[br.MeasureRow]:
    from webapp.measures import services as measure_services

    rows = []
    for group in measure_services.plan(period):
        for m in group.measures:
            rows.append(br.MeasureRow(
                title=m.title, unit=m.unit.name if m.unit else "Hela kommunen", area=m.area,
                area_label=m.area_label, status_label=m.status_label,
                effect_label=m.effect_label, evaluated=m.is_evaluated,
                responsible=m.responsible_display,
                schedule=", ".join(p for p in (m.schedule, m.deadline.isoformat()
                                               if m.deadline else "") if p)))
    return rows


def _history(round_: Round) -> pd.DataFrame:
    """Return year, area, share: the organisation's share "ja" per area, for each year."""
    parts = []
    for item in queries.family_rounds(round_):
        areas = queries.build(item, _ORGANISATION).areas
        total = areas[areas["unit"] == analysis.TOTAL]
        parts.append(total[["area", "share"]].assign(year=item.year))
    if not parts:
        return pd.DataFrame(columns=["year", "area", "share"])
    return pd.concat(parts, ignore_index=True)


def quote_candidates(round_: Round) -> list[br.QuotedText]:
    """Return every free-text answer of the round's submitted units, in questionnaire order
    and, per question, in unit order."""
    results = queries.build(round_, _ORGANISATION)
    texts = {s.id: s.text for s in results.specs}
    question_order = {s.id: i for i, s in enumerate(results.specs)}
    order = {code: i for i, code in enumerate(results.units["unit"])}
    rows = results.result.texts
    rows = rows.assign(_q=rows["question"].map(question_order), _o=rows["unit"].map(order))
    rows = rows.sort_values(["_q", "_o"], kind="stable")
    return [br.QuotedText(unit=results.names.get(r["unit"], r["unit"]),
                          question=texts.get(r["question"], r["question"]), text=str(r["text"]))
            for r in rows.to_dict("records")]


def gather(report: BoardReport, round_: Round | None = None,
           progress: Any = None, with_survey_and_history: bool = True) -> br.ReportData:
    """Return the report's data: the round's aggregates, measures, survey and history.

    :param with_survey_and_history: False leaves out the attitude survey and earlier years,
        which the completeness check does not read (they are the costly parts).

    :param progress: called with a short label after each step (the CLI's progress bar).
    """
    step = progress or (lambda label: None)
    round_ = round_ or db.session.get(Round, report.round_id)
    results = queries.build(round_, _ORGANISATION)
    frame = queries.round_frame(round_.id)
    submitted = frame[frame["state"] == AssignmentState.SUBMITTED]
    wide = analysis.expand_answers(submitted, results.specs)
    step("svar")
    measures_last = _measure_rows(round_.year - 1)
    measures_next = _measure_rows(round_.year + 1)
    step("åtgärder")
    survey = _survey(round_.year) if with_survey_and_history else None
    step("medarbetarenkät")
    history = _history(round_) if with_survey_and_history else None
    step("tidigare år")
    logo_path = _config("MUNICIPALITY_LOGO", None)
    logo = Path(logo_path).read_bytes() if logo_path and Path(logo_path).exists() else None
    decision = (br.Decision(report.decision_organ, report.decision_date,
                            report.decision_paragraph)
                if report.is_approved and report.decision_date else None)
    return br.ReportData(
        municipality=_config("MUNICIPALITY_NAME", ""), organ=report.organ, author=report.author,
        date=report.report_date, diarienummer=report.diarienummer, year=report.year,
        texts=br.Texts(**{name: getattr(report, name) or "" for name in TEXT_SECTIONS}),
        specs=results.specs, wide=wide, result=results.result, areas=results.areas,
        rates=results.rates, unit_names=results.names, area_labels=AREAS,
        measures_last=measures_last, measures_next=measures_next,
        quotes=[br.QuotedText(**q) for q in report.quotes or []], survey=survey,
        history=history, logo=logo, draft=not report.is_approved, decision=decision)


def document(report: BoardReport, progress: Any = None) -> br.Document:
    """Return the report's document model."""
    return br.build(gather(report, progress=progress))


def completeness(report: BoardReport) -> list[br.Check]:
    """Return the 13 § completeness check of the report's year."""
    return br.completeness(gather(report, with_survey_and_history=False))


@dataclass(frozen=True)
class Rendered:
    """A rendered document, ready to send."""

    data: bytes
    mimetype: str
    filename: str


def filename(report: BoardReport, fmt: str) -> str:
    """Return the download name of the report in a format."""
    return f"arlig-uppfoljning-aktiva-atgarder-{report.year}.{fmt}"


def rendered(report: BoardReport, fmt: str) -> Rendered:
    """Render the report as pdf, docx or html."""
    doc = document(report)
    if fmt == "pdf":
        data = render.board_pdf(doc)
    elif fmt == "docx":
        data = render.board_docx(doc)
    elif fmt == "html":
        data = render.board_html(doc).encode("utf-8")
    else:
        raise ValueError(fmt)
    return Rendered(data, FORMATS[fmt], filename(report, fmt))
