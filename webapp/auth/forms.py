"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        _l("E-postadress"),
        validators=[DataRequired(_l("Skriv din e-postadress."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Lösenord"),
        validators=[DataRequired(_l("Skriv ditt lösenord."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = StringField()


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(
        _l("E-postadress"),
        validators=[
            DataRequired(_l("Skriv din e-postadress.")),
            Email(_l("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
                  check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )
