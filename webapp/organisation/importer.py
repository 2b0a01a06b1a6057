"""Import the organisation tree from YAML or CSV: idempotent by unit code, all or nothing.

YAML:
    units:
      - code: SOC
        name: Socialförvaltningen
        kind: förvaltning
        parent: KS            # or nest units under `children:`
        employees: 40
        heads:
          - {name: Anna Berg, email: anna.berg@kommun.se, title: Förvaltningschef}

CSV (comma or semicolon, UTF-8, header row required):
    code;name;kind;parent;employees;head_name;head_email;head_title
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator
from sqlalchemy import select

from webapp import yamlio
from webapp.extensions import db
from webapp.organisation import services
from webapp.organisation.models import Unit
from webapp.organisation.models import UnitKind
from webapp.yamlio import FileErrors
from webapp.yamlio import Problem

CSV_COLUMNS = ("code", "name", "kind", "parent", "employees", "head_name", "head_email",
               "head_title")
REQUIRED_CSV_COLUMNS = ("code", "name", "kind")


class HeadRow(BaseModel):
    """A head named in the file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    title: str = Field(default="", max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value or " " in value or value.startswith("@") or value.endswith("@"):
            raise ValueError(f"'{value}' är inte en e-postadress")
        return value.lower()


class UnitRow(BaseModel):
    """One unit as written in the file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[\w.\-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    parent: str | None = None
    employees: int = Field(default=0, ge=0, le=1_000_000)
    heads: list[HeadRow] | None = None
    children: list[UnitRow] = Field(default_factory=list)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class OrgFile(BaseModel):
    """The top of a YAML organisation file."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitRow] = Field(min_length=1)


@dataclass
class Change:
    """What the import does to one unit."""

    action: str  # "ny" or "ändrad"
    code: str
    name: str
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.action == "ny":
            return f"+ {self.code} {self.name} (ny)"
        parts = ", ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in self.fields.items())
        return f"~ {self.code} {self.name}: {parts}"


@dataclass
class ImportResult:
    """Outcome of an import (or what a dry run would do)."""

    changes: list[Change]
    unchanged: int
    new_users: list[str]


@dataclass
class _Located:
    row: UnitRow
    parent: str | None
    line: int


def _flatten(rows: list[UnitRow], parent: str | None, path: tuple[Any, ...],
             doc: yamlio.Document, out: list[_Located]) -> None:
    for i, row in enumerate(rows):
        here = (*path, i)
        if row.parent is not None and parent is not None and row.parent != parent:
            raise FileErrors([doc.problem(
                (*here, "parent"),
                f"units[{i + 1}].parent motsäger enheten den ligger under ({parent})")])
        out.append(_Located(row, row.parent or parent, doc.line_of(here)))
        _flatten(row.children, row.code, (*here, "children"), doc, out)


def read_yaml(path: Path) -> list[_Located]:
    """Parse and validate a YAML organisation file."""
    doc = yamlio.load_file(path)
    try:
        parsed = OrgFile.model_validate(doc.data)
    except ValidationError as exc:
        raise FileErrors(yamlio.problems_from_validation(doc, exc)) from None
    located: list[_Located] = []
    _flatten(parsed.units, None, ("units",), doc, located)
    return located


def read_csv(path: Path) -> list[_Located]:
    """Parse and validate a CSV organisation file (comma or semicolon separated)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileErrors([Problem(name, 1, f"kan inte läsa filen som UTF-8: {exc}")]) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in CSV_COLUMNS]
    problems = []
    if missing:
        problems.append(Problem(name, 1, f"kolumn saknas: {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(name, 1, f"okänd kolumn: {', '.join(unknown)} "
                                         f"(tillåtna: {', '.join(CSV_COLUMNS)})"))
    if problems:
        raise FileErrors(problems)
    located: list[_Located] = []
    for raw in reader:
        line = reader.line_num
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        data: dict[str, Any] = {k: values.get(k, "") for k in ("code", "name", "kind")}
        data["parent"] = values.get("parent") or None
        if values.get("employees"):
            # Spreadsheets write thousands with a space or a no-break space: "1 200".
            data["employees"] = "".join(values["employees"].split())
        if values.get("head_email") or values.get("head_name"):
            data["heads"] = [{"name": values.get("head_name", ""),
                              "email": values.get("head_email", ""),
                              "title": values.get("head_title", "")}]
        try:
            row = UnitRow.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
                column = {"heads.email": "head_email", "heads.name": "head_name",
                          "heads.title": "head_title"}.get(column, column)
                problems.append(Problem(name, line, f"kolumn {column}: "
                                                    f"{yamlio.describe_error(err)}"))
            continue
        located.append(_Located(row, row.parent, line))
    if problems:
        raise FileErrors(problems)
    if not located:
        raise FileErrors([Problem(name, 1, "filen innehåller inga enheter")])
    return located


def read(path: str | Path) -> list[_Located]:
    """Read an organisation file; the format follows the extension (.yaml/.yml or .csv)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if suffix == ".csv":
        return read_csv(path)
    raise FileErrors([Problem(str(path), 1, "okänt filformat; använd .yaml, .yml eller .csv")])


def _check_references(rows: list[_Located], file: str) -> None:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for item in rows:
        code = item.row.code
        if code in seen:
            problems.append(Problem(file, item.line,
                                    f"koden '{code}' finns redan på rad {seen[code]}"))
        seen.setdefault(code, item.line)
    existing = set(db.session.scalars(select(Unit.code)))
    parents = {item.row.code: item.parent for item in rows}
    for item in rows:
        if item.parent is not None and item.parent not in seen and item.parent not in existing:
            problems.append(Problem(
                file, item.line,
                f"parent '{item.parent}' finns varken i filen eller i databasen"))
        if item.parent == item.row.code:
            problems.append(Problem(file, item.line, f"enheten '{item.row.code}' kan inte ligga "
                                                     "under sig själv"))
    # A cycle within the file (A under B, B under A) would leave no path to the top.
    for item in rows:
        node, steps = item.parent, 0
        while node in parents and steps <= len(parents):
            node, steps = parents[node], steps + 1
        if steps > len(parents):
            problems.append(Problem(file, item.line,
                                    f"enheten '{item.row.code}' ligger i en cirkel av parent"))
    if problems:
        raise FileErrors(problems)


def apply(path: str | Path) -> ImportResult:
    """Validate the file and apply it to the session (flush, no commit). Raises FileErrors."""
    rows = read(path)
    _check_references(rows, str(path))
    by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    changes: list[Change] = []
    unchanged = 0
    new_users: list[str] = []
    # Parents first: create every unit before linking, so order in the file does not matter.
    for item in rows:
        row = item.row
        unit = by_code.get(row.code)
        values: dict[str, Any] = {"code": row.code, "name": row.name, "kind": row.kind.value,
                                  "employees": row.employees}
        if unit is None:
            unit = services.save_unit(None, **values)
            by_code[row.code] = unit
            changes.append(Change("ny", row.code, row.name))
        else:
            before = {k: getattr(unit, k) for k in values}
            services.save_unit(unit, **values)
            diff = {k: [before[k], values[k]] for k in values if before[k] != values[k]}
            if diff:
                changes.append(Change("ändrad", row.code, row.name, diff))
            else:
                unchanged += 1
    for item in rows:
        unit = by_code[item.row.code]
        parent = by_code[item.parent] if item.parent else None
        extra: dict[str, list[Any]] = {}
        if unit.parent_id != (parent.id if parent else None):
            old = unit.parent.code if unit.parent else None
            extra["parent"] = [old, parent.code if parent else None]
            services.save_unit(unit, parent_id=parent.id if parent else None)
        if item.row.heads is not None:
            heads = []
            for head in item.row.heads:
                is_new = not services.email_taken(head.email)
                heads.append(services.ensure_head(head.email, head.name, head.title))
                if is_new:
                    new_users.append(head.email)
            old_heads = sorted(u.email for u in unit.heads)
            if old_heads != sorted(h.email for h in heads):
                extra["heads"] = [old_heads, sorted(h.email for h in heads)]
                services.save_unit(unit, heads=heads)
        if extra:
            change = next((c for c in changes if c.code == unit.code), None)
            if change is None:
                changes.append(Change("ändrad", unit.code, unit.name, extra))
                unchanged -= 1
            elif change.action == "ändrad":
                change.fields.update(extra)
    db.session.flush()
    return ImportResult(changes, unchanged, new_users)
