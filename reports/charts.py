"""Charts in one accessible style: colour-blind-safe palette, readable Swedish labels.

Each `plot_*` function draws on a matplotlib Axes it is given; `to_svg`/`to_png` turn a
Figure into bytes. No pyplot: figures are built with `Figure()` so web threads never share
global state.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Sequence

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
INK = "#1c2526"
GRID = "#d5dcdc"


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
    """Draw horizontal bars with the count written at the end of each bar."""
    colors = list(colors or PALETTE[: len(labels)])
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


def plot_shares(
    ax: Axes,
    table: pd.DataFrame,
    group_col: str = "group",
    option_col: str = "label",
    share_col: str = "share",
) -> None:
    """Draw one 100 % stacked horizontal bar per group, a colour per option.

    :param table: long rows (group, option label, share 0–100) in display order; groups with
        a blank share (suppressed) get an empty bar labelled "för få svar".
    """
    groups = list(dict.fromkeys(table[group_col]))
    options = list(dict.fromkeys(table[option_col]))
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
    for i, option in enumerate(options):
        values = pivot[option].fillna(0).tolist()
        color = PALETTE[i % len(PALETTE)]
        bars = ax.barh(positions, values, left=left, color=color, height=0.6, label=option)
        # Write the share inside segments wide enough to hold it; dark text on light colours.
        text_color = (
            "white" if color in ("#0072B2", "#D55E00", "#000000", "#009E73", "#CC79A7") else INK
        )
        ax.bar_label(
            bars,
            labels=[_percent(v) if v >= 8 else "" for v in values],
            label_type="center",
            color=text_color,
            fontsize=9,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    for pos, group in zip(positions, groups, strict=True):
        if pivot.loc[group].isna().all():
            ax.text(1, pos, "för få svar", va="center", color=INK, fontsize=9)
    ax.set_yticks(positions, [_wrap(str(g)) for g in groups])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Andel (%)", color=INK)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25 if len(groups) < 4 else -0.12),
        ncol=min(len(options), 4),
        frameon=False,
        fontsize=9,
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


def _wrap(text: str, width: int = 28) -> str:
    """Break a long label over lines so it fits beside the bars."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)[:3]) or text


def alt_text_shares(
    title: str,
    table: pd.DataFrame,
    group_col: str = "group",
    option_col: str = "label",
    share_col: str = "share",
) -> str:
    """Describe a stacked share chart in words: each group's shares."""
    parts = []
    for group, part in table.groupby(group_col, sort=False):
        if part[share_col].isna().all():
            parts.append(f"{group}: för få svar för att visas")
            continue
        shares = ", ".join(
            f"{label} {_percent(round(share, 1))}"
            for label, share in zip(part[option_col], part[share_col], strict=True)
            if pd.notna(share)
        )
        parts.append(f"{group}: {shares}")
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

_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 256


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
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    fig = draw()
    data = to_svg(fig, title) if fmt == "svg" else to_png(fig)
    with _CACHE_LOCK:
        _CACHE[key] = data
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data
