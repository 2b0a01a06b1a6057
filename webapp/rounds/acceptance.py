"""HR accepts a unit's submitted follow-up: its answers update the measures register.

- Each answer of a `measure_followup` question evaluates the measure it names: status and
  effect go into the register (status "förlängs" carries the measure into the next period).
- Each row of a "new measures" table (a table whose columns are all measure fields) becomes a
  planned measure of the unit for the next period, with the round as its origin.
All or nothing: a measure whose state does not allow the answer stops the whole acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from webapp import audit
from webapp.extensions import db
from webapp.measures import services as measures
from webapp.measures.models import InvalidTransition
from webapp.measures.models import Measure
from webapp.organisation.models import User
from webapp.rounds.answering import definition_of
from webapp.rounds.models import Assignment
from webapp.rounds.models import RoundStateError

# Follow-up answer status -> register status; None keeps the measure's status. Questionnaires
# may define their own statuses; the ones a register does not know keep the status too.
STATUS_FROM_ANSWER: dict[str, str | None] = {
    "genomford": "genomford",
    "pagar": "pagar",
    "delvis": "pagar",
    "forlangd": "forlangd",
    "avbruten": "avbruten",
    "ej_paborjad": None,
}


@dataclass
class AcceptResult:
    """What an acceptance did to the register."""

    evaluated: list[Measure] = field(default_factory=list)
    created: list[Measure] = field(default_factory=list)


def _is_new_measures_table(question: Any) -> bool:
    columns = {c.id for c in getattr(question, "columns", [])}
    return question.type == "table" and "title" in columns and columns <= set(measures.FIELDS)


def _evaluate(item: dict[str, Any], assignment: Assignment, by: User) -> Measure:
    measure = db.session.get(Measure, item.get("measure_id"))
    if measure is None:
        raise RoundStateError(f"Åtgärden ”{item.get('title')}” finns inte längre i registret.")
    status = STATUS_FROM_ANSWER.get(str(item.get("status")), None) or measure.status
    effect = item.get("effect") or "ej_bedomd"
    try:
        measures.apply_followup(
            measure,
            status,
            effect,
            item.get("comment") or "",
            accepted_by=by,
            round_id=assignment.round_id,
        )
    except InvalidTransition as exc:
        raise RoundStateError(f"”{measure.title}”: {exc}") from exc
    return measure


def accept(assignment: Assignment, by: User) -> AcceptResult:
    """Apply the unit's answers to the register and mark the assignment accepted; flush only."""
    assignment.accept(by)
    result = AcceptResult()
    unit = assignment.round_unit.unit
    answers = assignment.answers or {}
    for _section, question in definition_of(assignment.round).iter_questions():
        value = answers.get(question.id)
        if not value:
            continue
        if question.type == "measure_followup":
            result.evaluated += [_evaluate(item, assignment, by) for item in value]
        elif _is_new_measures_table(question):
            result.created += measures.create_planned_from_rows(
                unit,
                assignment.round.year + 1,
                value,
                origin=f"{assignment.round.title}, {assignment.round_unit.name}",
                origin_round_id=assignment.round_id,
                origin_answer_id=assignment.id,
            )
    db.session.flush()
    audit.record(
        "assignment.accepted",
        assignment,
        summary=assignment.round_unit.name,
        evaluated=len(result.evaluated),
        created=len(result.created),
    )
    return result
