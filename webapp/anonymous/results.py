"""Results of an anonymous survey: every figure goes through reports.analysis/suppression.

This module only builds the input frame and picks groupings; the minimum-group-size rule
(k, complementary suppression, free texts only for groups >= k) lives in reports/suppression.py
and is never re-implemented here. Results exist only for closed rounds, so nobody can compare
the figures before and after one more answer arrived.

The answers are read with one SQL query as JSON text (webapp.answer_frames), and the
suppressed aggregates of a grouping are kept in a small process-local cache keyed by the
round's state in the database (`round_state`), so the page, its chart images and the exports
aggregate once per state; the free texts are shuffled again on every read.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from reports import analysis
from reports.perf import LRUCache
from reports.perf import gc_paused
from reports.suppression import HIDDEN_LABEL
from reports.suppression import SUPPRESSED
from reports.suppression import k_for_kind
from reports.suppression import suppress
from webapp import settings
from webapp.anonymous import services
from webapp.anonymous.models import AnonymousResponse
from webapp.anonymous.models import AnonymousRound
from webapp.answer_frames import answers_text
from webapp.answer_frames import read_answers
from webapp.audit import AuditEntry
from webapp.extensions import db

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


def _response_select(round_id: int) -> Select[Any]:
    """Select the round's responses as (round_unit_id, answers as JSON text), in id order."""
    return (select(AnonymousResponse.round_unit_id, answers_text(AnonymousResponse.answers))
            .where(AnonymousResponse.round_id == round_id).order_by(AnonymousResponse.id))


def wide_frame(round_: AnonymousRound) -> tuple[pd.DataFrame, list[analysis.QuestionSpec]]:
    """Return the wide frame (one row per response) with unit and background labels."""
    definition = round_.questionnaire_version.definition
    specs = analysis.specs_from_definition(definition)
    names = {u.id: u.name for u in round_.units}
    rows = read_answers(_response_select(round_.id))
    frame = pd.DataFrame({UNIT: rows["round_unit_id"].map(names).fillna("?"),
                          "answers": rows["answers"]})
    wide = analysis.expand_answers(frame, specs)
    # Background answers become labelled group columns; no answer is a group of its own, so
    # that "unit total minus the visible groups" is covered by complementary suppression too.
    for q in services.background_questions(definition):
        labels = {o.value: o.label for o in q.options}
        wide[BG + q.id] = wide[q.id].map(labels).fillna(NO_ANSWER)
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


def group_labels(table: pd.DataFrame, by: list[str]) -> pd.Series:
    """Return each row's group label ("Enhet 1 · Kvinna"); the whole organisation once, not
    once per grouping column."""
    parts = [table[c].astype(str) for c in by]
    joined = parts[0].str.cat(parts[1:], sep=" · ") if len(parts) > 1 else parts[0]
    return joined.where(~(table[by] == analysis.TOTAL).all(axis=1), analysis.TOTAL)


def _total_first(item: tuple[str, Any]) -> tuple[bool, str]:
    """Sort key of (group label, ...): the whole organisation first, then the groups by name
    (as in the chart)."""
    return item[0] != analysis.TOTAL, item[0]


@dataclass
class ResultView:
    """Everything the results page and the exports show, already k-suppressed."""

    k: int
    by: list[str]
    total: int | None
    groups: pd.DataFrame
    questions: list[QuestionResult]
    aggregates: analysis.Aggregates | None


# -- the aggregate cache ---------------------------------------------------------------------

# Entries of (round state, grouping, k): every grouping of one survey and a few more. At
# 25,000 answers one takes 1-2 MiB (units, a background question), 11-12 MiB (a crossing).
CACHE_SIZE = 8
_CACHE: LRUCache[analysis.Aggregates] = LRUCache(CACHE_SIZE)


def round_state(round_: AnonymousRound) -> tuple[Any, ...]:
    """Return what a round's results depend on, as read from the database now.

    The database and the round (its id and creation time: ids restart in a fresh database),
    its state, closing and retention, the number of stored answers (new ones, or deleted by
    retention), and HR's redactions of free texts, the only change to a stored answer (each is
    audited in the same transaction). A change of any of these gives a new cache key, in every
    process of the app. Two small indexed queries: no answer is read.
    """
    answers = db.session.scalar(select(func.count()).select_from(AnonymousResponse)
                                .where(AnonymousResponse.round_id == round_.id))
    redactions = db.session.execute(
        select(func.count(AuditEntry.id), func.max(AuditEntry.id))
        .where(AuditEntry.action == services.REDACTED_ACTION,
               AuditEntry.object_type == AnonymousRound.__name__,
               AuditEntry.object_id == str(round_.id))).one()
    return (str(db.engine.url), round_.id, round_.created_at, round_.state, round_.closed_at,
            round_.raw_deleted_on, answers, *redactions)


# The expanded answers of the survey state viewed last, so that the next grouping HR picks
# skips reading and expanding them again (about half of a first view). One entry: raw answers
# stay in memory only while their state is current (a redaction or retention is a new key)
# and only until another survey is viewed.
_ANSWERS: LRUCache[tuple[pd.DataFrame, list[analysis.QuestionSpec]]] = LRUCache(1)


def _aggregate(round_: AnonymousRound, state: tuple[Any, ...], by: list[str], k: int
               ) -> analysis.Aggregates | None:
    """Return the suppressed aggregates of every response, or None when there is none.

    The collector is held off while the answers are read, expanded and aggregated: they are
    many small objects kept at once (see reports/perf.py).
    """
    with gc_paused():
        wide, specs = _ANSWERS.get_or_compute(state, lambda: wide_frame(round_))
        return _aggregate_answers(wide, specs, by, k)


def _aggregate_answers(wide: pd.DataFrame, specs: list[analysis.QuestionSpec], by: list[str],
                       k: int) -> analysis.Aggregates | None:
    """Aggregate the expanded answers with the k rule (see `_aggregate`)."""
    if wide.empty:
        return None
    return analysis.aggregate(wide, specs, by=by, k=k, finer=published_beside(by))


def published_beside(by: list[str]) -> list[str] | None:
    """Return the crossing a grouping is published beside, if it is coarser than one.

    A background question alone (kön over the whole organisation) sits beside the unit table
    and the unit x kön crossing; the analysis layer then shows a group of it only where it adds
    up cells the crossing shows, so the tables together reveal nothing below k.
    """
    return [UNIT, *by] if UNIT not in by else None


def _reshuffled(texts: pd.DataFrame, by: list[str], rng: random.Random | None) -> pd.DataFrame:
    """Return the free texts in a new random order inside each (group, question).

    The cached aggregates keep one order; each read gets its own, as if aggregated anew. The
    texts are put in a fixed order first, so that a seeded `rng` always gives the same order.
    """
    if texts.empty:
        return texts
    block = texts.groupby([*by, "question"], sort=False, dropna=False).ngroup().to_numpy()
    canonical = np.lexsort((texts["text"].to_numpy(dtype=str), block))
    seed = (rng or random.SystemRandom()).getrandbits(64)
    keys = np.random.default_rng(seed).random(len(texts))
    order = canonical[np.lexsort((keys, block[canonical]))]
    return texts.iloc[order].reset_index(drop=True)


def build_aggregates(round_: AnonymousRound, grouping: str,
                     rng: random.Random | None = None) -> ResultView:
    """Return the suppressed aggregates of a closed round without the page's tables (for the
    charts, which need nothing else).

    Computed once per (round state, grouping, k) and cached (see `round_state`); the free
    texts come in a new random order on each call.
    """
    k = current_k()
    by = by_columns(grouping)
    state = round_state(round_)
    result = _CACHE.get_or_compute((*state, grouping, k), lambda: _aggregate(round_, state, by, k))
    if result is None:
        return ResultView(k, by, None, pd.DataFrame(), [], None)
    result = replace(result, texts=_reshuffled(result.texts, by, rng))
    return ResultView(k, by, None, result.groups, [], result)


def shown_specs(view: ResultView) -> list[analysis.QuestionSpec]:
    """Return the questions a grouping shows: all but the background questions grouped by."""
    specs = view.aggregates.specs if view.aggregates is not None else []
    return [spec for spec in specs if BG + spec.id not in view.by]


def _option_rows(options: pd.DataFrame, by: list[str]
                 ) -> tuple[dict[str, dict[str, None]], dict[str, dict[str, list[str]]]]:
    """Return per question its option labels (in order) and per group label the cells: the
    number of answers and each option's share (one pass over the options table)."""
    labels: dict[str, dict[str, None]] = {}
    rows: dict[str, dict[str, list[str]]] = {}
    for qid, group, n, label, share in zip(
            options["question"].tolist(), group_labels(options, by).tolist(),
            options["n"].tolist(), options["label"].tolist(), options["share"].tolist(),
            strict=True):
        labels.setdefault(qid, {})[label] = None
        cells = rows.setdefault(qid, {}).get(group)
        if cells is None:
            cells = rows[qid][group] = [_fmt(n)]
        cells.append(_fmt(share, 0, " %"))
    return labels, rows


Table = tuple[list[str], list[tuple[str, list[str]]]]  # header, rows of (group, cells)


def _question_tables(result: analysis.Aggregates, by: list[str]) -> dict[str, Table]:
    """Return per question with options the page's table; a scale's has its mean last (blank
    where analysis.aggregate hid the group: one mask per (group, question))."""
    labels, rows = _option_rows(result.options, by)
    scales = result.scales
    keys = zip(scales["question"].tolist(), group_labels(scales, by).tolist(), strict=True)
    means = dict(zip(keys, scales["mean"].tolist(), strict=True))
    scale_ids = {spec.id for spec in result.specs if spec.type == "scale"}
    tables = {}
    for qid, groups in rows.items():
        header = ["Antal svar", *labels[qid]]
        if qid in scale_ids:
            header.append("Medelvärde")
            for group, cells in groups.items():
                cells.append(_fmt(means.get((qid, group)), 1))
        tables[qid] = (header, sorted(groups.items(), key=_total_first))
    return tables


def _question_texts(texts: pd.DataFrame, by: list[str]
                    ) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """Return per question the free texts by group label, in the table's (random) order, each
    with the digest its redact button sends."""
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for qid, group, text in zip(texts["question"].tolist(), group_labels(texts, by).tolist(),
                                texts["text"].tolist(), strict=True):
        out.setdefault(qid, {}).setdefault(group, []).append((text, services.text_digest(text)))
    return {qid: sorted(groups.items(), key=_total_first) for qid, groups in out.items()}


def _total(groups: pd.DataFrame, by: list[str]) -> int | None:
    """Return the number of responses, or None when it is hidden."""
    rows = groups[groups[by[0]] == analysis.TOTAL]
    return None if rows.empty or pd.isna(rows["n"].iloc[0]) else int(rows["n"].iloc[0])


def build(round_: AnonymousRound, grouping: str, rng: random.Random | None = None) -> ResultView:
    """Return the suppressed results of a closed round, grouped by `grouping`."""
    view = build_aggregates(round_, grouping, rng)
    result, by = view.aggregates, view.by
    if result is None:
        return view
    tables = _question_tables(result, by)
    texts = _question_texts(result.texts, by)
    questions = [QuestionResult(spec, *tables.get(spec.id, ([], [])), texts.get(spec.id, []))
                 for spec in shown_specs(view) if spec.id in tables or spec.id in texts]
    return ResultView(view.k, by, _total(result.groups, by), result.groups, questions, result)


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
