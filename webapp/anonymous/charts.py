"""Charts of an anonymous survey's results, drawn only from the k-suppressed aggregates.

A chart's data is `chart_table(view, question)`: the rows of the options table that
`reports.analysis.aggregate` returned for one question, minus every row flagged `suppressed`.
A hidden group is left out of the chart altogether (no bar, no tick label, no "för få svar"),
and the alt text and the caption say that groups under k are not shown. Nothing here counts
answers or applies k: it only draws what the analysis layer already let through.

The drawing goes through reports.charts (house style, palette, content-addressed cache); this
module adds hatching (so options differ by more than colour), a narrow variant for phones,
and grouped bars for multi-choice questions, whose shares do not add up to 100 %.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from reports import analysis
from reports import charts
from reports.suppression import SUPPRESSED
from webapp.anonymous.results import group_labels

# Question types whose options have shares to draw.
CHART_TYPES = analysis.CHOICE_TYPES | {"scale"}
COLUMNS = ["group", "n", "option", "label", "share"]
# One hatch per option, in option order: together with the colour and the legend, a segment can
# be told apart in grey print and by people who do not see the colours.
HATCHES = ["", "//", "..", "\\\\", "xx", "oo", "--", "++"]
WIDE, NARROW = 7.5, 4.0  # figure widths in inches (desktop, phone)


def chartable(spec: analysis.QuestionSpec) -> bool:
    """Whether a question gets a chart (choices and scales: shares per option)."""
    return spec.type in CHART_TYPES


def _visible_rows(view: Any, options: pd.DataFrame) -> pd.DataFrame:
    """Return chart rows (COLUMNS and `question`) of the options rows that may be drawn, each
    question's whole organisation first, then its groups in the order of the page's table."""
    rows = options[~options[SUPPRESSED].astype(bool)]
    # Belt and braces: a visible row always has n and a share; never draw a blank one as 0.
    rows = rows[rows["n"].notna() & rows["share"].notna()]
    by = list(view.by)
    table = pd.DataFrame({
        "question": rows["question"], "group": group_labels(rows, by),
        "n": rows["n"].astype(int), "option": rows["option"], "label": rows["label"],
        "share": rows["share"].astype(float), "_total": (rows[by] == analysis.TOTAL).all(axis=1),
        "_position": rows["position"]})
    return table.sort_values(["question", "_total", "group", "_position"],
                             ascending=[True, False, True, True], kind="stable")


def chart_table(view: Any, question: str) -> pd.DataFrame:
    """Return the data a question's chart draws: one row per visible group and option.

    Columns group, n (respondents of the group who answered), option (its key, which gives the
    colour), label and share (0–100). Built from `view.aggregates.options` alone; rows of
    suppressed (group, question)s are dropped, so a hidden group has no row at all. The whole
    organisation comes first, then the groups in the order of the page's table.
    """
    if view.aggregates is None:
        return pd.DataFrame(columns=COLUMNS)
    options = view.aggregates.options
    rows = _visible_rows(view, options[options["question"] == question])
    return rows[COLUMNS].reset_index(drop=True)


def chart_tables(view: Any) -> dict[str, pd.DataFrame]:
    """Return `chart_table` of every question that has something to draw (one pass)."""
    if view.aggregates is None:
        return {}
    rows = _visible_rows(view, view.aggregates.options)
    return {str(question): part[COLUMNS].reset_index(drop=True)
            for question, part in rows.groupby("question", sort=False)}


def _percent(value: float) -> str:
    """A share the Swedish way, as reports.charts writes it: 42,5 %."""
    value = round(float(value), 1)
    return f"{value:.0f} %" if value.is_integer() else f"{value:.1f} %".replace(".", ",")


def _with_n(group: str, n: int) -> str:
    """Return a group's name with its number of answers: "Fastighet (58 svar)"."""
    return _("%(group)s (%(n)s svar)", group=group, n=n)


def alt_text(view: Any, spec: analysis.QuestionSpec, table: pd.DataFrame | None = None) -> str:
    """Describe the question's chart in words: every visible group's shares, and what is left
    out. The numbers are the aggregates' shares, as `reports.charts.alt_text_shares` writes them.

    :param table: the question's `chart_table`, when the caller has it already.
    """
    table = chart_table(view, spec.id) if table is None else table
    question = spec.text if spec.text.endswith((".", "?", "!", ":")) else spec.text + "."
    title = question + " " + _("Andel per svarsalternativ")
    if table.empty:
        text = title + ". " + _("Ingen grupp har tillräckligt många svar för att visas.")
    else:
        counts = dict(zip(table["group"], table["n"], strict=True))  # one n per group
        named = {g: _with_n(g, n) for g, n in counts.items()}
        text = charts.alt_text_shares(title, table.assign(group=table["group"].map(named)))
    if spec.type == "multi_choice":
        text += " " + _("Flera svar möjliga, så andelarna kan bli mer än 100 % tillsammans.")
    return text + " " + _("Grupper med färre än %(k)s svar, och grupper som döljs för att "
                          "skydda dem, visas inte.", k=view.k)


# -- drawing ----------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _luminance(color: Any) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in to_rgb(color)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _hatch(ax: Axes) -> None:
    """Give each option (a bar container) its own hatch, light on dark colours, dark on light."""
    for i, container in enumerate(ax.containers):
        for patch in container.patches:
            dark = _luminance(patch.get_facecolor()) < 0.3
            patch.set_hatch(HATCHES[i % len(HATCHES)])
            patch.set_hatch_linewidth(0.6)
            patch.set_hatchcolor((1, 1, 1, 0.6) if dark else (*to_rgb(charts.INK), 0.35))


def _renderer(fig: Figure) -> Any:
    """Return a renderer to measure text with (an Agg canvas: the figure has none of its own)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    return canvas.get_renderer()


def _fit_labels(fig: Figure, ax: Axes) -> None:
    """Hide a share written inside a segment too narrow for it (on a phone), and put the
    others on a patch of the segment's colour, so that the hatch does not run through them."""
    renderer = _renderer(fig)
    boxes = [(p, p.get_window_extent(renderer)) for c in ax.containers for p in c.patches]
    for text in ax.texts:
        if not text.get_text() or not hasattr(text, "xy"):
            continue  # a group name, not a bar label
        extent = text.get_window_extent(renderer)
        x, y = (extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2
        for patch, box in boxes:
            if box.x0 < x < box.x1 and box.y0 < y < box.y1:
                if extent.width > box.width - 8:
                    text.set_visible(False)
                else:
                    text.set_bbox({"boxstyle": "square,pad=0.2", "linewidth": 0,
                                   "facecolor": patch.get_facecolor()})
                break


def _row_major(count: int, columns: int) -> list[int]:
    """Return the order to give matplotlib (which fills a legend column by column) so that the
    options read left to right, row by row, as on a scale."""
    rows, long_columns = divmod(count, columns)
    order = []
    for column in range(columns):
        height = rows + 1 if column < long_columns else rows
        order += [row * columns + column for row in range(height)]
    return order


def _legend(fig: Figure, ax: Axes, narrow: bool) -> float:
    """Put the legend above the bars (as reports.charts does) in as many columns as fit,
    wrapping long option labels; it is re-created so that it shows the hatches. Return its
    height in inches."""
    handles, labels = ax.get_legend_handles_labels()
    renderer = _renderer(fig)
    room = fig.bbox.x1 - ax.get_window_extent(renderer).x0 - 8
    legend = None
    for wrap in (0, 60, 48, 40, 32, 26, 20):
        texts = [_wrap(label, wrap) if wrap else label for label in labels]
        for columns in range(min(len(texts), 1 if narrow else 4), 0, -1):
            order = _row_major(len(texts), columns)
            legend = ax.legend([handles[i] for i in order], [texts[i] for i in order],
                               loc="lower left", bbox_to_anchor=(0.0, 1.01),
                               ncol=columns, frameon=False, fontsize=9, borderaxespad=0.2,
                               handlelength=2.0, handleheight=1.1, columnspacing=1.2)
            if legend.get_window_extent(renderer).width <= room:
                return legend.get_window_extent(renderer).height / fig.dpi
    return legend.get_window_extent(renderer).height / fig.dpi if legend else 0.0


def _group_labels(ax: Axes, table: pd.DataFrame, positions: list[float], narrow: bool,
                  top: float) -> None:
    """Name each bar (with its number of answers): beside it, or above it on a phone."""
    first = table.drop_duplicates("group")
    # A no-break space keeps "(58 svar)" on one line when a long name wraps.
    names = [_with_n(g, n).replace(f"({n} ", f"({n}\u00a0")
             for g, n in zip(first["group"], first["n"], strict=True)]
    bold = [g == analysis.TOTAL for g in first["group"]]
    if narrow:
        ax.set_yticks(positions, [""] * len(positions))
        ax.tick_params(axis="y", length=0)
        for pos, name, heavy in zip(positions, names, bold, strict=True):
            ax.text(0, pos + top, _wrap(name, 44), va="bottom", ha="left", fontsize=9,
                    color=charts.INK, fontweight="bold" if heavy else "normal",
                    bbox={"boxstyle": "square,pad=0.1", "linewidth": 0, "facecolor": "white"})
    else:
        ax.set_yticks(positions, [_wrap(name, 34) for name in names], fontsize=9)
        for tick, heavy in zip(ax.get_yticklabels(), bold, strict=True):
            tick.set_fontweight("bold" if heavy else "normal")


def figure(table: pd.DataFrame, multi: bool = False, narrow: bool = False) -> Figure:
    """Draw a chart table (see `chart_table`): a 100 % stacked bar per group, or grouped bars
    for a multi-choice question. On a phone (`narrow`) the group names go above the bars."""
    groups = list(dict.fromkeys(table["group"]))
    options = list(dict.fromkeys(table["label"]))
    per_group = (0.19 * len(options) + 0.2) if multi else 0.5
    if narrow:
        per_group += 0.3
    width = NARROW if narrow else WIDE
    fig, ax = charts.new_figure(width, 1.0 + per_group * len(groups))
    positions = [float(p) for p in range(len(groups))][::-1]
    if multi:
        _plot_multi(ax, table, positions, options)
        top = 0.44
    else:
        charts.plot_shares(ax, table)
        top = 0.32
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    _group_labels(ax, table, positions, narrow, top)
    ax.set_ylim(-0.55 if multi else -0.45, len(groups) - (0.3 if narrow else 0.45))
    _hatch(ax)
    fig.tight_layout()
    legend_height = _legend(fig, ax, narrow)
    fig.set_size_inches(width, 1.0 + per_group * len(groups) + legend_height + 0.1)
    fig.tight_layout()
    if not multi:
        _fit_labels(fig, ax)
    return fig


def _plot_multi(ax: Axes, table: pd.DataFrame, positions: list[float],
                options: list[str]) -> None:
    """Grouped horizontal bars: per group one bar per option, the share written at its end."""
    groups = list(dict.fromkeys(table["group"]))
    pivot = table.pivot_table(index="group", columns="label", values="share", aggfunc="sum",
                              sort=False).reindex(index=groups, columns=options)
    slot = 0.84 / max(len(options), 1)
    for i, option in enumerate(options):
        values = pivot[option].fillna(0).tolist()
        ys = [base + 0.42 - slot * (i + 0.5) for base in positions]
        bars = ax.barh(ys, values, height=slot * 0.85, label=option,
                       color=charts.PALETTE[i % len(charts.PALETTE)])
        ax.bar_label(bars, labels=[_percent(v) for v in values], padding=3,
                     color=charts.INK, fontsize=8)
    ax.set_xlim(0, 112)
    ax.set_xlabel(_("Andel (%), flera svar möjliga"), color=charts.INK)


def image(view: Any, spec: analysis.QuestionSpec, fmt: str, narrow: bool = False) -> bytes | None:
    """Return the question's chart as SVG or PNG bytes, or None if no group may be shown."""
    table = chart_table(view, spec.id)
    if table.empty:
        return None
    multi = spec.type == "multi_choice"
    # The alt text is also in the key: it is the SVG's <title>, in the UI language.
    title = alt_text(view, spec, table)
    key = charts.content_key("anonymous-shares", fmt, table, str(multi), str(narrow), title)
    return charts.cached_chart(key, fmt, lambda: figure(table, multi, narrow), title=title)
