"""Results of an anonymous survey: every figure goes through reports.analysis/suppression.

This module only builds the input frame and picks groupings; the minimum-group-size rule
(k, complementary suppression, free texts only for groups >= k) lives in reports/suppression.py
and is never re-implemented here. Results exist only for closed rounds, so nobody can compare
the figures before and after one more answer arrived.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reports import analysis
from reports.suppression import HIDDEN_LABEL
from reports.suppression import SUPPRESSED
from reports.suppression import k_for_kind
from reports.suppression import suppress
from webapp import settings
from webapp.anonymous import services
from webapp.anonymous.models import AnonymousRound

UNIT = "enhet"
SHORT_NAMES = {"kon": "Kön", "aldersgrupp": "Åldersgrupp", "anstallningsform": "Anställningsform"}
NO_ANSWER = "Inget svar"


def current_k() -> int:
    """Return k for anonymous results: the admin's setting through the analysis layer's rule."""
    return k_for_kind("anonymous", settings.get_min_group_size())


def groupings(round_: AnonymousRound) -> list[tuple[str, str]]:
    """Return (value, label) of the groupings HR may choose: units, background, crossings."""
    background = services.background_questions(round_.questionnaire_version.definition)
    names = {q.id: SHORT_NAMES.get(q.id, q.text) for q in background}
    choices = [(UNIT, "Enhet")]
    choices += [(q.id, names[q.id]) for q in background]
    choices += [(f"{UNIT}+{q.id}", f"Enhet och {names[q.id].lower()}") for q in background]
    return choices


BG = "bakgrund_"


def by_columns(value: str) -> list[str]:
    """Return the frame columns of a grouping value ("enhet", "kon", "enhet+kon")."""
    return [part if part == UNIT else BG + part for part in value.split("+")]


def wide_frame(round_: AnonymousRound) -> tuple[pd.DataFrame, list[analysis.QuestionSpec]]:
    """Return the wide frame (one row per response) with unit and background labels."""
    definition = round_.questionnaire_version.definition
    specs = analysis.specs_from_definition(definition)
    names = {u.id: u.name for u in round_.units}
    rows = [{UNIT: names.get(r.round_unit_id, "?"), "answers": r.answers}
            for r in services.responses(round_)]
    frame = pd.DataFrame(rows, columns=[UNIT, "answers"])
    wide = analysis.expand_answers(frame, specs)
    # Background answers become labelled group columns; no answer is a group of its own, so
    # that "unit total minus the visible groups" is covered by complementary suppression too.
    for q in services.background_questions(definition):
        labels = {o.value: o.label for o in q.options}
        wide[BG + q.id] = wide[q.id].map(lambda v, labels=labels: labels.get(v, NO_ANSWER))
    return wide, specs


@dataclass
class QuestionResult:
    """One question's table for the page: header cells and rows of (group, cells)."""

    spec: analysis.QuestionSpec
    header: list[str]
    rows: list[tuple[str, list[str]]]
    texts: list[tuple[str, list[tuple[str, str]]]]  # (group, [(text, digest)])


def _fmt(value: Any, decimals: int = 0, suffix: str = "") -> str:
    if value is None or pd.isna(value):
        return HIDDEN_LABEL
    text = (f"{float(value):.{decimals}f}".replace(".", ",") if decimals
            else str(int(round(float(value)))))
    return text + suffix


def _group_label(row: pd.Series, by: list[str]) -> str:
    if all(row[c] == analysis.TOTAL for c in by):
        return analysis.TOTAL  # once, not once per grouping column
    return " · ".join(str(row[c]) for c in by)


@dataclass
class ResultView:
    """Everything the results page and the exports show, already k-suppressed."""

    k: int
    by: list[str]
    total: int | None
    groups: pd.DataFrame
    questions: list[QuestionResult]
    aggregates: analysis.Aggregates | None


def build_aggregates(round_: AnonymousRound, grouping: str,
                     rng: random.Random | None = None) -> ResultView:
    """Return the suppressed aggregates of a closed round without the page's tables (for the
    charts, which need nothing else)."""
    k = current_k()
    by = by_columns(grouping)
    wide, specs = wide_frame(round_)
    if wide.empty:
        return ResultView(k, by, None, pd.DataFrame(), [], None)
    result = analysis.aggregate(wide, specs, by=by, k=k, rng=rng)
    return ResultView(k, by, None, result.groups, [], result)


def shown_specs(view: ResultView) -> list[analysis.QuestionSpec]:
    """Return the questions a grouping shows: all but the background questions grouped by."""
    specs = view.aggregates.specs if view.aggregates is not None else []
    return [spec for spec in specs if BG + spec.id not in view.by]


def build(round_: AnonymousRound, grouping: str, rng: random.Random | None = None) -> ResultView:
    """Return the suppressed results of a closed round, grouped by `grouping`."""
    view = build_aggregates(round_, grouping, rng)
    result, k, by = view.aggregates, view.k, view.by
    if result is None:
        return view
    total_rows = result.groups[result.groups[by[0]] == analysis.TOTAL]
    total = None if total_rows.empty or pd.isna(total_rows["n"].iloc[0]) else int(
        total_rows["n"].iloc[0])
    questions = []
    for spec in shown_specs(view):
        opts = result.options[result.options["question"] == spec.id]
        scale = result.scales[result.scales["question"] == spec.id]
        means = {tuple(key): mean for key, mean in zip(scale[by].itertuples(index=False),
                                                       scale["mean"], strict=True)}
        header: list[str] = []
        rows: list[tuple[str, list[str]]] = []
        if not opts.empty:
            labels = list(dict.fromkeys(opts["label"]))
            header = ["Antal svar", *labels]
            if spec.type == "scale":
                header.append("Medelvärde")
            for _key, part in opts.groupby(by, sort=False):
                first = part.iloc[0]
                cells = [_fmt(first["n"])] + [_fmt(v, 0, " %") if not pd.isna(v) else HIDDEN_LABEL
                                              for v in part["share"]]
                if spec.type == "scale":
                    # One mask per (group, question) in the analysis layer: a hidden group's
                    # mean is blank already.
                    cells.append(_fmt(means.get(tuple(first[by])), 1))
                rows.append((_group_label(first, by), cells))
        texts: list[tuple[str, list[tuple[str, str]]]] = []
        part = result.texts[result.texts["question"] == spec.id]
        for _key, group in part.groupby(by, sort=False):
            texts.append((_group_label(group.iloc[0], by),
                          [(t, services.text_digest(t)) for t in group["text"]]))
        # The whole organisation first, then the groups by name (as in the chart).
        rows.sort(key=lambda row: (row[0] != analysis.TOTAL, row[0]))
        texts.sort(key=lambda group: (group[0] != analysis.TOTAL, group[0]))
        if rows or texts:
            questions.append(QuestionResult(spec, header, rows, texts))
    return ResultView(k, by, total, result.groups, questions, result)


def participation(round_: AnonymousRound) -> pd.DataFrame:
    """Return submitted answers and the rate per unit (from the snapshot), k-suppressed.

    Columns: enhet, employees, n, rate, suppressed; a TOTAL row last. Hidden cells are NaN.
    """
    counts = services.response_counts(round_)
    table = pd.DataFrame(
        [{UNIT: u.name, "employees": u.employees, "n": counts.get(u.id, 0)} for u in round_.units],
        columns=[UNIT, "employees", "n"])
    table = table.assign(rate=100.0 * table["n"] / table["employees"].where(table["employees"] > 0))
    k = current_k()
    units = suppress(table, k, count_col="n", group_cols=[UNIT], value_cols=["n", "rate"])
    total = pd.DataFrame([{UNIT: analysis.TOTAL, "employees": int(table["employees"].sum()),
                           "n": int(table["n"].sum())}])
    total = total.assign(rate=100.0 * total["n"] / total["employees"].where(total["employees"] > 0))
    total = suppress(total, k, count_col="n", group_cols=[UNIT], value_cols=["n", "rate"])
    return pd.concat([units, total], ignore_index=True)


def participation_rows(round_: AnonymousRound) -> list[tuple[str, int, str, str]]:
    """Return (unit, employees, submitted, rate) as display strings."""
    table = participation(round_)
    return [(r[UNIT], int(r["employees"]), _fmt(r["n"]), _fmt(r["rate"], 0, " %"))
            for _i, r in table.iterrows()]


# -- exports: data first, format last ----------------------------------------------------------


def _cell(value: Any, integer: bool) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return HIDDEN_LABEL
    return int(value) if integer else round(float(value), 1)


INTEGER_COLUMNS = {"n", "count", "dont_know", "sum", "employees"}


def export_tables(view: ResultView) -> dict[str, pd.DataFrame]:
    """Return the aggregate tables of an export (never a raw answer), hidden cells as "–".

    reports.analysis.aggregate hides a (group, question) in every table at once, so the
    `suppressed` flag of each row is all this needs.
    """
    if view.aggregates is None:
        return {}
    result = {}
    for name, table in view.aggregates.tables().items():
        shown = table.drop(columns=[c for c in ("position",) if c in table.columns])
        mask = shown[SUPPRESSED].astype(bool).to_numpy()
        for col in shown.select_dtypes("number").columns:
            values = shown[col].astype(object).where(~mask, None)
            shown[col] = [_cell(v, col in INTEGER_COLUMNS) for v in values]
        result[name] = shown.drop(columns=[SUPPRESSED])
    return result


def to_csv(view: ResultView) -> bytes:
    """Return the export as one CSV (sections one after another), UTF-8 with BOM for Excel."""
    out = io.StringIO()
    for name, table in export_tables(view).items():
        out.write(f"# {name}\n")
        swedish = table.map(lambda v: str(v).replace(".", ",") if isinstance(v, float) else v)
        swedish.to_csv(out, index=False, sep=";")
        out.write("\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(view: ResultView) -> bytes:
    """Return the export as an Excel workbook, one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in export_tables(view).items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
