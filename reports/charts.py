"""Charts in one accessible style: colour-blind-safe palette, readable Swedish labels.

Each `plot_*` function draws on a matplotlib Axes it is given; `to_svg`/`to_png` turn a
Figure into bytes. No pyplot: figures are built with `Figure()` so web threads never share
global state.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.perf import LRUCache  # noqa: E402

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
INK = "#1c2526"
GRID = "#d5dcdc"

# Answer options get a colour from their meaning, the same in every chart: yes is blue, partly
# light blue, no vermillion, "vet ej"/"ej aktuellt" grey; agreement scales run from vermillion
# (disagree) over orange and light blue to blue (agree). The share is also written inside each
# segment and the legend names the options, so colour is never the only cue.
POSITIVE = "#0072B2"
PARTLY = "#56B4E9"
NEGATIVE = "#D55E00"
LEANING_NEGATIVE = "#E69F00"
NEUTRAL = "#B4B4B4"
OPTION_COLORS = {
    "ja": POSITIVE, "yes": POSITIVE,
    "delvis": PARTLY, "partly": PARTLY, "partially": PARTLY,
    "nej": NEGATIVE, "no": NEGATIVE,
    "stämmer helt": POSITIVE, "stämmer till stor del": PARTLY,
    "stämmer till viss del": LEANING_NEGATIVE, "stämmer till liten del": LEANING_NEGATIVE,
    "stämmer inte alls": NEGATIVE,
}
NEUTRAL_OPTIONS = frozenset({
    "vet_ej", "vet ej", "ej_aktuellt", "ej aktuellt", "osaker", "osäker", "vill_ej_uppge",
    "vill ej uppge", "vill_ej_svara", "vill ej svara", "don't know", "not applicable",
    "unsure", "prefer not to say"})
# Yes before partly before no in every legend, whichever question came first.
OPTION_RANK = {POSITIVE: 0, PARTLY: 1, LEANING_NEGATIVE: 2, NEGATIVE: 3}
# A scale of n points (keys "1".."n"), from the lowest to the highest point.
SCALE_COLORS = {
    2: [NEGATIVE, POSITIVE],
    3: [NEGATIVE, NEUTRAL, POSITIVE],
    4: [NEGATIVE, LEANING_NEGATIVE, PARTLY, POSITIVE],
    5: [NEGATIVE, LEANING_NEGATIVE, NEUTRAL, PARTLY, POSITIVE],
}
# Colours for options without a known meaning: those not used for a meaning above.
OTHER_COLORS = ["#009E73", "#CC79A7", "#F0E442", "#000000", "#E69F00", "#56B4E9", "#0072B2"]


def new_figure(width: float = 7.0, height: float = 3.2) -> tuple[Figure, Axes]:
    """Return a figure and axes in the house style."""
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(colors=INK, labelsize=10)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def plot_counts(
    ax: Axes,
    labels: Sequence[str],
    counts: Sequence[int],
    colors: Sequence[str] | None = None,
    xlabel: str = "Antal",
) -> None:
    """Draw horizontal bars with the count written at the end of each bar (one colour unless
    `colors` gives one per bar: the bars' order carries no meaning a colour should add)."""
    colors = list(colors or [PALETTE[0]] * len(labels))
    positions = list(range(len(labels)))[::-1]
    bars = ax.barh(positions, counts, color=colors, height=0.6)
    ax.set_yticks(positions, labels)
    ax.set_xlabel(xlabel, color=INK)
    ax.bar_label(bars, labels=[str(c) for c in counts], padding=3, color=INK, fontsize=10)
    ax.set_xlim(0, max([*counts, 1]) * 1.15)
    ax.xaxis.get_major_locator().set_params(integer=True)


def alt_text_counts(title: str, labels: Sequence[str], counts: Sequence[int]) -> str:
    """Describe a bar chart in words, for the alt attribute."""
    parts = ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
    return f"{title}. {parts}."


def to_svg(fig: Figure, title: str = "") -> bytes:
    """Render a figure as SVG bytes (with a <title> for screen readers)."""
    fig.tight_layout()
    buffer = io.BytesIO()
    metadata = {"Date": None, **({"Title": title} if title else {})}
    fig.savefig(buffer, format="svg", metadata=metadata)
    return buffer.getvalue()


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """Render a figure as PNG bytes."""
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --- shares, areas and trends (results pages and the board report) ---------------------------


def _percent(value: float) -> str:
    """Format a share the Swedish way: 42,5 %."""
    return f"{value:.0f} %" if float(value).is_integer() else f"{value:.1f} %".replace(".", ",")


def _normal(option: object) -> str:
    return " ".join(str(option).strip().lower().split())


def option_colors(options: Sequence[object]) -> dict[object, str]:
    """Return a colour per answer option (a key such as "ja" or a label such as "Ja").

    Options with a known meaning get that meaning's colour in every chart; the points of a
    numeric scale ("1".."5") run from vermillion to blue; other options share the rest of the
    palette in order.
    """
    colors: dict[object, str] = {}
    names = {option: _normal(option) for option in options}
    points = sorted(int(n) for n in names.values() if n.isdigit())
    scale = SCALE_COLORS.get(len(points)) if points == list(range(1, len(points) + 1)) else None
    others = iter(OTHER_COLORS * (len(options) // len(OTHER_COLORS) + 1))
    for option, name in names.items():
        if name in OPTION_COLORS:
            colors[option] = OPTION_COLORS[name]
        elif name in NEUTRAL_OPTIONS:
            colors[option] = NEUTRAL
        elif scale and name.isdigit():
            colors[option] = scale[int(name) - 1]
        else:
            colors[option] = next(others)
    return colors


def _ordered_options(options: Sequence[object], meaning: dict[object, str],
                     colors: dict[object, str]) -> list[object]:
    """Yes, partly, no in that order (whichever question listed them first), a scale in its
    own order, and "vet ej"/"ej aktuellt" last. `meaning` is the normalised key per option."""
    scale = any(meaning[o].isdigit() for o in options)

    def key(item: tuple[int, object]) -> tuple[int, int, int]:
        index, option = item
        rank = 0 if scale else OPTION_RANK.get(colors[option], 9)
        return (int(meaning[option] in NEUTRAL_OPTIONS), rank, index)

    return [option for _, option in sorted(enumerate(options), key=key)]


def text_color(background: str) -> str:
    """Return white or ink, whichever contrasts more with a background colour."""
    def luminance(color: str) -> float:
        channels = [int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    bg = luminance(background)
    on_white = 1.05 / (bg + 0.05)
    on_ink = (bg + 0.05) / (luminance(INK) + 0.05)
    return "white" if on_white > on_ink else INK


def plot_shares(
    ax: Axes,
    table: pd.DataFrame,
    group_col: str = "group",
    option_col: str = "label",
    share_col: str = "share",
    key_col: str = "option",
) -> None:
    """Draw one 100 % stacked horizontal bar per group, a colour per option's meaning.

    :param table: long rows (group, option label, share 0–100) in display order; groups with
        a blank share (suppressed) get an empty bar labelled "för få svar".
    :param key_col: the column of option keys ("ja", "delvis", "3") that give the colour; the
        label is used when the table has no such column.
    """
    groups = list(dict.fromkeys(table[group_col]))
    labels = list(dict.fromkeys(table[option_col]))
    has_keys = key_col in table.columns
    keys = dict(zip(table[option_col], table[key_col], strict=True)) if has_keys else {}
    meaning = {label: _normal(keys.get(label, label)) for label in labels}
    by_meaning = option_colors(list(dict.fromkeys(meaning.values())))
    colors = {label: by_meaning[meaning[label]] for label in labels}
    options = _ordered_options(labels, meaning, colors)
    pivot = table.pivot_table(
        index=group_col,
        columns=option_col,
        values=share_col,
        aggfunc="sum",
        sort=False,
        dropna=False,
    ).reindex(index=groups, columns=options)
    positions = list(range(len(groups)))[::-1]
    left = [0.0] * len(groups)
    for option in options:
        values = pivot[option].fillna(0).tolist()
        color = colors[option]
        bars = ax.barh(positions, values, left=left, color=color, height=0.6, label=option,
                       edgecolor="white", linewidth=0.8)
        # Write the share inside segments wide enough to hold it, in the colour that contrasts.
        ax.bar_label(
            bars,
            labels=[_percent(v) if v >= 8 else "" for v in values],
            label_type="center",
            color=text_color(color),
            fontsize=9,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    # A group whose every share is blank was suppressed (fewer answers than the minimum).
    hidden = table.groupby(group_col, sort=False)[share_col].apply(lambda s: s.isna().all())
    for pos, group in zip(positions, groups, strict=True):
        if hidden.get(group, False):
            ax.text(1, pos, "för få svar", va="center", color=INK, fontsize=9)
    ticks = [_wrap(str(g)) for g in groups]
    ax.set_yticks(positions, ticks)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Andel (%)", color=INK)
    _legend_above(ax, [str(o) for o in options], ticks)


def _legend_above(ax: Axes, labels: Sequence[str], ticks: Sequence[str],
                  fontsize: float = 9) -> None:
    """Put the legend above the bars, in reading order over as many rows as it needs.

    Below the bars it would collide with the axis label in short charts. The number of
    columns is estimated from the text widths, so a legend never runs off the figure.
    """
    em = fontsize * 0.6  # average width of a character, in points
    figure_width = ax.figure.get_figwidth() * 72
    tick_width = max((len(line) for t in ticks for line in t.split("\n")), default=0) * 10 * 0.6
    room = figure_width - tick_width - 30
    widths = [len(label) * em + fontsize * 3.0 for label in labels]
    ncol = len(labels)
    while ncol > 1 and any(sum(widths[i:i + ncol]) > room for i in range(0, len(labels), ncol)):
        ncol -= 1
    ncol = max(ncol, 1)
    # Matplotlib fills a legend column by column; order the entries so it reads row by row.
    handles, names = ax.get_legend_handles_labels()
    rows = -(-len(labels) // ncol)
    order = [row * ncol + col for col in range(ncol) for row in range(rows)
             if row * ncol + col < len(labels)]
    ax.legend(
        [handles[i] for i in order],
        [names[i] for i in order],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncol=ncol,
        frameon=False,
        fontsize=fontsize,
        borderaxespad=0.2,
        handlelength=1.2,
        columnspacing=1.2,
    )


def plot_percent_bars(
    ax: Axes, labels: Sequence[str], values: Sequence[float], xlabel: str = "Andel ja (%)"
) -> None:
    """Draw horizontal bars of shares 0–100 with the value at the end of each bar."""
    positions = list(range(len(labels)))[::-1]
    clean = [0.0 if pd.isna(v) else float(v) for v in values]
    bars = ax.barh(positions, clean, color=PALETTE[0], height=0.6)
    ax.set_yticks(positions, [_wrap(str(label)) for label in labels])
    ax.set_xlim(0, 110)
    ax.set_xlabel(xlabel, color=INK)
    ax.bar_label(
        bars,
        labels=["–" if pd.isna(v) else _percent(round(float(v), 1)) for v in values],
        padding=3,
        color=INK,
        fontsize=9,
    )


def plot_trend(
    ax: Axes,
    table: pd.DataFrame,
    x_col: str = "year",
    series_col: str = "label",
    value_col: str = "value",
    ylabel: str = "Andel (%)",
) -> None:
    """Draw one line per series over the years, with markers and distinct line styles."""
    styles = ["-", "--", "-.", ":"]
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    for i, (series, part) in enumerate(table.groupby(series_col, sort=False)):
        part = part.sort_values(x_col)
        ax.plot(
            part[x_col],
            part[value_col],
            color=PALETTE[i % len(PALETTE)],
            linestyle=styles[i % len(styles)],
            marker=markers[i % len(markers)],
            linewidth=2,
            label=str(series),
        )
    years = sorted(table[x_col].unique())
    ax.set_xticks(years, [str(y) for y in years])
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(ylabel, color=INK)
    if ylabel.startswith("Andel"):
        ax.set_ylim(0, 105)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False, fontsize=9)


def _wrap(text: str, width: int = 34, lines: int = 3) -> str:
    """Break a long label over at most `lines` lines; a longer one ends with "…" (the chart's
    table or alt text holds the full text)."""
    wrapped = textwrap.wrap(text, width, break_long_words=False)
    if len(wrapped) > lines:
        last = textwrap.shorten(" ".join(wrapped[lines - 1:]), width - 1, placeholder="")
        wrapped = [*wrapped[: lines - 1], last.rstrip(" ,;:–-") + "…"]
    return "\n".join(wrapped) or text


def alt_text_shares(
    title: str,
    table: pd.DataFrame,
    group_col: str = "group",
    option_col: str = "label",
    share_col: str = "share",
) -> str:
    """Describe a stacked share chart in words: each group's shares (groups in order of first
    appearance; one pass over the rows, as a page may describe dozens of charts of 50 groups)."""
    groups: dict[Any, list[str]] = {}
    for group, label, share in zip(table[group_col].tolist(), table[option_col].tolist(),
                                   table[share_col].tolist(), strict=True):
        shares = groups.setdefault(group, [])
        if pd.notna(share):
            shares.append(f"{label} {_percent(round(share, 1))}")
    parts = [f"{group}: {', '.join(shares)}" if shares else f"{group}: för få svar för att visas"
             for group, shares in groups.items() if pd.notna(group)]
    return f"{_sentence(title)} " + "; ".join(parts) + "."


def _sentence(title: str) -> str:
    """End a title with a full stop unless it already ends with punctuation."""
    return title if title.endswith((".", "?", "!", ":")) else title + "."


def alt_text_percent(title: str, labels: Sequence[str], values: Sequence[float]) -> str:
    """Describe a percent bar chart in words."""
    parts = ", ".join(
        f"{label}: {'–' if pd.isna(v) else _percent(round(float(v), 1))}"
        for label, v in zip(labels, values, strict=True)
    )
    return f"{_sentence(title)} {parts}."


def alt_text_trend(
    title: str,
    table: pd.DataFrame,
    x_col: str = "year",
    series_col: str = "label",
    value_col: str = "value",
    unit: str = "%",
) -> str:
    """Describe a line chart in words: each series' values per year."""
    parts = []
    for series, part in table.groupby(series_col, sort=False):
        part = part.sort_values(x_col)
        values = ", ".join(
            f"{x}: "
            + (
                "–"
                if pd.isna(v)
                else f"{round(float(v), 1)}".replace(".", ",") + (f" {unit}" if unit else "")
            )
            for x, v in zip(part[x_col], part[value_col], strict=True)
        )
        parts.append(f"{series} ({values})")
    return f"{_sentence(title)} " + "; ".join(parts) + "."


# --- a content-addressed cache: the same data never draws the same chart twice ----------------

CACHE_SIZE = 256
_CACHE: LRUCache[bytes] = LRUCache(CACHE_SIZE)


def content_key(kind: str, fmt: str, data: pd.DataFrame | str, *extra: str) -> str:
    """Return the sha256 of a chart's kind, format, data and extra parameters."""
    payload = data if isinstance(data, str) else data.to_csv(index=False)
    digest = hashlib.sha256()
    for part in (kind, fmt, payload, *extra):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cached_chart(key: str, fmt: str, draw: Callable[[], Figure], title: str = "") -> bytes:
    """Return the chart's bytes for `key`, drawing it with `draw()` only on a cache miss."""

    def render() -> bytes:
        fig = draw()
        return to_svg(fig, title) if fmt == "svg" else to_png(fig)

    return _CACHE.get_or_compute(key, render)
