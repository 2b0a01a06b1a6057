"""Forms of the results pages: GET filters (no CSRF: they change nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class FilterForm(FlaskForm):
    """Pick round, unit, area and question."""

    class Meta:
        csrf = False

    round_id = SelectField(_l("Runda"), coerce=int, validate_choice=False)
    unit = SelectField(_l("Enhet"), validate_choice=False)
    area = SelectField(_l("Område"), validate_choice=False)
    question = SelectField(_l("Fråga"), validate_choice=False)


class TrendForm(FlaskForm):
    """Pick the question and unit of the year-over-year comparison."""

    class Meta:
        csrf = False

    question = SelectField(_l("Fråga"), validate_choice=False)
    unit = SelectField(_l("Enhet"), validate_choice=False)
