"""The registry of answer types: one entry per question `type`, used by the form engine.

Each `AnswerType` knows, for a question of its type, how to
- `fields(q, n)`: build its WTForms field(s), named `q.id` or `q.id-<part>`;
- `parse(q, get, n)`: turn submitted field data into a JSON-serialisable value (None when
  unanswered) plus Swedish error messages for values of the wrong kind;
- `complete(q, value, n)`: the extra checks of a final (non-draft) submission;
- `to_data(q, value, n)`: the field data that re-shows a stored value (answers round-trip);
- `describe(q, value)`: a short read-only text for summaries and "förra året";
- `condition_values(value)`: what a `show_if` on this question compares against.

`n` is the render context's per-question extra (rows of a table, measures of a measure block).
The stored value shapes are documented in questionnaires/README.md. `check_registry()` runs
when the engine is imported, so a type without a registry entry fails at startup.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Sequence
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import ClassVar

from flask_babel import gettext as _
from wtforms import BooleanField
from wtforms import FileField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField

from webapp.questionnaires import schema as s

Getter = Callable[[str], Any]
Parsed = tuple[Any, list[str]]


def _text(raw: Any) -> str:
    if raw is None or isinstance(raw, list | dict | bool) or hasattr(raw, "stream"):
        return ""
    return str(raw).strip()


def measure_value(measure: Any, key: str) -> Any:
    """Read `key` from a measure given as an object or a mapping."""
    if isinstance(measure, dict):
        return measure.get(key)
    return getattr(measure, key, None)


def parse_int(raw: str, low: int | None, high: int | None) -> Parsed:
    """Parse a whole number written with optional spaces; check its limits."""
    text = re.sub(r"[\s\u00a0]", "", raw)
    if not text:
        return None, []
    if not re.fullmatch(r"[-−]?\d+", text):
        return None, [_("Skriv ett heltal, till exempel 12.")]
    if len(text.lstrip("-−")) > 15:
        return None, [_("Talet är för stort.")]
    number = int(text.replace("−", "-"))
    if low is not None and number < low:
        return None, [_("Talet får inte vara mindre än %(n)s.", n=low)]
    if high is not None and number > high:
        return None, [_("Talet får inte vara större än %(n)s.", n=high)]
    return number, []


def parse_date(raw: str, low: dt.date | None = None, high: dt.date | None = None) -> Parsed:
    """Parse a date ÅÅÅÅ-MM-DD; check its limits."""
    if not raw:
        return None, []
    try:
        day = dt.date.fromisoformat(raw)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
    except ValueError:
        return None, [_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-31.")]
    if low and day < low:
        return None, [_("Datumet får inte vara före %(d)s.", d=low.isoformat())]
    if high and day > high:
        return None, [_("Datumet får inte vara efter %(d)s.", d=high.isoformat())]
    return day.isoformat(), []


def _too_long(text: str, limit: int) -> list[str]:
    if len(text) > limit:
        return [_("Texten får vara högst %(n)s tecken (nu %(m)s).", n=limit, m=len(text))]
    return []


class AnswerType(ABC):
    """Base of the registry entries; see the module docstring for the protocol."""

    name: ClassVar[str]
    # Whether the widget is a group of inputs (rendered as fieldset/legend).
    grouped: ClassVar[bool] = True

    @abstractmethod
    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        """Return the WTForms fields of the question, by field name."""

    @abstractmethod
    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        """Return (value or None, errors) from submitted field data."""

    def complete(self, q: Any, value: Any, n: Any) -> list[str]:
        """Return errors a final submission has beyond the type checks of parse()."""
        return []

    def required(self, q: Any, n: Any) -> bool:
        """Whether a final submission must answer the question."""
        return bool(q.required)

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        """Return field data (by field name) that shows a stored value again."""
        return {q.id: value}

    def describe(self, q: Any, value: Any) -> str:
        """Return a short read-only text of a stored value."""
        return "" if value is None else str(value)

    def condition_values(self, value: Any) -> list[str]:
        """Return the values a condition on this question is compared with."""
        return [] if value is None else [str(value)]

    def first_field(self, q: Any, n: Any) -> str:
        """Return the field name the error summary links to."""
        return next(iter(self.fields(q, n)))


def _label(options: Sequence[tuple[str, str]], value: Any) -> str:
    return next((label for v, label in options if v == value), str(value))


class _Radio(AnswerType):
    @abstractmethod
    def choices(self, q: Any) -> list[tuple[str, str]]:
        """Return the (value, label) options of the question."""

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: RadioField(q.text, choices=self.choices(q), validate_choice=False)}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        raw = _text(get(q.id))
        if not raw:
            return None, []
        if raw not in [v for v, _l in self.choices(q)]:
            return None, [_("Välj ett av svarsalternativen.")]
        return raw, []

    def describe(self, q: Any, value: Any) -> str:
        return "" if value is None else _label(self.choices(q), value)


class YesNoType(_Radio):
    """Ja/Nej; stored as "ja" or "nej"."""

    name = "yes_no"

    def choices(self, q: Any) -> list[tuple[str, str]]:
        return [("ja", _("Ja")), ("nej", _("Nej"))]


class YesPartlyNoType(_Radio):
    """Ja/Delvis/Nej; stored as {"answer": "ja|delvis|nej", "comment": "..."}."""

    name = "yes_partly_no"

    def choices(self, q: Any) -> list[tuple[str, str]]:
        return [("ja", _("Ja")), ("delvis", _("Delvis")), ("nej", _("Nej"))]

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        result = super().fields(q, n)
        if q.comment:
            result[f"{q.id}-comment"] = TextAreaField(q.comment_label)
        return result

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        answer, errors = super().parse(q, get, n)
        comment = _text(get(f"{q.id}-comment")) if q.comment else ""
        errors += _too_long(comment, 4000)
        if comment and answer is None and not errors:
            errors.append(_("Välj Ja, Delvis eller Nej (kommentaren räcker inte som svar)."))
        if errors or answer is None:
            return None, errors
        return {"answer": answer, "comment": comment}, []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        value = value or {}
        return {q.id: value.get("answer"), f"{q.id}-comment": value.get("comment", "")}

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        text = _label(self.choices(q), value.get("answer"))
        return f"{text} – {value['comment']}" if value.get("comment") else text

    def condition_values(self, value: Any) -> list[str]:
        return [value["answer"]] if value else []


class SingleChoiceType(_Radio):
    """One option; stored as the option's value."""

    name = "single_choice"

    def choices(self, q: Any) -> list[tuple[str, str]]:
        return [(o.value, o.label) for o in q.options]


class MultiChoiceType(AnswerType):
    """Several options; stored as {"selected": [values in option order], "other": "..."}."""

    name = "multi_choice"

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        result = {q.id: SelectMultipleField(q.text, choices=[(o.value, o.label) for o in q.options],
                                            validate_choice=False)}
        if q.other:
            result[f"{q.id}-other"] = StringField(q.other_label)
        return result

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        raw = get(q.id) or []
        raw = [raw] if isinstance(raw, str) else list(raw)
        allowed = [o.value for o in q.options]
        if any(v not in allowed for v in raw):
            return None, [_("Välj bland svarsalternativen.")]
        selected = [v for v in allowed if v in raw]
        other = _text(get(f"{q.id}-other")) if q.other else ""
        errors = _too_long(other, 500)
        if errors:
            return None, errors
        if not selected and not other:
            return None, []
        count = len(selected) + (1 if other else 0)
        if q.max_selected and count > q.max_selected:
            return None, [_("Välj högst %(n)s alternativ.", n=q.max_selected)]
        return {"selected": selected, "other": other}, []

    def complete(self, q: Any, value: Any, n: Any) -> list[str]:
        count = len(value["selected"]) + (1 if value["other"] else 0)
        if count < q.min_selected:
            return [_("Välj minst %(n)s alternativ.", n=q.min_selected)]
        return []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        value = value or {}
        return {q.id: list(value.get("selected", [])), f"{q.id}-other": value.get("other", "")}

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        labels = [_label([(o.value, o.label) for o in q.options], v) for v in value["selected"]]
        if value.get("other"):
            labels.append(f"{q.other_label}: {value['other']}")
        return "; ".join(labels)

    def condition_values(self, value: Any) -> list[str]:
        return list(value["selected"]) if value else []


class ScaleType(_Radio):
    """A scale; stored as the step (int) or "vet_ej", so means can leave "vet ej" out."""

    name = "scale"

    def choices(self, q: Any) -> list[tuple[str, str]]:
        result = [(str(i), q.label_of(i) or str(i)) for i in range(1, q.points + 1)]
        if q.dont_know:
            result.append(("vet_ej", q.dont_know_label))
        return result

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        raw, errors = super().parse(q, get, n)
        if raw is None or raw == "vet_ej":
            return raw, errors
        return int(raw), errors

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        return {q.id: None if value is None else str(value)}

    def describe(self, q: Any, value: Any) -> str:
        if value is None:
            return ""
        if value == "vet_ej":
            return str(q.dont_know_label)
        label = q.label_of(int(value))
        return f"{value} ({label})" if label else f"{value} av {q.points}"


class IntegerType(AnswerType):
    """A whole number; stored as int."""

    name = "integer"
    grouped = False

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: StringField(q.text, render_kw={"inputmode": "numeric"})}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        return parse_int(_text(get(q.id)), q.min, q.max)

    def describe(self, q: Any, value: Any) -> str:
        return "" if value is None else f"{value} {q.unit}".strip()


class TextType(AnswerType):
    """One line of text; stored as str."""

    name = "text"
    grouped = False

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: StringField(q.text, render_kw={"maxlength": q.max_length})}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        text = _text(get(q.id))
        errors = _too_long(text, q.max_length)
        return (None if errors or not text else text), errors


class TextareaType(TextType):
    """Several lines of text; stored as str."""

    name = "textarea"

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: TextAreaField(q.text, render_kw={"maxlength": q.max_length, "rows": 5})}


class DateType(AnswerType):
    """A date; stored as "ÅÅÅÅ-MM-DD"."""

    name = "date"
    grouped = False

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: StringField(q.text, render_kw={"type": "date"})}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        return parse_date(_text(get(q.id)), q.min, q.max)


class PercentageType(AnswerType):
    """A share 0-100 with at most one decimal; stored as int, or float when it has a decimal."""

    name = "percentage"
    grouped = False

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {q.id: StringField(q.text, render_kw={"inputmode": "decimal"})}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        text = _text(get(q.id)).replace(",", ".").replace(" ", "").rstrip("%")
        if not text:
            return None, []
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, [_("Skriv en andel i procent, till exempel 75 eller 12,5.")]
        if not number.is_finite() or not 0 <= number <= 100:
            return None, [_("Andelen ska vara mellan 0 och 100 procent.")]
        if number != number.quantize(Decimal("0.1")):
            return None, [_("Skriv andelen med högst en decimal.")]
        return (int(number) if number == number.to_integral_value() else float(number)), []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        return {q.id: None if value is None else str(value).replace(".", ",")}

    def describe(self, q: Any, value: Any) -> str:
        return "" if value is None else f"{str(value).replace('.', ',')} %"


class IntegerGroupType(AnswerType):
    """Labelled whole numbers; stored as {item id: int} for the items answered."""

    name = "integer_group"

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        return {f"{q.id}-{i.id}": StringField(i.label, render_kw={"inputmode": "numeric"})
                for i in q.items}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        result: dict[str, int] = {}
        errors: list[str] = []
        for item in q.items:
            number, problems = parse_int(_text(get(f"{q.id}-{item.id}")), q.min, q.max)
            errors += [f"{item.label}: {p}" for p in problems]
            if number is not None:
                result[item.id] = number
        if errors:
            return None, errors
        return result or None, []

    def complete(self, q: Any, value: Any, n: Any) -> list[str]:
        missing = [i.label for i in q.items if i.id not in value]
        if q.required and missing:
            return [_("Fyll i alla rader (skriv 0 om det inte finns några): %(items)s.",
                      items=", ".join(missing))]
        return []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        value = value or {}
        return {f"{q.id}-{i.id}": None if i.id not in value else str(value[i.id])
                for i in q.items}

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        unit = f" {q.unit}" if q.unit else ""
        return "; ".join(f"{i.label}: {value[i.id]}{unit}" for i in q.items if i.id in value)


class AttachmentType(AnswerType):
    """A file; stored as {"attachment_id", "filename", "size", "sha256"}.

    parse() only checks a new upload; the value then has "pending": True and the caller stores
    the file with `services.store_uploads` (which replaces it with the saved reference). A
    previously stored reference comes back through `data` (never from the browser: the engine
    answers `<id>-current` from server-side data only) and is kept unless "remove" is ticked.
    """

    name = "attachment"
    grouped = False

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        accept = ",".join(f".{ext}" for ext in q.accept)
        return {q.id: FileField(q.text, render_kw={"accept": accept}),
                f"{q.id}-remove": BooleanField(_("Ta bort den bifogade filen"))}

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        upload = get(q.id)
        if upload is not None and getattr(upload, "filename", ""):
            return check_upload(q, upload)
        current = get(f"{q.id}-current")
        if isinstance(current, dict) and current.get("attachment_id") and not get(f"{q.id}-remove"):
            return dict(current), []
        return None, []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        return {f"{q.id}-current": value if isinstance(value, dict) else None}

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        return f"{value.get('filename', '')} ({_human_size(int(value.get('size', 0)))})"


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1000))} kB"


def check_upload(q: Any, upload: Any) -> Parsed:
    """Check an uploaded file's name, size and first bytes against the question's limits."""
    filename = str(upload.filename).replace("\\", "/").rsplit("/", 1)[-1].strip()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = "jpg" if ext == "jpeg" else ext
    allowed = ", ".join(q.accept)
    if ext not in q.accept:
        return None, [_("Filen måste vara av typen %(types)s.", types=allowed)]
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    limit = int(q.max_size_mb * 1_000_000)
    if size > limit:
        return None, [_("Filen är för stor (%(size)s); den får vara högst %(max)s MB.",
                        size=_human_size(size), max=str(q.max_size_mb).removesuffix(".0"))]
    if size == 0:
        return None, [_("Filen är tom.")]
    head = stream.read(16)
    stream.seek(0)
    signatures = s.ATTACHMENT_TYPES[ext][1]
    if (signatures and not head.startswith(signatures)) or (not signatures and b"\x00" in head):
        return None, [_("Filens innehåll stämmer inte med typen %(ext)s.", ext=ext)]
    return {"attachment_id": None, "filename": filename[:200], "size": size, "pending": True}, []


_COLUMN_FIELDS: dict[str, Callable[[Any], UnboundField]] = {
    "text": lambda c: StringField(c.label, render_kw={"maxlength": c.max_length}),
    "textarea": lambda c: TextAreaField(c.label, render_kw={"maxlength": c.max_length, "rows": 2}),
    "integer": lambda c: StringField(c.label, render_kw={"inputmode": "numeric"}),
    "date": lambda c: StringField(c.label, render_kw={"type": "date"}),
    "choice": lambda c: SelectField(c.label, choices=[("", _("Välj"))] + [
        (o.value, o.label) for o in c.options], validate_choice=False),
}


class TableType(AnswerType):
    """Repeating rows; stored as a list of {column id: value} for rows that are not empty.

    `n` is the number of rows shown (see engine: initial_rows, the stored rows, or one more
    after the "Lägg till rad" button).
    """

    name = "table"

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        result: dict[str, UnboundField] = {f"{q.id}-rows": HiddenField()}
        for row in range(n):
            for col in q.columns:
                result[f"{q.id}-{row}-{col.id}"] = _COLUMN_FIELDS[col.type](col)
        return result

    def first_field(self, q: Any, n: Any) -> str:
        return f"{q.id}-0-{q.columns[0].id}" if n else f"{q.id}-rows"

    def _cell(self, col: Any, raw: Any) -> Parsed:
        text = _text(raw)
        if col.type == "integer":
            return parse_int(text, None, None)
        if col.type == "date":
            return parse_date(text)
        if col.type == "choice":
            if text and text not in [o.value for o in col.options]:
                return None, [_("Välj bland svarsalternativen.")]
            return text or None, []
        errors = _too_long(text, col.max_length)
        return (None if errors or not text else text), errors

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        rows: list[dict[str, Any]] = []
        errors: list[str] = []
        for row in range(n):
            values: dict[str, Any] = {}
            for col in q.columns:
                value, problems = self._cell(col, get(f"{q.id}-{row}-{col.id}"))
                errors += [_("Rad %(n)s, %(col)s: %(e)s", n=row + 1, col=col.label, e=p)
                           for p in problems]
                if value is not None:
                    values[col.id] = value
            if values:
                missing = [c.label for c in q.columns if c.required and c.id not in values]
                if missing:
                    errors.append(_("Rad %(n)s: fyll i %(cols)s.", n=row + 1,
                                    cols=", ".join(missing)))
                rows.append(values)
        if len(rows) > q.max_rows:
            errors.append(_("Tabellen får ha högst %(n)s rader.", n=q.max_rows))
        if errors:
            return None, errors
        return rows or None, []

    def complete(self, q: Any, value: Any, n: Any) -> list[str]:
        if len(value) < q.min_rows:
            return [_("Fyll i minst %(n)s rader.", n=q.min_rows)]
        return []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        data: dict[str, Any] = {f"{q.id}-rows": str(n)}
        for row, values in enumerate(value or []):
            for col in q.columns:
                cell = values.get(col.id)
                data[f"{q.id}-{row}-{col.id}"] = None if cell is None else str(cell)
        return data

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        return "\n".join("; ".join(f"{c.label}: {row[c.id]}" for c in q.columns if c.id in row)
                         for row in value)


class MeasureFollowupType(AnswerType):
    """Status and effect per measure; stored as a list of {"measure_id", "title", "status",
    "effect", "comment"} for the measures answered. `n` is the list of measures."""

    name = "measure_followup"

    def fields(self, q: Any, n: Any) -> dict[str, UnboundField]:
        result: dict[str, UnboundField] = {f"{q.id}-none": HiddenField()}
        statuses = [("", _("Välj status"))] + [(o.value, o.label) for o in q.statuses]
        for measure in n:
            key = f"{q.id}-{measure_value(measure, 'id')}"
            result[f"{key}-status"] = SelectField(_("Status"), choices=statuses,
                                                  validate_choice=False)
            result[f"{key}-effect"] = RadioField(_("Fick åtgärden avsedd effekt?"),
                                                 choices=s.MEASURE_EFFECTS, validate_choice=False)
            result[f"{key}-comment"] = TextAreaField(_("Kommentar"), render_kw={"rows": 2})
        return result

    def first_field(self, q: Any, n: Any) -> str:
        return f"{q.id}-{measure_value(n[0], 'id')}-status" if n else f"{q.id}-none"

    def required(self, q: Any, n: Any) -> bool:
        # With no measures from the previous period there is nothing to answer.
        return bool(q.required and n)

    def parse(self, q: Any, get: Getter, n: Any) -> Parsed:
        items: list[dict[str, Any]] = []
        errors: list[str] = []
        statuses = [o.value for o in q.statuses]
        for measure in n:
            key = f"{q.id}-{measure_value(measure, 'id')}"
            title = str(measure_value(measure, "title") or "")
            status = _text(get(f"{key}-status"))
            effect = _text(get(f"{key}-effect"))
            comment = _text(get(f"{key}-comment"))
            if status and status not in statuses:
                errors.append(f"{title}: " + _("Välj en status i listan."))
            if effect and effect not in [v for v, _l in s.MEASURE_EFFECTS]:
                errors.append(f"{title}: " + _("Välj Ja, Delvis eller Nej."))
            errors += [f"{title}: {e}" for e in _too_long(comment, 4000)]
            if status or effect or comment:
                items.append({"measure_id": measure_value(measure, "id"), "title": title,
                              "status": status or None, "effect": effect or None,
                              "comment": comment})
        if errors:
            return None, errors
        return items or None, []

    def complete(self, q: Any, value: Any, n: Any) -> list[str]:
        answered = {item["measure_id"]: item for item in value}
        missing = [str(measure_value(m, "title")) for m in n
                   if not (answered.get(measure_value(m, "id")) or {}).get("status")]
        if q.required and missing:
            return [_("Ange status för varje åtgärd: %(titles)s.", titles=", ".join(missing))]
        return []

    def to_data(self, q: Any, value: Any, n: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in value or []:
            key = f"{q.id}-{item['measure_id']}"
            data[f"{key}-status"] = item.get("status") or ""
            data[f"{key}-effect"] = item.get("effect")
            data[f"{key}-comment"] = item.get("comment", "")
        return data

    def describe(self, q: Any, value: Any) -> str:
        if not value:
            return ""
        statuses = [(o.value, o.label) for o in q.statuses]
        lines = []
        for item in value:
            parts = [item["title"]]
            if item.get("status"):
                parts.append(_label(statuses, item["status"]))
            if item.get("effect"):
                parts.append(_("effekt: %(e)s", e=_label(s.MEASURE_EFFECTS, item["effect"])))
            if item.get("comment"):
                parts.append(item["comment"])
            lines.append(" – ".join(parts))
        return "\n".join(lines)


REGISTRY: dict[str, AnswerType] = {
    t.name: t()
    for t in (YesNoType, YesPartlyNoType, SingleChoiceType, MultiChoiceType, ScaleType,
              IntegerType, TextType, TextareaType, DateType, PercentageType, IntegerGroupType,
              AttachmentType, TableType, MeasureFollowupType)
}


def check_registry() -> None:
    """Fail at startup when a question type of the schema has no answer type, or vice versa."""
    if set(REGISTRY) != set(s.QUESTION_MODELS):
        missing = set(s.QUESTION_MODELS) ^ set(REGISTRY)
        raise RuntimeError(f"Question types without a registry entry: {sorted(missing)}")


def answer_type(q: Any) -> AnswerType:
    """Return the registry entry of a question."""
    return REGISTRY[q.type]
