"""Login, logout, invitations, password reset and the user's own account page."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from webapp import audit
from webapp.auth import bp
from webapp.auth import services
from webapp.auth.forms import ForgotPasswordForm
from webapp.auth.forms import LoginForm
from webapp.extensions import db
from webapp.extensions import limiter
from webapp.forms import EmptyForm
from webapp.forms import NewPasswordForm
from webapp.mail import MailError
from webapp.organisation.services import find_user_by_email
from webapp.security import safe_next


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            # The same words whether or not the account exists.
            form.password.errors.append(_("Fel e-postadress eller lösenord."))
        else:
            login_user(user)
            audit.record("user.login", user, summary=user.email)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("Du är utloggad."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    user = services.load_token(token, "invite")
    if user is None:
        return render_template("auth/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data or "")
        audit.record("user.activated", user, summary=user.email)
        db.session.commit()
        login_user(user)
        flash(_("Välkommen! Ditt lösenord är sparat."), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/set_password.html", form=form, user=user, invitation=True)


@bp.route("/glomt-losenord", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data or "")
        if user is not None and user.active:
            try:
                if user.has_password:
                    services.send_password_reset(user)
                else:
                    services.send_invitation(user)
                db.session.commit()
            except MailError:
                current_app.logger.exception("Password reset mail to user %s failed", user.id)
        # Same answer whether or not the address is known.
        flash(_("Om adressen finns hos oss har vi skickat en länk för att välja nytt lösenord."),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/aterstall/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    user = services.load_token(token, "reset")
    if user is None:
        return render_template("auth/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data or "")
        audit.record("user.password_reset", user, summary=user.email)
        db.session.commit()
        flash(_("Ditt nya lösenord är sparat. Logga in med det."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user, invitation=False)


@bp.route("/konto", methods=["GET", "POST"])
def account():  # type: ignore[no-untyped-def]
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(current_user, form.password.data or "")
        audit.record("user.password_changed", current_user, summary=current_user.email)
        db.session.commit()
        # The new stamp ends every other session; this one continues under it.
        login_user(current_user._get_current_object())
        flash(_("Ditt nya lösenord är sparat. Du är utloggad på alla andra enheter."),
              "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)
