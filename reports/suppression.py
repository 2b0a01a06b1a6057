"""The minimum-group-size rule (k): the one gate every figure passes before anybody sees it.

Anonymous results are only shown for groups of at least `k` respondents. A group below k is
hidden (primary suppression), and so that a hidden group cannot be computed as "total minus
the visible siblings", a set of siblings never has exactly one hidden group: if it has, the
next-smallest visible sibling is hidden too (complementary suppression). For crossings (for
example units x a background question) the rule is applied along every sibling dimension until
nothing changes.

    from reports.suppression import suppress, suppress_free_text, k_for_kind

    k = k_for_kind(definition.kind, configured_k)     # 1 for named follow-ups, >= 3 otherwise
    safe = suppress(table, k, count_col="n", group_cols=["unit", "question"],
                    within=[["question"]])
    texts = suppress_free_text(texts, n=len(group), k=k, rng=random.Random())

`suppress` never changes its input: it returns a copy whose value columns are blank (NaN) for
hidden groups, plus a boolean column `suppressed`. Named unit follow-ups are answered by a head
in the unit's name, so there is nobody to protect: `k_for_kind("unit_followup", ...)` is 1 and
the same code path shows everything.

This module is pure pandas and never imports Flask or the web app.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from collections.abc import Sequence

import numpy as np
import pandas as pd

DEFAULT_K = 5
MIN_K = 3
SUPPRESSED = "suppressed"
# What a hidden cell shows in tables and exports.
HIDDEN_LABEL = "–"


class GroupSizeError(ValueError):
    """A minimum group size below the allowed floor."""


def check_k(k: int) -> int:
    """Return k if it is an allowed setting for anonymous results (>= MIN_K), else raise."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or int(k) < MIN_K:
        raise GroupSizeError(f"Minsta gruppstorlek måste vara minst {MIN_K}.")
    return int(k)


def k_for_kind(kind: str, configured: int | None = None) -> int:
    """Return the k to use for a questionnaire kind.

    :param kind: "anonymous" or "unit_followup" (the Definition's `kind`).
    :param configured: the admin's setting; None means DEFAULT_K. Never below MIN_K.
    """
    if kind != "anonymous":
        return 1  # named answers given for a unit: no respondent to protect
    return max(MIN_K, int(configured if configured is not None else DEFAULT_K))


def _flags(groups: pd.DataFrame, count_col: str, k: int,
           within: Sequence[Sequence[str]]) -> pd.Series:
    """Return the hidden flag of each group (row), with complementary suppression."""
    counts = groups[count_col].fillna(0).to_numpy(dtype=float)
    hidden = counts < k
    if k <= 1 or not hidden.any():
        return pd.Series(hidden, index=groups.index)
    # Sibling-set ids per dimension: rows sharing the values of the `within` columns.
    set_ids = []
    for cols in within:
        if cols:
            set_ids.append(groups.groupby(list(cols), sort=False, dropna=False).ngroup()
                           .to_numpy())
        else:
            set_ids.append(np.zeros(len(groups), dtype=int))
    order = np.lexsort((np.arange(len(groups)), counts))  # smallest first, stable
    changed = True
    while changed:
        changed = False
        for ids in set_ids:
            hidden_per_set = np.bincount(ids, weights=hidden.astype(float))
            size_per_set = np.bincount(ids)
            lone = (hidden_per_set == 1) & (size_per_set > 1)
            if not lone.any():
                continue
            for set_id in np.flatnonzero(lone):
                # The next-smallest visible sibling goes too.
                candidates = order[(ids[order] == set_id) & ~hidden[order]]
                hidden[candidates[0]] = True
                changed = True
    return pd.Series(hidden, index=groups.index)


def suppress(table: pd.DataFrame, k: int, *, count_col: str = "n",
             group_cols: Sequence[str] = ("group",), value_cols: Iterable[str] | None = None,
             within: Sequence[Sequence[str]] | None = None) -> pd.DataFrame:
    """Return a copy of `table` with every figure of groups below k blanked.

    :param table: one or more rows per group; a group is identified by `group_cols` and its
        size is in `count_col` (the same on every row of the group, as in long tables with a
        row per option).
    :param k: the minimum group size; 1 shows everything.
    :param group_cols: columns that identify a group (e.g. ["unit", "question"]).
    :param value_cols: the columns to blank; default every numeric column, count_col included.
    :param within: sibling sets, each given as the columns whose values the siblings share;
        [] (one set: all groups are siblings) by default. For units x kön per question:
        [["question", "unit"], ["question", "kon"]].
    """
    group_cols = list(group_cols)
    within = [list(w) for w in (within if within is not None else [[]])]
    if value_cols is None:
        value_cols = [c for c in table.select_dtypes("number").columns if c not in group_cols]
    value_cols = [c for c in value_cols if c in table.columns]
    if table.empty:
        return table.assign(**{SUPPRESSED: pd.Series(dtype=bool)})
    groups = table.drop_duplicates(group_cols)[[*group_cols, count_col]].reset_index(drop=True)
    groups = groups.assign(**{SUPPRESSED: _flags(groups, count_col, k, within)})
    flagged = table.merge(groups[[*group_cols, SUPPRESSED]], on=group_cols, how="left",
                          validate="many_to_one")
    flagged.index = table.index
    hidden = flagged[SUPPRESSED].to_numpy()
    blanked = {c: flagged[c].astype(float).mask(hidden) for c in value_cols}
    return flagged.assign(**blanked)


def suppress_free_text(texts: Iterable[str], n: int, k: int,
                       rng: random.Random | None = None) -> list[str]:
    """Return the non-empty texts of a group in random order, or [] when the group has n < k.

    :param n: the group's number of respondents (not the number of texts).
    :param rng: the random source (pass a seeded one in tests).
    """
    if n < k:
        return []
    kept = [t.strip() for t in texts if isinstance(t, str) and t.strip()]
    if k > 1:
        # Random order, so texts cannot be matched to the order of responses.
        (rng or random.SystemRandom()).shuffle(kept)
    return kept
