"""Pages of the measures register: list, detail, edit, evaluate, extend, import, export, plan."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.audit import AuditEntry
from webapp.clock import today
from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.measures import bp
from webapp.measures import exchange
from webapp.measures import services
from webapp.measures.forms import ORGANISATION_WIDE
from webapp.measures.forms import EvaluationForm
from webapp.measures.forms import FilterForm
from webapp.measures.forms import ImportForm
from webapp.measures.forms import MeasureForm
from webapp.measures.models import AREA_LABELS
from webapp.measures.models import EFFECT_LABELS
from webapp.measures.models import GROUND_LABELS
from webapp.measures.models import STATUS_LABELS
from webapp.measures.models import Area
from webapp.measures.models import Effect
from webapp.measures.models import Ground
from webapp.measures.models import InvalidTransition
from webapp.measures.models import Measure
from webapp.measures.models import Status
from webapp.organisation.models import Unit
from webapp.organisation.services import all_units
from webapp.permissions import can
from webapp.permissions import unit_ids_in_scope


def _scope_units() -> list[Unit]:
    """Return the units the current user may choose, in tree order."""
    scope = unit_ids_in_scope(current_user)
    return [u for u in all_units() if scope is None or u.id in scope]


def _filters() -> tuple[FilterForm, services.MeasureFilter]:
    """Read the list filters from the query string; the current year when none are given."""
    form = FilterForm(request.args, periods=services.periods(), units=_scope_units())
    if not request.args:
        form.period.data = str(services.current_period())
    filters = services.MeasureFilter()
    if form.validate():
        unit = form.unit.data or ""
        filters = services.MeasureFilter(
            period=int(form.period.data) if form.period.data else None,
            unit_id=int(unit) if unit.isdigit() else None,
            organisation_wide=unit == ORGANISATION_WIDE,
            area=form.area.data or None, status=form.status.data or None,
            text=form.q.data or "")
    return form, filters


@bp.route("/atgarder")
def index():  # type: ignore[no-untyped-def]
    form, filters = _filters()
    measures = services.filtered(unit_ids_in_scope(current_user), filters)
    args = {k: v for k, v in request.args.items() if k in form._fields}
    if not request.args and filters.period:
        args["period"] = str(filters.period)
    counts = {s: sum(1 for m in measures if m.status == s) for s in Status}
    return render_template("measures/index.html", form=form, measures=measures, args=args,
                           counts=counts, status_labels=STATUS_LABELS,
                           plan_year=filters.period or services.current_period(),
                           plan_units=[u for u in current_user.headed_units]
                           if not can("measure.organisation_wide") else [])


def _history_rows(entries: list[AuditEntry]) -> list[HistoryRow]:
    return [HistoryRow.from_entry(e) for e in entries]


FIELD_LABELS = {
    "title": "Åtgärd", "description": "Beskrivning", "area": "Område",
    "grounds": "Diskrimineringsgrunder", "goal": "Mål", "purpose": "Syfte",
    "target_group": "Målgrupp", "followup_method": "Uppföljning", "responsible": "Ansvarig",
    "responsible_user_id": "Ansvarig användare", "schedule": "Tidsplan", "deadline": "Klart senast",
    "unit_id": "Enhet", "period": "År", "origin": "Ursprung", "reference": "Referenskod",
    "status": "Status", "effect": "Effekt", "evaluation": "Utvärdering",
}
ACTION_LABELS = {
    "measure.created": "Skapad",
    "measure.updated": "Ändrad",
    "measure.status_changed": "Ny status",
    "measure.evaluated": "Utvärderad",
    "measure.extended": "Förlängd",
    "measure.followup_applied": "Uppföljning godkänd",
}


def _display(field: str, value: Any) -> str:
    if value in (None, "", []):
        return "–"
    if field == "status":
        return STATUS_LABELS.get(Status(value), str(value))
    if field == "effect":
        return EFFECT_LABELS.get(Effect(value), str(value))
    if field == "area":
        return AREA_LABELS.get(Area(value), str(value))
    if field == "grounds":
        return ", ".join(GROUND_LABELS.get(Ground(g), g) for g in value)
    if field == "unit_id":
        unit = db.session.get(Unit, value)
        return unit.name if unit else str(value)
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


@dataclass
class HistoryRow:
    """An audit entry as the detail page shows it."""

    entry: AuditEntry
    label: str
    changes: list[tuple[str, str, str]]

    @classmethod
    def from_entry(cls, entry: AuditEntry) -> HistoryRow:
        """Describe an audit entry in Swedish."""
        raw = (entry.details or {}).get("changes") or {}
        changes = [(FIELD_LABELS.get(k, k), _display(k, v[0]), _display(k, v[1]))
                   for k, v in raw.items() if isinstance(v, list) and len(v) == 2]
        return cls(entry, ACTION_LABELS.get(entry.action, entry.action), changes)


@bp.route("/atgarder/<int:measure_id>")
def detail(measure_id: int):  # type: ignore[no-untyped-def]
    measure = db.get_or_404(Measure, measure_id)
    return render_template("measures/detail.html", measure=measure,
                           history=_history_rows(services.history(measure)),
                           chain=measure.chain(), extend_form=EmptyForm())


def _form(measure: Measure | None) -> MeasureForm:
    return MeasureForm(obj=measure, measure=measure, units=_scope_units(),
                       organisation_wide=can("measure.organisation_wide"))


@bp.route("/atgarder/ny", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = _form(None)
    if request.method == "GET":
        form.period.data = request.args.get("ar", type=int) or services.current_period()
        wanted = request.args.get("enhet", "")
        if wanted in dict(form.unit_id.choices):  # type: ignore[arg-type]
            form.unit_id.data = wanted
    if form.validate_on_submit():
        measure = services.save_measure(None, **form.values())
        db.session.commit()
        flash(_("Åtgärden är sparad."), "success")
        return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=None)


@bp.route("/atgarder/<int:measure_id>/redigera", methods=["GET", "POST"])
def edit(measure_id: int):  # type: ignore[no-untyped-def]
    measure = db.get_or_404(Measure, measure_id)
    form = _form(measure)
    if request.method == "GET":
        form.unit_id.data = str(measure.unit_id) if measure.unit_id else ORGANISATION_WIDE
    if form.validate_on_submit():
        services.save_measure(measure, **form.values())
        db.session.commit()
        flash(_("Ändringarna är sparade."), "success")
        return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=measure)


@bp.route("/atgarder/<int:measure_id>/status", methods=["GET", "POST"])
def evaluate(measure_id: int):  # type: ignore[no-untyped-def]
    measure = db.get_or_404(Measure, measure_id)
    form = EvaluationForm(obj=measure, measure=measure)
    if form.validate_on_submit():
        try:
            services.evaluate(measure, form.status.data, form.effect.data,
                              form.evaluation.data or "")
        except InvalidTransition as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("measures.evaluate", measure_id=measure_id))
        db.session.commit()
        flash(_("Status och utvärdering är sparade."), "success")
        return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/evaluate.html", form=form, measure=measure,
                           extend_form=EmptyForm())


@bp.route("/atgarder/<int:measure_id>/forlang", methods=["POST"])
def extend(measure_id: int):  # type: ignore[no-untyped-def]
    measure = db.get_or_404(Measure, measure_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        successor = services.extend(measure)
    except InvalidTransition as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("measures.detail", measure_id=measure_id))
    db.session.commit()
    flash(_("Åtgärden är förlängd till %(year)s. Se över tidsplan och mål för det nya året.",
            year=successor.period), "success")
    return redirect(url_for("measures.detail", measure_id=successor.id))


@bp.route("/atgarder/export.<any(csv, xlsx):fmt>")
def export(fmt: str):  # type: ignore[no-untyped-def]
    _form_unused, filters = _filters()
    measures = services.filtered(unit_ids_in_scope(current_user), filters)
    headers, rows = exchange.export_table(measures)
    name = f"atgarder-{filters.period or 'alla'}"
    if fmt == "xlsx":
        return Response(exchange.to_xlsx(headers, rows), headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    delimiter = ";" if request.args.get("avgransare") == "semikolon" else ","
    return Response(exchange.to_csv(headers, rows, delimiter), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


# -- import: upload -> dry run preview -> confirm -------------------------------------------

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _import_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "measure-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(token: str) -> Path:
    if not TOKEN.match(token):
        abort(404)
    for suffix in (".csv", ".xlsx"):
        path = _import_folder() / f"{token}{suffix}"
        if path.exists():
            return path
    abort(404)


@bp.route("/atgarder/import", methods=["GET", "POST"])
def import_upload():  # type: ignore[no-untyped-def]
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "import.csv"
        data = upload.read()
        try:
            plan = exchange.plan_import(*exchange.read_table(filename, data))
        except exchange.ImportError_ as exc:
            plan = exchange.ImportPlan(problems=exc.problems)
        if not plan.ok:
            return render_template("measures/import.html", form=form, problems=plan.problems,
                                   filename=filename, columns=exchange.COLUMNS), 422
        token = secrets.token_urlsafe(24)
        suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
        (_import_folder() / f"{token}{suffix}").write_bytes(data)
        (_import_folder() / f"{token}.name").write_text(Path(filename).name[:100])
        return render_template("measures/import_preview.html", plan=plan, token=token,
                               status_labels=STATUS_LABELS,
                               filename=filename, confirm_form=EmptyForm())
    return render_template("measures/import.html", form=form, problems=[],
                           columns=exchange.COLUMNS)


@bp.route("/atgarder/import/<token>", methods=["POST"])
def import_confirm(token: str):  # type: ignore[no-untyped-def]
    path = _stored(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        plan = exchange.plan_import(*exchange.read_table(path.name, path.read_bytes()))
    except exchange.ImportError_ as exc:
        plan = exchange.ImportPlan(problems=exc.problems)
    if not plan.ok:  # the register changed since the dry run
        return render_template("measures/import.html", form=ImportForm(), problems=plan.problems,
                               filename=path.name, columns=exchange.COLUMNS), 422
    name_file = path.with_suffix(".name")
    source = name_file.read_text() if name_file.exists() else path.name
    exchange.apply_import(plan, source=source)
    db.session.commit()
    path.unlink(missing_ok=True)
    name_file.unlink(missing_ok=True)
    flash(_("Importen är klar: %(new)s nya och %(updated)s ändrade åtgärder.",
            new=plan.count("ny"), updated=plan.count("ändrad")), "success")
    return redirect(url_for("measures.index", period=""))


# -- the printable yearly plan ---------------------------------------------------------------


@bp.route("/atgarder/plan", defaults={"year": None})
@bp.route("/atgarder/plan/<int:year>")
def plan(year: int | None):  # type: ignore[no-untyped-def]
    year = year or services.current_period()
    return render_template("measures/plan.html", year=year, unit=None,
                           groups=services.plan(year), endpoint="measures.plan", args={},
                           today=today())


@bp.route("/atgarder/plan/<int:year>/enhet/<int:unit_id>")
def unit_plan(year: int, unit_id: int):  # type: ignore[no-untyped-def]
    unit = db.get_or_404(Unit, unit_id)
    return render_template("measures/plan.html", year=year, unit=unit,
                           groups=services.plan(year, unit), endpoint="measures.unit_plan",
                           args={"unit_id": unit.id}, today=today())
