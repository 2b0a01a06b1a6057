"""Answers -> DataFrames -> aggregate tables. Pure pandas: never imports Flask or the web app.

The pipeline, for a named follow-up round and for an anonymous survey alike::

    from reports import analysis
    from reports.suppression import k_for_kind

    specs = analysis.specs_from_definition(version.definition)      # duck-typed Definition
    wide = analysis.expand_answers(frame, specs)                     # frame: see below
    result = analysis.aggregate(wide, specs, by="unit", k=k_for_kind(kind, configured_k))
    result.options      # counts and shares per option
    result.scales       # mean and median (without "vet ej")
    result.numbers      # sums and means of integers, percentages and integer-group items
    result.texts        # free texts, only for groups of at least k, in random order
    analysis.area_table(result.options, specs)                       # share "ja" per area

Input `frame`: one row per response, an `answers` column holding the stored answer dict (keys
are question ids, values shaped as questionnaires/README.md documents) and any grouping
columns (e.g. `unit`, `unit_name`, or a background question copied out by the caller).
`expand_answers` turns the dicts into the **wide** frame: the frame's other columns plus one
column per stored value, named like `pd.json_normalize` names them: `q` for plain values,
`q.answer`/`q.comment` for yes_partly_no, `q.selected`/`q.other` for multi_choice and
`q.item` for integer_group items. Anything that builds that wide frame directly (the benchmark,
the anonymous survey) can skip `expand_answers`.

`aggregate(wide, specs, by=..., k=...)`: `by` is a column or a list of columns (a crossing,
e.g. ["unit", "kon"]); every output table has the `by` columns, `question` and `n` (the
respondents who answered that question in that group), and one row per group for the whole set
with every `by` column set to TOTAL. All figures of groups with n < k are blank (NaN) and
flagged `suppressed`, with complementary suppression among siblings (see suppression.py).
Every table is long and tidy, ready for charts (reports.charts) and exports (reports.exports).

Across years: `key_figures(result)` gives one value per question and option (a share, a mean
or a sum); `trend_table({year: key_figures, ...}, texts={year: {qid: text}})` lines the years
up, flags changes of at least `threshold` (percentage points for shares) and marks questions
whose wording changed. `remap_units(table, {old_code: new_code})` follows reorganisations.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from reports.suppression import SUPPRESSED
from reports.suppression import suppress
from reports.suppression import suppress_free_text

TOTAL = "Hela organisationen"
DONT_KNOW = "vet_ej"
# Question types and what is computed for them.
CHOICE_TYPES = frozenset({"yes_no", "yes_partly_no", "single_choice", "multi_choice"})
SINGLE_VALUED = frozenset({"yes_no", "yes_partly_no", "single_choice", "scale"})
NUMBER_TYPES = frozenset({"integer", "percentage", "integer_group"})
TEXT_TYPES = frozenset({"text", "textarea"})
YES = "ja"


@dataclass(frozen=True)
class QuestionSpec:
    """What analysis needs to know about one question (no pydantic, no webapp import)."""

    id: str
    type: str
    text: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label), in order
    items: tuple[tuple[str, str], ...] = ()  # integer_group items (id, label)
    areas: tuple[str, ...] = ()
    section: str = ""
    unit: str = ""

    @property
    def labels(self) -> dict[str, str]:
        """Return option value -> label."""
        return dict(self.options)

    @property
    def has_other(self) -> bool:
        """Whether free text may come with the answer (yes_partly_no comment, multi other)."""
        return self.type in ("yes_partly_no", "multi_choice")


def specs_from_definition(definition: Any) -> list[QuestionSpec]:
    """Return the specs of a questionnaire Definition (any object shaped like one)."""
    specs = []
    for section, q in definition.iter_questions():
        options: list[tuple[str, str]] = []
        if q.type == "yes_no":
            options = [("ja", "Ja"), ("nej", "Nej")]
        elif q.type == "yes_partly_no":
            options = [("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej")]
        elif q.type in ("single_choice", "multi_choice"):
            options = [(o.value, o.label) for o in q.options]
        elif q.type == "scale":
            options = [(str(p), q.label_of(p) or str(p)) for p in range(1, q.points + 1)]
            if q.dont_know:
                options.append((DONT_KNOW, q.dont_know_label))
        items = tuple((i.id, i.label) for i in getattr(q, "items", ()) or ())
        specs.append(QuestionSpec(
            id=q.id, type=q.type, text=q.text, options=tuple(options), items=items,
            areas=tuple(q.tags.areas), section=section.title, unit=getattr(q, "unit", "") or ""))
    return specs


# --- answers -> wide ---------------------------------------------------------------------------


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        loaded = json.loads(value)  # SQLite drivers may hand JSON back as text
        return loaded if isinstance(loaded, dict) else {}
    return {}


def expand_answers(frame: pd.DataFrame, specs: Sequence[QuestionSpec] = (),
                   answers_col: str = "answers") -> pd.DataFrame:
    """Return the wide frame: the frame's columns plus one column per stored answer value.

    The answer dicts become columns with `DataFrame.from_records` (one level), and dict-shaped
    answers (yes_partly_no, multi_choice, integer_group) are split one level further, named as
    `pd.json_normalize(..., max_level=1)` names them. Columns every spec needs exist even when
    nobody answered (all NaN), so later steps never have to ask.
    """
    dicts = frame[answers_col].map(_as_dict)
    top = pd.DataFrame.from_records(dicts.tolist(), index=frame.index)
    parts = [frame.drop(columns=[answers_col])]
    nested = {s.id for s in specs if s.type in ("yes_partly_no", "multi_choice",
                                                 "integer_group")}
    for col in top.columns:
        values = top[col]
        if col in nested or (not specs and values.map(type).eq(dict).any()):
            present = values.dropna()
            present = present[present.map(lambda v: isinstance(v, dict))]
            inner = pd.DataFrame.from_records(present.tolist(), index=present.index)
            parts.append(inner.add_prefix(f"{col}.").reindex(frame.index))
        else:
            parts.append(values.to_frame())
    wide = pd.concat(parts, axis=1)
    needed = [c for spec in specs for c in value_columns(spec)]
    missing = {c: np.nan for c in needed if c not in wide.columns}
    return wide.assign(**missing) if missing else wide


def value_columns(spec: QuestionSpec) -> list[str]:
    """Return the wide-frame columns of a question."""
    if spec.type == "yes_partly_no":
        return [f"{spec.id}.answer", f"{spec.id}.comment"]
    if spec.type == "multi_choice":
        return [f"{spec.id}.selected", f"{spec.id}.other"]
    if spec.type == "integer_group":
        return [f"{spec.id}.{item}" for item, _ in spec.items]
    return [spec.id]


def _choice_column(spec: QuestionSpec) -> str:
    return f"{spec.id}.answer" if spec.type == "yes_partly_no" else spec.id


# --- aggregation -------------------------------------------------------------------------------


@dataclass
class Aggregates:
    """The aggregate tables of one set of answers (see the module docstring)."""

    by: list[str]
    k: int
    options: pd.DataFrame
    scales: pd.DataFrame
    numbers: pd.DataFrame
    texts: pd.DataFrame
    groups: pd.DataFrame  # respondents per group, with the suppressed flag
    specs: list[QuestionSpec] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the tables by name, in the order exports list them."""
        return {"grupper": self.groups, "svarsalternativ": self.options, "skalor": self.scales,
                "tal": self.numbers}


def _by(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _with_total(table: pd.DataFrame, total: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return pd.concat([table, total.assign(**dict.fromkeys(by, TOTAL))], ignore_index=True)


def _within(by: list[str], extra: Sequence[str] = ("question",)) -> list[list[str]]:
    """Sibling sets: for each `by` column, the groups that share every other key."""
    if len(by) == 1:
        return [list(extra)]
    return [[*extra, *[c for c in by if c != col]] for col in by]


def _suppress(table: pd.DataFrame, by: list[str], k: int, value_cols: list[str],
              keys: Sequence[str] = ("question",)) -> pd.DataFrame:
    """Apply k to the group rows, and to the TOTAL rows on their own."""
    is_total = (table[by[0]] == TOTAL).to_numpy() if len(table) else np.zeros(0, bool)
    groups = suppress(table[~is_total], k, count_col="n", group_cols=[*by, *keys],
                      value_cols=value_cols, within=_within(by, keys))
    total = suppress(table[is_total], k, count_col="n", group_cols=[*by, *keys],
                     value_cols=value_cols, within=[list(keys)])
    return pd.concat([groups, total], ignore_index=True)


def _option_table(wide: pd.DataFrame, specs: Sequence[QuestionSpec],
                  by: list[str]) -> pd.DataFrame:
    """Counts per (group, question, option) and respondents per (group, question)."""
    single = [s for s in specs if s.type in SINGLE_VALUED]
    multi = [s for s in specs if s.type == "multi_choice"]
    counts, sizes = [], []
    if single:
        cols = {_choice_column(s): s.id for s in single}
        long = (wide[[*by, *cols]].rename(columns=cols)
                .melt(id_vars=by, var_name="question", value_name="option")
                .dropna(subset=["option"]))
        long = long.assign(option=long["option"].astype(str))
        # One row per respondent and question: n is the number of rows.
        counts.append(long.groupby([*by, "question", "option"], sort=False).size())
        sizes.append(long.groupby([*by, "question"], sort=False).size())
    if multi:
        cols = {f"{s.id}.selected": s.id for s in multi}
        long = (wide[[*by, *cols]].rename(columns=cols)
                .melt(id_vars=by, var_name="question", value_name="option"))
        long = long[long["option"].map(lambda v: isinstance(v, list) and len(v) > 0)]
        sizes.append(long.groupby([*by, "question"], sort=False).size())
        exploded = long.explode("option")
        counts.append(exploded.assign(option=exploded["option"].astype(str))
                      .groupby([*by, "question", "option"], sort=False).size())
    columns = [*by, "question", "option", "count", "n"]
    if not counts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(counts).rename("count").reset_index().merge(
        pd.concat(sizes).rename("n").reset_index(), on=[*by, "question"])
    return table[columns]


def _complete_options(table: pd.DataFrame, specs: Sequence[QuestionSpec],
                      by: list[str]) -> pd.DataFrame:
    """Add zero rows for options nobody chose, order by the definition and add labels."""
    order = pd.DataFrame(
        [(s.id, value, label, pos) for s in specs if s.type in CHOICE_TYPES | {"scale"}
         for pos, (value, label) in enumerate(s.options)],
        columns=["question", "option", "label", "position"])
    groups = table[[*by, "question", "n"]].drop_duplicates([*by, "question"])
    full = groups.merge(order, on="question", how="inner").merge(
        table[[*by, "question", "option", "count"]], on=[*by, "question", "option"], how="left")
    full = full.assign(count=full["count"].fillna(0).astype(int))
    return full[[*by, "question", "option", "label", "position", "count", "n"]]


def option_counts(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                  k: int = 1) -> pd.DataFrame:
    """Return counts and shares (0–100) per group, question and option, plus TOTAL rows.

    Multi-choice shares are of the respondents who answered, so they may sum to more than 100.
    """
    by = _by(by)
    table = _option_table(wide, specs, by)
    table = _complete_options(table, specs, by)
    total = (table.groupby(["question", "option", "label", "position"], sort=False)
             .agg(count=("count", "sum")).reset_index())
    total_n = (table.drop_duplicates([*by, "question"]).groupby("question")["n"].sum()
               .rename("n").reset_index())
    table = _with_total(table, total.merge(total_n, on="question"), by)
    table = table.assign(share=100.0 * table["count"] / table["n"].where(table["n"] > 0))
    qpos = {s.id: i for i, s in enumerate(specs)}
    table = (table.assign(_q=table["question"].map(qpos), _t=table[by[0]].eq(TOTAL))
             .sort_values(["_q", "_t"], kind="stable")
             .drop(columns=["_q", "_t"]).reset_index(drop=True))
    return _suppress(table, by, k, ["count", "n", "share"], keys=("question",))


def scale_stats(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                k: int = 1) -> pd.DataFrame:
    """Return mean and median per group and scale question, leaving out "vet ej"."""
    by = _by(by)
    scales = [s for s in specs if s.type == "scale"]
    columns = [*by, "question", "n", "mean", "median", "dont_know"]
    if not scales:
        return pd.DataFrame(columns=[*columns, SUPPRESSED])
    raw = wide[[*by, *[s.id for s in scales]]]
    long = raw.melt(id_vars=by, var_name="question", value_name="value").dropna(
        subset=["value"])
    long = long.assign(points=pd.to_numeric(long["value"], errors="coerce"),
                       dont_know=long["value"].eq(DONT_KNOW))

    def stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        grouped = frame.groupby(keys, sort=False)
        return pd.DataFrame({
            "n": grouped["points"].count(),
            "mean": grouped["points"].mean(),
            "median": grouped["points"].median(),
            "dont_know": grouped["dont_know"].sum().astype(int),
        }).reset_index()

    table = _with_total(stats(long, [*by, "question"]), stats(long, ["question"]), by)
    return _suppress(table[columns], by, k, ["n", "mean", "median", "dont_know"])


def number_stats(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                 k: int = 1) -> pd.DataFrame:
    """Return n, sum, mean and median per group for integers, percentages and group items."""
    by = _by(by)
    meta = [(col, s.id, item, label)
            for s in specs if s.type in NUMBER_TYPES
            for col, item, label in (
                [(f"{s.id}.{i}", i, lab) for i, lab in s.items] if s.type == "integer_group"
                else [(s.id, "", "")])]
    columns = [*by, "question", "item", "label", "n", "sum", "mean", "median"]
    if not meta:
        return pd.DataFrame(columns=[*columns, SUPPRESSED])
    names = pd.DataFrame(meta, columns=["column", "question", "item", "label"])
    values = wide[[*by, *names["column"]]]
    long = values.melt(id_vars=by, var_name="column", value_name="value")
    long = long.assign(value=pd.to_numeric(long["value"], errors="coerce")).dropna(
        subset=["value"])

    def stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        grouped = frame.groupby(keys, sort=False)["value"]
        return grouped.agg(n="count", sum="sum", mean="mean", median="median").reset_index()

    table = _with_total(stats(long, [*by, "column"]), stats(long, ["column"]), by)
    table = table.merge(names, on="column").drop(columns=["column"])
    order = {c: i for i, c in enumerate(names["question"] + "." + names["item"])}
    table = (table.assign(_o=(table["question"] + "." + table["item"]).map(order),
                          _t=table[by[0]].eq(TOTAL))
             .sort_values(["_o", "_t"], kind="stable").drop(columns=["_o", "_t"]))
    return _suppress(table[columns].reset_index(drop=True), by, k,
                     ["n", "sum", "mean", "median"], keys=("question", "item"))


def free_texts(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
               k: int = 1, rng: random.Random | None = None) -> pd.DataFrame:
    """Return the free texts per group and question; none for groups with fewer than k.

    Texts come from text/textarea questions, yes_partly_no comments and multi-choice "annat".
    """
    by = _by(by)
    cols = {}
    for s in specs:
        if s.type in TEXT_TYPES:
            cols[s.id] = s.id
        elif s.type == "yes_partly_no":
            cols[f"{s.id}.comment"] = s.id
        elif s.type == "multi_choice":
            cols[f"{s.id}.other"] = s.id
    columns = [*by, "question", "text"]
    if not cols:
        return pd.DataFrame(columns=columns)
    sizes = wide.groupby(by, sort=False).size().rename("size").reset_index()
    long = wide[[*by, *cols]].rename(columns=cols).melt(id_vars=by, var_name="question",
                                                        value_name="text")
    text = long["text"]
    long = long[text.notna() & text.astype(str).str.strip().ne("")]
    long = long.merge(sizes, on=by)
    # Whole groups below k lose their texts; the rest are shuffled inside each group.
    rng = rng or random.SystemRandom()
    kept = []
    for keys, part in long.groupby([*by, "question"], sort=False):
        texts = suppress_free_text(part["text"], int(part["size"].iloc[0]), k, rng)
        kept.extend((*keys, t) for t in texts)
    return pd.DataFrame(kept, columns=columns)


def group_sizes(wide: pd.DataFrame, by: str | Sequence[str], k: int = 1) -> pd.DataFrame:
    """Return the respondents per group (n), plus TOTAL, k-suppressed."""
    by = _by(by)
    sizes = wide.groupby(by, sort=False).size().rename("n").reset_index()
    table = pd.concat([sizes, pd.DataFrame({**dict.fromkeys(by, [TOTAL]), "n": [len(wide)]})],
                      ignore_index=True)
    return _suppress(table.assign(question=""), by, k, ["n"]).drop(columns=["question"])


def aggregate(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
              k: int = 1, rng: random.Random | None = None) -> Aggregates:
    """Return every aggregate table of the wide answers, grouped by `by`, k-suppressed."""
    by = _by(by)
    specs = list(specs)
    return Aggregates(
        by=by, k=k, specs=specs,
        options=option_counts(wide, specs, by, k),
        scales=scale_stats(wide, specs, by, k),
        numbers=number_stats(wide, specs, by, k),
        texts=free_texts(wide, specs, by, k, rng),
        groups=group_sizes(wide, by, k),
    )


# --- areas, response rates, measures -----------------------------------------------------------


def area_table(options: pd.DataFrame, specs: Sequence[QuestionSpec],
               by: str | Sequence[str] = "unit") -> pd.DataFrame:
    """Return per group and area: the area's ja/nej questions answered and the share "ja".

    For a named follow-up with one answer per unit, the TOTAL row is the share of all units'
    answers to the area's questions that were "ja".
    """
    by = _by(by)
    tagged = pd.DataFrame([(s.id, a) for s in specs
                           if s.type in ("yes_no", "yes_partly_no") for a in s.areas],
                          columns=["question", "area"])
    columns = [*by, "area", "questions", "n", "yes", "share"]
    if tagged.empty or options.empty:
        return pd.DataFrame(columns=columns)
    rows = options.merge(tagged, on="question")
    rows = rows.assign(yes=rows["count"].where(rows["option"] == YES, 0))
    per_question = rows.groupby([*by, "area", "question"], sort=False).agg(
        n=("n", "first"), yes=("yes", "sum"))
    table = per_question.groupby([*by, "area"], sort=False).agg(
        questions=("n", "size"), n=("n", "sum"), yes=("yes", "sum")).reset_index()
    return table.assign(share=100.0 * table["yes"] / table["n"].where(table["n"] > 0))[columns]


def response_rates(assignments: pd.DataFrame, by: str = "unit",
                   state_col: str = "state", submitted: str = "submitted") -> pd.DataFrame:
    """Return assignments, submitted and the rate (0–100) per group, plus TOTAL."""
    frame = assignments.assign(_done=assignments[state_col].eq(submitted))
    per = frame.groupby(by, sort=False).agg(assignments=("_done", "size"),
                                            submitted=("_done", "sum")).reset_index()
    per = pd.concat([per, pd.DataFrame({by: [TOTAL], "assignments": [len(frame)],
                                        "submitted": [int(frame["_done"].sum())]})],
                    ignore_index=True)
    return per.assign(rate=100.0 * per["submitted"] / per["assignments"].where(
        per["assignments"] > 0))


def measure_status(measures: pd.DataFrame, statuses: Sequence[str],
                   area_col: str = "area", status_col: str = "status") -> pd.DataFrame:
    """Return measures per area (rows) and status (columns), with a total column and row."""
    table = pd.crosstab(measures[area_col], measures[status_col]).reindex(
        columns=list(statuses), fill_value=0)
    table = table.assign(total=table.sum(axis=1))
    totals = table.sum().to_frame().T.set_axis([TOTAL])
    return pd.concat([table, totals]).rename_axis(area_col).reset_index()


# --- across years ------------------------------------------------------------------------------


def key_figures(result: Aggregates, group: str = TOTAL) -> pd.DataFrame:
    """Return one value per question and option for one group: shares, means and sums.

    Columns: question, option, label, kind ("share" | "mean" | "sum"), value, n.
    """
    by0 = result.by[0]
    opts = result.options[result.options[by0] == group]
    scales = result.scales[result.scales[by0] == group]
    numbers = result.numbers[result.numbers[by0] == group]
    kinds = {s.id: s.type for s in result.specs}
    num_kind = numbers["question"].map(lambda q: "mean" if kinds.get(q) == "percentage"
                                       else "sum")
    return pd.concat([
        opts.assign(kind="share", value=opts["share"])[
            ["question", "option", "label", "kind", "value", "n"]],
        scales.assign(option="medel", label="Medelvärde", kind="mean", value=scales["mean"])[
            ["question", "option", "label", "kind", "value", "n"]],
        numbers.assign(option=numbers["item"], kind=num_kind.to_numpy(),
                       value=np.where(num_kind == "mean", numbers["mean"], numbers["sum"]),
                       label=numbers["label"].where(
                           numbers["label"] != "",
                           np.where(num_kind == "mean", "Medelvärde", "Summa")))[
            ["question", "option", "label", "kind", "value", "n"]],
    ], ignore_index=True)


def trend_table(yearly: Mapping[int, pd.DataFrame],
                texts: Mapping[int, Mapping[str, str]] | None = None,
                threshold: float = 15.0) -> pd.DataFrame:
    """Line up key figures year by year; flag notable changes and changed wording.

    :param yearly: year -> key_figures() of that year's round.
    :param texts: year -> {question id: question text} from each year's frozen version.
    :param threshold: a change of at least this much from the previous year is notable
        (percentage points for shares; for means and sums, relative change in percent).
    """
    if not yearly:
        return pd.DataFrame(columns=["question", "option", "label", "kind", "year", "value",
                                     "n", "change", "notable", "wording_changed"])
    long = pd.concat([f.assign(year=y) for y, f in yearly.items()], ignore_index=True)
    long = long.sort_values(["question", "option", "year"], kind="stable")
    previous = long.groupby(["question", "option"], sort=False)["value"].shift()
    change = long["value"] - previous
    relative = 100.0 * change / previous.abs().where(previous.abs() > 0)
    measure = np.where(long["kind"] == "share", change, relative)
    notable = pd.Series(measure, index=long.index, dtype=float).abs().ge(threshold)
    wording = pd.Series(False, index=long.index)
    if texts:
        text_rows = pd.DataFrame([(y, q, t) for y, qs in texts.items() for q, t in qs.items()],
                                 columns=["year", "question", "text"])
        text_rows = text_rows.sort_values(["question", "year"])
        prev_text = text_rows.groupby("question")["text"].shift()
        text_rows = text_rows.assign(
            wording_changed=prev_text.notna() & (prev_text != text_rows["text"]))
        merged = long[["year", "question"]].merge(text_rows, on=["year", "question"],
                                                  how="left")
        wording = pd.Series(merged["wording_changed"].fillna(False).astype(bool).to_numpy(),
                            index=long.index)
    return long.assign(change=change, notable=notable, wording_changed=wording).reset_index(
        drop=True)


def remap_units(table: pd.DataFrame, mapping: Mapping[str, str], col: str = "unit",
                sum_cols: Iterable[str] = ("count", "n")) -> pd.DataFrame:
    """Return the table with old unit codes replaced by their successors, summing merged units.

    :param mapping: old code -> current code (a reorganisation's old -> new links).
    """
    renamed = table.assign(**{col: table[col].replace(dict(mapping))})
    sum_cols = [c for c in sum_cols if c in renamed.columns]
    keys = [c for c in renamed.columns if c not in sum_cols and c != "share"
            and c != SUPPRESSED]
    summed = renamed.groupby(keys, sort=False, dropna=False)[sum_cols].sum().reset_index()
    if {"count", "n"} <= set(summed.columns):
        summed = summed.assign(share=100.0 * summed["count"] / summed["n"].where(
            summed["n"] > 0))
    return summed
