"""Results pages: figures per question, areas, response rates, trends, charts and exports.

Views are thin: queries.build() loads and aggregates, the templates show, reports.exports
writes. Scope: HR and admin see every unit; a head sees their own units next to the
organisation totals; board members see totals only and no raw answers.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from reports import analysis
from reports import charts
from reports import exports
from webapp import audit
from webapp.extensions import db
from webapp.i18n import current_language
from webapp.i18n import number
from webapp.questionnaires.schema import AREAS
from webapp.results import bp
from webapp.results import queries
from webapp.results.forms import FilterForm
from webapp.results.forms import TrendForm
from webapp.rounds.models import Round


@bp.context_processor
def _helpers() -> dict[str, Any]:
    from webapp.measures.models import STATUS_LABELS

    return {"fig": _fig, "pct": _pct, "area_labels": AREAS, "TOTAL": analysis.TOTAL,
            "measure_statuses": [str(s) for s in STATUS_LABELS],
            "measure_status_labels": {str(k): v for k, v in STATUS_LABELS.items()}}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fig(value: Any, digits: int = 0) -> str:
    """A number for a table cell; "–" when blank (suppressed or no answers).

    Formatted by hand rather than through Babel: a page of a large round has thousands of
    cells, and the Swedish format (6 000,5) is simple.
    """
    if _blank(value):
        return "–"
    if current_language() != "sv":
        return number(value, digits)
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _pct(value: Any) -> str:
    """A share 0–100 for a table cell: 42,5 %."""
    return "–" if _blank(value) else _fig(value, 1 if value % 1 else 0) + "\u00a0%"


def _round_or_404(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    if round_.state == "draft":
        abort(404)
    return round_


@bp.route("/resultat")
def index():  # type: ignore[no-untyped-def]
    rounds = queries.rounds_for(current_user)
    chosen = request.args.get("round_id", type=int)
    if chosen:
        return redirect(url_for("results.round", round_id=chosen))
    return render_template("results/index.html", rounds=rounds)


def _filters(results: queries.RoundResults) -> FilterForm:
    form = FilterForm(request.args)
    form.round_id.choices = [(r.id, f"{r.year} – {r.title}")
                             for r in queries.rounds_for(current_user)]
    form.round_id.data = results.round.id
    units = [(u, n) for u, n in zip(results.units["unit"], results.units["unit_name"],
                                    strict=True)]
    if not results.scope.raw:
        form.unit.choices = [("", str(analysis.TOTAL)), *units]
    elif results.many_units:
        form.unit.choices = [("", str(analysis.TOTAL)),
                             (queries.ALL_UNITS, _("Alla enheter (%(count)s)", count=len(units))),
                             *units]
    else:
        form.unit.choices = [("", _("Alla enheter")), *units]
    used = sorted({a for s in results.specs for a in s.areas})
    form.area.choices = [("", _("Alla områden")), *[(a, AREAS.get(a, a)) for a in used]]
    area = request.args.get("area", "")
    form.question.choices = [("", _("Alla frågor")),
                             *[(s.id, s.text) for s in queries.shown_specs(results, area)]]
    return form


def _selected_unit(results: queries.RoundResults) -> str:
    """Return the unit filter: "", ALL_UNITS or a unit code the viewer may see (else 403/404)."""
    unit = request.args.get("unit", "")
    if unit == queries.ALL_UNITS:
        return unit
    if unit and unit not in set(results.units["unit"]):
        abort(403) if unit in results.names else abort(404)
    return unit


def _one_unit(unit: str) -> str:
    """Return the chosen unit code, or "" for the organisation or all units."""
    return "" if unit == queries.ALL_UNITS else unit


@bp.route("/resultat/<int:round_id>")
def round(round_id: int):  # type: ignore[no-untyped-def]  # noqa: A001
    round_ = _round_or_404(round_id)
    results = queries.build(round_, current_user)
    unit = _selected_unit(results)
    area = request.args.get("area", "")
    question = request.args.get("question", "")
    form = _filters(results)
    area_columns, area_rows = _area_table(results, unit)
    return render_template(
        "results/round.html", round=round_, results=results, form=form, unit=unit, area=area,
        question=question, one_unit=_one_unit(unit), totals_only=results.totals_only(unit),
        all_units=queries.ALL_UNITS,
        blocks=queries.question_blocks(results, unit, area, question),
        rates=results.rows(results.rates, unit),
        area_columns=area_columns, area_rows=area_rows,
        area_alt=_area_alt(results),
        measures=queries.measure_status(round_.year),
        export_formats=exports.FORMATS)


def _area_table(results: queries.RoundResults, unit: str
                ) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the area table: the area labels (columns) and a row per shown group.

    Groups are rows and areas columns, so a large organisation gives a long table rather than
    one too wide to read.
    """
    table = results.rows(results.areas, unit)
    if table.empty:
        return [], []
    areas = list(dict.fromkeys(table["area"].tolist()))
    rows: dict[str, dict[str, Any]] = {}
    for code, label, area_key, share in zip(table["unit"].tolist(), table["unit_label"].tolist(),
                                            table["area"].tolist(), table["share"].tolist(),
                                            strict=True):
        row = rows.setdefault(code, {"unit": code, "label": label, "cells": {}})
        row["cells"][area_key] = share
    ordered = sorted(rows.values(), key=lambda r: r["unit"] == analysis.TOTAL)
    return [AREAS.get(a, a) for a in areas], [
        {**r, "cells": [r["cells"].get(a) for a in areas]} for r in ordered]


def _area_total(results: queries.RoundResults) -> tuple[list[str], list[float]]:
    total = results.areas[results.areas["unit"] == analysis.TOTAL]
    return ([AREAS.get(a, a) for a in total["area"]], total["share"].tolist())


def _area_alt(results: queries.RoundResults) -> str:
    labels, values = _area_total(results)
    return charts.alt_text_percent("Andel ja per område, hela organisationen", labels, values)


def _shares_table(results: queries.RoundResults, question: str, unit: str) -> Any:
    options = results.result.options
    rows = results.chart_rows(options[options["question"] == question], unit)
    return rows.assign(group=rows["unit_label"])[["group", "label", "share"]]


@bp.route("/resultat/<int:round_id>/diagram.<any(svg, png):image>")
def chart(round_id: int, image: str):  # type: ignore[no-untyped-def]
    round_ = _round_or_404(round_id)
    results = queries.build(round_, current_user)
    kind = request.args.get("typ", "omraden")
    if kind == "fraga":
        question = request.args.get("fraga", "")
        spec = next((s for s in results.specs if s.id == question), None)
        if spec is None:
            abort(404)
        table = _shares_table(results, question, _selected_unit(results))
        groups = table["group"].nunique()
        key = charts.content_key("shares", image, table)

        def draw() -> Any:
            fig, ax = charts.new_figure(7.5, 1.4 + 0.55 * max(groups, 1))
            charts.plot_shares(ax, table)
            return fig
    elif kind == "omraden":
        labels, values = _area_total(results)
        key = charts.content_key("areas", image, "|".join(labels) + repr(values))

        def draw() -> Any:
            fig, ax = charts.new_figure(7.5, 1.0 + 0.5 * max(len(labels), 1))
            charts.plot_percent_bars(ax, labels, values)
            return fig
    else:
        abort(404)
    body = charts.cached_chart(key, image, draw)
    response = current_app.response_class(body, mimetype="image/svg+xml" if image == "svg"
                                          else "image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _trend_series(table: Any, question: str) -> Any:
    rows = table[table["question"] == question]
    return rows.assign(label=rows["label"].astype(str))


@bp.route("/resultat/<int:round_id>/utveckling")
def trend(round_id: int):  # type: ignore[no-untyped-def]
    round_ = _round_or_404(round_id)
    results = queries.build(round_, current_user)
    unit = _one_unit(_selected_unit(results))
    form = TrendForm(request.args)
    candidates = [s for s in results.specs
                  if s.type in analysis.CHOICE_TYPES | {"scale"} | analysis.NUMBER_TYPES]
    form.question.choices = [(s.id, s.text) for s in candidates]
    form.unit.choices = [("", analysis.TOTAL),
                         *[(u, n) for u, n in zip(results.units["unit"],
                                                  results.units["unit_name"], strict=True)]]
    question = request.args.get("question") or (candidates[0].id if candidates else "")
    form.question.data = question
    table = queries.trend(round_, current_user, unit)
    series = _trend_series(table, question)
    years = sorted(table["year"].unique().tolist()) if not table.empty else []
    # The big changes of this round against the year before (the chart shows the history).
    notable = table[table["notable"] & table["year"].eq(round_.year)] if not table.empty \
        else table
    spec = next((s for s in results.specs if s.id == question), None)
    alt = charts.alt_text_trend(spec.text if spec else question, series,
                                unit="%" if (series["kind"] == "share").all() else "")
    rows = []
    for label, part in series.groupby("label", sort=False):
        by_year = {int(r.year): r for r in part.itertuples()}
        rows.append({"label": label, "kind": part["kind"].iloc[0], "years": by_year})
    return render_template(
        "results/trend.html", round=round_, results=results, form=form, unit=unit,
        question=question, spec=spec, rows=rows, years=years, alt=alt,
        wording_changed=bool(series["wording_changed"].any()) if not series.empty else False,
        notable=notable, specs={s.id: s for s in results.specs})


@bp.route("/resultat/<int:round_id>/utveckling/diagram.<any(svg, png):image>")
def trend_chart(round_id: int, image: str):  # type: ignore[no-untyped-def]
    round_ = _round_or_404(round_id)
    results = queries.build(round_, current_user)
    unit = _one_unit(_selected_unit(results))
    question = request.args.get("question", "")
    series = _trend_series(queries.trend(round_, current_user, unit), question)
    share = (series["kind"] == "share").all()

    def draw() -> Any:
        fig, ax = charts.new_figure(7.5, 3.6)
        if not series.empty:
            charts.plot_trend(ax, series, ylabel="Andel (%)" if share else "Värde")
        return fig

    body = charts.cached_chart(charts.content_key("trend", image, series), image, draw)
    return current_app.response_class(body, mimetype="image/svg+xml" if image == "svg"
                                      else "image/png")


def _download(body: Any, fmt: str, stem: str) -> Response:
    filename = f"{stem}.{exports.EXTENSIONS[fmt]}"
    return Response(stream_with_context(body), mimetype=exports.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


# The semicolon CSV for Swedish Excel gets a path of its own that still ends in ".csv".
@bp.route("/resultat/<int:round_id>/export.<any(csv, xlsx):fmt>")
@bp.route("/resultat/<int:round_id>/export-semikolon.csv", defaults={"fmt": "csv-semikolon"})
def export(round_id: int, fmt: str):  # type: ignore[no-untyped-def]
    round_ = _round_or_404(round_id)
    results = queries.build(round_, current_user)
    sheets = queries.aggregate_sheets(results)
    audit.record("round.exported", round_, summary=round_.title, what="aggregates", format=fmt)
    db.session.commit()
    return _download(exports.export(sheets, fmt), fmt, f"resultat-{round_.year}-{round_.id}")


@bp.route("/resultat/<int:round_id>/svar.<any(csv, xlsx):fmt>")
@bp.route("/resultat/<int:round_id>/svar-semikolon.csv", defaults={"fmt": "csv-semikolon"})
def export_raw(round_id: int, fmt: str):  # type: ignore[no-untyped-def]
    round_ = _round_or_404(round_id)
    if queries.definition_of(round_).kind == "anonymous":
        abort(404)  # anonymous rounds export aggregates only
    frame_scope = queries.scope_for(current_user, queries.round_frame(round_.id))
    if not frame_scope.raw:
        abort(403)
    sheet = queries.raw_sheet(round_, frame_scope.unit_codes)
    audit.record("round.exported", round_, summary=round_.title, what="raw", format=fmt)
    db.session.commit()
    return _download(exports.export([sheet], fmt), fmt, f"svar-{round_.year}-{round_.id}")
