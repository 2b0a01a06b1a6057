"""The board report (tjänsteskrivelse): report data in, a structured document model out.

Pure: never imports Flask or the web app and writes nothing. The caller (the boardreports
capability, the CLI or the benchmark) gathers `ReportData` through reports.analysis, then::

    from reports import board_report, render

    doc = board_report.build(data)            # Document: meta + a flat list of blocks
    html = render.board_html(doc)             # or render.board_pdf(doc, archival=True)
    docx = render.board_docx(doc)

The document follows the municipal tjänsteskrivelse (seeds 003/004): Sammanfattning,
Beslutsunderlag (the tjänsteskrivelse first), Förslag till beslut, Beslutet skickas till and
Ärendet with the findings, then an appendix with the completeness check of DL 3 kap. 13 §.
Every figure comes from the analysis tables it is given; nothing is recomputed here except
counts of which units answered which questions (for the completeness check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import pandas as pd

from reports import analysis
from reports import charts

FIVE_AREAS = ("arbetsforhallanden", "loner", "rekrytering", "kompetensutveckling",
              "foraldraskap")
STEPS = ("undersoka", "analysera", "atgarda", "folja_upp")
# The special duties of 6–11 §§, shown as their own findings after the five areas.
SPECIAL_AREAS = ("trakasserier", "lonekartlaggning", "jamn_konsfordelning", "samverkan")
SHORT_AREA_LABELS = {"arbetsforhallanden": "Arbetsförhållanden", "loner": "Löner",
                     "rekrytering": "Rekrytering", "kompetensutveckling": "Kompetensutveckling",
                     "foraldraskap": "Föräldraskap"}
STEP_LABELS = {"undersoka": "Undersöka", "analysera": "Analysera", "atgarda": "Åtgärda",
               "folja_upp": "Följa upp"}

COVERED = "uppfyllt"
PARTIAL = "delvis"
MISSING = "saknas"
NOT_APPLICABLE = "ej_aktuellt"
STATUS_LABELS = {COVERED: "Uppfyllt", PARTIAL: "Delvis", MISSING: "Saknas",
                 NOT_APPLICABLE: "Ej aktuellt"}
DASH = "–"


# --- the document model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 is the title, 2 the tjänsteskrivelse headings, 3–4 inside Ärendet."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; style "proposal" for the att-satser, "lead" for the
    sentence that introduces the chart below it (kept on the chart's page)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Table:
    """A table with a caption; `numeric` marks right-aligned columns."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes, with a caption and the chart in words (alt text)."""

    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class Quote:
    """A free-text answer quoted from a unit."""

    text: str
    source: str


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page (the appendix)."""


Block = Heading | Paragraph | Table | Figure | Quote | PageBreak


@dataclass(frozen=True)
class Decision:
    """The board's recorded decision on the report."""

    organ: str
    date: dt.date
    paragraph: str  # "§ 12/24", in the municipality's format


@dataclass(frozen=True)
class Meta:
    """What the document's head and page margins show."""

    municipality: str
    organ: str
    author: str
    date: dt.date
    diarienummer: str
    title: str
    year: int
    logo: bytes | None = None
    draft: bool = True
    decision: Decision | None = None

    @property
    def status_text(self) -> str:
        """Return the marking of the document: a draft, or the decision that approved it."""
        if self.draft:
            return "Utkast – ej beslutat"
        if self.decision is None:
            return "Beslutad"
        d = self.decision
        return f"Beslutad av {d.organ} {d.date.isoformat()}, {d.paragraph}".rstrip(", ")


@dataclass
class Document:
    """A board report: its head and a flat list of blocks in reading order."""

    meta: Meta
    blocks: list[Block]

    def headings(self, level: int | None = None) -> list[str]:
        """Return the heading texts (of one level)."""
        return [b.text for b in self.blocks
                if isinstance(b, Heading) and (level is None or b.level == level)]

    def tables(self) -> list[Table]:
        """Return the tables in order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        """Return the charts in order."""
        return [b for b in self.blocks if isinstance(b, Figure)]


# --- the data a report is built from ---------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """The sections HR writes; multi-line strings, paragraphs separated by blank lines."""

    summary: str = ""
    basis: str = ""  # Beslutsunderlag: one document per line
    proposal: str = ""
    send_to: str = ""  # one recipient per line
    background: str = ""  # the opening of Ärendet
    development: str = ""  # Utvecklingsområden


@dataclass(frozen=True)
class MeasureRow:
    """One measure as the report lists it (already labelled by the caller)."""

    title: str
    unit: str
    area: str
    area_label: str
    status_label: str = ""
    effect_label: str = ""
    evaluated: bool = False
    responsible: str = ""
    schedule: str = ""


@dataclass(frozen=True)
class QuotedText:
    """A free-text answer HR chose to quote."""

    unit: str
    question: str
    text: str


@dataclass
class SurveyData:
    """The anonymous attitude survey of the year, aggregated and k-suppressed by analysis."""

    title: str
    k: int
    respondents: int | None  # None: hidden (fewer than k)
    result: analysis.Aggregates  # grouped by any column; only TOTAL rows are shown


@dataclass
class ReportData:
    """Everything a board report shows; tables come from reports.analysis."""

    municipality: str
    organ: str
    author: str
    date: dt.date
    diarienummer: str
    year: int
    texts: Texts
    specs: list[analysis.QuestionSpec]
    wide: pd.DataFrame  # submitted answers, one row per unit (for the completeness check)
    result: analysis.Aggregates  # by unit, k=1 (named follow-up)
    areas: pd.DataFrame  # analysis.area_table(result.options, specs)
    rates: pd.DataFrame  # analysis.response_rates(frame, by="unit")
    unit_names: Mapping[str, str]
    area_labels: Mapping[str, str]
    measures_last: list[MeasureRow] = field(default_factory=list)
    measures_next: list[MeasureRow] = field(default_factory=list)
    quotes: list[QuotedText] = field(default_factory=list)
    survey: SurveyData | None = None
    history: pd.DataFrame | None = None  # year, area, share: area_table TOTAL rows per year
    unit_word: str = "förvaltningar"  # what the answering units are called in running text
    logo: bytes | None = None
    draft: bool = True
    decision: Decision | None = None  # recorded when the board approved the report
    unit_word_one: str = "förvaltning"  # the singular of unit_word ("1 av 1 förvaltning")

    @property
    def title(self) -> str:
        """Return the report's title."""
        return title_for(self.year)


def title_for(year: int) -> str:
    """Return the title of the report for a year."""
    return f"Årlig uppföljning av aktiva åtgärder inom likabehandling {year}"


def default_texts(year: int, author: str, organ: str, date: dt.date,
                  survey_title: str = "") -> Texts:
    """Return the starting text of a new draft, in the wording of the seeds."""
    title = title_for(year)
    basis = [f"{author}s tjänsteskrivelse, {title}, {date.isoformat()}",
             f"{author}s rapport, {title}, {date.isoformat()}",
             f"Förvaltningarnas svar på uppföljningsenkäten {year}"]
    if survey_title:
        basis.append(f"Resultat från {survey_title}")
    return Texts(
        summary=(f"Rapport över förvaltningarnas arbete med aktiva åtgärder inom likabehandling "
                 f"{year} föreligger.\n\n"
                 f"{organ} har samordningsansvar för kommunens arbete med aktiva åtgärder enligt "
                 f"diskrimineringslagen 3 kap. och ansvar för den årliga uppföljningen av "
                 f"detta arbete. Ytterligare information återfinns under rubriken Ärendet."),
        basis="\n".join(basis),
        proposal=(f"{organ} föreslås besluta\n\n"
                  f"att godkänna rapporten avseende uppföljning av aktiva åtgärder inom "
                  f"likabehandling {year} och lägga denna till handlingarna."),
        send_to="Samtliga nämnder\nSamtliga förvaltningar",
        background=(f"Enligt diskrimineringslagen 3 kap. ska arbetsgivaren fortlöpande "
                    f"undersöka, analysera, åtgärda och följa upp arbetet med aktiva åtgärder "
                    f"inom fem områden, och dokumentera arbetet skriftligt varje år (13 §). "
                    f"Förvaltningarna har besvarat den årliga uppföljningsenkäten för "
                    f"verksamhetsåret {year}. Resultatet sammanställs nedan."),
        development="",
    )


# --- small formatting helpers ----------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[arg-type]


def fmt_number(value: object, digits: int = 0) -> str:
    """Format a number the Swedish way (6 000,5); "–" when blank or suppressed."""
    if _blank(value):
        return DASH
    text = f"{float(value):,.{digits}f}"  # type: ignore[arg-type]
    return text.replace(",", "\u00a0").replace(".", ",")


def fmt_share(value: object) -> str:
    """Format a share 0–100 as "42 %"; "–" when blank."""
    if _blank(value):
        return DASH
    return fmt_number(value, 0) + "\u00a0%"


def count_text(count: int, one: str, many: str) -> str:
    """Return "1 åtgärd" or "3 åtgärder": the count with the noun phrase that agrees with it."""
    return f"{count} {one if count == 1 else many}"


def _paragraphs(text: str) -> list[str]:
    parts = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return [p for p in parts if p]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _text_blocks(text: str, empty: str = "") -> list[Block]:
    blocks: list[Block] = [Paragraph(p, "proposal" if p.startswith("att ") else "")
                           for p in _paragraphs(text)]
    return blocks or ([Paragraph(empty, "muted")] if empty else [])


# --- the sections ----------------------------------------------------------------------------


def _response_section(data: ReportData) -> list[Block]:
    rates = data.rates
    total = rates[rates["unit"] == analysis.TOTAL]
    units = rates[rates["unit"] != analysis.TOTAL]
    blocks: list[Block] = [Heading(3, "Svarsfrekvens")]
    if not total.empty:
        row = total.iloc[0]
        blocks.append(Paragraph(
            _of(int(row["submitted"]), int(row["assignments"]), data.unit_word_one,
                data.unit_word)
            + f" ({fmt_share(row['rate'])}) har lämnat in sina svar på uppföljningsenkäten."))
    rows = tuple((data.unit_names.get(str(r["unit"]), str(r["unit"])),
                  "Inskickad" if int(r["submitted"]) else "Ej inskickad")
                 for r in units.to_dict("records"))
    if rows:
        blocks.append(Table("Inlämnade svar per förvaltning", ("Förvaltning", "Svar"), rows))
    return blocks


def _area_overview(data: ReportData) -> list[Block]:
    total = data.areas[data.areas["unit"] == analysis.TOTAL]
    shown = [a for a in (*FIVE_AREAS, *SPECIAL_AREAS) if a in set(total["area"])]
    if not shown:
        return [Paragraph("Det finns inga besvarade ja/nej-frågor att sammanställa per område.")]
    by_area = total.set_index("area")
    labels = [data.area_labels.get(a, a) for a in shown]
    values = [by_area.loc[a, "share"] for a in shown]
    title = f"Andel ja-svar per område {data.year}"
    fig, ax = charts.new_figure(7.0, 0.45 * len(shown) + 1.2)
    charts.plot_percent_bars(ax, labels, values)
    rows = tuple((data.area_labels.get(a, a), str(int(by_area.loc[a, "questions"])),
                  fmt_number(by_area.loc[a, "n"]), fmt_share(by_area.loc[a, "share"]))
                 for a in shown)
    return [
        Paragraph("Diagrammet visar hur stor andel av förvaltningarnas svar på områdets "
                  "ja/nej-frågor som var ja. Ett lägre värde pekar på ett område där arbetet "
                  "behöver utvecklas.", "lead"),
        Figure(charts.to_png(fig), charts.alt_text_percent(title, labels, values), title),
        Table(f"Nyckeltal per område {data.year}",
              ("Område", "Frågor", "Svar", "Andel ja"), rows, (False, True, True, True)),
    ]


def _area_findings(data: ReportData, area: str) -> list[Block]:
    """Findings of one area: shares per ja/nej question, sums of numbers, one chart."""
    specs = [s for s in data.specs if area in s.areas]
    if not specs:
        return []
    opts = data.result.options
    total_opts = opts[opts[data.result.by[0]] == analysis.TOTAL]
    nums = data.result.numbers
    total_nums = nums[nums[data.result.by[0]] == analysis.TOTAL]
    blocks: list[Block] = [Heading(4, data.area_labels.get(area, area))]
    chart_rows = []
    table_rows = []
    for spec in specs:
        if spec.type not in ("yes_no", "yes_partly_no"):
            continue
        part = total_opts[total_opts["question"] == spec.id]
        if part.empty:
            continue
        shares = dict(zip(part["option"], part["share"], strict=True))
        n = part["n"].iloc[0]
        table_rows.append((spec.text, fmt_share(shares.get("ja")),
                           fmt_share(shares.get("delvis")) if spec.type == "yes_partly_no"
                           else DASH, fmt_share(shares.get("nej")), fmt_number(n)))
        chart_rows.append(part.assign(group=spec.text))
    if table_rows:
        blocks.append(Table(f"{data.area_labels.get(area, area)}: svar på ja/nej-frågor",
                            ("Fråga", "Ja", "Delvis", "Nej", "Svar"), tuple(table_rows),
                            (False, True, True, True, True)))
        table = pd.concat(chart_rows, ignore_index=True)
        title = f"{data.area_labels.get(area, area)}: fördelning av svaren"
        fig, ax = charts.new_figure(7.0, 0.55 * len(chart_rows) + 1.6)
        charts.plot_shares(ax, table)
        blocks.append(Figure(charts.to_png(fig), charts.alt_text_shares(title, table), title))
    number_rows = []
    for spec in specs:
        if spec.type not in ("integer", "integer_group"):
            continue
        part = total_nums[total_nums["question"] == spec.id]
        for rec in part.to_dict("records"):
            label = spec.text if not rec["item"] else f"{spec.text} – {rec['label']}"
            number_rows.append((label, fmt_number(rec["sum"]), fmt_number(rec["n"])))
    if number_rows:
        blocks.append(Table(f"{data.area_labels.get(area, area)}: antal (summa för alla "
                            f"{data.unit_word})", ("Uppgift", "Summa", "Svar"),
                            tuple(number_rows), (False, True, True)))
    return blocks if len(blocks) > 1 else []


def _quotes(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(3, "Iakttagelser från förvaltningarna")]
    if not data.quotes:
        blocks.append(Paragraph("Inga enskilda iakttagelser har valts ut till rapporten."))
        return blocks
    blocks.append(Paragraph("Ett urval av förvaltningarnas egna beskrivningar i "
                            "uppföljningsenkäten:", "lead"))
    for question in dict.fromkeys(q.question for q in data.quotes):
        blocks.append(Paragraph(question, "question"))
        blocks.extend(Quote(q.text, q.unit) for q in data.quotes if q.question == question)
    return blocks


def _measures_last(data: ReportData) -> list[Block]:
    period = data.year - 1
    blocks: list[Block] = [Heading(3, f"Föregående periods åtgärder ({period})")]
    if not data.measures_last:
        blocks.append(Paragraph(f"Det fanns inga åtgärder för {period} i åtgärdsregistret."))
        return blocks
    statuses = list(dict.fromkeys(m.status_label for m in data.measures_last))
    counts = [sum(m.status_label == s for m in data.measures_last) for s in statuses]
    evaluated = sum(m.evaluated for m in data.measures_last)
    count = len(data.measures_last)
    how = " med effekt eller en beskrivning av resultatet."
    if count == 1:
        done = "Den har utvärderats" + how if evaluated else "Den har ännu inte utvärderats."
    else:
        done = f"{evaluated} av dem har utvärderats" + how
    blocks.append(Paragraph(f"Åtgärdsregistret innehåller "
                            f"{count_text(count, 'åtgärd', 'åtgärder')} för {period}. {done}",
                            "lead"))
    title = f"Åtgärder {period} per status"
    fig, ax = charts.new_figure(7.0, 0.45 * len(statuses) + 1.2)
    charts.plot_counts(ax, statuses, counts)
    blocks.append(Figure(charts.to_png(fig), charts.alt_text_counts(title, statuses, counts),
                         title))
    rows = tuple((m.title, m.unit, m.area_label, m.status_label, m.effect_label)
                 for m in data.measures_last)
    blocks.append(Table(f"Åtgärder {period} och deras status",
                        ("Åtgärd", "Enhet", "Område", "Status", "Effekt"), rows))
    return blocks


def _measures_next(data: ReportData) -> list[Block]:
    period = data.year + 1
    blocks: list[Block] = [Heading(3, f"Föreslagna åtgärder för {period}")]
    if not data.measures_next:
        blocks.append(Paragraph(f"Inga åtgärder för {period} är ännu införda i "
                                f"åtgärdsregistret."))
        return blocks
    count = count_text(len(data.measures_next), "åtgärd", "åtgärder")
    blocks.append(Paragraph(f"Förvaltningarna föreslår {count} för {period}. Ansvar och "
                            f"tidsplan framgår av tabellen."))
    rows = tuple((m.title, m.unit, m.area_label, m.responsible or DASH, m.schedule or DASH)
                 for m in data.measures_next)
    blocks.append(Table(f"Föreslagna åtgärder {period}",
                        ("Åtgärd", "Enhet", "Område", "Ansvarig", "Tidsplan"), rows))
    return blocks


def _survey(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(3, "Medarbetarenkäten")]
    survey = data.survey
    if survey is None:
        blocks.append(Paragraph(f"Ingen anonym medarbetarenkät avslutades {data.year}."))
        return blocks
    total = survey.result.options[survey.result.options[survey.result.by[0]]
                                  == analysis.TOTAL]
    respondents = (f"{fmt_number(survey.respondents)} medarbetare svarade"
                   if survey.respondents is not None else "för få medarbetare svarade")
    blocks.append(Paragraph(
        f"{survey.title}: {respondents}. Resultat visas bara för grupper med minst "
        f"{survey.k} svarande; mindre grupper redovisas inte (–)."))
    specs = [s for s in survey.result.specs if s.type == "scale"]
    scales = survey.result.scales
    total_scales = scales[scales[survey.result.by[0]] == analysis.TOTAL].set_index("question")
    rows = []
    chart_rows = []
    for spec in specs:
        part = total[total["question"] == spec.id]
        if part.empty:
            continue
        mean = total_scales["mean"].get(spec.id) if spec.id in total_scales.index else None
        rows.append((spec.text, fmt_number(part["n"].iloc[0]), fmt_number(mean, 1)))
        chart_rows.append(part.assign(group=spec.text))
    if rows:
        blocks.append(Table("Medarbetarenkätens påståenden (hela organisationen)",
                            ("Påstående", "Svar", "Medelvärde"), tuple(rows),
                            (False, True, True)))
        table = pd.concat(chart_rows, ignore_index=True)
        title = "Medarbetarenkäten: fördelning av svaren"
        fig, ax = charts.new_figure(7.0, 0.55 * len(chart_rows) + 1.8)
        charts.plot_shares(ax, table)
        blocks.append(Figure(charts.to_png(fig), charts.alt_text_shares(title, table), title))
    others = [s for s in survey.result.specs
              if s.type in ("yes_no", "single_choice", "yes_partly_no")]
    for spec in others:
        part = total[total["question"] == spec.id]
        if part.empty or part["share"].isna().all():
            continue
        blocks.append(Table(spec.text, ("Svar", "Andel"),
                            tuple((str(r["label"]), fmt_share(r["share"]))
                                  for r in part.to_dict("records")), (False, True)))
    return blocks


def _history(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(3, "Jämförelse med tidigare år")]
    history = data.history
    if history is None or history.empty or history["year"].nunique() < 2:
        blocks.append(Paragraph("Det finns inga tidigare års uppföljningar att jämföra med."))
        return blocks
    history = history[history["area"].isin(FIVE_AREAS)]
    years = sorted(int(y) for y in history["year"].unique())
    table = history.assign(label=history["area"].map(SHORT_AREA_LABELS))
    title = f"Andel ja-svar per område {years[0]}–{years[-1]}"
    fig, ax = charts.new_figure(7.0, 3.6)
    charts.plot_trend(ax, table, value_col="share")
    blocks.append(Paragraph("Andelen ja-svar per område de senaste åren, för de förvaltningar "
                            "som svarade respektive år.", "lead"))
    alt = charts.alt_text_trend(title, table, value_col="share")
    blocks.append(Figure(charts.to_png(fig), alt, title))
    pivot = table.pivot_table(index="label", columns="year", values="share", sort=False)
    rows = tuple((str(label), *(fmt_share(pivot.loc[label].get(y)) for y in years))
                 for label in pivot.index)
    blocks.append(Table("Andel ja per område och år", ("Område", *map(str, years)), rows,
                        (False, *([True] * len(years)))))
    return blocks


def build(data: ReportData) -> Document:
    """Return the board report of one year as a document model."""
    checks = completeness(data)
    blocks: list[Block] = [Heading(1, data.title)]
    blocks += [Heading(2, "Sammanfattning"), *_text_blocks(data.texts.summary)]
    blocks += [Heading(2, "Beslutsunderlag")]
    blocks += [Paragraph(line, "basis") for line in _lines(data.texts.basis)]
    blocks += [Heading(2, f"{data.author}s förslag till beslut"),
               *_text_blocks(data.texts.proposal)]
    blocks += [Heading(2, "Beslutet skickas till")]
    blocks += [Paragraph(line, "basis") for line in _lines(data.texts.send_to)]
    blocks += [Heading(2, "Ärendet"), *_text_blocks(data.texts.background)]
    blocks += _response_section(data)
    blocks += [Heading(3, "Resultat per område"), *_area_overview(data)]
    for area in (*FIVE_AREAS, *SPECIAL_AREAS):
        blocks += _area_findings(data, area)
    blocks += _quotes(data)
    blocks += _measures_last(data)
    blocks += _measures_next(data)
    blocks += _survey(data)
    blocks += _history(data)
    blocks += [Heading(3, "Utvecklingsområden"),
               *_text_blocks(data.texts.development, "Inga utvecklingsområden har angetts.")]
    missing = [c for c in checks if c.status in (MISSING, PARTIAL)]
    blocks += [Heading(3, "Dokumentation enligt 3 kap. 13 §"), Paragraph(
        "Bilaga 1 visar vilka delar av den dokumentation som diskrimineringslagen kräver som "
        "årets svar och åtgärdsregister täcker. "
        + (count_text(len(missing), "del är inte fullständigt dokumenterad.",
                      "delar är inte fullständigt dokumenterade.")
           if missing else "Alla delar är dokumenterade."))]
    blocks += [PageBreak(), *_appendix(data, checks)]
    meta = Meta(municipality=data.municipality, organ=data.organ, author=data.author,
                date=data.date, diarienummer=data.diarienummer, title=data.title,
                year=data.year, logo=data.logo, draft=data.draft, decision=data.decision)
    return Document(meta=meta, blocks=blocks)


# --- completeness (DL 3 kap. 13 §) -----------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One required part of the documentation and whether this year's material covers it."""

    key: str
    label: str
    law: str
    status: str
    basis: str

    @property
    def status_label(self) -> str:
        """Return the Swedish label of the status."""
        return STATUS_LABELS[self.status]


def _answered(wide: pd.DataFrame, spec: analysis.QuestionSpec) -> pd.Series:
    """Per unit (row): whether the question has an answer."""
    if wide.empty:
        return pd.Series(False, index=wide.index)
    mask = pd.Series(False, index=wide.index)
    for col in analysis.value_columns(spec):
        if col not in wide.columns:
            continue
        values = wide[col]
        mask |= values.map(lambda v: (len(v) > 0) if isinstance(v, list | dict | str)
                           else not _blank(v))
    return mask


def _any_answered(wide: pd.DataFrame, specs: Sequence[analysis.QuestionSpec]) -> pd.Series:
    mask = pd.Series(False, index=wide.index)
    for spec in specs:
        mask |= _answered(wide, spec)
    return mask


def _status(count: int, total: int) -> str:
    if total == 0 or count == 0:
        return MISSING
    return COVERED if count >= total else PARTIAL


def _of(count: int, total: int, one: str, many: str) -> str:
    """Return "2 av 8 förvaltningar" or "1 av 1 förvaltning": the noun agrees with the total."""
    return f"{count} av {count_text(total, one, many)}"


def _investigated(wide: pd.DataFrame, specs: Sequence[analysis.QuestionSpec],
                  area: str) -> pd.Series:
    """Per unit: whether its investigation covered the area (a multi-choice of areas), or,
    when the questionnaire has no such question, whether it answered the area's questions."""
    chooser = [s for s in specs if "undersoka" in s.areas and s.type == "multi_choice"
               and area in dict(s.options)]
    if chooser:
        mask = pd.Series(False, index=wide.index)
        for spec in chooser:
            col = f"{spec.id}.selected"
            if col in wide.columns:
                mask |= wide[col].map(lambda v: isinstance(v, list) and area in v)
        return mask
    return _any_answered(wide, [s for s in specs if area in s.areas])


def _agreed(wide: pd.DataFrame, specs: Sequence[analysis.QuestionSpec]) -> pd.Series:
    """Per unit: whether it answered ja or delvis to any of the ja/nej questions."""
    mask = pd.Series(False, index=wide.index)
    for spec in specs:
        if spec.type not in ("yes_no", "yes_partly_no"):
            continue
        col = f"{spec.id}.answer" if spec.type == "yes_partly_no" else spec.id
        if col in wide.columns:
            mask |= wide[col].isin(["ja", "delvis"])
    return mask


def completeness(data: ReportData) -> list[Check]:
    """Return which parts of the 13 § documentation the year's answers and measures cover.

    The five areas x four steps come from question tags (areas and steps), the units'
    answers and the measures register; the special duties from their tags.
    """
    wide, specs = data.wide, data.specs
    n = len(wide)
    one, word = data.unit_word_one, data.unit_word
    checks: list[Check] = []
    analysed = _agreed(wide, [s for s in specs if "analysera" in s.areas])
    last_by_area = {a: [m for m in data.measures_last if m.area == a] for a in FIVE_AREAS}
    next_by_area = {a: [m for m in data.measures_next if m.area == a] for a in FIVE_AREAS}
    for area in FIVE_AREAS:
        label = data.area_labels.get(area, area)
        inv = _investigated(wide, specs, area)
        count = int(inv.sum())
        checks.append(Check(f"{area}.undersoka", f"{label}: undersöka", "3 kap. 2 §, 13 §",
                            _status(count, n), _of(count, n, one, word) + " har undersökt området"))
        both = int((inv & analysed).sum())
        checks.append(Check(f"{area}.analysera", f"{label}: analysera", "3 kap. 2 §, 13 §",
                            _status(both, n),
                            _of(both, n, one, word) + " har undersökt området och analyserat "
                                                 "orsakerna"))
        planned = len(next_by_area[area])
        checks.append(Check(
            f"{area}.atgarda", f"{label}: åtgärda", "3 kap. 2 §, 13 §",
            COVERED if planned else MISSING,
            count_text(planned, "åtgärd planerad", "åtgärder planerade")
            + f" för {data.year + 1}" if planned else
            f"Inga åtgärder planerade för {data.year + 1}; dokumentera varför inga behövs"))
        last = last_by_area[area]
        done = sum(m.evaluated for m in last)
        checks.append(Check(
            f"{area}.folja_upp", f"{label}: följa upp och utvärdera", "3 kap. 2 §, 13 §",
            _status(done, len(last)) if last else NOT_APPLICABLE,
            _of(done, len(last), "åtgärd", "åtgärder") + f" från {data.year - 1} "
            + ("utvärderad" if len(last) == 1 else "utvärderade") if last else
            f"Inga åtgärder från {data.year - 1} att utvärdera"))

    def tagged(*tags: str) -> list[analysis.QuestionSpec]:
        return [s for s in specs if all(t in s.areas for t in tags)]

    for key, tags, label, law in (
            ("trakasserier", ("trakasserier",),
             "Riktlinjer och rutiner mot trakasserier, sexuella trakasserier och repressalier",
             "3 kap. 6 §, 13 §"),
            ("jamn_konsfordelning", ("jamn_konsfordelning",), "Jämn könsfördelning",
             "3 kap. 7 §, 13 §"),
            ("lonekartlaggning", ("lonekartlaggning",), "Lönekartläggning och analys",
             "3 kap. 8–10 §§, 13 §"),
            ("samverkan", ("samverkan",), "Hur samverkan har genomförts", "3 kap. 11 §, 13 §")):
        questions = tagged(*tags)
        count = int(_any_answered(wide, questions).sum()) if questions else 0
        basis = (_of(count, n, one, word) + " har besvarat frågorna" if questions
                 else "Enkäten har inga frågor om detta")
        checks.append(Check(key, label, law, _status(count, n), basis))
        if key == "lonekartlaggning":
            checks.append(_wage_adjustments(wide, tagged("lonekartlaggning", "atgarda"),
                                            one, word))
    last = data.measures_last
    done = sum(m.evaluated for m in last)
    checks.append(Check(
        "utvardering", f"Utvärdering av föregående års åtgärder ({data.year - 1})", "3 kap. 13 §",
        _status(done, len(last)) if last else NOT_APPLICABLE,
        _of(done, len(last), "åtgärd", "åtgärder")
        + (" utvärderad" if len(last) == 1 else " utvärderade") if last else
        "Inga åtgärder att utvärdera"))
    return checks


def _wage_adjustments(wide: pd.DataFrame, specs: Sequence[analysis.QuestionSpec],
                      one: str, word: str) -> Check:
    """Needed wage adjustments with cost and timetable: every unit that reports adjustments
    must also have answered the other questions of the kind (cost, when they are done)."""
    label = "Lönejusteringar som behövs, med kostnad och tidsplan"
    law = "3 kap. 13 §"
    if not specs:
        return Check("lonejusteringar", label, law, MISSING, "Enkäten har inga frågor om detta")
    counts = [s for s in specs if s.type == "integer"]
    needing = pd.Series(False, index=wide.index)
    for spec in counts:
        if spec.id in wide.columns:
            needing |= pd.to_numeric(wide[spec.id], errors="coerce").fillna(0).gt(0)
    if not needing.any():
        answered = int(_any_answered(wide, counts or specs).sum())
        return Check("lonejusteringar", label, law, _status(answered, len(wide)),
                     _of(answered, len(wide), one, word)
                     + " har svarat; inga justeringar behövs")
    complete = needing.copy()
    for spec in specs:
        complete &= _answered(wide, spec)
    have, need = int(complete.sum()), int(needing.sum())
    return Check("lonejusteringar", label, law, _status(have, need),
                 _of(have, need, one, word) + " med justeringar har angett kostnad och "
                                               "tidsplan")


def _appendix(data: ReportData, checks: Sequence[Check]) -> list[Block]:
    by_key = {c.key: c for c in checks}
    rows = tuple((data.area_labels.get(a, a),
                  *(by_key[f"{a}.{step}"].status_label for step in STEPS)) for a in FIVE_AREAS)
    detail = tuple((c.label, c.law, c.status_label, c.basis) for c in checks)
    return [
        Heading(2, "Bilaga 1. Dokumentation enligt diskrimineringslagen 3 kap. 13 §"),
        Paragraph(
            "Arbetsgivare med minst 25 arbetstagare ska varje år skriftligt dokumentera arbetet "
            "med aktiva åtgärder: alla fyra steg inom de fem områdena, riktlinjer och rutiner "
            "mot trakasserier och repressalier, jämn könsfördelning, lönekartläggningen med de "
            "lönejusteringar som behövs och deras kostnad och tidsplan, en utvärdering av "
            "föregående års åtgärder och hur samverkan har gått till. Kontrollen bygger på "
            f"frågornas områdesmärkning, {data.unit_word}s svar och åtgärdsregistret."),
        Table("De fyra stegen inom de fem områdena",
              ("Område", *(STEP_LABELS[s] for s in STEPS)), rows),
        Table("Samtliga krav och underlag", ("Krav", "Lagrum", "Status", "Underlag"), detail),
    ]
