"""Changes to the measures register, and the queries other capabilities build on.

Functions flush and audit; the caller commits once. The rounds, questionnaire and report
capabilities call only what is listed in `__all__`:

- `measures_for_followup(unit, period)` -> the FollowupItem records a follow-up block renders;
- `apply_followup(measure, status, effect, evaluation, accepted_by)` when HR accepts answers;
- `create_planned_from_rows(unit, period, rows, origin=...)` for the "nya åtgärder" table;
- `plan(period, unit=None)` -> PlanGroup list, the printable plan and the board report's table;
- `evaluated_in(period)` / `new_in(period)` for the board report's lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy import or_
from sqlalchemy import select

from webapp import audit
from webapp.audit import AuditEntry
from webapp.audit import utcnow
from webapp.extensions import db
from webapp.measures.models import AREA_LABELS
from webapp.measures.models import Area
from webapp.measures.models import Effect
from webapp.measures.models import Ground
from webapp.measures.models import InvalidTransition
from webapp.measures.models import Measure
from webapp.measures.models import Status
from webapp.organisation.models import Unit
from webapp.organisation.models import User

__all__ = [
    "FollowupItem",
    "InvalidTransition",
    "MeasureFilter",
    "PlanGroup",
    "apply_followup",
    "change_status",
    "create_planned_from_rows",
    "evaluate",
    "evaluated_in",
    "extend",
    "filtered",
    "history",
    "measures_for_followup",
    "new_in",
    "plan",
    "save_measure",
]

# Fields a form or an import may set directly. Status, effect and evaluation change only
# through change_status / evaluate / extend / apply_followup, which guard the transitions.
FIELDS = (
    "reference", "period", "unit_id", "area", "grounds", "title", "description", "goal",
    "purpose", "target_group", "followup_method", "responsible", "responsible_user_id",
    "schedule", "deadline", "origin", "origin_round_id", "origin_answer_id",
)


def current_period() -> int:
    """Return the current year in the municipality's time zone, the default period."""
    from webapp.clock import today

    return today().year


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in values.items() if k in FIELDS}
    for key in ("title", "description", "goal", "purpose", "target_group", "followup_method",
                "responsible", "schedule", "origin"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    if "reference" in clean:
        clean["reference"] = (clean["reference"] or "").strip() or None
    if "area" in clean:
        clean["area"] = Area(clean["area"]).value
    if "grounds" in clean:
        chosen = {Ground(g) for g in clean["grounds"] or []}
        clean["grounds"] = [g.value for g in Ground if g in chosen]
    return clean


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def save_measure(measure: Measure | None, **values: Any) -> Measure:
    """Create a measure (measure=None) or update its descriptive fields; audit what changed."""
    created = measure is None
    clean = _clean(values)
    if measure is None:
        if not clean.get("title"):
            raise ValueError("A measure needs a title")
        measure = Measure(status=Status.PLANERAD.value, effect=Effect.EJ_BEDOMD.value,
                          evaluation="", grounds=[])
        db.session.add(measure)
    changed: dict[str, list[Any]] = {}
    for name, value in clean.items():
        old = getattr(measure, name)
        if old != value:
            changed[name] = [_json(old), _json(value)]
            setattr(measure, name, value)
    if "unit_id" in clean:  # keep the relationship in step before anyone reads it
        measure.unit = db.session.get(Unit, clean["unit_id"]) if clean["unit_id"] else None
    db.session.flush()
    if created:
        audit.record("measure.created", measure, summary=measure.title,
                     period=measure.period, unit_id=measure.unit_id)
    elif changed:
        audit.record("measure.updated", measure, summary=measure.title, changes=changed)
    return measure


def change_status(measure: Measure, status: Status | str) -> bool:
    """Move the measure to `status` (raises InvalidTransition); return whether it changed."""
    old = measure.status
    measure.change_status(status)
    if measure.status == old:
        return False
    db.session.flush()
    audit.record("measure.status_changed", measure, summary=measure.title,
                 changes={"status": [old, measure.status]})
    return True


def evaluate(measure: Measure, status: Status | str, effect: Effect | str,
             evaluation: str) -> Measure:
    """Set status, effect and evaluation together (the status/evaluation form)."""
    old = {"status": measure.status, "effect": measure.effect, "evaluation": measure.evaluation}
    if Status(status) == Status.FORLANGD and measure.status != Status.FORLANGD:
        raise InvalidTransition("Använd Förläng för att föra åtgärden till nästa period.")
    measure.change_status(status)
    measure.record_evaluation(effect, evaluation, utcnow())
    new = {"status": measure.status, "effect": measure.effect, "evaluation": measure.evaluation}
    changes = {k: [old[k], new[k]] for k in old if old[k] != new[k]}
    db.session.flush()
    if changes:
        audit.record("measure.evaluated", measure, summary=measure.title, changes=changes)
    return measure


def _shift_year(day: dt.date | None, years: int = 1) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def extend(measure: Measure, note: str = "") -> Measure:
    """Carry the measure into period+1: a new planned measure, the old one marked förlängd."""
    old_status = measure.status
    measure.mark_extended()  # raises InvalidTransition when not extendable
    successor = Measure(
        period=measure.period + 1,
        unit_id=measure.unit_id,
        unit=measure.unit,
        area=measure.area,
        grounds=list(measure.grounds or []),
        title=measure.title,
        description=measure.description,
        goal=measure.goal,
        purpose=measure.purpose,
        target_group=measure.target_group,
        followup_method=measure.followup_method,
        responsible=measure.responsible,
        responsible_user_id=measure.responsible_user_id,
        schedule=measure.schedule,
        deadline=_shift_year(measure.deadline),
        status=Status.PLANERAD.value,
        effect=Effect.EJ_BEDOMD.value,
        evaluation="",
        origin=(note or f"Förlängd från {measure.period}")[:300],
        origin_round_id=measure.origin_round_id,
        extended_from=measure,
    )
    db.session.add(successor)
    db.session.flush()
    audit.record("measure.extended", measure, summary=measure.title,
                 changes={"status": [old_status, measure.status]}, continuation_id=successor.id,
                 to_period=successor.period)
    audit.record("measure.created", successor, summary=successor.title, period=successor.period,
                 unit_id=successor.unit_id, extended_from_id=measure.id)
    return successor


# -- the yearly cycle: what rounds and questionnaires call ---------------------------------


@dataclass(frozen=True)
class FollowupItem:
    """A measure as the follow-up questionnaire's measure block shows it."""

    id: int
    title: str
    responsible: str
    deadline: dt.date | None
    status: str
    status_label: str
    area: str
    area_label: str
    unit_name: str


def _subtree_ids(unit: Unit) -> list[int]:
    return [unit.id, *(u.id for u in unit.descendants())]


def measures_for_followup(unit: Unit, period: int,
                          include_organisation_wide: bool = False) -> list[FollowupItem]:
    """Return the measures a unit's head evaluates for `period`: the unit's and those below it.

    The head of a förvaltning answers for the verksamheter under it, so measures of every unit
    in the subtree are included. Organisation-wide (kommungemensamma) measures are left out by
    default: HR evaluates them once for the whole organisation, instead of each head answering
    for them and overwriting each other in `apply_followup`. Cancelled measures are left out.
    """
    query = select(Measure).where(Measure.period == period,
                                  Measure.status != Status.AVBRUTEN.value)
    scope = Measure.unit_id.in_(_subtree_ids(unit))
    if include_organisation_wide:
        scope = or_(scope, Measure.unit_id.is_(None))
    query = query.where(scope).order_by(Measure.area, Measure.title, Measure.id)
    return [
        FollowupItem(
            id=m.id, title=m.title, responsible=m.responsible_display, deadline=m.deadline,
            status=m.status, status_label=m.status_label, area=m.area, area_label=m.area_label,
            unit_name=m.unit.name if m.unit else "Hela kommunen",
        )
        for m in db.session.scalars(query)
    ]


def apply_followup(measure: Measure, status: Status | str, effect: Effect | str,
                   evaluation: str, accepted_by: User | None = None,
                   round_id: int | None = None) -> Measure:
    """Write an accepted follow-up answer into the register; return the measure.

    Status "förlängd" extends the measure into period+1 (see `extend`); the continuation is
    then `measure.continuation`. Raises InvalidTransition when the answer does not fit the
    measure's state, so the rounds capability can show it to HR before accepting.
    """
    status = Status(status)
    old = {"status": measure.status, "effect": measure.effect, "evaluation": measure.evaluation}
    if status == Status.FORLANGD:
        if measure.status != Status.FORLANGD:
            # Record effect first: an extended measure keeps the status it had when evaluated.
            if Effect(effect) in (Effect.JA, Effect.DELVIS) and measure.status == Status.PLANERAD:
                measure.change_status(Status.PAGAR)
            measure.record_evaluation(effect, evaluation, utcnow())
            extend(measure, note=f"Förlängd vid uppföljningen av {measure.period}")
        else:
            measure.record_evaluation(effect, evaluation, utcnow())
    else:
        measure.change_status(status)
        measure.record_evaluation(effect, evaluation, utcnow())
    db.session.flush()
    new = {"status": measure.status, "effect": measure.effect, "evaluation": measure.evaluation}
    audit.record(
        "measure.followup_applied", measure, summary=measure.title,
        changes={k: [old[k], new[k]] for k in old if old[k] != new[k]},
        accepted_by=accepted_by.email if accepted_by else None, round_id=round_id,
    )
    return measure


def create_planned_from_rows(unit: Unit | None, period: int, rows: Iterable[Mapping[str, Any]],
                             origin: str = "", origin_round_id: int | None = None,
                             origin_answer_id: int | None = None) -> list[Measure]:
    """Create planned measures for `period` from the questionnaire's "nya åtgärder" rows.

    Each row maps field names of FIELDS (title, goal, purpose, target_group, area, grounds,
    responsible, schedule, deadline, followup_method, description) to values; rows without a
    title are skipped (an empty table row). Area defaults to arbetsförhållanden. `unit=None`
    creates organisation-wide measures.
    """
    created = []
    for row in rows:
        if not str(row.get("title") or "").strip():
            continue
        values = {k: v for k, v in row.items() if k in FIELDS}
        values.update(
            period=period, unit_id=unit.id if unit else None,
            area=values.get("area") or Area.ARBETSFORHALLANDEN.value,
            origin=origin or values.get("origin") or "",
            origin_round_id=origin_round_id, origin_answer_id=origin_answer_id,
        )
        created.append(save_measure(None, **values))
    return created


# -- queries ---------------------------------------------------------------------------------


@dataclass
class MeasureFilter:
    """The list page's filters; None or "" means "any"."""

    period: int | None = None
    unit_id: int | None = None
    organisation_wide: bool = False  # only measures without a unit
    include_subunits: bool = True
    area: str | None = None
    status: str | None = None
    text: str = ""


def visible_query(scope: set[int] | None) -> Select[tuple[Measure]]:
    """Return a query of the measures a user with this unit scope may read.

    :param scope: unit ids from permissions.unit_ids_in_scope; None means every unit.
    """
    query = select(Measure)
    if scope is not None:
        # Heads read their own units' measures and the organisation-wide ones.
        query = query.where(or_(Measure.unit_id.in_(scope), Measure.unit_id.is_(None)))
    return query


def filtered(scope: set[int] | None, filters: MeasureFilter) -> list[Measure]:
    """Return the visible measures that match the filters, ordered for the list."""
    query = visible_query(scope)
    if filters.period:
        query = query.where(Measure.period == filters.period)
    if filters.organisation_wide:
        query = query.where(Measure.unit_id.is_(None))
    elif filters.unit_id:
        unit = db.session.get(Unit, filters.unit_id)
        ids = _subtree_ids(unit) if unit and filters.include_subunits else [filters.unit_id]
        query = query.where(Measure.unit_id.in_(ids))
    if filters.area:
        query = query.where(Measure.area == filters.area)
    if filters.status:
        query = query.where(Measure.status == filters.status)
    text = filters.text.strip()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Measure.title.ilike(like), Measure.description.ilike(like),
                                Measure.goal.ilike(like), Measure.responsible.ilike(like),
                                Measure.reference.ilike(like)))
    query = query.order_by(Measure.period.desc(), Measure.area, Measure.title, Measure.id)
    return list(db.session.scalars(query))


def periods() -> list[int]:
    """Return the periods that have measures, newest first, always including the current one."""
    found = set(db.session.scalars(select(Measure.period).distinct()))
    found.add(current_period())
    return sorted(found, reverse=True)


def history(measure: Measure) -> list[AuditEntry]:
    """Return the audit entries about this measure, newest first."""
    query = (select(AuditEntry)
             .where(AuditEntry.object_type == "Measure", AuditEntry.object_id == str(measure.id))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return list(db.session.scalars(query))


@dataclass
class PlanGroup:
    """The measures of one area in a yearly plan."""

    area: str
    label: str
    measures: list[Measure]


def plan(period: int, unit: Unit | None = None,
         include_organisation_wide: bool = True) -> list[PlanGroup]:
    """Return the yearly action plan grouped by area, in the law's order; empty areas left out.

    :param unit: None for the whole organisation (every measure of the year); a unit for the
        measures of it and the units below it, plus the organisation-wide ones when
        `include_organisation_wide`.
    """
    query = select(Measure).where(Measure.period == period)
    if unit is not None:
        scope = Measure.unit_id.in_(_subtree_ids(unit))
        if include_organisation_wide:
            scope = or_(scope, Measure.unit_id.is_(None))
        query = query.where(scope)
    measures = list(db.session.scalars(query.order_by(Measure.title, Measure.id)))
    # Organisation-wide measures first inside each area, then by unit name.
    measures.sort(key=lambda m: (m.unit is not None, m.unit.name if m.unit else "", m.title))
    groups = []
    for area in Area:
        members = [m for m in measures if m.area == area]
        if members:
            groups.append(PlanGroup(area.value, AREA_LABELS[area], members))
    return groups


def evaluated_in(period: int) -> list[Measure]:
    """Return the measures of `period` that have an evaluation (for the board report)."""
    query = select(Measure).where(Measure.period == period).order_by(Measure.area, Measure.title)
    return [m for m in db.session.scalars(query) if m.is_evaluated]


def new_in(period: int) -> list[Measure]:
    """Return the measures of `period` that are new, not continuations (for the board report)."""
    query = (select(Measure)
             .where(Measure.period == period, Measure.extended_from_id.is_(None))
             .order_by(Measure.area, Measure.title))
    return list(db.session.scalars(query))


def find_by_reference(reference: str) -> Measure | None:
    """Return the measure with this reference code, or None."""
    return db.session.scalar(select(Measure).where(Measure.reference == reference.strip()))
