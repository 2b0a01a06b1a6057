"""Read rounds into pandas with one SQL query each, and put them through reports.analysis.

The web side of the analysis layer: it knows the models, the user's scope and the k setting;
everything it computes is done by reports.analysis on DataFrames.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from reports import analysis
from reports import charts
from reports.perf import LRUCache
from reports.suppression import DEFAULT_K
from reports.suppression import k_for_kind
from webapp.answer_frames import answers_text
from webapp.answer_frames import read_answers
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import User
from webapp.permissions import unit_ids_in_scope
from webapp.questionnaires.models import QuestionnaireVersion
from webapp.rounds.models import Assignment
from webapp.rounds.models import AssignmentState
from webapp.rounds.models import Round
from webapp.rounds.models import RoundUnit

META = ["response", "unit", "unit_name", "parent_name", "unit_id", "position", "state",
        "submitted_at", "respondent"]


def configured_min_group_size() -> int:
    """Return the admin's minimum group size (k) for anonymous results.

    The setting lives with the anonymous surveys (webapp.settings.get_min_group_size); until
    that module exists, app.config["MIN_GROUP_SIZE"] (default 5) is used. This is the one
    function the results pages ask; reports/ receives the number as a parameter.
    """
    try:
        from webapp import settings  # type: ignore[attr-defined]
    except ImportError:
        return int(current_app.config.get("MIN_GROUP_SIZE", DEFAULT_K))
    return int(settings.get_min_group_size())


def _round_select(round_id: int) -> Select[Any]:
    """Select one row per assignment of the round, answers as the stored JSON text."""
    return (
        select(Assignment.id.label("response"), answers_text(Assignment.answers),
               Assignment.state, Assignment.submitted_at, RoundUnit.unit_code.label("unit"),
               RoundUnit.name.label("unit_name"), RoundUnit.parent_name, RoundUnit.unit_id,
               RoundUnit.position, User.name.label("respondent"))
        .join(RoundUnit, Assignment.round_unit_id == RoundUnit.id)
        .outerjoin(User, User.id == Assignment.submitted_by_id)
        .where(Assignment.round_id == round_id)
        .order_by(RoundUnit.position, RoundUnit.id)
    )


def round_frame(round_id: int) -> pd.DataFrame:
    """Return one row per assignment of the round, with its answers dict (one SQL query)."""
    frame = read_answers(_round_select(round_id))
    return frame.assign(submitted_at=pd.to_datetime(frame["submitted_at"], utc=True))


@dataclass
class Scope:
    """Which groups a user sees next to the organisation totals."""

    unit_codes: list[str] | None  # None: every unit
    raw: bool  # may see per-unit answers, free texts and raw exports

    def visible(self, codes: pd.Series) -> pd.Series:
        """Return a mask of the unit codes this scope shows."""
        if self.unit_codes is None:
            return pd.Series(True, index=codes.index)
        return codes.isin(self.unit_codes)


def scope_for(user: Any, frame: pd.DataFrame) -> Scope:
    """HR and admin see every unit; a head their own units; board members totals only.

    :param frame: any frame with `unit` (code) and `unit_id` columns, e.g. round_frame().
    """
    if user.role == Role.BOARD:
        return Scope(unit_codes=[], raw=False)
    ids = unit_ids_in_scope(user)
    if ids is None:
        return Scope(unit_codes=None, raw=True)
    codes = frame.loc[frame["unit_id"].isin(list(ids)), "unit"].tolist()
    return Scope(unit_codes=codes, raw=True)


# The unit filter's value for "every unit the viewer sees, question by question".
ALL_UNITS = "*"
# With more units than this in view and no unit chosen, the questions show the organisation
# totals only (and link to a comparison of all units per question): 25 questions x 51 rows
# is neither readable nor quick to render. Response rates and areas always show every unit.
UNIT_ROWS_LIMIT = 10


@dataclass
class RoundResults:
    """A round's aggregates for one viewer."""

    round: Round
    specs: list[analysis.QuestionSpec]
    result: analysis.Aggregates
    rates: pd.DataFrame
    areas: pd.DataFrame
    units: pd.DataFrame  # unit, unit_name of the units the viewer sees
    scope: Scope
    k: int
    anonymous: bool
    names: dict[str, str] = field(default_factory=dict)  # unit code -> name

    def rows(self, table: pd.DataFrame, unit: str = "") -> pd.DataFrame:
        """Return the table's rows the viewer may see: their units (or `unit`) and TOTAL."""
        if table.empty:
            return table
        codes = table["unit"]
        one = unit and unit != ALL_UNITS
        shown = codes.eq(analysis.TOTAL) | (
            self.scope.visible(codes) & (codes.eq(unit) if one else True))
        rows = table[shown]
        return rows.assign(unit_label=rows["unit"].map(self.names).fillna(rows["unit"]))

    @property
    def many_units(self) -> bool:
        """Whether the viewer sees too many units to show them all under every question."""
        return len(self.units) > UNIT_ROWS_LIMIT

    def totals_only(self, unit: str) -> bool:
        """Whether the questions show the organisation totals only (no unit chosen)."""
        return not unit and self.many_units

    def question_rows(self, table: pd.DataFrame, unit: str = "") -> pd.DataFrame:
        """Return the rows of a question table: TOTAL only, or the viewer's units and TOTAL."""
        if self.totals_only(unit) and not table.empty:
            return self.rows(table[table["unit"] == analysis.TOTAL])
        return self.rows(table, unit)

    def chart_rows(self, table: pd.DataFrame, unit: str = "") -> pd.DataFrame:
        """Return the groups a question's chart draws: as the table, but TOTAL only when the
        table lists more units than a chart can show readably."""
        if unit == ALL_UNITS and self.many_units and not table.empty:
            return self.rows(table[table["unit"] == analysis.TOTAL])
        return self.question_rows(table, unit)


def definition_of(round_: Round) -> Any:
    """Return the frozen definition of the round's questionnaire."""
    return round_.questionnaire_version.definition


CACHE_SIZE = 32
_CACHE: LRUCache[tuple[Any, ...]] = LRUCache(CACHE_SIZE)


def _fingerprint(round_: Round, k: int) -> tuple[Any, ...]:
    """What identifies a round's answers: any saved, submitted or reopened answer changes it."""
    row = db.session.execute(
        select(func.count(Assignment.id), func.max(Assignment.updated_at),
               func.max(Assignment.submitted_at), func.max(Assignment.reopened_at),
               func.sum(Assignment.version))
        .where(Assignment.round_id == round_.id)).one()
    return (str(db.engine.url), round_.id, round_.created_at, k, *map(str, row))


def _aggregate(round_: Round, frame: pd.DataFrame | None,
               rng: random.Random | None) -> tuple[Any, ...]:
    """Return (specs, kind, k, units, result, rates, areas), cached by the answers' fingerprint.

    `units` has one row per unit of the round (unit, unit_name, unit_id), in round order.
    """
    definition = definition_of(round_)
    k = k_for_kind(definition.kind, configured_min_group_size())
    if frame is None and rng is None:
        return _CACHE.get_or_compute(_fingerprint(round_, k), lambda: _aggregate_frame(
            definition, k, round_frame(round_.id)))
    return _aggregate_frame(definition, k, round_frame(round_.id) if frame is None else frame, rng)


def _aggregate_frame(definition: Any, k: int, frame: pd.DataFrame,
                     rng: random.Random | None = None) -> tuple[Any, ...]:
    """Return _aggregate's tuple, computed from a round frame."""
    specs = analysis.specs_from_definition(definition)
    submitted = frame[frame["state"] == AssignmentState.SUBMITTED]
    wide = analysis.expand_answers(submitted, specs)
    result = analysis.aggregate(wide, specs, by="unit", k=k, rng=rng)
    rates = analysis.response_rates(frame, by="unit", submitted=AssignmentState.SUBMITTED)
    areas = analysis.area_table(result.options, specs, by="unit")
    units = frame[["unit", "unit_name", "unit_id"]].drop_duplicates("unit").reset_index(drop=True)
    return (specs, definition.kind, k, units, result, rates, areas)


def build(round_: Round, user: Any, rng: random.Random | None = None,
          frame: pd.DataFrame | None = None) -> RoundResults:
    """Load and aggregate a round for `user` (frame: prepared rows, e.g. in the benchmark).

    The aggregates are computed once per state of the answers (an in-process cache keyed by
    the round's answer fingerprint); the user's scope is applied afterwards.
    """
    specs, kind, k, all_units, result, rates, areas = _aggregate(round_, frame, rng)
    anonymous = kind == "anonymous"
    scope = scope_for(user, all_units)
    units = all_units.loc[scope.visible(all_units["unit"]), ["unit", "unit_name"]]
    names = dict(zip(all_units["unit"], all_units["unit_name"], strict=True))
    names[analysis.TOTAL] = analysis.TOTAL
    return RoundResults(round=round_, specs=specs, result=result, rates=rates, areas=areas,
                        units=units, scope=scope, k=k, anonymous=anonymous, names=names)


def rounds_for(user: Any) -> list[Round]:
    """Return the rounds with results, newest first (drafts have none)."""
    return list(db.session.scalars(
        select(Round).where(Round.state != "draft").order_by(Round.year.desc(), Round.id.desc())))


def family_rounds(round_: Round) -> list[Round]:
    """Return the rounds of the same questionnaire (key) up to this round's year, oldest first."""
    key = round_.questionnaire_version.key
    return list(db.session.scalars(
        select(Round).join(QuestionnaireVersion, Round.questionnaire_version_id ==
                           QuestionnaireVersion.id)
        .where(QuestionnaireVersion.key == key, Round.year <= round_.year,
               Round.state != "draft")
        .order_by(Round.year, Round.id)))


def trend(round_: Round, user: Any, unit: str = "", threshold: float = 15.0) -> pd.DataFrame:
    """Return the trend table of the round's questionnaire across years.

    :param unit: a current unit code: its earlier codes (reorganisations) are followed back.
    """
    from webapp.rounds.services import unit_codes_before

    yearly: dict[int, pd.DataFrame] = {}
    texts: dict[int, dict[str, str]] = {}
    for item in family_rounds(round_):
        results = build(item, user)
        group = analysis.TOTAL
        options = results.result
        if unit:
            codes = unit_codes_before(unit)
            mapping = {code: unit for code in codes}
            wide_units = results.result.options
            if not wide_units["unit"].isin(codes).any():
                continue
            options = analysis.Aggregates(
                by=["unit"], k=results.k, specs=results.specs,
                options=analysis.remap_units(wide_units[wide_units["unit"].isin(codes)],
                                             mapping),
                scales=_one_unit(results.result.scales, codes, unit),
                numbers=_one_unit(results.result.numbers, codes, unit),
                texts=results.result.texts.iloc[0:0], groups=results.result.groups)
            group = unit
        yearly[item.year] = analysis.key_figures(options, group=group)
        texts[item.year] = {s.id: s.text for s in results.specs}
    return analysis.trend_table(yearly, texts=texts, threshold=threshold)


def _one_unit(table: pd.DataFrame, codes: Sequence[str], unit: str) -> pd.DataFrame:
    """Rows of the first of `codes` present (a unit's value under an old code), as `unit`."""
    rows = table[table["unit"].isin(codes)]
    return rows.assign(unit=unit).drop_duplicates([c for c in rows.columns
                                                   if c in ("question", "item")])


# --- exports: the data first; the view picks the format -----------------------------------

RAW_META_HEADERS = {"unit": "Enhetskod", "unit_name": "Enhet", "parent_name": "Ligger under",
                    "respondent": "Svarande", "state": "Status", "submitted_at": "Inskickad"}


def raw_sheet(round_: Round, unit_codes: Sequence[str] | None) -> Any:
    """Return the raw named answers as a streaming sheet: one row per unit, a column per value.

    Rows are read from the database in batches (yield_per), never all at once.
    """
    from reports.exports import Sheet

    specs = analysis.specs_from_definition(definition_of(round_))
    columns = [c for spec in specs for c in analysis.value_columns(spec)]
    stmt = (
        select(RoundUnit.unit_code, RoundUnit.name, RoundUnit.parent_name, User.name,
               Assignment.state, Assignment.submitted_at, Assignment.answers)
        .join(RoundUnit, Assignment.round_unit_id == RoundUnit.id)
        .outerjoin(User, User.id == Assignment.submitted_by_id)
        .where(Assignment.round_id == round_.id)
        .order_by(RoundUnit.position, RoundUnit.id)
        .execution_options(yield_per=500)
    )
    if unit_codes is not None:
        stmt = stmt.where(RoundUnit.unit_code.in_(list(unit_codes)))

    def rows() -> Any:
        for code, name, parent, respondent, state, submitted_at, answers in (
                db.session.execute(stmt)):
            flat = pd.json_normalize(answers or {}, max_level=1).to_dict("records")
            values = flat[0] if flat else {}
            yield [code, name, parent, respondent or "", state, submitted_at,
                   *[values.get(c) for c in columns]]

    return Sheet(name="Svar", headers=[*RAW_META_HEADERS.values(), *columns], rows=rows())


AGGREGATE_HEADERS = {
    "svarsfrekvens": {"unit_label": "Enhet", "assignments": "Antal enheter",
                      "submitted": "Inskickade", "rate": "Svarsfrekvens (%)"},
    "svarsalternativ": {"unit_label": "Enhet", "question": "Fråga", "option": "Svar (kod)",
                        "label": "Svar", "count": "Antal", "n": "Antal svarande",
                        "share": "Andel (%)", "suppressed": "Dold (för få svar)"},
    "skalor": {"unit_label": "Enhet", "question": "Fråga", "n": "Antal svarande",
               "mean": "Medelvärde", "median": "Median", "dont_know": "Vet ej",
               "suppressed": "Dold (för få svar)"},
    "tal": {"unit_label": "Enhet", "question": "Fråga", "item": "Delfråga", "label": "Etikett",
            "n": "Antal svarande", "sum": "Summa", "mean": "Medelvärde", "median": "Median",
            "suppressed": "Dold (för få svar)"},
    "omraden": {"unit_label": "Enhet", "area": "Område", "questions": "Antal frågor",
                "n": "Antal svar", "yes": "Antal ja", "share": "Andel ja (%)"},
    "fritext": {"unit_label": "Enhet", "question": "Fråga", "text": "Svar"},
}


def aggregate_sheets(results: RoundResults) -> list[Any]:
    """Return every aggregate table the viewer may see, with Swedish headers."""
    from reports.exports import sheet_from_frame

    tables = {
        "svarsfrekvens": results.rates,
        "svarsalternativ": results.result.options,
        "skalor": results.result.scales,
        "tal": results.result.numbers,
        "omraden": results.areas,
    }
    if results.scope.raw:
        tables["fritext"] = results.result.texts
    return [sheet_from_frame(SHEET_NAMES[name], results.rows(table), AGGREGATE_HEADERS[name])
            for name, table in tables.items()]


SHEET_NAMES = {"svarsfrekvens": "Svarsfrekvens", "svarsalternativ": "Svarsalternativ",
               "skalor": "Skalor", "tal": "Tal", "omraden": "Områden", "fritext": "Fritext"}


# --- what the page shows ---------------------------------------------------------------------

@dataclass
class QuestionBlock:
    """One question on the results page: its spec and the tables the viewer may see."""

    spec: analysis.QuestionSpec
    options: pd.DataFrame  # long rows for this question
    pivot: list[dict[str, Any]]  # one row per group: label, n, suppressed, [(count, share)]
    scales: pd.DataFrame
    numbers: pd.DataFrame
    texts: list[tuple[str, list[str]]]  # (unit label, texts)
    alt: str = ""  # the chart in words
    text_count: int = 0  # free texts the viewer may read (shown or behind a link)
    text_units: int = 0  # units they come from

    @property
    def chartable(self) -> bool:
        """Whether the question has option shares to draw."""
        return not self.options.empty


SHOWN_TYPES = analysis.CHOICE_TYPES | {"scale"} | analysis.NUMBER_TYPES | analysis.TEXT_TYPES


def shown_specs(results: RoundResults, area: str = "", question: str = ""
                ) -> list[analysis.QuestionSpec]:
    """Return the questions the page lists, filtered by area (question tags) and question."""
    return [s for s in results.specs if s.type in SHOWN_TYPES
            and (not area or area in s.areas) and (not question or s.id == question)]


def _of_questions(table: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    return table if table.empty else table[table["question"].isin(ids)]


def _by_question(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Split a table by question in one pass."""
    if table.empty:
        return {}
    return {str(q): part for q, part in table.groupby("question", sort=False)}


def _pivots(options: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Return per question the rows of its table: one per group with (count, share) cells."""
    out: dict[str, list[dict[str, Any]]] = {}
    if options.empty:
        return out
    index: dict[tuple[str, str], dict[str, Any]] = {}
    columns = ["question", "unit_label", "n", "suppressed", "count", "share"]
    for qid, label, n, suppressed, count, share in zip(
            *(options[c].tolist() for c in columns), strict=True):
        row = index.get((qid, label))
        if row is None:
            row = {"label": label, "n": n, "suppressed": bool(suppressed), "cells": []}
            index[(qid, label)] = row
            out.setdefault(qid, []).append(row)
        row["cells"].append((count, share))
    return out


def _text_groups(texts: pd.DataFrame) -> dict[str, list[tuple[str, list[str]]]]:
    """Return per question the free texts grouped by unit label, in table order."""
    out: dict[str, dict[str, list[str]]] = {}
    if texts.empty:
        return {}
    for qid, label, text in zip(texts["question"].tolist(), texts["unit_label"].tolist(),
                                texts["text"].tolist(), strict=True):
        out.setdefault(qid, {}).setdefault(str(label), []).append(text)
    return {q: list(groups.items()) for q, groups in out.items()}


def question_blocks(results: RoundResults, unit: str = "", area: str = "",
                    question: str = "") -> list[QuestionBlock]:
    """Return the page's question blocks, filtered by unit, area and question.

    With many units in view and no unit chosen (RoundResults.totals_only), every table has the
    organisation's row only, and free texts are counted rather than listed.
    """
    specs = shown_specs(results, area, question)
    ids = {s.id for s in specs}
    result = results.result
    options = results.question_rows(_of_questions(result.options, ids), unit)
    charted = _by_question(results.chart_rows(_of_questions(result.options, ids), unit))
    pivots = _pivots(options)
    by_question = _by_question(options)
    scales = _by_question(results.question_rows(_of_questions(result.scales, ids), unit))
    numbers = _by_question(results.question_rows(_of_questions(result.numbers, ids), unit))
    texts: dict[str, list[tuple[str, list[str]]]] = {}
    counts: dict[str, tuple[int, int]] = {}
    if results.scope.raw:
        visible = results.rows(_of_questions(result.texts, ids), unit)
        if not visible.empty:
            per = visible.groupby("question", sort=False)["unit"].agg(["size", "nunique"])
            counts = {str(q): (int(r[0]), int(r[1])) for q, r in
                      zip(per.index, per.to_numpy(), strict=True)}
        if not results.totals_only(unit):
            texts = _text_groups(visible)
    empty = pd.DataFrame()
    blocks = []
    for spec in specs:
        opts = by_question.get(spec.id, empty)
        chart = charted.get(spec.id, empty)
        alt = charts.alt_text_shares(
            spec.text, chart.assign(group=chart["unit_label"])) if not chart.empty else ""
        text_count, text_units = counts.get(spec.id, (0, 0))
        blocks.append(QuestionBlock(
            spec=spec, options=opts, pivot=pivots.get(spec.id, []), alt=alt,
            scales=scales.get(spec.id, empty), numbers=numbers.get(spec.id, empty),
            texts=texts.get(spec.id, []), text_count=text_count, text_units=text_units))
    return blocks


def measure_status(period: int) -> pd.DataFrame:
    """Return the measures of a period per area and status (one SQL query)."""
    from webapp.measures.models import AREA_LABELS
    from webapp.measures.models import STATUS_LABELS
    from webapp.measures.models import Measure

    frame = pd.read_sql(select(Measure.area, Measure.status).where(Measure.period == period),
                        db.session.connection())
    table = analysis.measure_status(frame, [str(s) for s in STATUS_LABELS])
    labels = {str(k): v for k, v in AREA_LABELS.items()}
    return table.assign(area_label=table["area"].map(labels).fillna(table["area"]))
