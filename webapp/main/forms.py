"""Forms of the main pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectField


class LanguageForm(FlaskForm):
    """Switch the interface language."""

    lang = SelectField(choices=[("sv", "Svenska"), ("en", "English")])
    next = HiddenField()
