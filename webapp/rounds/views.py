"""Pages of yearly follow-up rounds: HR's setup and dashboard, the heads' answer forms."""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from webapp.clock import today
from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.i18n import isodate
from webapp.organisation.models import User
from webapp.permissions import can
from webapp.questionnaires.engine import request_formdata
from webapp.questionnaires.services import store_uploads
from webapp.rounds import acceptance
from webapp.rounds import answering
from webapp.rounds import bp
from webapp.rounds import dashboard
from webapp.rounds import mailtexts
from webapp.rounds import services
from webapp.rounds.forms import AnswerForm
from webapp.rounds.forms import DelegateForm
from webapp.rounds.forms import EmailTemplateForm
from webapp.rounds.forms import ExtendForm
from webapp.rounds.forms import ReopenForm
from webapp.rounds.forms import RoundForm
from webapp.rounds.models import ASSIGNMENT_STATE_LABELS
from webapp.rounds.models import Assignment
from webapp.rounds.models import EmailTemplate
from webapp.rounds.models import Round
from webapp.rounds.models import RoundState
from webapp.rounds.models import RoundStateError

MAIL_KINDS = {
    "invitation": "Inbjudan",
    "reminder": "Påminnelse",
    "escalation": "Påminnelse till överordnad chef",
}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"state_labels": ASSIGNMENT_STATE_LABELS, "mail_kinds": MAIL_KINDS}


# --- HR: rounds -----------------------------------------------------------------------------


@bp.route("/rundor")
def index():  # type: ignore[no-untyped-def]
    rounds = db.session.scalars(select(Round).order_by(Round.year.desc(), Round.id.desc())).all()
    return render_template("rounds/index.html", rounds=rounds, today=today())


def _round_values(form: RoundForm) -> dict[str, object]:
    return {
        "title": form.title.data.strip(),
        "year": form.year.data,
        "questionnaire_version_id": answering.freeze_file(form.questionnaire.data).id,
        "opens_on": form.opens_on.data,
        "due_on": form.due_on.data,
        "target_unit_ids": list(form.targets.data),
        "remind_parent_when_overdue": form.remind_parent_when_overdue.data,
    }


@bp.route("/rundor/ny", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = RoundForm(questionnaires=answering.followup_choices())
    if request.method == "GET":
        year = today().year
        form.year.data = year
        form.title.data = _(
            "Årlig uppföljning av aktiva åtgärder inom likabehandling %(year)s", year=year
        )
        form.opens_on.data = today()
        form.due_on.data = today() + dt.timedelta(days=28)
        form.targets.data = services.default_target_ids()
    if form.validate_on_submit():
        round_ = services.create_round(created_by=current_user, **_round_values(form))
        db.session.commit()
        flash(_("Rundan är sparad som utkast. Kontrollera enheterna och öppna den."), "success")
        return redirect(url_for("rounds.dashboard_page", round_id=round_.id))
    return render_template("rounds/form.html", form=form, round=None)


@bp.route("/rundor/<int:round_id>/redigera", methods=["GET", "POST"])
def edit(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    if round_.state != RoundState.DRAFT:
        flash(_("En öppnad runda kan inte ändras; du kan förlänga sista svarsdag."), "error")
        return redirect(url_for("rounds.dashboard_page", round_id=round_.id))
    form = RoundForm(obj=round_, questionnaires=answering.followup_choices())
    if request.method == "GET":
        form.targets.data = list(round_.target_unit_ids)
        form.questionnaire.data = answering.file_of_version(round_.questionnaire_version_id)
    if form.validate_on_submit():
        services.update_round(round_, **_round_values(form))
        db.session.commit()
        flash(_("Ändringarna är sparade."), "success")
        return redirect(url_for("rounds.dashboard_page", round_id=round_.id))
    return render_template("rounds/form.html", form=form, round=round_)


@bp.route("/rundor/<int:round_id>/oppna", methods=["POST"])
def open_round(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    if EmptyForm().validate_on_submit():
        try:
            logs = services.open_round(round_)
        except RoundStateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            failed = sum(not log.ok for log in logs)
            flash(
                _("Rundan är öppnad och %(n)s inbjudningar är skickade.", n=len(logs) - failed),
                "success",
            )
            if failed:
                flash(
                    _("%(n)s inbjudningar kunde inte skickas; se listan nedan.", n=failed), "error"
                )
    return redirect(url_for("rounds.dashboard_page", round_id=round_.id))


@bp.route("/rundor/<int:round_id>")
def dashboard_page(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    view = dashboard.build(
        round_,
        today(),
        status=request.args.get("status", ""),
        parent=request.args.get("parent", ""),
    )
    return render_template(
        "rounds/dashboard.html",
        round=round_,
        view=view,
        extend_form=ExtendForm(),
        today=today(),
        chart_alt=dashboard.chart_alt(view),
    )


@bp.route("/rundor/<int:round_id>/diagram.svg")
def chart(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    svg = dashboard.status_chart_svg(dashboard.build(round_, today()))
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/rundor/<int:round_id>/paminn", methods=["POST"])
def remind(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    if EmptyForm().validate_on_submit():
        try:
            result = services.remind(round_, today())
        except RoundStateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(sent)s påminnelser skickade. %(skipped)s enheter har redan fått en "
                    "påminnelse i dag.",
                    sent=result.sent,
                    skipped=result.skipped_today,
                ),
                "success" if not result.failed else "error",
            )
            if result.failed:
                flash(
                    _("%(n)s påminnelser kunde inte skickas; se listan nedan.", n=result.failed),
                    "error",
                )
    return redirect(url_for("rounds.dashboard_page", round_id=round_.id))


@bp.route("/rundor/<int:round_id>/forlang", methods=["POST"])
def extend(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_round(round_, form.due_on.data)
        except RoundStateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Sista svarsdag är nu %(date)s.", date=form.due_on.data.isoformat()), "success")
    else:
        for error in form.due_on.errors:
            flash(str(error), "error")
    return redirect(url_for("rounds.dashboard_page", round_id=round_.id))


@bp.route("/rundor/<int:round_id>/stang", methods=["POST"])
def close(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(Round, round_id)
    if EmptyForm().validate_on_submit():
        try:
            services.close_round(round_)
        except RoundStateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Rundan är stängd. Inga fler svar tas emot."), "success")
    return redirect(url_for("rounds.dashboard_page", round_id=round_.id))


# --- HR: one unit's answer ------------------------------------------------------------------


def _render_manage(assignment: Assignment, **forms: object) -> str:
    forms.setdefault("reopen_form", ReopenForm())
    forms.setdefault("extend_form", ExtendForm())
    delegate_form = forms.setdefault("delegate_form", DelegateForm())
    if request.method == "GET" and assignment.respondent_id:
        delegate_form.respondent.data = assignment.respondent_id  # type: ignore[attr-defined]
    return render_template(
        "rounds/manage.html",
        assignment=assignment,
        action_form=EmptyForm(),
        today=today(),
        summary=answering.summary(assignment),
        mails=answering.mails_of(assignment),
        **forms,
    )


def _done(assignment: Assignment, message: str):  # type: ignore[no-untyped-def]
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("rounds.manage", assignment_id=assignment.id))


@bp.route("/rundor/svar/<int:assignment_id>/hantera")
def manage(assignment_id: int):  # type: ignore[no-untyped-def]
    return _render_manage(db.get_or_404(Assignment, assignment_id))


@bp.route("/rundor/svar/<int:assignment_id>/ateroppna", methods=["POST"])
def reopen(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            services.reopen(assignment, form.reason.data)
        except RoundStateError as exc:
            form.reason.errors.append(str(exc))
        else:
            return _done(
                assignment,
                _("Svaret är återöppnat. Den som svarar kan nu ändra och skicka in igen."),
            )
    return _render_manage(assignment, reopen_form=form), 400


@bp.route("/rundor/svar/<int:assignment_id>/godkann", methods=["POST"])
def accept(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    if EmptyForm().validate_on_submit():
        try:
            result = acceptance.accept(assignment, current_user)
        except RoundStateError as exc:
            db.session.rollback()  # all or nothing: no measure is half-updated
            flash(str(exc), "error")
        else:
            return _done(
                assignment,
                _(
                    "Svaret är godkänt: %(evaluated)s åtgärder är uppföljda och %(created)s nya "
                    "åtgärder är planerade i åtgärdsregistret.",
                    evaluated=len(result.evaluated),
                    created=len(result.created),
                ),
            )
    return redirect(url_for("rounds.manage", assignment_id=assignment.id))


@bp.route("/rundor/svar/<int:assignment_id>/forlang", methods=["POST"])
def extend_assignment(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_assignment(assignment, form.due_on.data)
        except RoundStateError as exc:
            form.due_on.errors.append(str(exc))
        else:
            return _done(
                assignment,
                _("Enhetens sista svarsdag är nu %(date)s.", date=form.due_on.data.isoformat()),
            )
    return _render_manage(assignment, extend_form=form), 400


@bp.route("/rundor/svar/<int:assignment_id>/delegera", methods=["POST"])
def delegate(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    form = DelegateForm()
    if form.validate_on_submit():
        services.delegate(assignment, db.get_or_404(User, form.respondent.data))
        return _done(assignment, _("Den som svarar är ändrad och har fått en inbjudan."))
    return _render_manage(assignment, delegate_form=form), 400


@bp.route("/rundor/svar/<int:assignment_id>/paminn", methods=["POST"])
def remind_one(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    if EmptyForm().validate_on_submit():
        try:
            result = services.remind(assignment.round, today(), only=assignment)
        except RoundStateError as exc:
            flash(str(exc), "error")
        else:
            if result.skipped_today:
                flash(_("Enheten har redan fått en påminnelse i dag."), "info")
            elif result.failed:
                flash(_("Påminnelsen kunde inte skickas; se mejlloggen nedan."), "error")
            else:
                return _done(assignment, _("Påminnelsen är skickad."))
            db.session.commit()
    return redirect(url_for("rounds.manage", assignment_id=assignment.id))


# --- HR: email texts ------------------------------------------------------------------------


@bp.route("/rundor/mejltexter", methods=["GET", "POST"])
def email_texts():  # type: ignore[no-untyped-def]
    key = request.args.get("text", "invitation")
    if key not in mailtexts.DEFAULTS:
        abort(404)
    subject, body = mailtexts.get(key)
    form = EmailTemplateForm(data={"subject": subject, "body": body})
    if form.validate_on_submit():
        row = db.session.get(EmailTemplate, key) or EmailTemplate(key=key)
        row.subject, row.body = form.subject.data, form.body.data
        row.updated_at = dt.datetime.now(dt.UTC)
        db.session.add(row)
        from webapp import audit

        audit.record("email_text.updated", row, summary=key)
        db.session.commit()
        flash(_("Texten är sparad."), "success")
        return redirect(url_for("rounds.email_texts", text=key))
    return render_template(
        "rounds/email_texts.html",
        form=form,
        key=key,
        texts=mailtexts.DEFAULTS,
        placeholders=mailtexts.PLACEHOLDERS,
    )


# --- Heads: my follow-ups and the answer form -----------------------------------------------


@bp.route("/mina-uppfoljningar")
def mine():  # type: ignore[no-untyped-def]
    assignments = answering.assignments_for(current_user)
    return render_template("rounds/mine.html", assignments=assignments, today=today())


def _editable_or_redirect(assignment: Assignment):  # type: ignore[no-untyped-def]
    """Send the user to the read-only view when the answer can no longer be edited."""
    if not can("assignment.edit", assignment):
        return redirect(url_for("rounds.view", assignment_id=assignment.id))
    if not assignment.is_editable:
        if not assignment.round.is_open:
            flash(
                _(
                    "Rundan är stängd och tar inte emot fler svar. Kontakta HR om du behöver "
                    "lämna eller ändra ett svar."
                ),
                "error",
            )
        return redirect(url_for("rounds.view", assignment_id=assignment.id))
    return None


def _render_answer(
    assignment: Assignment,
    qform,
    meta: AnswerForm,
    status: int = 200,  # type: ignore[no-untyped-def]
    conflict: bool = False,
):
    answers = qform.answers() if qform._answers is not None else (assignment.answers or {})
    done, total = answering.progress(qform, answers)
    return render_template(
        "rounds/answer.html",
        assignment=assignment,
        qform=qform,
        meta=meta,
        done=done,
        total=total,
        conflict=conflict,
        today=today(),
    ), status


def _save_draft(assignment: Assignment, qform) -> None:  # type: ignore[no-untyped-def]
    """Store uploads and the validated answers as the draft; commit (may raise StaleDataError)."""
    answers = store_uploads(qform, current_user, assignment.round_unit.unit_id)
    services.save_draft(assignment, answers, current_user)
    db.session.commit()


def _conflict(assignment: Assignment, qform, meta: AnswerForm):  # type: ignore[no-untyped-def]
    db.session.rollback()
    db.session.refresh(assignment)
    meta.version.data = str(assignment.version)
    return _render_answer(assignment, qform, meta, status=409, conflict=True)


@bp.route("/uppfoljning/<int:assignment_id>", methods=["GET", "POST"])
def answer(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    leave = _editable_or_redirect(assignment)
    if leave is not None:
        return leave
    meta = AnswerForm()
    if request.method == "GET":
        services.mark_opened(assignment)
        db.session.commit()
        meta.version.data = str(assignment.version)
        return _render_answer(assignment, answering.build_form(assignment), meta)
    qform = answering.build_form(assignment, formdata=request_formdata())
    if not meta.validate_on_submit():
        abort(400)
    if qform.add_row_requested:
        return _render_answer(assignment, qform, meta)
    if meta.version.data != str(assignment.version):
        return _conflict(assignment, qform, meta)
    submitting = meta.action.data == "submit"
    if not qform.validate(partial=not submitting):
        flash(_("Svaren är inte sparade. Rätta det som är markerat nedan."), "error")
        return _render_answer(assignment, qform, meta, status=400)
    try:
        _save_draft(assignment, qform)
    except StaleDataError:
        return _conflict(assignment, qform, meta)
    if submitting:
        return redirect(url_for("rounds.confirm", assignment_id=assignment.id))
    flash(_("Utkastet är sparat. Du kan fortsätta senare."), "success")
    return redirect(url_for("rounds.answer", assignment_id=assignment.id))


@bp.route("/uppfoljning/<int:assignment_id>/autospara", methods=["POST"])
def autosave(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    meta = AnswerForm()
    if not can("assignment.edit", assignment) or not assignment.is_editable:
        return jsonify(status="locked", message=_("Svaret kan inte längre ändras.")), 409
    if not meta.validate_on_submit():
        return jsonify(status="invalid", message=_("Sidan har gått ut; ladda om den.")), 400
    if meta.version.data != str(assignment.version):
        return jsonify(
            status="conflict",
            message=_(
                "Någon annan har sparat svaret under tiden. Ladda om sidan innan du fortsätter."
            ),
        ), 409
    qform = answering.build_form(assignment, formdata=request_formdata())
    if not qform.validate(partial=True):
        return jsonify(
            status="invalid",
            message=_("Utkastet sparas inte automatiskt förrän felen är rättade."),
            errors=qform.errors_by_question,
        ), 400
    try:
        _save_draft(assignment, qform)
    except StaleDataError:
        db.session.rollback()
        return jsonify(
            status="conflict",
            message=_(
                "Någon annan har sparat svaret under tiden. Ladda om sidan innan du fortsätter."
            ),
        ), 409
    return jsonify(
        status="saved",
        version=assignment.version,
        message=_(
            "Utkastet sparades automatiskt %(time)s.",
            time=isodate(assignment.updated_at, with_time=True)[-5:],
        ),
    )


@bp.route("/uppfoljning/<int:assignment_id>/skicka-in", methods=["GET", "POST"])
def confirm(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.is_submitted and request.method == "POST":
        # A second click on "Skicka in": the answer is already in; nothing changes.
        flash(_("Svaret är redan inskickat."), "info")
        return redirect(url_for("rounds.view", assignment_id=assignment.id))
    leave = _editable_or_redirect(assignment)
    if leave is not None:
        return leave
    meta = AnswerForm()
    qform = answering.build_form(assignment)
    complete = qform.validate()
    if request.method == "POST" and meta.validate_on_submit():
        if meta.version.data != str(assignment.version):
            flash(
                _(
                    "Någon annan har ändrat svaret sedan du öppnade sidan. Granska svaren igen "
                    "innan du skickar in."
                ),
                "error",
            )
            return redirect(url_for("rounds.confirm", assignment_id=assignment.id))
        if not complete:
            flash(_("Några obligatoriska frågor saknar svar."), "error")
            return redirect(url_for("rounds.answer", assignment_id=assignment.id))
        try:
            services.submit(assignment, qform.answers(), current_user)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(_("Någon annan har ändrat svaret samtidigt. Granska svaren igen."), "error")
            return redirect(url_for("rounds.confirm", assignment_id=assignment.id))
        flash(
            _("Tack! Svaret för %(unit)s är inskickat.", unit=assignment.round_unit.name), "success"
        )
        return redirect(url_for("rounds.view", assignment_id=assignment.id))
    meta.version.data = str(assignment.version)
    return render_template(
        "rounds/confirm.html",
        assignment=assignment,
        meta=meta,
        complete=complete,
        qform=qform,
        summary=answering.summary(assignment),
    )


@bp.route("/uppfoljning/<int:assignment_id>/svar")
def view(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    return render_template(
        "rounds/view.html",
        assignment=assignment,
        summary=answering.summary(assignment),
        today=today(),
    )


@bp.route("/uppfoljning/<int:assignment_id>/svar.pdf")
def view_pdf(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = db.get_or_404(Assignment, assignment_id)
    from reports.render import html_to_pdf

    html = render_template(
        "rounds/answers_pdf.html",
        assignment=assignment,
        summary=answering.summary(assignment),
        today=today(),
    )
    pdf = html_to_pdf(html, base_url=request.url_root)
    from webapp import audit

    audit.record(
        "assignment.exported", assignment, summary=assignment.round_unit.name, format="pdf"
    )
    db.session.commit()
    name = f"uppfoljning-{assignment.round.year}-{assignment.round_unit.unit_code}.pdf"
    return current_app.response_class(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
