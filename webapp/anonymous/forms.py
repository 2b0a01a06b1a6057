"""Forms of anonymous surveys: HR's setup, codes, code words, settings; respondents' code entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import ValidationError

from webapp.anonymous import services
from webapp.organisation import services as org_services
from webapp.settings import MIN_GROUP_SIZE_FLOOR
from webapp.settings import RETENTION_RANGE


class AnonymousRoundForm(FlaskForm):
    """Create a draft anonymous survey."""

    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv en titel.")),
                                                 Length(max=300)])
    year = IntegerField(_l("År"), validators=[
        InputRequired(_l("Ange vilket år enkäten gäller.")),
        NumberRange(min=2017, max=2100, message=_l("Ange ett år från 2017."))])
    questionnaire = SelectField(_l("Enkät"), validate_choice=True,
                                description=_l("Versionen fryses när enkäten öppnas."))
    opens_on = DateField(_l("Öppnar"), validators=[InputRequired(_l("Ange ett datum."))])
    closes_on = DateField(_l("Sista svarsdag"), validators=[InputRequired(_l("Ange ett datum."))])
    targets = SelectMultipleField(
        _l("Enheter"), coerce=int, validators=[DataRequired(_l("Välj minst en enhet."))],
        description=_l("Varje vald enhet får egna koder och en egen öppen länk. Anställda i "
                       "enheterna under räknas med. Håll ned Ctrl (Cmd på Mac) för att välja "
                       "flera."))

    def __init__(self, *args: object, questionnaires: list[tuple[str, str]],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire.choices = questionnaires
        self.targets.choices = [(u.id, "\u00a0\u00a0" * len(u.ancestors()) + u.name)
                                for u in org_services.all_units() if u.active]

    def validate_closes_on(self, field: DateField) -> None:
        """The last day comes after the first."""
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Sista svarsdag kan inte vara före öppningsdagen."))


class CodeBatchForm(FlaskForm):
    """Generate a batch of single-use codes for one unit."""

    unit = SelectField(_l("Enhet"), coerce=int, validate_choice=True)
    count = IntegerField(_l("Antal koder"), validators=[
        InputRequired(_l("Ange hur många koder som behövs.")),
        NumberRange(min=1, max=services.MAX_BATCH,
                    message=_l("Välj mellan 1 och %(n)s koder.", n=services.MAX_BATCH))])
    output = SelectField(_l("Format"), choices=[
        ("sheet", _l("Lappar att skriva ut")), ("csv", _l("CSV-fil för kopplad e-post"))],
        validate_choice=True)


class CodeWordForm(FlaskForm):
    """Enable an open link for a unit with a code word."""

    unit = HiddenField()
    code_word = StringField(_l("Kodord"), validators=[
        DataRequired(_l("Skriv ett kodord.")),
        Length(min=6, max=100, message=_l("Kodordet ska ha 6–100 tecken."))],
        description=_l("Minst 6 tecken. Sprid kodordet bara till enhetens anställda, till "
                       "exempel på en arbetsplatsträff."), render_kw={"autocomplete": "off"})


class EnterCodeForm(FlaskForm):
    """A respondent types the code from their slip or email."""

    code = StringField(_l("Din kod"), validators=[DataRequired(_l("Skriv in koden."))],
                       description=_l("16 tecken, till exempel K7PM-3QXD-9HTR-W4NA. Stora "
                                      "eller små bokstäver spelar ingen roll."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "inputmode": "text"})

    def validate_code(self, field: StringField) -> None:
        """Only well-formed codes are looked up."""
        if services.normalize_code(field.data) is None:
            raise ValidationError(_l("Koden ska ha 16 tecken (bokstäver och siffror). "
                                     "Kontrollera att du har skrivit av den rätt."))


class EnterWordForm(FlaskForm):
    """A respondent of an open link types the unit's code word."""

    code_word = PasswordField(_l("Kodord"), validators=[DataRequired(_l("Skriv kodordet."))],
                              render_kw={"autocomplete": "off"})


class AnswerActionForm(FlaskForm):
    """The CSRF token and the pressed button that travel with the generated questionnaire."""

    action = StringField()


class RetentionForm(FlaskForm):
    """How long raw anonymous answers are kept."""

    months = IntegerField(_l("Månader efter att enkäten stängts"), validators=[
        InputRequired(_l("Ange ett antal månader.")),
        NumberRange(min=RETENTION_RANGE[0], max=RETENTION_RANGE[1],
                    message=_l("Ange 1–120 månader."))])


class MinGroupSizeForm(FlaskForm):
    """The minimum group size k (administrators only)."""

    k = IntegerField(_l("Minsta gruppstorlek"), validators=[
        InputRequired(_l("Ange ett tal.")),
        NumberRange(min=MIN_GROUP_SIZE_FLOOR, max=50,
                    message=_l("Minsta gruppstorlek måste vara 3–50."))])


class RedactForm(FlaskForm):
    """Mask one free-text answer, identified by question and a digest of the text."""

    question = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])


class ResultFilterForm(FlaskForm):
    """Which grouping the results page shows (GET form, no CSRF)."""

    class Meta:
        csrf = False

    by = SelectField(_l("Dela upp efter"), validate_choice=True)
