"""Export the register to CSV/Excel and import it back: all rows or none, idempotent by Referens.

Exports build (headers, rows) first and pick the format last. Imports read a CSV (UTF-8, with or
without BOM; comma, semicolon or tab) or an .xlsx file whose first row holds the Swedish column
names below, validate every row, and report each bad cell as "Rad N, kolumn X: ..." in plain
Swedish. Nothing is saved unless every row is valid. With a Referens column, a row whose code
already exists updates that measure instead of creating a new one, so re-importing is safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from webapp import audit
from webapp.extensions import db
from webapp.measures import services
from webapp.measures.models import AREA_LABELS
from webapp.measures.models import EFFECT_LABELS
from webapp.measures.models import GROUND_LABELS
from webapp.measures.models import STATUS_LABELS
from webapp.measures.models import Area
from webapp.measures.models import Effect
from webapp.measures.models import Ground
from webapp.measures.models import Measure
from webapp.measures.models import Status
from webapp.organisation.models import Unit

MAX_ROWS = 5000
MAX_BYTES = 5_000_000

# (field, Swedish header). Export writes all of them; import reads those in IMPORTABLE.
COLUMNS: list[tuple[str, str]] = [
    ("id", "Id"),
    ("reference", "Referens"),
    ("period", "Period"),
    ("unit_code", "Enhetskod"),
    ("unit_name", "Enhet"),
    ("area", "Område"),
    ("grounds", "Diskrimineringsgrunder"),
    ("goal", "Mål"),
    ("title", "Åtgärd"),
    ("description", "Beskrivning"),
    ("purpose", "Syfte"),
    ("target_group", "Målgrupp"),
    ("followup_method", "Uppföljning"),
    ("responsible", "Ansvarig"),
    ("schedule", "Tidsplan"),
    ("deadline", "Slutdatum"),
    ("status", "Status"),
    ("effect", "Effekt"),
    ("evaluation", "Utvärdering"),
    ("origin", "Ursprung"),
    ("extended_from", "Förlängd från"),
]
HEADER = dict(COLUMNS)
# Columns that only describe the row (written by export, ignored by import).
INFORMATIVE = {"id", "unit_name", "extended_from"}
REQUIRED = ("period", "area", "title")
MAX_LENGTH = {"reference": 40, "title": 300, "target_group": 300, "responsible": 200,
              "schedule": 200, "origin": 300}


def _ground_text(grounds: Sequence[str]) -> str:
    chosen = set(grounds or [])
    return ", ".join(label for g, label in GROUND_LABELS.items() if g in chosen)


def export_table(measures: Sequence[Measure]) -> tuple[list[str], list[list[Any]]]:
    """Return the Swedish headers and one row per measure, ready for any format."""
    headers = [label for _, label in COLUMNS]
    rows = []
    for m in measures:
        values = {
            "id": m.id, "reference": m.reference or "", "period": m.period,
            "unit_code": m.unit.code if m.unit else "",
            "unit_name": m.unit.name if m.unit else "Hela kommunen",
            "area": m.area_label, "grounds": _ground_text(m.grounds), "goal": m.goal,
            "title": m.title, "description": m.description, "purpose": m.purpose,
            "target_group": m.target_group, "followup_method": m.followup_method,
            "responsible": m.responsible_display, "schedule": m.schedule,
            "deadline": m.deadline.isoformat() if m.deadline else "",
            "status": m.status_label, "effect": m.effect_label, "evaluation": m.evaluation,
            "origin": m.origin, "extended_from": m.extended_from_id or "",
        }
        rows.append([values[name] for name, _ in COLUMNS])
    return headers, rows


def _safe_cell(value: Any) -> Any:
    # A text starting with = + - @ would run as a formula in Excel (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(headers: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    """Write CSV as UTF-8 with BOM, so Excel shows å, ä and ö right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_safe_cell(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list[Any]], title: str = "Åtgärder") -> bytes:
    """Write an Excel workbook with a bold, frozen header row and sensible column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(str(r[index - 1])) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 60)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One bad cell (or a problem with the whole file when row is 1 and column empty)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Rad {self.row}, kolumn ”{self.column}”: {self.message}"
        return f"Rad {self.row}: {self.message}"


class ImportError_(Exception):  # noqa: N801  (avoid shadowing the builtin ImportError)
    """The file cannot be imported; `problems` says why, row by row."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ImportItem:
    """A valid row and what importing it will do."""

    row: int
    action: str  # "ny", "ändrad" or "oförändrad"
    values: dict[str, Any]
    status: Status
    effect: Effect
    evaluation: str
    measure: Measure | None = None
    unit_name: str = "Hela kommunen"


@dataclass
class ImportPlan:
    """What an import would do; valid only when `problems` is empty."""

    items: list[ImportItem] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every row is valid."""
        return not self.problems

    def count(self, action: str) -> int:
        """Return how many rows have this action."""
        return sum(1 for item in self.items if item.action == action)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """Read headers and rows from CSV or .xlsx bytes; raise ImportError_ if unreadable."""
    if len(data) > MAX_BYTES:
        raise ImportError_([RowProblem(1, "", f"filen är större än {MAX_BYTES // 1_000_000} MB")])
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return _read_csv(data)
    raise ImportError_([RowProblem(1, "", "filen måste vara en CSV-fil (.csv) eller en "
                                          "Excel-fil (.xlsx)")])


def _read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_([RowProblem(1, "", "filen är inte sparad som UTF-8. Spara den i "
                                              "Excel som ”CSV UTF-8” och försök igen.")]) from None
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    table = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    if not table:
        raise ImportError_([RowProblem(1, "", "filen är tom")])
    return table[0], table[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise ImportError_([RowProblem(1, "", "filen kan inte läsas som en Excel-fil "
                                              "(.xlsx)")]) from None
    sheet = workbook.worksheets[0]
    table = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not table:
        raise ImportError_([RowProblem(1, "", "filen är tom")])
    return table[0], table[1:]


def _lookup(labels: dict[Any, str]) -> dict[str, str]:
    """Map both keys and Swedish labels (case-insensitive) to keys."""
    found: dict[str, str] = {}
    for key, label in labels.items():
        found[str(key.value).lower()] = key.value
        found[label.lower()] = key.value
    return found


AREAS = _lookup(AREA_LABELS)
AREAS.update({"löner": Area.LONER.value, "kompetensutveckling": Area.KOMPETENSUTVECKLING.value,
              "arbete och föräldraskap": Area.FORALDRASKAP.value,
              "föräldraskap": Area.FORALDRASKAP.value, "trakasserier": Area.TRAKASSERIER.value,
              "rekrytering": Area.REKRYTERING.value})
GROUNDS = _lookup(GROUND_LABELS)
GROUNDS.update({"funktionsvariation": Ground.FUNKTIONSNEDSATTNING.value,
                "funktionshinder": Ground.FUNKTIONSNEDSATTNING.value,
                "religion": Ground.RELIGION.value, "etnicitet": Ground.ETNISK.value})
STATUSES = _lookup(STATUS_LABELS)
STATUSES.update({"pagar": Status.PAGAR.value, "genomford": Status.GENOMFORD.value})
EFFECTS = _lookup(EFFECT_LABELS)


def _choices(labels: dict[Any, str]) -> str:
    return ", ".join(labels.values())


def plan_import(headers: list[str], rows: list[list[str]]) -> ImportPlan:
    """Validate every row against the register and return what importing would do."""
    result = ImportPlan()
    by_header = {label.lower(): name for name, label in COLUMNS}
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = by_header.get(header.strip().lower())
        if not header.strip():
            continue
        if name is None:
            result.problems.append(RowProblem(1, header, "okänd kolumn. Tillåtna kolumner: "
                                              + ", ".join(HEADER.values())))
        elif name in columns:
            result.problems.append(RowProblem(1, header, "kolumnen finns två gånger"))
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            result.problems.append(RowProblem(1, HEADER[name], "kolumnen saknas men måste finnas"))
    if result.problems:
        return result
    data_rows = [(i, r) for i, r in enumerate(rows, start=2) if any(c.strip() for c in r)]
    if not data_rows:
        result.problems.append(RowProblem(1, "", "filen har inga rader med åtgärder"))
        return result
    if len(data_rows) > MAX_ROWS:
        result.problems.append(RowProblem(1, "", f"filen har fler än {MAX_ROWS} rader"))
        return result
    units = {u.code.lower(): u for u in db.session.scalars(select(Unit))}
    seen_refs: dict[str, int] = {}
    for row_no, row in data_rows:
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        item = _validate_row(row_no, cells, units, seen_refs, result.problems)
        if item is not None:
            result.items.append(item)
    return result


def _validate_row(row_no: int, cells: dict[str, str], units: dict[str, Unit],
                  seen_refs: dict[str, int], problems: list[RowProblem]) -> ImportItem | None:
    before = len(problems)

    def bad(name: str, message: str) -> None:
        problems.append(RowProblem(row_no, HEADER[name], message))

    values: dict[str, Any] = {}
    for name in ("reference", "goal", "title", "description", "purpose", "target_group",
                 "followup_method", "responsible", "schedule", "origin"):
        if name in cells:
            values[name] = cells[name]
            if name in MAX_LENGTH and len(cells[name]) > MAX_LENGTH[name]:
                bad(name, f"texten är för lång (högst {MAX_LENGTH[name]} tecken)")
    if not cells.get("title"):
        bad("title", "åtgärden saknar namn; skriv vad som ska göras")
    period_text = cells.get("period", "")
    if not period_text:
        bad("period", "ange vilket år åtgärden gäller, till exempel 2026")
    elif not period_text.isdigit() or not 2000 <= int(period_text) <= 2100:
        bad("period", f"”{period_text}” är inget år; skriv fyra siffror, till exempel 2026")
    else:
        values["period"] = int(period_text)
    unit_name = "Hela kommunen"
    code = cells.get("unit_code", "")
    if "unit_code" in cells:
        values["unit_id"] = None
    if code:
        unit = units.get(code.lower())
        if unit is None:
            bad("unit_code", f"det finns ingen enhet med koden ”{code}”. Lämna tomt för "
                             "åtgärder som gäller hela kommunen")
        else:
            values["unit_id"] = unit.id
            unit_name = unit.name
    area_text = cells.get("area", "")
    if not area_text:
        bad("area", "ange område. Tillåtna: " + _choices(AREA_LABELS))
    elif area_text.lower() not in AREAS:
        bad("area", f"”{area_text}” är inget känt område. Tillåtna: " + _choices(AREA_LABELS))
    else:
        values["area"] = AREAS[area_text.lower()]
    grounds_text = cells.get("grounds", "")
    grounds: list[str] = []
    if grounds_text.strip().lower() in ("alla", "samtliga", "alla grunder"):
        grounds = [g.value for g in Ground]
    else:
        for part in grounds_text.replace(";", ",").replace("|", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() in GROUNDS:
                grounds.append(GROUNDS[part.lower()])
            else:
                bad("grounds", f"”{part}” är ingen diskrimineringsgrund. Tillåtna: "
                               + _choices(GROUND_LABELS) + " eller ”alla”")
    if "grounds" in cells:
        values["grounds"] = grounds
    deadline_text = cells.get("deadline", "")
    if "deadline" in cells:
        values["deadline"] = None
    if deadline_text:
        try:
            values["deadline"] = dt.date.fromisoformat(deadline_text[:10])
        except ValueError:
            bad("deadline", f"”{deadline_text}” är inget datum; skriv ÅÅÅÅ-MM-DD, till "
                            "exempel 2026-03-31")
    status = Status.PLANERAD
    status_text = cells.get("status", "")
    if status_text:
        if status_text.lower() not in STATUSES:
            bad("status", f"”{status_text}” är ingen status. Tillåtna: " + ", ".join(
                label for key, label in STATUS_LABELS.items() if key != Status.FORLANGD))
        elif STATUSES[status_text.lower()] == Status.FORLANGD:
            bad("status", "status Förlängd kan inte importeras. Importera åtgärden som "
                          "genomförd eller pågår och förläng den i Aktiva")
        else:
            status = Status(STATUSES[status_text.lower()])
    effect = Effect.EJ_BEDOMD
    effect_text = cells.get("effect", "")
    if effect_text:
        if effect_text.lower() not in EFFECTS:
            bad("effect", f"”{effect_text}” är inget svar. Tillåtna: " + _choices(EFFECT_LABELS))
        else:
            effect = Effect(EFFECTS[effect_text.lower()])
            if effect in (Effect.JA, Effect.DELVIS) and status == Status.PLANERAD:
                bad("effect", "en planerad åtgärd kan inte ha haft effekt; ändra status eller "
                              "skriv ”Ej bedömd”")
    reference = values.get("reference") or ""
    measure = None
    if reference:
        if reference.lower() in seen_refs:
            bad("reference", f"referensen ”{reference}” finns redan på rad "
                             f"{seen_refs[reference.lower()]}")
        seen_refs[reference.lower()] = row_no
        measure = db.session.scalar(
            select(Measure).where(func.lower(Measure.reference) == reference.lower()))
        if measure is not None:
            values["reference"] = measure.reference
            if status != measure.status and status not in measure.allowed_statuses():
                bad("status", f"åtgärden ”{reference}” är {measure.status_label.lower()} och "
                              f"kan inte bli {STATUS_LABELS[status].lower()}")
    if len(problems) > before:
        return None
    evaluation = cells.get("evaluation", measure.evaluation if measure else "")
    if measure is not None and "status" not in cells:
        status = Status(measure.status)
    if measure is not None and "effect" not in cells:
        effect = Effect(measure.effect)
    action = "ny"
    if measure is not None:
        same = all(getattr(measure, k) == v for k, v in values.items()) and (
            measure.status == status and measure.effect == effect
            and measure.evaluation == evaluation)
        action = "oförändrad" if same else "ändrad"
    return ImportItem(row_no, action, values, status, effect, evaluation, measure, unit_name)


def apply_import(result: ImportPlan, source: str = "") -> list[Measure]:
    """Save a valid ImportPlan; flush and audit, the caller commits. Return changed measures."""
    if not result.ok:
        raise ImportError_(result.problems)
    changed = []
    for item in result.items:
        if item.action == "oförändrad":
            continue
        values = dict(item.values)
        if item.measure is None and not values.get("origin"):
            values["origin"] = f"Import {source}".strip()[:300]
        measure = services.save_measure(item.measure, **values)
        if item.status != measure.status or item.effect != measure.effect or (
                item.evaluation != measure.evaluation):
            services.evaluate(measure, item.status, item.effect, item.evaluation)
        changed.append(measure)
    audit.record("measure.imported", None, summary=f"{len(changed)} åtgärder från {source}"[:500],
                 new=result.count("ny"), updated=result.count("ändrad"))
    return changed
