"""The minimum-group-size rule (k): the one gate every figure passes before anybody sees it.

Anonymous results are only shown for groups of at least `k` respondents. A group below k is
hidden (primary suppression), and so that a hidden group cannot be computed as "total minus
the visible siblings", a set of siblings never has exactly one hidden group, and the hidden
groups of a set are together either none or at least k respondents: if not, the next-smallest
visible sibling is hidden too (complementary suppression). For crossings (for example units x a
background question) the rule is applied along every sibling dimension until nothing changes,
and a linear audit checks that no hidden cell below k can be solved from the sets' sums.

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


def _smallest_visible(hidden: np.ndarray, need: np.ndarray, ids: np.ndarray,
                      order: np.ndarray) -> np.ndarray:
    """Return, for every set flagged in `need`, its smallest visible member (row positions)."""
    candidates = order[~hidden[order] & need[ids[order]]]
    _sets, first = np.unique(ids[candidates], return_index=True)
    return candidates[first]


def _determined(counts: np.ndarray, hidden: np.ndarray, dims: list[np.ndarray],
                k: int) -> np.ndarray:
    """Return the rows that could be hidden next because a small hidden figure is solvable.

    One block (e.g. one question of a crossing). We assume, conservatively, that the sum of
    every sibling set of at least k is known (it may be published by another grouping, such as
    the unit alone) and so is the block's total. A hidden cell below k, or a whole sibling set
    below k, must not be a linear combination of what is known and shown. If one is, the
    smallest visible cell sharing a sibling set with it is returned (else nothing).
    """
    cells = np.flatnonzero(hidden)
    if len(cells) < 2:
        return np.zeros(0, dtype=int)
    position = np.full(len(counts), -1)
    position[cells] = np.arange(len(cells))
    constraints, targets, target_rows = [], [], []
    total = counts.sum()
    if total >= k:
        constraints.append(np.ones(len(cells)))
    for ids in dims:
        for set_id in np.unique(ids):
            members = ids == set_id
            row = np.zeros(len(cells))
            row[position[members & hidden]] = 1.0
            size = counts[members].sum()
            if size >= k:
                constraints.append(row)
            elif size > 0:
                targets.append(row)
                target_rows.append(np.flatnonzero(members))
    for cell in cells[counts[cells] < k]:
        row = np.zeros(len(cells))
        row[position[cell]] = 1.0
        targets.append(row)
        target_rows.append(np.array([cell]))
    if not targets or not constraints:
        return np.zeros(0, dtype=int)
    matrix = np.array(constraints)
    _u, sv, vt = np.linalg.svd(matrix)
    rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
    null = vt[rank:].T  # the hidden cells' directions nothing known pins down
    residual = np.abs(np.array(targets) @ null).max(axis=1) if null.size else np.zeros(
        len(targets))
    for target, rows in zip(residual, target_rows, strict=True):
        if target > 1e-9:
            continue
        near = np.zeros(len(counts), bool)
        for ids in dims:
            near |= np.isin(ids, ids[rows])
        visible = np.flatnonzero(near & ~hidden)
        if len(visible):
            return visible[[np.argmin(counts[visible])]]
    return np.zeros(0, dtype=int)


def _solvable(known: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """Return, per target row, whether it is a linear combination of the known rows."""
    if not targets:
        return np.zeros(0, dtype=bool)
    if not known:
        return np.array([not t.any() for t in targets])
    _u, sv, vt = np.linalg.svd(np.array(known))
    rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
    null = vt[rank:].T  # directions of the unknowns that nothing known pins down
    if not null.size:
        return np.ones(len(targets), dtype=bool)
    return np.abs(np.array(targets) @ null).max(axis=1) <= 1e-9


def margins_to_hide(counts: np.ndarray, hidden: np.ndarray, margin: np.ndarray,
                    sibling: np.ndarray, sibling_shown: np.ndarray, total_shown: bool,
                    candidates: np.ndarray, k: int) -> np.ndarray:
    """Return which margins of a suppressed crossing must not be published beside it.

    A margin is a sum of the crossing's cells over one dimension, published as a table of its
    own: kön over the whole organisation is the sum of the unit x kön cells of each kön. With
    the crossing's shown cells and the sibling sets' sums that are published (each unit's
    total, as the unit table shows it) and the total, a margin is one more equation: it may
    let a hidden cell below k, a unit below k or a margin below k be solved (A = 13 and
    kvinna = 12, where women exist only in A, give A's men). Margins are taken away, smallest
    first, until they let nothing below k be solved that the other tables do not give already.

    :param counts: each cell's respondents (cells with none left out).
    :param hidden: the crossing's suppression of each cell.
    :param margin: each cell's margin id (0..M-1), e.g. its kön.
    :param sibling: each cell's sibling-set id along the other dimension, e.g. its unit.
    :param sibling_shown: per cell, whether its sibling set's sum is published.
    :param total_shown: whether the sum of all cells is published.
    :param candidates: per margin, whether it would be shown on its own count (M,).
    :returns: per margin, whether to hide it (only ever a candidate).
    """
    hide = np.zeros(len(candidates), dtype=bool)
    cells = np.flatnonzero(hidden)
    if not len(cells) or not candidates.any():
        return hide  # every margin is a sum of shown cells: it adds nothing

    def rows_of(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the sets' rows over the hidden cells, their sizes and their ids."""
        sets, codes = np.unique(ids, return_inverse=True)
        rows = (codes[cells][None, :] == np.arange(len(sets))[:, None]).astype(float)
        return rows, np.bincount(codes, weights=counts, minlength=len(sets)), sets

    unit_rows, unit_sizes, units = rows_of(sibling)
    margin_rows, margin_sizes, margins = rows_of(margin)
    published = {int(u) for u in sibling[sibling_shown]}
    known = [r for r, u in zip(unit_rows, units, strict=True) if int(u) in published]
    if total_shown:
        known.append(np.ones(len(cells)))
    targets = list(np.eye(len(cells))[counts[cells] < k])
    targets += [r for r, n in zip(unit_rows, unit_sizes, strict=True) if 0 < n < k]
    targets += [r for r, n in zip(margin_rows, margin_sizes, strict=True) if 0 < n < k]
    if not targets:
        return hide
    # What the unit table and the crossing give without the margins is their own audit's
    # concern: only what the margins add counts here.
    already = _solvable(known, targets)
    shown = [m for m in margins[np.argsort(margin_sizes, kind="stable")] if candidates[m]]
    while shown:
        rows = [margin_rows[np.searchsorted(margins, m)] for m in shown]
        if not (_solvable(known + rows, targets) & ~already).any():
            break
        hide[shown.pop(0)] = True
    return hide


def hidden_mask(counts: np.ndarray, k: int, set_ids: Sequence[np.ndarray],
                initial: np.ndarray | None = None,
                blocks: np.ndarray | None = None) -> np.ndarray:
    """Return which groups to hide: primary (< k) and complementary suppression.

    :param counts: each group's respondents.
    :param set_ids: per sibling dimension, each group's sibling-set id.
    :param initial: groups hidden whatever their count (e.g. hidden in a coarser table).
    :param blocks: for crossings (two or more dimensions), independent blocks (e.g. one per
        question) in which the linear audit of `_determined` runs.

    Repeated until nothing changes, in every sibling set: never exactly one hidden group, and
    the hidden groups together are either none or at least k respondents, so "the parent minus
    the visible siblings" never gives away fewer than k people. For crossings, additionally no
    hidden cell or sibling set below k may be solvable from the sibling sets' sums.
    """
    counts = np.nan_to_num(np.asarray(counts, dtype=float))
    hidden = counts < k
    if initial is not None:
        hidden = hidden | np.asarray(initial, dtype=bool)
    if k <= 1 or not hidden.any():
        return hidden
    order = np.lexsort((np.arange(len(counts)), counts))  # smallest first, stable
    audit = blocks is not None and len(set_ids) > 1
    changed = True
    while changed:
        changed = False
        for ids in set_ids:
            shown = hidden.astype(float)
            count = np.bincount(ids, weights=shown)
            hidden_sum = np.bincount(ids, weights=counts * shown)
            size = np.bincount(ids)
            need = (size > count) & ((count == 1) | ((hidden_sum > 0) & (hidden_sum < k)))
            if need.any():
                hidden[_smallest_visible(hidden, need, ids, order)] = True
                changed = True
        if not changed and audit:
            assert blocks is not None
            for block in np.unique(blocks[hidden]):
                rows = np.flatnonzero(blocks == block)
                more = _determined(counts[rows], hidden[rows], [ids[rows] for ids in set_ids],
                                   k)
                if len(more):
                    hidden[rows[more]] = True
                    changed = True
    return hidden


def set_ids(groups: pd.DataFrame, within: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Return per sibling dimension the set id of each row (rows sharing the `within` cols)."""
    out = []
    for cols in within:
        if cols:
            out.append(groups.groupby(list(cols), sort=False, dropna=False).ngroup()
                       .to_numpy())
        else:
            out.append(np.zeros(len(groups), dtype=int))
    return out


def _flags(groups: pd.DataFrame, count_col: str, k: int,
           within: Sequence[Sequence[str]]) -> pd.Series:
    """Return the hidden flag of each group (row), with complementary suppression."""
    counts = groups[count_col].fillna(0).to_numpy(dtype=float)
    blocks = None
    if len(within) > 1:
        common = [c for c in within[0] if all(c in w for w in within)]
        blocks = set_ids(groups, [common])[0]
        within = [*within, common]  # the whole crossing: its total minus every shown cell
    return pd.Series(hidden_mask(counts, k, set_ids(groups, within), blocks=blocks),
                     index=groups.index)


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
