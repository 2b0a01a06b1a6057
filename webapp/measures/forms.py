"""Forms for the measures register: edit, status and evaluation, filters, import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from sqlalchemy import select
from wtforms import DateField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from webapp.extensions import db
from webapp.forms import MultiCheckboxField
from webapp.measures.models import AREA_LABELS
from webapp.measures.models import EFFECT_LABELS
from webapp.measures.models import GROUND_LABELS
from webapp.measures.models import STATUS_LABELS
from webapp.measures.models import Measure
from webapp.measures.models import Status
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

ORGANISATION_WIDE = "org"


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class IsoDateField(DateField):
    """A date field whose error tells how to write the date."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse ÅÅÅÅ-MM-DD; explain the format when the value cannot be read."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")) from None


def unit_choices(units: list[Unit]) -> list[tuple[Any, str]]:
    """Return (id, indented name) choices in tree order."""
    return [(u.id, "\u2003" * len(u.ancestors()) + u.name) for u in units]


class MeasureForm(FlaskForm):
    """Create or edit a measure: the Kalix plan's fields and Hjo's activity table."""

    title = StringField(_l("Åtgärd / aktivitet"), validators=[
        DataRequired(_l("Skriv vad som ska göras.")), Length(max=300)],
        description=_l("Kort och konkret, till exempel ”Se över mötestider så att alla kan "
                       "delta på APT”."))
    description = TextAreaField(_l("Beskrivning"), validators=[Optional(), Length(max=5000)])
    area = SelectField(_l("Område"), choices=[(k.value, v) for k, v in AREA_LABELS.items()])
    grounds = MultiCheckboxField(_l("Diskrimineringsgrunder"),
                                 choices=[(k.value, v) for k, v in GROUND_LABELS.items()],
                                 description=_l("Vilka grunder åtgärden främst gäller."))
    goal = TextAreaField(_l("Mål"), validators=[Optional(), Length(max=5000)],
                         description=_l("Vad ska vara uppnått när åtgärden är genomförd?"))
    purpose = TextAreaField(_l("Syfte"), validators=[Optional(), Length(max=5000)])
    target_group = StringField(_l("Målgrupp"), validators=[Optional(), Length(max=300)],
                               description=_l("Till exempel Samtliga medarbetare eller Chefer."))
    followup_method = TextAreaField(
        _l("Uppföljning"), validators=[Optional(), Length(max=5000)],
        description=_l("Hur och när åtgärden följs upp, till exempel ”Årlig uppföljning i "
                       "mars av verksamhetschef”."))
    responsible = StringField(_l("Ansvarig"), validators=[
        DataRequired(_l("Skriv vem som ansvarar, en roll eller en person.")), Length(max=200)],
        description=_l("En roll eller en person, till exempel Personalchef."))
    responsible_user_id = SelectField(_l("Ansvarig användare (valfritt)"), coerce=_optional_int,
                                      validate_choice=True)
    schedule = StringField(_l("Tidsplan"), validators=[Optional(), Length(max=200)],
                           description=_l("Till exempel ”1 ggr/år (mars)” eller ”Löpande”."))
    deadline = IsoDateField(_l("Klart senast (valfritt)"), validators=[Optional()],
                         description=_l("Datum som ÅÅÅÅ-MM-DD."))
    unit_id = SelectField(_l("Enhet"), validate_choice=True)
    period = IntegerField(_l("År (period)"), validators=[
        DataRequired(_l("Ange vilket år åtgärden gäller.")),
        NumberRange(min=2000, max=2100, message=_l("Ange ett år med fyra siffror."))])
    origin = StringField(_l("Ursprung"), validators=[Optional(), Length(max=300)],
                         description=_l("Var åtgärden kommer ifrån, till exempel "
                                        "”Uppföljningsenkäten 2025” eller ”Skyddsrond”."))
    reference = StringField(_l("Referenskod (valfritt)"), validators=[Optional(), Length(max=40)],
                            description=_l("Används för att känna igen åtgärden vid import."))

    def __init__(self, *args: Any, units: list[Unit], organisation_wide: bool,
                 measure: Measure | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._measure = measure
        choices: list[tuple[Any, str]] = []
        if organisation_wide:
            choices.append((ORGANISATION_WIDE, _l("Hela kommunen (kommungemensam)")))
        choices.extend((str(i), name) for i, name in unit_choices(units))
        self.unit_id.choices = choices
        users = db.session.scalars(
            select(User).where(User.active.is_(True),
                               User.role.in_([Role.HR, Role.HEAD, Role.ADMIN]))
            .order_by(User.name))
        self.responsible_user_id.choices = [(None, _l("— Ingen —"))] + [
            (u.id, f"{u.name}{' (' + u.title + ')' if u.title else ''}") for u in users]

    def validate_reference(self, field: StringField) -> None:
        """Reference codes are unique."""
        code = (field.data or "").strip()
        if not code:
            return
        query = select(Measure.id).where(Measure.reference == code)
        if self._measure is not None and self._measure.id is not None:
            query = query.where(Measure.id != self._measure.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("Referenskoden används redan av en annan åtgärd."))

    def values(self) -> dict[str, Any]:
        """Return the form's data as keyword arguments for services.save_measure."""
        unit = self.unit_id.data
        return {
            "title": self.title.data, "description": self.description.data or "",
            "area": self.area.data, "grounds": self.grounds.data or [],
            "goal": self.goal.data or "", "purpose": self.purpose.data or "",
            "target_group": self.target_group.data or "",
            "followup_method": self.followup_method.data or "",
            "responsible": self.responsible.data, "responsible_user_id":
            self.responsible_user_id.data, "schedule": self.schedule.data or "",
            "deadline": self.deadline.data, "period": self.period.data,
            "unit_id": None if unit == ORGANISATION_WIDE else int(unit),
            "origin": self.origin.data or "", "reference": self.reference.data or "",
        }


class EvaluationForm(FlaskForm):
    """Change status and record the evaluation: "fick åtgärden avsedd effekt?"."""

    status = RadioField(_l("Status"))
    effect = RadioField(_l("Fick åtgärden avsedd effekt?"),
                        choices=[(k.value, v) for k, v in EFFECT_LABELS.items()],
                        default="ej_bedomd")
    evaluation = TextAreaField(
        _l("Utvärdering"), validators=[Optional(), Length(max=5000)],
        description=_l("Vad gjordes, vad blev resultatet och behövs andra åtgärder?"))

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = Status(measure.status)
        allowed = [current, *sorted(measure.allowed_statuses(), key=list(Status).index)]
        self.status.choices = [(s.value, STATUS_LABELS[s]) for s in Status if s in allowed]

    def validate_effect(self, field: RadioField) -> None:
        """A measure that never began cannot have had effect."""
        if field.data in ("ja", "delvis") and self.status.data == Status.PLANERAD:
            raise ValidationError(_l("En planerad åtgärd kan inte ha haft effekt. Välj en annan "
                                     "status eller ”Ej bedömd”."))


def _period_choices(periods: list[int]) -> list[tuple[str, str]]:
    return [("", _l("Alla år"))] + [(str(p), str(p)) for p in periods]


class FilterForm(FlaskForm):
    """The list filters, read from the query string (GET, no CSRF)."""

    class Meta:
        csrf = False

    period = SelectField(_l("År"), validate_choice=True, default="")
    unit = SelectField(_l("Enhet"), validate_choice=True, default="")
    area = SelectField(_l("Område"), validate_choice=True, default="",
                       choices=[("", _l("Alla områden"))]
                       + [(k.value, v) for k, v in AREA_LABELS.items()])
    status = SelectField(_l("Status"), validate_choice=True, default="",
                         choices=[("", _l("Alla"))]
                         + [(k.value, v) for k, v in STATUS_LABELS.items()])
    q = StringField(_l("Sök text"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args: Any, periods: list[int], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period.choices = _period_choices(periods)
        self.unit.choices = [("", _l("Alla enheter")),
                             (ORGANISATION_WIDE, _l("Hela kommunen (kommungemensamma)"))] + [
            (str(i), name) for i, name in unit_choices(units)]


class ImportForm(FlaskForm):
    """Upload a CSV or Excel file for a dry run."""

    file = FileField(_l("Fil"), validators=[
        FileRequired(_l("Välj en fil att importera.")),
        FileAllowed(["csv", "xlsx", "txt"], _l("Filen måste vara .csv eller .xlsx."))],
        description=_l("CSV (UTF-8, komma eller semikolon) eller Excel (.xlsx). Första raden "
                       "ska ha kolumnnamnen."))
