"""Board report pages: draft → edit → preview → download → sent → decision → archive.

Thin views: load, check, run the form, call a service, commit once, flash and redirect.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from reports import board_report as br
from reports import render
from webapp.boardreports import bp
from webapp.boardreports import services
from webapp.boardreports.forms import CreateForm
from webapp.boardreports.forms import DecisionForm
from webapp.boardreports.forms import EditForm
from webapp.boardreports.models import TEXT_SECTIONS
from webapp.boardreports.models import BoardReport
from webapp.boardreports.models import ReportStateError
from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.organisation.models import Role
from webapp.rounds.models import Round


def _key(quote: br.QuotedText | dict[str, str]) -> str:
    """A stable key of a free text for the checklist."""
    item = quote if isinstance(quote, dict) else quote.__dict__
    raw = "\0".join((item["unit"], item["question"], item["text"]))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@bp.route("/rapporter")
def index():  # type: ignore[no-untyped-def]
    board = current_user.role == Role.BOARD
    form = CreateForm()
    rounds = services.rounds_without_report()
    form.round_id.choices = [(r.id, r.title) for r in rounds]
    # The usual case is last year's closed round, not the one still collecting answers.
    closed = [r.id for r in rounds if r.state == "closed"]
    if closed and not form.is_submitted():
        form.round_id.data = closed[0]
    return render_template("boardreports/index.html", years=services.by_year(board),
                           form=form, board=board)


@bp.route("/rapporter/ny", methods=["POST"])
def create():  # type: ignore[no-untyped-def]
    form = CreateForm()
    form.round_id.choices = [(r.id, r.title) for r in services.rounds_without_report()]
    if not form.validate_on_submit():
        flash(_("Välj en runda att skriva rapporten för."), "error")
        return redirect(url_for("boardreports.index"))
    report = services.create_draft(db.get_or_404(Round, form.round_id.data))
    db.session.commit()
    flash(_("Ett utkast till rapporten är skapat. Gå igenom texterna och spara."), "success")
    return redirect(url_for("boardreports.edit", report_id=report.id))


@bp.route("/rapporter/<int:report_id>", methods=["GET", "POST"])
def edit(report_id: int):  # type: ignore[no-untyped-def]
    report = db.get_or_404(BoardReport, report_id)
    candidates = services.quote_candidates(report.round)
    by_key = {_key(q): q for q in candidates}
    form = EditForm(obj=report)
    form.quotes.choices = [(k, q.text) for k, q in by_key.items()]
    if not form.is_submitted():
        form.quotes.data = [_key(q) for q in report.quotes or []]
    if report.is_editable and form.validate_on_submit():
        chosen = [by_key[k].__dict__ for k in by_key if k in (form.quotes.data or [])]
        values = {name: getattr(form, name).data or "" for name in TEXT_SECTIONS}
        values.update(organ=form.organ.data.strip(), author=form.author.data.strip(),
                      report_date=form.report_date.data, diarienummer=form.diarienummer.data)
        services.update(report, chosen, **values)
        db.session.commit()
        flash(_("Rapporten är sparad."), "success")
        return redirect(url_for("boardreports.edit", report_id=report.id))
    if form.is_submitted() and not report.is_editable:
        abort(409)
    checks = services.completeness(report)
    grouped: dict[str, list[tuple[str, br.QuotedText]]] = {}
    for key, quote in by_key.items():
        grouped.setdefault(quote.question, []).append((key, quote))
    return render_template("boardreports/edit.html", report=report, form=form, checks=checks,
                           grouped=grouped, button=EmptyForm(),
                           decision=DecisionForm(organ=report.organ,
                                                 diarienummer=report.diarienummer))


@bp.route("/rapporter/<int:report_id>/forhandsgranska")
def preview(report_id: int):  # type: ignore[no-untyped-def]
    report = db.get_or_404(BoardReport, report_id)
    body = render.board_body(services.document(report))
    return render_template("boardreports/preview.html", report=report, body=body)


@bp.route("/rapporter/<int:report_id>/dokument.<any(pdf, docx):ext>")
def document(report_id: int, ext: str):  # type: ignore[no-untyped-def]
    report = db.get_or_404(BoardReport, report_id)
    out = services.rendered(report, ext)
    return Response(out.data, mimetype=out.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{out.filename}"'})


def _change_state(report_id: int, change: Any, done: str):  # type: ignore[no-untyped-def]
    """Run a state change of the report on a valid POST; flash its error or `done`."""
    report = db.get_or_404(BoardReport, report_id)
    if EmptyForm().validate_on_submit():
        try:
            change(report)
        except ReportStateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("boardreports.edit", report_id=report.id))


@bp.route("/rapporter/<int:report_id>/skicka", methods=["POST"])
def mark_sent(report_id: int):  # type: ignore[no-untyped-def]
    return _change_state(report_id, services.mark_sent,
                         _("Rapporten är markerad som skickad till nämnden."))


@bp.route("/rapporter/<int:report_id>/utkast", methods=["POST"])
def back_to_draft(report_id: int):  # type: ignore[no-untyped-def]
    return _change_state(report_id, services.back_to_draft,
                         _("Rapporten är ett utkast igen och kan ändras."))


@bp.route("/rapporter/<int:report_id>/beslut", methods=["GET", "POST"])
def decision(report_id: int):  # type: ignore[no-untyped-def]
    report = db.get_or_404(BoardReport, report_id)
    form = DecisionForm(organ=report.organ, diarienummer=report.diarienummer)
    if form.validate_on_submit():
        try:
            services.approve(report, form.organ.data.strip(), form.date.data,
                             form.paragraph.data, form.diarienummer.data, current_user)
        except ReportStateError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Beslutet är registrerat och rapporten är arkiverad."), "success")
            return redirect(url_for("boardreports.edit", report_id=report.id))
    return render_template("boardreports/decision.html", report=report, form=form,
                           example_dnr=current_app.config["DIARIENUMMER_EXAMPLE"],
                           example_paragraph=current_app.config["PARAGRAPH_EXAMPLE"])


@bp.route("/rapporter/<int:report_id>/arkiv.pdf")
def archived(report_id: int):  # type: ignore[no-untyped-def]
    report = db.get_or_404(BoardReport, report_id)
    if not report.is_approved:
        abort(404)
    try:
        data = services.archived_pdf(report)
    except services.ArchiveError as exc:
        current_app.logger.error("Archived board report %s: %s", report.id, exc)
        abort(500)
    name = services.filename(report, "pdf")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-SHA256": report.archive_sha256 or ""})


