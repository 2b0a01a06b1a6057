"""Forms of the board report pages (Flask-WTF only)."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import Field
from wtforms import Form
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError


def _matches(kind: str, optional: bool = False):  # type: ignore[no-untyped-def]
    """Validate against the municipality's pattern (DIARIENUMMER_/PARAGRAPH_PATTERN)."""

    def check(form: Form, field: Field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if optional and not value:
            return
        pattern = current_app.config[f"{kind}_PATTERN"]
        example = current_app.config[f"{kind}_EXAMPLE"]
        if not re.fullmatch(pattern, value):
            if kind == "DIARIENUMMER":
                raise ValidationError(_l("Skriv diarienumret i kommunens format, till exempel "
                                         "%(example)s.", example=example))
            raise ValidationError(_l("Skriv paragrafen i kommunens format, till exempel "
                                     "%(example)s.", example=example))

    return check


class CreateForm(FlaskForm):
    """Generate a draft for a round."""

    round_id = SelectField(_l("Uppföljningsrunda"), coerce=int)


class CheckboxListField(SelectMultipleField):
    """Several checkboxes in a fieldset."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EditForm(FlaskForm):
    """The head fields and the text sections of a draft, and the quoted free texts."""

    organ = StringField(_l("Organ som beslutar"), validators=[
        DataRequired(_l("Ange vilket organ som ska besluta.")), Length(max=200)],
        description=_l("Till exempel Kommunstyrelsens arbetsutskott."))
    author = StringField(_l("Förvaltning som skriver"), validators=[
        DataRequired(_l("Ange vilken förvaltning som skriver tjänsteskrivelsen.")),
        Length(max=200)])
    report_date = DateField(_l("Datum"), validators=[
        DataRequired(_l("Ange datum som ÅÅÅÅ-MM-DD."))])
    diarienummer = StringField(_l("Diarienummer"), validators=[
        Optional(), Length(max=60), _matches("DIARIENUMMER", optional=True)])
    summary = TextAreaField(_l("Sammanfattning"), render_kw={"rows": 8},
                            description=_l("Blir protokollstexten. Skilj stycken åt med en "
                                           "tom rad."))
    basis = TextAreaField(_l("Beslutsunderlag"), render_kw={"rows": 5},
                          description=_l("Ett daterat dokument per rad, tjänsteskrivelsen "
                                         "först."))
    proposal = TextAreaField(_l("Förslag till beslut"), render_kw={"rows": 5},
                             validators=[DataRequired(_l("Skriv förslaget till beslut."))],
                             description=_l("Skriv varje beslutspunkt som ett eget stycke som "
                                            "börjar med ”att”."))
    send_to = TextAreaField(_l("Beslutet skickas till"), render_kw={"rows": 3},
                            description=_l("En mottagare per rad."))
    background = TextAreaField(_l("Ärendet – inledning"), render_kw={"rows": 6})
    development = TextAreaField(_l("Utvecklingsområden"), render_kw={"rows": 6})
    quotes = CheckboxListField(_l("Iakttagelser att citera"), choices=[],
                               validate_choice=False)


class DecisionForm(FlaskForm):
    """The board's decision on a sent report."""

    organ = StringField(_l("Organ som beslutade"), validators=[
        DataRequired(_l("Ange vilket organ som beslutade.")), Length(max=200)])
    date = DateField(_l("Sammanträdesdatum"), validators=[
        DataRequired(_l("Ange datum som ÅÅÅÅ-MM-DD."))])
    paragraph = StringField(_l("Paragraf"), validators=[
        DataRequired(_l("Ange paragrafen i protokollet.")), Length(max=60),
        _matches("PARAGRAPH")])
    diarienummer = StringField(_l("Diarienummer"), validators=[
        DataRequired(_l("Ange ärendets diarienummer.")), Length(max=60),
        _matches("DIARIENUMMER")])
