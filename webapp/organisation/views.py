"""Pages for the organisation tree and the users."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.services import send_invitation
from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.mail import MailError
from webapp.organisation import bp
from webapp.organisation import services
from webapp.organisation.forms import UnitForm
from webapp.organisation.forms import UserForm
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User
from webapp.permissions import can
from webapp.permissions import unit_ids_in_scope


@bp.route("/organisation")
def tree():  # type: ignore[no-untyped-def]
    scope = unit_ids_in_scope(current_user)
    if scope is None:
        tops = services.roots()
    else:
        # A head sees the subtrees they head, each from its top.
        tops = [u for u in current_user.headed_units
                if not any(a.id in scope for a in u.ancestors())]
    return render_template("organisation/tree.html", tops=tops)


@bp.route("/organisation/enheter/<int:unit_id>")
def unit(unit_id: int):  # type: ignore[no-untyped-def]
    unit = db.get_or_404(Unit, unit_id)
    return render_template("organisation/unit.html", unit=unit)


def _unit_values(form: UnitForm) -> dict[str, object]:
    return {
        "name": form.name.data.strip(),
        "code": form.code.data.strip(),
        "kind": form.kind.data,
        "parent_id": form.parent_id.data,
        "employees": form.employees.data or 0,
        "active": form.active.data,
    }


def _selected_users(ids: list[int]) -> list[User]:
    return [u for u in (db.session.get(User, i) for i in ids) if u is not None]


@bp.route("/organisation/enheter/ny", methods=["GET", "POST"])
def unit_new():  # type: ignore[no-untyped-def]
    form = UnitForm()
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        unit = services.save_unit(None, heads=_selected_users(form.heads.data),
                                  **_unit_values(form))
        db.session.commit()
        flash(_("Enheten %(name)s är skapad.", name=unit.name), "success")
        return redirect(url_for("organisation.unit", unit_id=unit.id))
    return render_template("organisation/unit_form.html", form=form, unit=None)


@bp.route("/organisation/enheter/<int:unit_id>/redigera", methods=["GET", "POST"])
def unit_edit(unit_id: int):  # type: ignore[no-untyped-def]
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit, unit=unit)
    if request.method == "GET":
        form.heads.data = [u.id for u in unit.heads]
    if form.validate_on_submit():
        services.save_unit(unit, heads=_selected_users(form.heads.data), **_unit_values(form))
        db.session.commit()
        flash(_("Ändringarna är sparade."), "success")
        return redirect(url_for("organisation.unit", unit_id=unit.id))
    return render_template("organisation/unit_form.html", form=form, unit=unit)


@bp.route("/anvandare")
def users():  # type: ignore[no-untyped-def]
    return render_template("organisation/users.html", users=services.all_users(),
                           invite_form=EmptyForm())


def _invite(user: User) -> None:
    if not user.active:  # the link would only lead to "link invalid"
        flash(_("Ingen inbjudan skickades: kontot för %(email)s är inte aktivt. Aktivera det "
                "först.", email=user.email), "error")
        return
    try:
        send_invitation(user)
        flash(_("Inbjudan är skickad till %(email)s.", email=user.email), "success")
    except MailError:
        current_app.logger.exception("Invitation to user %s failed", user.id)
        flash(_("Inbjudan kunde inte skickas till %(email)s. Kontrollera e-postinställningarna "
                "och försök igen från användarlistan.", email=user.email), "error")


def _user_values(form: UserForm) -> dict[str, object]:
    return {"name": form.name.data.strip(), "email": form.email.data,
            "title": form.title.data or "", "role": form.role.data, "active": form.active.data}


def _units(ids: list[int]) -> list[Unit]:
    return [u for u in (db.session.get(Unit, i) for i in ids) if u is not None]


@bp.route("/anvandare/ny", methods=["GET", "POST"])
def user_new():  # type: ignore[no-untyped-def]
    form = UserForm(may_grant_admin=can("user.grant_admin"))
    if request.method == "GET":
        form.role.data = Role.HEAD.value
    if form.validate_on_submit():
        user = services.save_user(None, headed_units=_units(form.units.data), **_user_values(form))
        db.session.commit()
        flash(_("Användaren %(name)s är skapad.", name=user.name), "success")
        if form.send_invitation.data:
            _invite(user)
            db.session.commit()
        return redirect(url_for("organisation.users"))
    return render_template("organisation/user_form.html", form=form, user=None)


@bp.route("/anvandare/<int:user_id>/redigera", methods=["GET", "POST"])
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    if user.role == Role.ADMIN and not can("user.grant_admin"):
        abort(403)
    form = UserForm(obj=user, user=user, may_grant_admin=can("user.grant_admin"))
    if request.method == "GET":
        form.units.data = [u.id for u in user.headed_units]
    if form.validate_on_submit():
        if user.id == current_user.id and (not form.active.data or form.role.data != user.role):
            flash(_("Du kan inte ändra din egen roll eller stänga ditt eget konto."), "error")
        else:
            services.save_user(user, headed_units=_units(form.units.data), **_user_values(form))
            db.session.commit()
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("organisation.users"))
    return render_template("organisation/user_form.html", form=form, user=user)


@bp.route("/anvandare/<int:user_id>/bjud-in", methods=["POST"])
def user_invite(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        if user.has_password:
            flash(_("%(name)s har redan valt lösenord.", name=user.name), "info")
        else:
            _invite(user)
            db.session.commit()
    return redirect(url_for("organisation.users"))
