"""Form pieces shared by several capabilities."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms import Form
from wtforms import PasswordField
from wtforms import SelectMultipleField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import ValidationError


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes; templates render it with the choice_group macro (a fieldset)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST-only buttons."""


def _long_enough(form: Form, field: Field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Lösenordet måste ha minst %(n)s tecken.", n=minimum))


class NewPasswordForm(FlaskForm):
    """Choose a password (invitation, reset and account page)."""

    password = PasswordField(
        _l("Nytt lösenord"),
        validators=[DataRequired(_l("Skriv ett lösenord.")), _long_enough],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "Minst 10 tecken. En fras med flera ord är lätt att minnas och svår att gissa."
        ),
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[
            DataRequired(_l("Skriv lösenordet en gång till.")),
            EqualTo("password", _l("Lösenorden är inte lika.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
