"""Glue between rounds and the questionnaire engine: which form, which data, which context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select

from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import User
from webapp.permissions import unit_ids_in_scope
from webapp.questionnaires import schema
from webapp.questionnaires import services as questionnaire_services
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import RenderContext
from webapp.questionnaires.engine import summary as engine_summary
from webapp.questionnaires.models import QuestionnaireVersion
from webapp.rounds import services
from webapp.rounds.models import Assignment
from webapp.rounds.models import MailLog
from webapp.rounds.models import Round
from webapp.rounds.models import RoundState
from webapp.rounds.models import RoundUnit
from webapp.yamlio import FileErrors
from webapp.yamlio import Problem


def _folder() -> Path:
    return Path(current_app.config["QUESTIONNAIRE_FOLDER"])


def followup_choices() -> list[tuple[str, str]]:
    """(file name, label) of every valid unit follow-up questionnaire in the folder."""
    return [
        (entry.path.name, f"{entry.definition.title} (version {entry.definition.version})")
        for entry in questionnaire_services.catalogue(_folder())
        if entry.definition is not None and entry.definition.kind == "unit_followup"
    ]


def freeze_file(file_name: str) -> QuestionnaireVersion:
    """Freeze the named questionnaire file (or reuse the identical frozen version)."""
    path = questionnaire_services.find_file(_folder(), Path(file_name).stem)
    if path is None:
        raise FileErrors([Problem(file_name, 1, "filen finns inte")])
    return questionnaire_services.freeze(schema.load_definition(path), path.name)


def file_of_version(version_id: int) -> str | None:
    """Return the file name a frozen version came from."""
    version = db.session.get(QuestionnaireVersion, version_id)
    return version.source_file if version else None


def definition_of(round_: Round) -> schema.Definition:
    """Return the frozen definition the round asks."""
    return round_.questionnaire_version.definition  # type: ignore[no-any-return]


def context_for(assignment: Assignment) -> RenderContext:
    """Measures of the previous period and last year's answers for this unit."""
    from webapp.measures.services import measures_for_followup

    previous = services.previous_assignment(assignment)
    unit = assignment.round_unit.unit
    measures = measures_for_followup(unit, assignment.round.year - 1) if unit else []
    return RenderContext(measures=measures, previous_answers=previous.answers if previous else {})


def build_form(assignment: Assignment, formdata: Any = None) -> QuestionnaireForm:
    """Return the engine form for the assignment, showing its saved answers by default."""
    return QuestionnaireForm(
        definition_of(assignment.round),
        formdata=formdata,
        data=assignment.answers,
        context=context_for(assignment),
    )


def progress(qform: QuestionnaireForm, answers: dict[str, Any]) -> tuple[int, int]:
    """(answered sections, sections) for the progress bar."""
    sections = qform.definition.sections
    done = sum(1 for s in sections if any(q.id in answers for q in s.questions))
    return done, len(sections)


def summary(assignment: Assignment) -> list[tuple[str, str, str]]:
    """(section, question, answer) for the read-only view and the PDF."""
    return engine_summary(definition_of(assignment.round), assignment.answers or {})


def mails_of(assignment: Assignment) -> list[MailLog]:
    """Invitations and reminders of one assignment, newest first."""
    return list(
        db.session.scalars(
            select(MailLog)
            .where(MailLog.assignment_id == assignment.id)
            .order_by(MailLog.sent_at.desc())
        )
    )


def assignments_for(user: User) -> list[Assignment]:
    """The follow-ups a user answers: delegated to them, or for units they head (not drafts)."""
    query = (
        select(Assignment)
        .join(Round)
        .join(RoundUnit, Assignment.round_unit_id == RoundUnit.id)
        .where(Round.state != RoundState.DRAFT)
    )
    conditions = [Assignment.respondent_id == user.id]
    if user.role == Role.HEAD:
        scope = unit_ids_in_scope(user) or set()
        if scope:
            conditions.append(RoundUnit.unit_id.in_(scope))
    query = query.where(or_(*conditions)).order_by(Round.year.desc(), RoundUnit.name)
    return list(db.session.scalars(query))
