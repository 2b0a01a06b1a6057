"""Forms for rounds, reminders, reopening, deadlines, delegation and email texts."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import ValidationError

from webapp.forms import MultiCheckboxField
from webapp.organisation import services as org_services
from webapp.rounds import mailtexts


class RoundForm(FlaskForm):
    """Create or edit a draft round."""

    title = StringField(
        _l("Titel"),
        validators=[DataRequired(_l("Skriv en titel.")), Length(max=300)],
        description=_l(
            "Till exempel: Årlig uppföljning av aktiva åtgärder inom likabehandling 2026"
        ),
    )
    year = IntegerField(
        _l("Verksamhetsår"),
        validators=[
            InputRequired(_l("Ange vilket år uppföljningen gäller.")),
            NumberRange(min=2017, max=2100, message=_l("Ange ett år från 2017.")),
        ],
    )
    questionnaire = SelectField(
        _l("Enkät"), validate_choice=True, description=_l("Versionen fryses när rundan öppnas.")
    )
    opens_on = DateField(_l("Öppnar"), validators=[InputRequired(_l("Ange ett datum."))])
    due_on = DateField(_l("Sista svarsdag"), validators=[InputRequired(_l("Ange ett datum."))])
    targets = MultiCheckboxField(
        _l("Enheter som ska svara"),
        coerce=int,
        validators=[DataRequired(_l("Välj minst en enhet."))],
        description=_l("Förvalt: alla förvaltningar. Varje vald enhet får ett eget formulär."),
    )
    remind_parent_when_overdue = BooleanField(
        _l("Efter sista svarsdag går påminnelsen även till chefen för enheten ovanför"),
        default=True,
    )

    def __init__(self, *args: object, questionnaires: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.questionnaire.choices = questionnaires
        units = [u for u in org_services.all_units() if u.active]
        self.targets.choices = [(u.id, u.name) for u in units]
        # Indentation of each unit in the tree, for the checkbox list.
        self.target_depths = {u.id: min(len(u.ancestors()), 4) for u in units}

    def validate_due_on(self, field: DateField) -> None:
        """The due date comes after the opening date."""
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Sista svarsdag kan inte vara före öppningsdagen."))


class ReopenForm(FlaskForm):
    """Reopen a submitted answer, with a reason."""

    reason = TextAreaField(
        _l("Varför återöppnas svaret?"),
        validators=[
            DataRequired(
                _l("Skriv en anledning; den visas för den som svarar och sparas i loggen.")
            ),
            Length(max=2000),
        ],
    )


class ExtendForm(FlaskForm):
    """Move a due date."""

    due_on = DateField(_l("Ny sista svarsdag"), validators=[InputRequired(_l("Ange ett datum."))])

    def validate_due_on(self, field: DateField) -> None:
        """No extension into the past."""
        if field.data and field.data < dt.date.today():
            raise ValidationError(_l("Datumet har redan passerat."))


class DelegateForm(FlaskForm):
    """Let another user answer for the unit."""

    respondent = SelectField(_l("Den som svarar"), coerce=int, validate_choice=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.respondent.choices = [
            (u.id, f"{u.name} ({u.email})") for u in org_services.all_users() if u.active
        ]


class AnswerForm(FlaskForm):
    """The hidden fields that travel with the generated questionnaire form."""

    version = HiddenField()
    action = StringField()  # set by the button pressed: "draft" or "submit"


class EmailTemplateForm(FlaskForm):
    """Edit one email text."""

    subject = StringField(
        _l("Ämnesrad"), validators=[DataRequired(_l("Skriv en ämnesrad.")), Length(max=300)]
    )
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(_l("Skriv en text.")), Length(max=5000)]
    )

    def _check(self, field: StringField) -> None:
        unknown = mailtexts.unknown_placeholders(field.data or "")
        if unknown:
            raise ValidationError(
                _l(
                    "Okänd platshållare: %(names)s. Tillåtna: %(allowed)s.",
                    names=", ".join(unknown),
                    allowed=", ".join("{" + k + "}" for k in mailtexts.PLACEHOLDERS),
                )
            )

    def validate_subject(self, field: StringField) -> None:
        """Only known placeholders."""
        self._check(field)

    def validate_body(self, field: TextAreaField) -> None:
        """Only known placeholders."""
        self._check(field)
