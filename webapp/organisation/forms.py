"""Forms for units and users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from webapp.organisation import services
from webapp.organisation.models import ROLE_LABELS
from webapp.organisation.models import UNIT_KIND_LABELS
from webapp.organisation.models import Unit
from webapp.organisation.models import User


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class UnitForm(FlaskForm):
    """Create or edit a unit."""

    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv enhetens namn.")),
                                                Length(max=200)])
    code = StringField(
        _l("Kod"),
        validators=[DataRequired(_l("Skriv en kort kod.")), Length(max=40),
                    Regexp(r"^[\w.\-]+$",
                           message=_l("Koden får bara ha bokstäver, siffror, punkt, - och _."))],
        description=_l("Kort och unik, till exempel SOC eller SOC-IFO. Används vid import."),
    )
    kind = SelectField(_l("Typ"), choices=[(k.value, _l(v)) for k, v in UNIT_KIND_LABELS.items()])
    parent_id = SelectField(_l("Ligger under"), coerce=_optional_int, validate_choice=True)
    employees = IntegerField(
        _l("Antal anställda i enheten"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                            message=_l("Ange ett antal från 0."))],
        description=_l("Bara de som är anställda direkt i enheten, inte i enheterna under."),
    )
    heads = SelectMultipleField(_l("Chef(er)"), coerce=int)
    active = BooleanField(_l("Aktiv"), default=True)

    def __init__(self, *args: object, unit: Unit | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._unit = unit
        excluded = {unit.id, *(u.id for u in unit.descendants())} if unit and unit.id else set()
        self.parent_id.choices = [(None, _l("— Högst upp i trädet —"))] + [
            (u.id, "  " * len(u.ancestors()) + u.name)
            for u in services.all_units() if u.id not in excluded
        ]
        self.heads.choices = [(u.id, f"{u.name} ({u.email})")
                              for u in services.all_users() if u.active]

    def validate_code(self, field: StringField) -> None:
        """Codes are unique."""
        if services.code_taken(field.data or "", self._unit):
            raise ValidationError(_l("Koden används redan av en annan enhet."))


class UserForm(FlaskForm):
    """Create or edit a user."""

    name = StringField(_l("Namn"), validators=[DataRequired(_l("Skriv personens namn.")),
                                                Length(max=200)])
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(_l("Skriv en e-postadress.")),
        Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
              check_deliverability=False),
        Length(max=254)])
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=200)],
                        description=_l("Till exempel Förvaltningschef."))
    role = SelectField(_l("Roll"), choices=[(k.value, _l(v)) for k, v in ROLE_LABELS.items()])
    units = SelectMultipleField(_l("Chef för"), coerce=int,
                                description=_l("En chef ser sina enheter och allt under dem."))
    active = BooleanField(_l("Kontot är aktivt"), default=True)
    send_invitation = BooleanField(_l("Skicka inbjudan via e-post nu"), default=True)

    def __init__(self, *args: object, user: User | None = None, may_grant_admin: bool = False,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        if not may_grant_admin:
            self.role.choices = [c for c in self.role.choices if c[0] != "admin"]  # type: ignore[union-attr,index]
        self.units.choices = [(u.id, "  " * len(u.ancestors()) + u.name)
                              for u in services.all_units()]

    def validate_email(self, field: EmailField) -> None:
        """Emails are unique."""
        if services.email_taken(field.data or "", self._user):
            raise ValidationError(_l("Det finns redan en användare med den e-postadressen."))
