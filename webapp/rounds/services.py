"""State changes of rounds and answers. Functions flush and audit; the view commits once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask import url_for
from sqlalchemy import select

from webapp import audit
from webapp import mail
from webapp.auth.services import make_token
from webapp.extensions import db
from webapp.i18n import isodate
from webapp.organisation.models import Unit
from webapp.organisation.models import UnitKind
from webapp.organisation.models import User
from webapp.rounds import mailtexts
from webapp.rounds.models import Assignment
from webapp.rounds.models import AssignmentState
from webapp.rounds.models import MailLog
from webapp.rounds.models import Round
from webapp.rounds.models import RoundState
from webapp.rounds.models import RoundStateError
from webapp.rounds.models import RoundUnit


def default_target_ids() -> list[int]:
    """Every active förvaltning: the default recipients of a yearly follow-up."""
    return list(
        db.session.scalars(
            select(Unit.id)
            .where(Unit.kind == UnitKind.FORVALTNING, Unit.active.is_(True))
            .order_by(Unit.name)
        )
    )


def create_round(
    *,
    title: str,
    year: int,
    questionnaire_version_id: int,
    opens_on: dt.date,
    due_on: dt.date,
    target_unit_ids: list[int],
    created_by: User | None,
    remind_parent_when_overdue: bool = True,
) -> Round:
    """Create a draft round."""
    if due_on < opens_on:
        raise RoundStateError("Sista svarsdag kan inte vara före öppningsdagen.")
    round_ = Round(
        title=title,
        year=year,
        questionnaire_version_id=questionnaire_version_id,
        opens_on=opens_on,
        due_on=due_on,
        target_unit_ids=list(target_unit_ids),
        created_by_id=created_by.id if created_by else None,
        remind_parent_when_overdue=remind_parent_when_overdue,
    )
    db.session.add(round_)
    db.session.flush()
    audit.record("round.created", round_, summary=title, year=year)
    return round_


def update_round(round_: Round, **values: Any) -> None:
    """Change a draft round's settings; an open round only takes a later due date."""
    if round_.state != RoundState.DRAFT:
        raise RoundStateError("Bara en runda som är ett utkast kan ändras.")
    if values.get("due_on") and values.get("opens_on") and values["due_on"] < values["opens_on"]:
        raise RoundStateError("Sista svarsdag kan inte vara före öppningsdagen.")
    for key, value in values.items():
        setattr(round_, key, value)
    db.session.flush()
    audit.record("round.updated", round_, summary=round_.title)


def _snapshot(unit: Unit, position: int) -> RoundUnit:
    parent = unit.parent
    return RoundUnit(
        unit_id=unit.id,
        position=position,
        unit_code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_name=parent.name if parent else "",
        parent_unit_id=parent.id if parent else None,
        head_names=", ".join(h.name for h in unit.heads),
        employees=unit.total_employees,
    )


def open_round(
    round_: Round, respondents: dict[int, int] | None = None, notify: bool = True
) -> list[MailLog]:
    """Freeze the target units, create one assignment each and send the invitations.

    :param respondents: unit id -> user id for units that delegate to someone other than
        the head; other units get their first head.
    :param notify: send the invitations (the demo loader does not).
    """
    respondents = respondents or {}
    units = [u for u in (db.session.get(Unit, i) for i in round_.target_unit_ids) if u]
    if not units:
        raise RoundStateError("Välj minst en enhet som ska svara.")
    round_.open()
    for position, unit in enumerate(units):
        snapshot = _snapshot(unit, position)
        round_.units.append(snapshot)
        respondent_id = respondents.get(unit.id) or (unit.heads[0].id if unit.heads else None)
        round_.assignments.append(Assignment(round_unit=snapshot, respondent_id=respondent_id))
    db.session.flush()
    audit.record("round.opened", round_, summary=round_.title, units=len(units))
    if not notify:
        return []
    return [log for a in round_.assignments for log in send_invitation(a)]


def close_round(round_: Round) -> None:
    """Close the round: no more drafts or submissions."""
    round_.close()
    db.session.flush()
    audit.record("round.closed", round_, summary=round_.title)


def extend_round(round_: Round, due_on: dt.date) -> None:
    """Move the round's due date later."""
    if due_on <= round_.due_on:
        raise RoundStateError("Det nya datumet måste vara senare än nuvarande sista svarsdag.")
    old = round_.due_on
    round_.due_on = due_on
    db.session.flush()
    audit.record("round.extended", round_, summary=round_.title, old=str(old), new=str(due_on))


def extend_assignment(assignment: Assignment, due_on: dt.date) -> None:
    """Give one unit a later due date."""
    if due_on <= assignment.effective_due_on:
        raise RoundStateError("Det nya datumet måste vara senare än nuvarande sista svarsdag.")
    old = assignment.effective_due_on
    assignment.due_on = due_on
    db.session.flush()
    audit.record(
        "assignment.extended",
        assignment,
        summary=assignment.round_unit.name,
        old=str(old),
        new=str(due_on),
    )


def delegate(assignment: Assignment, user: User) -> None:
    """Let another named user answer for the unit, and invite them."""
    old = assignment.respondent.email if assignment.respondent else None
    assignment.respondent_id = user.id
    db.session.flush()
    audit.record(
        "assignment.delegated",
        assignment,
        summary=assignment.round_unit.name,
        old=old,
        new=user.email,
    )
    if assignment.round.is_open:
        send_invitation(assignment)


def reopen(assignment: Assignment, reason: str) -> None:
    """Reopen a submitted answer so the unit can change it."""
    assignment.reopen(reason)
    db.session.flush()
    audit.record(
        "assignment.reopened", assignment, summary=assignment.round_unit.name, reason=reason.strip()
    )


def save_draft(assignment: Assignment, answers: dict[str, Any], by: User) -> None:
    """Store draft answers (the optimistic lock is checked at flush)."""
    assignment.save_draft(answers, by)
    db.session.flush()


def submit(assignment: Assignment, answers: dict[str, Any], by: User) -> None:
    """Submit the unit's answers."""
    assignment.submit(answers, by)
    db.session.flush()
    audit.record(
        "assignment.submitted",
        assignment,
        summary=assignment.round_unit.name,
        round=assignment.round.title,
    )


def mark_opened(assignment: Assignment) -> None:
    """Record that the respondent opened the form."""
    if assignment.state == AssignmentState.NOT_OPENED and assignment.round.is_open:
        assignment.mark_opened()
        db.session.flush()


def answer_link(assignment: Assignment, user: User | None) -> str:
    """Link to the form; through the invitation page for a user without a password yet."""
    target = url_for("rounds.answer", assignment_id=assignment.id, _external=False)
    if user is not None and not user.has_password:
        return url_for(
            "auth.accept_invitation", token=make_token(user, "invite"), next=target, _external=True
        )
    return url_for("auth.login", next=target, _external=True)


def _send(assignment: Assignment, kind: str, template: str, user: User) -> MailLog:
    subject, body = mailtexts.render(
        template,
        namn=user.name,
        enhet=assignment.round_unit.name,
        runda=assignment.round.title,
        sista_dag=isodate(assignment.effective_due_on),
        lank=answer_link(assignment, user),
        kommun=current_app.config["MUNICIPALITY_NAME"],
    )
    log = MailLog(
        round_id=assignment.round_id,
        assignment_id=assignment.id,
        kind=kind,
        recipient=user.email,
        subject=subject,
    )
    try:
        mail.send(user.email, subject, body)
    except mail.MailError as exc:
        current_app.logger.error("Mail %s to %s failed: %s", kind, user.email, exc)
        log.error = str(exc)[:2000]
    db.session.add(log)
    db.session.flush()
    return log


def send_invitation(assignment: Assignment) -> list[MailLog]:
    """Email the respondent the invitation; a unit without respondent gets none."""
    if assignment.respondent is None:
        return []
    return [_send(assignment, "invitation", "invitation", assignment.respondent)]


@dataclass
class ReminderResult:
    """What one reminder run did."""

    sent: int = 0
    failed: int = 0
    skipped_today: int = 0
    escalated: int = 0


def remind(round_: Round, today: dt.date, only: Assignment | None = None) -> ReminderResult:
    """Remind every unit that has not submitted, at most once per unit and day.

    After the due date the head(s) of the parent unit are told too, if the round says so.
    """
    if not round_.is_open:
        raise RoundStateError("Bara en öppen runda kan skicka påminnelser.")
    result = ReminderResult()
    for assignment in round_.assignments:
        if only is not None and assignment is not only:
            continue
        if assignment.is_submitted or assignment.respondent is None:
            continue
        if assignment.last_reminded_on == today:
            result.skipped_today += 1
            continue
        logs = [_send(assignment, "reminder", "reminder", assignment.respondent)]
        parent = assignment.round_unit.parent_unit
        if round_.remind_parent_when_overdue and today > assignment.effective_due_on and parent:
            for head in parent.heads:
                if head.id != assignment.respondent_id:
                    logs.append(_send(assignment, "escalation", "escalation", head))
                    result.escalated += 1
        assignment.last_reminded_on = today
        result.sent += sum(log.ok for log in logs)
        result.failed += sum(not log.ok for log in logs)
    db.session.flush()
    audit.record(
        "round.reminded", round_, summary=round_.title, sent=result.sent, failed=result.failed
    )
    return result


def previous_assignment(assignment: Assignment) -> Assignment | None:
    """The same unit's answer in the latest earlier round of the same questionnaire."""
    from webapp.questionnaires.models import QuestionnaireVersion

    version = db.session.get(QuestionnaireVersion, assignment.round.questionnaire_version_id)
    if version is None:
        return None
    query = (
        select(Assignment)
        .join(Round, Assignment.round_id == Round.id)
        .join(RoundUnit, Assignment.round_unit_id == RoundUnit.id)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.key == version.key,
            Round.year < assignment.round.year,
            Round.state != RoundState.DRAFT,
            RoundUnit.unit_code.in_(unit_codes_before(assignment.round_unit.unit_code)),
            Assignment.state == AssignmentState.SUBMITTED,
        )
        .order_by(Round.year.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def unit_codes_before(code: str) -> list[str]:
    """The unit's code and every code it succeeded through reorganisations (old → new links)."""
    from webapp.organisation.models import UnitSuccession

    links = db.session.execute(select(UnitSuccession.new_code, UnitSuccession.old_code)).all()
    found, frontier = [code], [code]
    while frontier:
        current = frontier.pop()
        for new, old in links:
            if new == current and old not in found:
                found.append(old)
                frontier.append(old)
    return found
