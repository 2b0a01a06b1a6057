"""Pages of anonymous surveys: HR's setup, codes and results; the respondents' survey.

Respondent pages (under /enkat) are public and leave no trace: no audit entry, no log line
(the werkzeug access log and Flask-Limiter messages for these paths are filtered out), and the
rate limiter keys on a keyed, daily-rotating hash of the address, never the address itself.
The code travels in the form body and the signed session cookie, never in a URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp import settings
from webapp.anonymous import bp
from webapp.anonymous import charts
from webapp.anonymous import forms
from webapp.anonymous import results
from webapp.anonymous import services
from webapp.anonymous.models import AnonymousRound
from webapp.anonymous.models import AnonymousRoundState
from webapp.anonymous.models import AnonymousStateError
from webapp.anonymous.models import AnonymousUnit
from webapp.clock import today
from webapp.extensions import db
from webapp.extensions import limiter
from webapp.forms import EmptyForm
from webapp.permissions import can
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import request_formdata

SURVEY_PREFIX = "/enkat"
CODE_KEY = "anon_code"
LINK_KEY = "anon_link"
CODE_MESSAGES = {
    "unknown": _l("Koden finns inte. Kontrollera att du har skrivit av den rätt."),
    "used": _l("Koden är redan använd. Varje kod kan bara skicka in ett svar, och ett "
               "inskickat svar kan inte ändras."),
    "closed": _l("Enkäten är inte öppen för svar just nu."),
}


# -- no traces for the survey routes ------------------------------------------------------------


class _DropSurveyRecords(logging.Filter):
    """Drop access-log and rate-limit records that concern the anonymous survey paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a broken record is not ours to judge)
            return True
        # anonymous.css is only loaded by survey (and HR) pages: its line would tell when an
        # address opened the survey.
        return not any(mark in message for mark in (f" {SURVEY_PREFIX}", "anonymous."))


_FILTER = _DropSurveyRecords()


@bp.record_once
def _install_log_filters(state: object) -> None:
    for name in ("werkzeug", "flask-limiter"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def _limit_key() -> str:
    """Return a keyed hash of the client address that changes every day (never the address)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    seed = f"ratelimit:{dt.date.today().isoformat()}:{request.remote_addr or ''}"
    return hmac.new(secret, seed.encode(), hashlib.sha256).hexdigest()[:20]


def _link_key() -> str:
    """Key shared by everyone trying the same open link (stops distributed guessing)."""
    return "link:" + hashlib.sha256(str(request.view_args).encode()).hexdigest()[:20]


def _word_limit() -> str:
    return str(current_app.config.get("ANONYMOUS_WORD_RATE_LIMIT", "10 per minute;30 per hour"))


def _code_limit() -> str:
    return str(current_app.config.get("ANONYMOUS_CODE_RATE_LIMIT", "20 per minute;100 per hour"))


# -- respondents: with a code ------------------------------------------------------------------


@bp.route(SURVEY_PREFIX, methods=["GET", "POST"])
@limiter.limit(_code_limit, key_func=_limit_key, methods=["POST"])
def start():  # type: ignore[no-untyped-def]
    form = forms.EnterCodeForm()
    if form.validate_on_submit():
        code = services.normalize_code(form.code.data)
        assert code is not None
        try:
            services.unit_of_code(code, today())
        except services.CodeError as exc:
            form.code.errors.append(str(CODE_MESSAGES[exc.reason]))
        else:
            session[CODE_KEY] = code
            return redirect(url_for("anonymous.answer"))
    return render_template("anonymous/start.html", form=form)


def _survey_form(unit: AnonymousUnit, data: dict[str, object] | None) -> QuestionnaireForm:
    return QuestionnaireForm(unit.round.questionnaire_version.definition,
                             formdata=request_formdata(), data=data)


@bp.route(f"{SURVEY_PREFIX}/svar", methods=["GET", "POST"])
def answer():  # type: ignore[no-untyped-def]
    code = session.get(CODE_KEY)
    if not code:
        return redirect(url_for("anonymous.start"))
    try:
        unit = services.unit_of_code(code, today())
    except services.CodeError as exc:
        session.pop(CODE_KEY, None)
        flash(str(CODE_MESSAGES[exc.reason]), "error")
        return redirect(url_for("anonymous.start"))
    meta = forms.AnswerActionForm()
    qform = _survey_form(unit, services.load_draft(code))
    if meta.validate_on_submit() and not qform.add_row_requested:
        if meta.action.data == "draft":
            if qform.validate(partial=True):
                services.save_draft(code, qform.answers(), today())
                db.session.commit()
                session.pop(CODE_KEY, None)
                return redirect(url_for("anonymous.saved"))
        elif qform.validate():
            try:
                services.submit_with_code(code, qform.answers(), today())
            except services.CodeError as exc:
                db.session.rollback()
                session.pop(CODE_KEY, None)
                flash(str(CODE_MESSAGES[exc.reason]), "error")
                return redirect(url_for("anonymous.start"))
            db.session.commit()
            session.pop(CODE_KEY, None)
            return redirect(url_for("anonymous.thanks"))
    return render_template("anonymous/answer.html", qform=qform, meta=meta, unit=unit,
                           with_draft=True)


@bp.route(f"{SURVEY_PREFIX}/sparat")
def saved():  # type: ignore[no-untyped-def]
    return render_template("anonymous/saved.html")


@bp.route(f"{SURVEY_PREFIX}/tack")
def thanks():  # type: ignore[no-untyped-def]
    return render_template("anonymous/thanks.html")


# -- respondents: open link with a code word -------------------------------------------------


def _open_unit(token: str) -> AnonymousUnit:
    unit = services.unit_by_link(token)
    if unit is None:
        abort(404)
    return unit


@bp.route(f"{SURVEY_PREFIX}/l/<token>", methods=["GET", "POST"])
@limiter.limit(_word_limit, key_func=_limit_key, methods=["POST"])
@limiter.limit("300 per hour", key_func=_link_key, methods=["POST"])
def link(token: str):  # type: ignore[no-untyped-def]
    unit = _open_unit(token)
    form = forms.EnterWordForm()
    open_now = unit.round.accepts_answers(today())
    if open_now and form.validate_on_submit():
        if services.check_code_word(unit, form.code_word.data):
            session[LINK_KEY] = token
            return redirect(url_for("anonymous.link_answer", token=token))
        form.code_word.errors.append(_("Fel kodord. Fråga din chef eller HR om kodordet."))
    return render_template("anonymous/link.html", form=form, unit=unit, open_now=open_now)


@bp.route(f"{SURVEY_PREFIX}/l/<token>/svar", methods=["GET", "POST"])
@limiter.limit(_code_limit, key_func=_limit_key, methods=["POST"])
def link_answer(token: str):  # type: ignore[no-untyped-def]
    unit = _open_unit(token)
    if session.get(LINK_KEY) != token or not unit.round.accepts_answers(today()):
        return redirect(url_for("anonymous.link", token=token))
    meta = forms.AnswerActionForm()
    qform = _survey_form(unit, None)
    if meta.validate_on_submit() and not qform.add_row_requested and qform.validate():
        services.submit_open(unit, qform.answers(), today())
        db.session.commit()
        session.pop(LINK_KEY, None)
        return redirect(url_for("anonymous.thanks"))
    return render_template("anonymous/answer.html", qform=qform, meta=meta, unit=unit,
                           with_draft=False)


# -- HR ------------------------------------------------------------------------------------------


@bp.route("/medarbetarenkat")
def index():  # type: ignore[no-untyped-def]
    rounds = db.session.scalars(select(AnonymousRound).order_by(AnonymousRound.year.desc(),
                                                                AnonymousRound.id.desc())).all()
    return render_template("anonymous/index.html", rounds=rounds)


@bp.route("/medarbetarenkat/ny", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = forms.AnonymousRoundForm(questionnaires=services.anonymous_choices())
    if request.method == "GET":
        form.year.data = today().year
        form.title.data = _("Medarbetarenkät om likabehandling %(year)s", year=today().year)
        form.opens_on.data = today()
        form.closes_on.data = today() + dt.timedelta(days=21)
    if form.validate_on_submit():
        try:
            version = services.freeze_file(form.questionnaire.data)
            round_ = services.create_round(
                title=form.title.data.strip(), year=form.year.data,
                questionnaire_version_id=version.id, opens_on=form.opens_on.data,
                closes_on=form.closes_on.data, target_unit_ids=list(form.targets.data),
                created_by=current_user)
        except AnonymousStateError as exc:
            db.session.rollback()
            form.questionnaire.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Enkäten är sparad som utkast. Öppna den när enheterna stämmer."), "success")
            return redirect(url_for("anonymous.detail", survey_id=round_.id))
    return render_template("anonymous/form.html", form=form)


@bp.route("/medarbetarenkat/<int:survey_id>")
def detail(survey_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    batch = forms.CodeBatchForm()
    batch.unit.choices = [(u.id, u.name) for u in round_.units]
    return render_template(
        "anonymous/detail.html", round=round_, action_form=EmptyForm(), batch_form=batch,
        word_form=forms.CodeWordForm(), k=results.current_k(),
        participation=results.participation_rows(round_) if round_.units else [],
        retention_months=settings.get_retention_months())


def _round_action(survey_id: int, action: str):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    if EmptyForm().validate_on_submit():
        try:
            if action == "open":
                services.open_round(round_)
                message = _("Enkäten är öppen. Skapa koder eller slå på en öppen länk per enhet.")
            else:
                services.close_round(round_, today())
                message = _("Enkäten är stängd. Alla koder och utkast är raderade.")
        except AnonymousStateError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for("anonymous.detail", survey_id=round_.id))


@bp.route("/medarbetarenkat/<int:survey_id>/oppna", methods=["POST"])
def open_round(survey_id: int):  # type: ignore[no-untyped-def]
    return _round_action(survey_id, "open")


@bp.route("/medarbetarenkat/<int:survey_id>/stang", methods=["POST"])
def close_round(survey_id: int):  # type: ignore[no-untyped-def]
    return _round_action(survey_id, "close")


def _unit_of(round_: AnonymousRound, unit_id: object) -> AnonymousUnit | None:
    return next((u for u in round_.units if str(u.id) == str(unit_id)), None)


@bp.route("/medarbetarenkat/<int:survey_id>/koder", methods=["POST"])
def codes(survey_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    form = forms.CodeBatchForm()
    form.unit.choices = [(u.id, u.name) for u in round_.units]
    unit = _unit_of(round_, form.unit.data)
    if not form.validate_on_submit() or unit is None:
        for field in (form.unit, form.count, form.output):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("anonymous.detail", survey_id=round_.id))
    try:
        batch = services.generate_codes(unit, form.count.data)
    except AnonymousStateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("anonymous.detail", survey_id=round_.id))
    db.session.commit()
    survey_url = url_for("anonymous.start", _external=True)
    if form.output.data == "csv":
        lines = ["kod;enhet;adress"] + [f"{c};{unit.name};{survey_url}" for c in batch]
        body = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
        filename = f"koder-{unit.unit_code}-{today().isoformat()}.csv"
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store"})
    return render_template("anonymous/codes.html", round=round_, unit=unit, codes=batch,
                           survey_url=survey_url)


@bp.route("/medarbetarenkat/<int:survey_id>/lank", methods=["POST"])
def code_word(survey_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    form = forms.CodeWordForm()
    unit = _unit_of(round_, form.unit.data)
    if unit is not None and form.validate_on_submit():
        try:
            services.set_code_word(unit, form.code_word.data)
        except AnonymousStateError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Den öppna länken för %(unit)s gäller nu med det nya kodordet.",
                    unit=unit.name), "success")
    else:
        for error in form.code_word.errors:
            flash(str(error), "error")
        if unit is None:
            flash(_("Välj en enhet."), "error")
    return redirect(url_for("anonymous.detail", survey_id=round_.id))


def _has_results(round_: AnonymousRound) -> bool:
    return round_.state == AnonymousRoundState.CLOSED and round_.raw_deleted_on is None


def _grouping(round_: AnonymousRound) -> str:
    """Return the grouping asked for in `?by=`, or units when it is not one of the choices."""
    grouping = request.args.get("by", results.UNIT)
    return grouping if grouping in dict(results.groupings(round_)) else results.UNIT


def _chart_alt_texts(view: results.ResultView) -> dict[str, str]:
    """Return the alt text of each question's chart, for the questions that have one: shares
    to draw for any group (the whole organisation first). The text comes from the same
    k-suppressed table as the image."""
    tables = charts.chart_tables(view)
    return {qr.spec.id: charts.alt_text(view, qr.spec, tables[qr.spec.id])
            for qr in view.questions if charts.chartable(qr.spec) and qr.spec.id in tables}


@bp.route("/medarbetarenkat/<int:survey_id>/resultat")
def results_page(survey_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    form = forms.ResultFilterForm(request.args)
    form.by.choices = results.groupings(round_)
    grouping = form.by.data if form.by.data in dict(form.by.choices) else results.UNIT
    form.by.data = grouping
    view = results.build(round_, grouping) if _has_results(round_) else None
    return render_template("anonymous/results.html", round=round_, form=form, view=view,
                           grouping=grouping, redact_form=forms.RedactForm(),
                           chart_alt=_chart_alt_texts(view) if view is not None else {})


@bp.route("/medarbetarenkat/<int:survey_id>/resultat/diagram.<any(svg, png):image>")
def chart(survey_id: int, image: str):  # type: ignore[no-untyped-def]
    """One question's chart (`?fraga=`) for a grouping (`?by=`); `?smal=1` draws it for a
    phone. Drawn from the k-suppressed aggregates only (webapp/anonymous/charts.py)."""
    round_ = db.get_or_404(AnonymousRound, survey_id)
    if not _has_results(round_):
        abort(404)
    view = results.build_aggregates(round_, _grouping(round_))
    question = request.args.get("fraga", "")
    spec = next((s for s in results.shown_specs(view) if s.id == question), None)
    if spec is None or not charts.chartable(spec):
        abort(404)
    body = charts.image(view, spec, image, narrow=request.args.get("smal") == "1")
    if body is None:
        abort(404)  # no group has k answers: nothing to draw
    response = current_app.response_class(
        body, mimetype="image/svg+xml" if image == "svg" else "image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/medarbetarenkat/<int:survey_id>/resultat.<fmt>")
def export(survey_id: int, fmt: str):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    if not _has_results(round_):
        flash(_("Resultat finns först när enkäten är stängd."), "error")
        return redirect(url_for("anonymous.detail", survey_id=round_.id))
    grouping = _grouping(round_)
    view = results.build_aggregates(round_, grouping)  # the exports hold aggregates only
    if view.aggregates is None:
        flash(_("Enkäten fick inga svar, så det finns inget att exportera."), "error")
        return redirect(url_for("anonymous.results_page", survey_id=round_.id, by=grouping))
    name = f"medarbetarenkat-{round_.year}-{grouping.replace('+', '-')}.{fmt}"
    if fmt == "csv":
        body, mimetype = results.to_csv(view), "text/csv"
    else:
        body = results.to_xlsx(view)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/medarbetarenkat/<int:survey_id>/maskera", methods=["POST"])
def redact(survey_id: int):  # type: ignore[no-untyped-def]
    round_ = db.get_or_404(AnonymousRound, survey_id)
    form = forms.RedactForm()
    grouping = request.args.get("by", results.UNIT)
    if form.validate_on_submit():
        count = services.redact_text(round_, form.question.data, form.digest.data)
        db.session.commit()
        if count:
            flash(_("Fritextsvaret är maskerat. Det går inte att ångra."), "success")
        else:
            flash(_("Svaret hittades inte; det kan redan vara maskerat."), "error")
    return redirect(url_for("anonymous.results_page", survey_id=round_.id, by=grouping))


# -- settings ------------------------------------------------------------------------------------


@bp.route("/installningar/anonymitet", methods=["GET", "POST"])
def settings_page():  # type: ignore[no-untyped-def]
    form = forms.RetentionForm()
    if request.method == "GET":
        form.months.data = settings.get_retention_months()
    if form.validate_on_submit():
        settings.set_retention_months(form.months.data)
        db.session.commit()
        flash(_("Lagringstiden är sparad."), "success")
        return redirect(url_for("anonymous.settings_page"))
    k_form = forms.MinGroupSizeForm(formdata=None, k=settings.get_min_group_size())
    return render_template("anonymous/settings.html", form=form, k_form=k_form,
                           may_set_k=can("settings.min_group_size"))


@bp.route("/installningar/anonymitet/k", methods=["POST"])
def min_group_size():  # type: ignore[no-untyped-def]
    form = forms.MinGroupSizeForm()
    if form.validate_on_submit():
        settings.set_min_group_size(form.k.data)
        db.session.commit()
        flash(_("Minsta gruppstorlek är nu %(k)s.", k=form.k.data), "success")
    else:
        for error in form.k.errors:
            flash(str(error), "error")
    return redirect(url_for("anonymous.settings_page"))
