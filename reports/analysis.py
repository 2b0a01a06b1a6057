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
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from reports.suppression import SUPPRESSED
from reports.suppression import hidden_mask
from reports.suppression import margins_to_hide

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
    dicts = [v if type(v) is dict else _as_dict(v) for v in frame[answers_col].tolist()]
    parts = [frame.drop(columns=[answers_col])]
    if dicts:
        # The keys in order of first appearance, as from_records would find them, but
        # collected in C rather than with a generator over every dict.
        columns = list(dict.fromkeys(chain.from_iterable(dicts)))
        top = pd.DataFrame.from_records(dicts, index=frame.index, columns=columns)
    else:
        top = pd.DataFrame(index=frame.index)
    nested = {s.id for s in specs if s.type in ("yes_partly_no", "multi_choice",
                                                 "integer_group")}
    for col in top.columns:
        values = top[col]
        if values.dtype == object and (col in nested or not specs):
            items = values.tolist()
            rows = [i for i, v in enumerate(items) if type(v) is dict]
            if col in nested or rows:
                present = [items[i] for i in rows]
                inner = pd.DataFrame.from_records(
                    present, index=frame.index[rows],
                    columns=list(dict.fromkeys(chain.from_iterable(present))))
                parts.append(inner.add_prefix(f"{col}.").reindex(frame.index))
                continue
        if col not in nested:  # a nested question answered without any dict: no columns
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


def _suppressed_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=bool if c == SUPPRESSED else object)
                         for c in columns})


@dataclass
class _Groups:
    """The groups of one aggregation: a code per response and the key values per code."""

    by: list[str]
    codes: np.ndarray  # per response: 0..G-1, -1 when a grouping value is missing
    keys: pd.DataFrame  # G rows, the `by` columns

    @property
    def size(self) -> int:
        return len(self.keys)

    def key_column(self, col: str) -> np.ndarray:
        """Return the column's value per group code, TOTAL at code G."""
        return np.append(self.keys[col].to_numpy(dtype=object), TOTAL)

    def key_frame(self, g: np.ndarray) -> dict[str, np.ndarray]:
        """Return the `by` columns for group codes (G meaning TOTAL)."""
        return {c: self.key_column(c)[g] for c in self.by}


def _groups(wide: pd.DataFrame, by: list[str]) -> _Groups:
    grouped = wide.groupby(by, sort=False, observed=True, dropna=True)
    codes = grouped.ngroup()
    keys = grouped.size().index.to_frame(index=False)[by] if len(wide) else pd.DataFrame(
        columns=by)
    return _Groups(by, codes.fillna(-1).to_numpy(dtype=np.int64), keys.reset_index(drop=True))


def _column(wide: pd.DataFrame, col: str) -> pd.Series:
    """Return a wide-frame column, or all-missing if nobody's answers have it."""
    return wide[col] if col in wide.columns else pd.Series(np.nan, index=wide.index,
                                                            dtype=object)


def _choice_codes(values: pd.Series, options: Sequence[str]) -> np.ndarray:
    """Return per response: the option's position, -1 for no answer, len(options) if unknown.

    The column is factorised once (in C, or read from a categorical column's codes) and only
    its few distinct values are matched against the options.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    index = pd.Index(list(options), dtype=object)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    position = index.get_indexer(distinct.to_numpy())
    retry = position < 0
    if retry.any():  # stored as numbers (scales) or another dtype: compare as text
        position[retry] = index.get_indexer(distinct[retry].astype(str).to_numpy())
    position = np.append(np.where(position < 0, len(options), position), -1)
    return position[codes].astype(np.int64)  # code -1 (missing) picks the appended -1


def _chosen(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (answered per response, response position per choice, choice values)."""
    values = values.reset_index(drop=True)
    if values.dtype != object:
        return np.zeros(len(values), bool), np.zeros(0, np.int64), np.zeros(0, object)
    answered = values.str.len().gt(0).to_numpy()  # lists of chosen values
    exploded = values[answered].explode()
    return answered, exploded.index.to_numpy(dtype=np.int64), exploded.astype(str).to_numpy()


@dataclass
class _Choices:
    """Counts of every choice question: (question, group incl. TOTAL, option)."""

    specs: list[QuestionSpec]
    counts: np.ndarray  # (Q, G + 1, W): W = most options + 1 (unknown values)
    n: np.ndarray  # (Q, G + 1): respondents who answered


def _choices(wide: pd.DataFrame, specs: Sequence[QuestionSpec], groups: _Groups) -> _Choices:
    chosen = [s for s in specs if s.type in CHOICE_TYPES | {"scale"}]
    g_count = groups.size + 1
    width = max((len(s.options) for s in chosen), default=0) + 1
    flat, answered = [], []
    valid_row = groups.codes >= 0
    for qi, spec in enumerate(chosen):  # one vectorised pass per question, never per response
        base = qi * g_count + groups.codes
        if spec.type == "multi_choice":
            has, rows, values = _chosen(_column(wide, f"{spec.id}.selected"))
            codes = _choice_codes(pd.Series(values, dtype=object), [v for v, _ in spec.options])
            keep = valid_row[rows]
            flat.append(base[rows[keep]] * width + codes[keep])
            answered.append(base[has & valid_row])
        else:
            codes = _choice_codes(_column(wide, _choice_column(spec)), [v for v, _ in spec.options])
            keep = (codes >= 0) & valid_row
            flat.append(base[keep] * width + codes[keep])
            answered.append(base[keep])
    size = len(chosen) * g_count
    counts = np.bincount(np.concatenate(flat) if flat else np.zeros(0, np.int64),
                         minlength=size * width).reshape(len(chosen), g_count, width)
    n = np.bincount(np.concatenate(answered) if answered else np.zeros(0, np.int64),
                    minlength=size).reshape(len(chosen), g_count)
    counts[:, -1, :] = counts[:, :-1, :].sum(axis=1)
    n[:, -1] = n[:, :-1].sum(axis=1)
    return _Choices(chosen, counts, n)


def _option_rows(choices: _Choices, groups: _Groups, hidden: dict[str, np.ndarray]
                 ) -> pd.DataFrame:
    by = groups.by
    columns = [*by, "question", "option", "label", "position", "count", "n", "share", SUPPRESSED]
    if not choices.specs:
        return _suppressed_frame(columns)
    n_options = np.array([len(s.options) for s in choices.specs])
    width = choices.counts.shape[2]
    rows = (choices.n[:, :, None] > 0) & (np.arange(width)[None, None, :]
                                           < n_options[:, None, None])
    qi, g, o = np.nonzero(rows)
    values = np.full((len(choices.specs), width), "", dtype=object)
    labels = values.copy()
    for i, spec in enumerate(choices.specs):
        values[i, :len(spec.options)] = [v for v, _ in spec.options]
        labels[i, :len(spec.options)] = [lab for _, lab in spec.options]
    qids = np.array([s.id for s in choices.specs], dtype=object)
    mask = np.stack([hidden[s.id] for s in choices.specs])[qi, g]
    count = choices.counts[qi, g, o].astype(float)
    n = choices.n[qi, g].astype(float)
    return pd.DataFrame({
        **groups.key_frame(g), "question": qids[qi], "option": values[qi, o],
        "label": labels[qi, o], "position": o, "count": np.where(mask, np.nan, count),
        "n": np.where(mask, np.nan, n),
        "share": np.where(mask, np.nan, 100.0 * count / np.where(n > 0, n, np.nan)),
        SUPPRESSED: mask})[columns]


def _scale_rows(choices: _Choices, groups: _Groups, hidden: dict[str, np.ndarray]
                ) -> pd.DataFrame:
    """Mean and median per group from the counts of each point ("vet ej" left out)."""
    by = groups.by
    columns = [*by, "question", "n", "mean", "median", "dont_know", SUPPRESSED]
    parts = []
    for qi, spec in enumerate(choices.specs):
        if spec.type != "scale":
            continue
        points = pd.to_numeric(pd.Series([v for v, _ in spec.options]), errors="coerce")
        numeric = np.flatnonzero(points.notna().to_numpy())
        numeric = numeric[np.argsort(points.to_numpy()[numeric], kind="stable")]
        value = points.to_numpy()[numeric]
        g = np.flatnonzero(choices.n[qi] > 0)
        counts = choices.counts[qi][g][:, numeric]
        n = counts.sum(axis=1)
        cum = counts.cumsum(axis=1)
        lower = value[np.argmax(cum > ((n - 1) // 2)[:, None], axis=1)]
        upper = value[np.argmax(cum > (n // 2)[:, None], axis=1)]
        dont_know = [i for i, (v, _) in enumerate(spec.options) if v == DONT_KNOW]
        mask = hidden[spec.id][g]
        safe_n = np.where(n > 0, n, np.nan)
        stats = {
            "n": n.astype(float), "mean": (counts * value).sum(axis=1) / safe_n,
            "median": np.where(n > 0, (lower + upper) / 2.0, np.nan),
            "dont_know": (choices.counts[qi][g][:, dont_know].sum(axis=1) if dont_know
                          else np.zeros(len(g))).astype(float)}
        parts.append(pd.DataFrame({
            **groups.key_frame(g), "question": spec.id,
            **{c: np.where(mask, np.nan, v) for c, v in stats.items()}, SUPPRESSED: mask}))
    if not parts:
        return _suppressed_frame(columns)
    return pd.concat(parts, ignore_index=True)[columns]


def _number_rows(wide: pd.DataFrame, specs: Sequence[QuestionSpec], groups: _Groups
                 ) -> pd.DataFrame:
    """Unsuppressed n, sum, mean and median per (group code _g, question, item)."""
    meta = [(col, s.id, item, label)
            for s in specs if s.type in NUMBER_TYPES
            for col, item, label in (
                [(f"{s.id}.{i}", i, lab) for i, lab in s.items] if s.type == "integer_group"
                else [(s.id, "", "")])]
    if not meta:
        return pd.DataFrame(columns=["_g", "question", "item", "label", "n", "sum", "mean",
                                     "median"])
    names = pd.DataFrame(meta, columns=["column", "question", "item", "label"])
    values = pd.DataFrame({c: pd.to_numeric(_column(wide, c), errors="coerce")
                           for c in names["column"]}).assign(_g=groups.codes)
    long = values[values["_g"] >= 0].melt(id_vars="_g", var_name="column",
                                          value_name="value").dropna(subset=["value"])

    def stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return frame.groupby(keys, sort=False)["value"].agg(
            n="count", sum="sum", mean="mean", median="median").reset_index()

    table = pd.concat([stats(long, ["_g", "column"]),
                       stats(long, ["column"]).assign(_g=groups.size)], ignore_index=True)
    table = names.merge(table, on="column").drop(columns=["column"])
    return table.sort_values("_g", kind="stable").reset_index(drop=True)


def _masks(groups: _Groups, respondents: dict[str, np.ndarray], sizes: np.ndarray,
           k: int, forced: _Forced | None = None
           ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return the hidden flag per group and per (question, group): one mask for every table.

    Also returned, per question: the groups below k themselves (primary suppression only),
    which is what free texts follow (texts carry no count to difference).

    :param respondents: question id -> respondents per group code (TOTAL last).
    :param sizes: respondents per group (TOTAL last).
    :param forced: groups hidden whatever their size (see `_hidden_in_finer`).
    """
    by, g_count = groups.by, groups.size
    key_codes = {c: pd.factorize(groups.keys[c])[0] for c in by}

    def dims(qi: np.ndarray, g: np.ndarray) -> list[np.ndarray]:
        out = []
        for col in by:
            others = [key_codes[c][g] for c in by if c != col]
            out.append(pd.MultiIndex.from_arrays([qi, *others]).factorize()[0]
                       if others else pd.factorize(qi)[0])
        if len(by) > 1:  # the whole crossing too: the total minus every shown cell
            out.append(pd.factorize(qi)[0])
        return out

    everyone = np.arange(g_count)
    group_hidden = np.append(
        hidden_mask(sizes[:-1], k, dims(np.zeros(g_count, int), everyone)
                    if len(by) > 1 else [np.zeros(g_count, int)],
                    initial=forced.groups if forced else None,
                    blocks=np.zeros(g_count, int)),
        sizes[-1] < k)
    qids = list(respondents)
    if not qids:
        return group_hidden, {}, {}
    matrix = np.stack([respondents[q] for q in qids])  # (Q, G + 1)
    qi, g = np.nonzero(matrix[:, :-1] > 0)  # a group nobody in answered is not shown at all
    initial = group_hidden[g]
    if forced:
        initial = initial | np.stack([forced.questions[q] for q in qids])[qi, g]
    flags = hidden_mask(matrix[qi, g], k, dims(qi, g), initial=initial, blocks=qi)
    hidden = np.ones_like(matrix, dtype=bool)
    hidden[qi, g] = flags
    hidden[:, -1] = matrix[:, -1] < k
    small = (matrix < k) | (sizes < k)[None, :]
    return (group_hidden, {q: hidden[i] for i, q in enumerate(qids)},
            {q: small[i] for i, q in enumerate(qids)})


def _texts(wide: pd.DataFrame, specs: Sequence[QuestionSpec], groups: _Groups,
           hidden: dict[str, np.ndarray], rng: random.Random | None) -> pd.DataFrame:
    """Free texts of (group, question)s with at least k respondents, in random order.

    Texts are not counts, so they follow the primary rule only: a group hidden to protect a
    smaller sibling (complementary suppression) keeps its texts, as it always has.
    """
    by = groups.by
    cols = {}
    for s in specs:
        if s.type in TEXT_TYPES:
            cols[s.id] = s.id
        elif s.type == "yes_partly_no":
            cols[f"{s.id}.comment"] = s.id
        elif s.type == "multi_choice":
            cols[f"{s.id}.other"] = s.id
    columns = [*by, "question", "text"]
    parts = []
    for qpos, (col, qid) in enumerate(cols.items()):
        text = _column(wide, col)
        if not (text.dtype == object or pd.api.types.is_string_dtype(text.dtype)):
            continue  # nobody wrote anything (an all-missing column)
        stripped = text.str.strip()
        keep = stripped.fillna("").ne("").to_numpy() & (groups.codes >= 0)
        g = groups.codes[keep]
        shown = ~hidden[qid][g]
        parts.append(pd.DataFrame({"_q": qpos, "_g": g[shown], "question": qid,
                                   "text": stripped.to_numpy()[keep][shown]}))
    if not parts:
        return pd.DataFrame(columns=columns)
    long = pd.concat(parts, ignore_index=True)
    # Random order inside each group, so texts cannot be matched to the order of responses.
    seed = (rng or random.SystemRandom()).getrandbits(64)
    long = long.assign(_r=np.random.default_rng(seed).random(len(long))).sort_values(
        ["_q", "_g", "_r"], kind="stable")
    g = long["_g"].to_numpy()
    return pd.DataFrame({**groups.key_frame(g), "question": long["question"].to_numpy(),
                         "text": long["text"].to_numpy()})[columns]


@dataclass
class _Counts:
    """What the k rule is decided on: the groups, their sizes and the respondents per
    (question, group), plus the counts the tables are built from."""

    groups: _Groups
    sizes: np.ndarray  # respondents per group, TOTAL last
    respondents: dict[str, np.ndarray]  # question id -> respondents per group, TOTAL last
    choices: _Choices
    numbers: pd.DataFrame


def _counts(wide: pd.DataFrame, specs: list[QuestionSpec], by: list[str]) -> _Counts:
    groups = _groups(wide, by)
    valid = groups.codes >= 0
    sizes = np.bincount(groups.codes[valid], minlength=groups.size)
    sizes = np.append(sizes, sizes.sum())
    choices = _choices(wide, specs, groups)
    numbers = _number_rows(wide, specs, groups)
    respondents: dict[str, np.ndarray] = {}
    for qi, spec in enumerate(choices.specs):
        respondents[spec.id] = choices.n[qi]
    if len(numbers):
        # Every item of a number question must have k respondents: the fewest counts.
        least = numbers.groupby(["question", "_g"], sort=False)["n"].min()
        for qid, part in least.groupby(level=0, sort=False):
            values = np.zeros(groups.size + 1, dtype=np.int64)
            values[part.index.get_level_values(1).to_numpy()] = part.to_numpy()
            respondents[qid] = values
    for spec in specs:
        if spec.type in TEXT_TYPES:
            respondents[spec.id] = sizes
    return _Counts(groups, sizes, respondents, choices, numbers)


@dataclass
class _Forced:
    """Groups to hide whatever their size: per group and per (question, group), no TOTAL."""

    groups: np.ndarray
    questions: dict[str, np.ndarray]


def _hidden_in_finer(wide: pd.DataFrame, specs: list[QuestionSpec], coarse: _Counts,
                     finer: list[str], k: int) -> _Forced:
    """Return the groups of `coarse` that would reveal a small cell of `finer` beside it.

    A coarse group (e.g. kön = man over the whole organisation) published beside a finer
    crossing (unit x kön) and the unit table is one more equation: with unit A = 13 and
    kvinna = 12, where women exist only in A, A's men are 13 - 12. Per question, the linear
    audit of `reports.suppression.margins_to_hide` takes coarse groups away until nothing below
    k can be solved; a group whose cells do not cover all its respondents is hidden too.
    """
    if coarse.groups.size == 0:
        return _Forced(np.zeros(0, dtype=bool), {q: np.zeros(0, dtype=bool)
                                                 for q in coarse.respondents})
    fine = _counts(wide, specs, finer)
    fine_groups, fine_hidden, _small = _masks(fine.groups, fine.respondents, fine.sizes, k)
    by = coarse.groups.by
    index = pd.MultiIndex.from_frame(coarse.groups.keys[by])
    parent = index.get_indexer(pd.MultiIndex.from_frame(fine.groups.keys[by]))
    g_count = coarse.groups.size
    # The table by the other grouping columns (the unit table), as it is published.
    others = [c for c in finer if c not in by]
    units = _counts(wide, specs, others)
    unit_groups, unit_hidden, _small = _masks(units.groups, units.respondents, units.sizes, k)
    sibling = pd.MultiIndex.from_frame(units.groups.keys[others]).get_indexer(
        pd.MultiIndex.from_frame(fine.groups.keys[others]))

    def forced(fine_n: np.ndarray, fine_flags: np.ndarray, coarse_n: np.ndarray,
               unit_flags: np.ndarray) -> np.ndarray:
        present = (fine_n[:-1] > 0) & (parent >= 0) & (sibling >= 0)
        covered = np.bincount(parent[present], weights=fine_n[:-1][present], minlength=g_count)
        out = covered != coarse_n[:-1]
        out |= margins_to_hide(fine_n[:-1][present], fine_flags[:-1][present], parent[present],
                               sibling[present], ~unit_flags[sibling[present]],
                               not unit_flags[-1], ~out & (coarse_n[:-1] >= k), k)
        return out

    return _Forced(
        groups=forced(fine.sizes, fine_groups, coarse.sizes, unit_groups),
        questions={q: forced(fine.respondents[q], fine_hidden[q], coarse.respondents[q],
                             unit_hidden[q])
                   if q in fine.respondents and q in unit_hidden else np.ones(g_count, bool)
                   for q in coarse.respondents})


def aggregate(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
              k: int = 1, rng: random.Random | None = None,
              finer: Sequence[str] | None = None) -> Aggregates:
    """Return every aggregate table of the wide answers, grouped by `by`, k-suppressed.

    The minimum-group-size rule is applied once, here, and the same way to every table: one
    mask per group (from the group sizes) and one per (group, question) (from the respondents
    who answered the question; every group hidden in the first is hidden in the second), with
    complementary suppression among siblings (see reports.suppression.hidden_mask). Options,
    scales and numbers of a (group, question) are therefore shown or hidden together, so no
    table can be used to rebuild a figure hidden in another (for example a scale's n plus its
    "vet ej" count, which is the options' n). Free texts are shown only for (group, question)s
    with at least k respondents.

    :param finer: a crossing that contains `by` and is published too (for a background
        question alone: the unit x background crossing). A group is then shown only where it
        is the sum of cells the crossing shows, so the two tables together reveal no more than
        the crossing (see `_hidden_in_finer`).
    """
    by = _by(by)
    specs = list(specs)
    counts = _counts(wide, specs, by)
    groups, sizes, choices, numbers = counts.groups, counts.sizes, counts.choices, counts.numbers
    forced = None
    if k > 1 and finer is not None and set(finer) > set(by):
        forced = _hidden_in_finer(wide, specs, counts, list(finer), k)
    group_hidden, hidden, small = _masks(groups, counts.respondents, sizes, k, forced)

    g_all = np.arange(groups.size + 1)
    group_table = pd.DataFrame({**groups.key_frame(g_all),
                                "n": np.where(group_hidden, np.nan, sizes.astype(float)),
                                SUPPRESSED: group_hidden})
    if len(numbers):
        g = numbers["_g"].to_numpy()
        qids = numbers["question"].to_numpy()
        mask = np.array([hidden[q][i] for q, i in zip(qids, g, strict=True)], dtype=bool) \
            if len(qids) < 64 else _lookup(hidden, qids, g)
        number_table = pd.DataFrame({
            **groups.key_frame(g), "question": qids, "item": numbers["item"].to_numpy(),
            "label": numbers["label"].to_numpy(),
            **{c: np.where(mask, np.nan, numbers[c].to_numpy(dtype=float))
               for c in ("n", "sum", "mean", "median")}, SUPPRESSED: mask})
    else:
        number_table = _suppressed_frame([*by, "question", "item", "label", "n", "sum", "mean",
                                          "median", SUPPRESSED])
    return Aggregates(
        by=by, k=k, specs=specs,
        options=_option_rows(choices, groups, hidden),
        scales=_scale_rows(choices, groups, hidden),
        numbers=number_table,
        texts=_texts(wide, specs, groups, small, rng),
        groups=group_table,
    )


def _lookup(hidden: dict[str, np.ndarray], qids: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Return hidden[question][group] for arrays of questions and group codes."""
    order = list(hidden)
    matrix = np.stack([hidden[q] for q in order])
    return matrix[pd.Index(order).get_indexer(qids), g]


def option_counts(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                  k: int = 1) -> pd.DataFrame:
    """Return counts and shares (0–100) per group, question and option, plus TOTAL rows.

    Multi-choice shares are of the respondents who answered, so they may sum to more than 100.
    """
    return aggregate(wide, specs, by, k).options


def scale_stats(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                k: int = 1) -> pd.DataFrame:
    """Return mean and median per group and scale question, leaving out "vet ej"."""
    return aggregate(wide, specs, by, k).scales


def number_stats(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
                 k: int = 1) -> pd.DataFrame:
    """Return n, sum, mean and median per group for integers, percentages and group items."""
    return aggregate(wide, specs, by, k).numbers


def free_texts(wide: pd.DataFrame, specs: Sequence[QuestionSpec], by: str | Sequence[str],
               k: int = 1, rng: random.Random | None = None) -> pd.DataFrame:
    """Return the free texts per group and question; none for groups hidden by k.

    Texts come from text/textarea questions, yes_partly_no comments and multi-choice "annat".
    """
    return aggregate(wide, specs, by, k, rng).texts


def group_sizes(wide: pd.DataFrame, by: str | Sequence[str], k: int = 1) -> pd.DataFrame:
    """Return the respondents per group (n), plus TOTAL, k-suppressed."""
    return aggregate(wide, [], by, k).groups


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
