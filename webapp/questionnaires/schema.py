"""The format of a questionnaire definition (one YAML file in questionnaires/) and its checks.

Public API (other capabilities build on it):

- `load_definition(path) -> Definition` and `parse_definition(text, file) -> Definition` read
  and validate a file; every mistake raises `webapp.yamlio.FileErrors` whose problems read
  `file:line: message` in Swedish. Nothing is ever half-loaded.
- `Definition.model_validate(json_dict)` rebuilds a frozen definition from the database.
- `Definition.iter_questions()`, `.question(id)`, `.question_ids()` walk the questions in order.
- `canonical_json(definition)` is the text whose sha256 identifies a version.

A question id is stable across versions; it is the key of the stored answer and later the
DataFrame column. The per-type keys (options, min/max, columns ...) are declared here; how each
type becomes form fields lives in `webapp.questionnaires.fields`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator

from webapp.yamlio import Document
from webapp.yamlio import FileErrors
from webapp.yamlio import Problem
from webapp.yamlio import describe_error
from webapp.yamlio import load_file
from webapp.yamlio import load_text
from webapp.yamlio import problems_from_validation

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
FILE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

# Areas of DL 3 kap. 5 § plus the special duties (6-11 §§) and the four steps (2 §).
AREAS: dict[str, str] = {
    "arbetsforhallanden": "Arbetsförhållanden",
    "loner": "Löner och andra anställningsvillkor",
    "rekrytering": "Rekrytering och befordran",
    "kompetensutveckling": "Utbildning och övrig kompetensutveckling",
    "foraldraskap": "Förena förvärvsarbete och föräldraskap",
    "trakasserier": "Trakasserier, sexuella trakasserier och repressalier",
    "lonekartlaggning": "Lönekartläggning",
    "samverkan": "Samverkan",
    "jamn_konsfordelning": "Jämn könsfördelning",
    "undersoka": "Undersöka",
    "analysera": "Analysera",
    "atgarda": "Åtgärda",
    "folja_upp": "Följa upp och utvärdera",
}

# The seven grounds of DL 1 kap. 1 §.
GROUNDS: dict[str, str] = {
    "kon": "Kön",
    "konsoverskridande_identitet": "Könsöverskridande identitet eller uttryck",
    "etnisk_tillhorighet": "Etnisk tillhörighet",
    "religion": "Religion eller annan trosuppfattning",
    "funktionsnedsattning": "Funktionsnedsättning",
    "sexuell_laggning": "Sexuell läggning",
    "alder": "Ålder",
}

KINDS = ("unit_followup", "anonymous")

# File types an attachment question may allow, with the first bytes a real file starts with.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}

# The register's statuses as a unit reports them at year end (see rounds.acceptance).
MEASURE_STATUSES: list[tuple[str, str]] = [
    ("genomford", "Genomförd"),
    ("pagar", "Pågår"),
    ("forlangd", "Förlängs till nästa år"),
    ("ej_paborjad", "Ej påbörjad"),
    ("avbruten", "Avbruten"),
]
MEASURE_EFFECTS: list[tuple[str, str]] = [("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej")]

_SLUG_TABLE = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slugify(label: str) -> str:
    """Return a stable option value for a label: 'Vet ej' -> 'vet_ej'."""
    text = label.lower().translate(_SLUG_TABLE)
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "v_" + slug
    return slug


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Annotated[str, Field(min_length=1, max_length=2000)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]


class Option(_Strict):
    """One answer option: a stored value and the label people see."""

    value: Id
    label: Text


def _options(value: Any) -> Any:
    """Accept plain strings as options; their value is the slug of the label."""
    if isinstance(value, list):
        return [{"value": slugify(v), "label": v} if isinstance(v, str) else v for v in value]
    return value


class Condition(_Strict):
    """Show a question or section only when an earlier answer matches."""

    question: Id
    equals: str | int | None = None
    in_: list[str | int] | None = Field(default=None, alias="in")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("ange antingen 'equals' eller 'in' (inte båda)")
        if self.in_ is not None and not self.in_:
            raise ValueError("'in' måste ha minst ett värde")
        return self

    def values(self) -> list[str]:
        """Return the accepted answer values as text."""
        items = [self.equals] if self.in_ is None else self.in_
        return [str(v) for v in items]


class Tags(_Strict):
    """What a question is about: areas of the law and discrimination grounds."""

    areas: list[Literal[tuple(AREAS)]] = []  # type: ignore[valid-type]
    grounds: list[Literal[tuple(GROUNDS)]] = []  # type: ignore[valid-type]


RESERVED_IDS = frozenset({"csrf_token", "submit", "action", "next"})


class QuestionBase(_Strict):
    """Keys every question has."""

    id: Id
    text: Text
    required: bool = False
    help: str = ""
    tags: Tags = Tags()
    show_if: Condition | None = None

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_IDS:
            raise ValueError(f"'{value}' är reserverat; välj ett annat fråge-id")
        return value

    def option_values(self) -> list[str] | None:
        """Return the values a condition may test, or None when the type has none."""
        return None


class YesNo(QuestionBase):
    """Ja/Nej."""

    type: Literal["yes_no"]

    def option_values(self) -> list[str]:
        """Return ja and nej."""
        return ["ja", "nej"]


class YesPartlyNo(QuestionBase):
    """Ja/Delvis/Nej with an optional comment."""

    type: Literal["yes_partly_no"]
    comment: bool = True
    comment_label: str = "Kommentar"

    def option_values(self) -> list[str]:
        """Return ja, delvis and nej."""
        return ["ja", "delvis", "nej"]


class _WithOptions(QuestionBase):
    options: Annotated[list[Option], Field(min_length=1, max_length=50)]

    _opts = field_validator("options", mode="before")(_options)

    @model_validator(mode="after")
    def _unique_values(self) -> _WithOptions:
        seen: set[str] = set()
        for option in self.options:
            if option.value in seen:
                raise ValueError(f"svarsalternativet '{option.value}' förekommer två gånger")
            seen.add(option.value)
        return self

    def option_values(self) -> list[str]:
        """Return the option values."""
        return [o.value for o in self.options]


class SingleChoice(_WithOptions):
    """One of several options (radio buttons)."""

    type: Literal["single_choice"]


class MultiChoice(_WithOptions):
    """Any number of options, optionally with an "annat" free text."""

    type: Literal["multi_choice"]
    other: bool = False
    other_label: str = "Annat, nämligen"
    min_selected: Annotated[int, Field(ge=0)] = 0
    max_selected: Annotated[int, Field(ge=1)] | None = None


class Scale(QuestionBase):
    """A scale of `points` steps with labels, optionally with a separate "vet ej"."""

    type: Literal["scale"]
    points: Annotated[int, Field(ge=2, le=11)] = 5
    labels: list[str] | dict[int, str] = {}
    dont_know: bool = False
    dont_know_label: str = "Vet ej"

    @model_validator(mode="after")
    def _labels_fit(self) -> Scale:
        if isinstance(self.labels, list) and self.labels and len(self.labels) != self.points:
            raise ValueError(f"labels har {len(self.labels)} etiketter men skalan har "
                             f"{self.points} steg")
        if isinstance(self.labels, dict):
            bad = [k for k in self.labels if not 1 <= k <= self.points]
            if bad:
                raise ValueError(f"labels har steg {bad[0]} utanför skalan 1–{self.points}")
        return self

    def label_of(self, point: int) -> str:
        """Return the label of a step (may be empty)."""
        if isinstance(self.labels, list):
            return self.labels[point - 1] if self.labels else ""
        return self.labels.get(point, "")

    def option_values(self) -> list[str]:
        """Return the steps as text, plus vet_ej when offered."""
        values = [str(i) for i in range(1, self.points + 1)]
        return [*values, "vet_ej"] if self.dont_know else values


def _check_range(low: Any, high: Any) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"min ({low}) är större än max ({high})")


class Integer(QuestionBase):
    """A whole number with optional limits and unit."""

    type: Literal["integer"]
    min: int | None = 0
    max: int | None = None
    unit: str = ""

    @model_validator(mode="after")
    def _range(self) -> Integer:
        _check_range(self.min, self.max)
        return self


class ShortText(QuestionBase):
    """One line of text."""

    type: Literal["text"]
    max_length: Annotated[int, Field(ge=1, le=2000)] = 200


class LongText(QuestionBase):
    """Several lines of text."""

    type: Literal["textarea"]
    max_length: Annotated[int, Field(ge=1, le=20000)] = 4000


class Date(QuestionBase):
    """A date ÅÅÅÅ-MM-DD."""

    type: Literal["date"]
    min: dt.date | None = None
    max: dt.date | None = None

    @model_validator(mode="after")
    def _range(self) -> Date:
        _check_range(self.min, self.max)
        return self


class Percentage(QuestionBase):
    """A share 0-100 %, at most one decimal."""

    type: Literal["percentage"]


class GroupItem(_Strict):
    """One labelled number in an integer group."""

    id: Id
    label: Text


class IntegerGroup(QuestionBase):
    """Several labelled whole numbers, e.g. antal ärenden per slag."""

    type: Literal["integer_group"]
    items: Annotated[list[GroupItem], Field(min_length=1, max_length=30)]
    min: int | None = 0
    max: int | None = None
    unit: str = ""

    @model_validator(mode="after")
    def _checks(self) -> IntegerGroup:
        _check_range(self.min, self.max)
        _unique([i.id for i in self.items], "delfrågan")
        return self


class Attachment(QuestionBase):
    """An uploaded file, limited in type and size."""

    type: Literal["attachment"]
    accept: Annotated[list[Literal[tuple(ATTACHMENT_TYPES)]],  # type: ignore[valid-type]
                      Field(min_length=1)] = ["pdf"]
    max_size_mb: Annotated[float, Field(gt=0, le=50)] = 10


class Column(_Strict):
    """One column of a table question."""

    id: Id
    label: Text
    type: Literal["text", "textarea", "integer", "date", "choice"] = "text"
    required: bool = False
    max_length: Annotated[int, Field(ge=1, le=4000)] = 500
    options: list[Option] = []

    _opts = field_validator("options", mode="before")(_options)

    @model_validator(mode="after")
    def _choice_has_options(self) -> Column:
        if self.type == "choice" and not self.options:
            raise ValueError("en kolumn av typen choice behöver options")
        if self.type != "choice" and self.options:
            raise ValueError("options gäller bara kolumner av typen choice")
        return self


class Table(QuestionBase):
    """Repeating rows with columns defined in the file."""

    type: Literal["table"]
    columns: Annotated[list[Column], Field(min_length=1, max_length=12)]
    min_rows: Annotated[int, Field(ge=0, le=50)] = 0
    max_rows: Annotated[int, Field(ge=1, le=50)] = 20
    initial_rows: Annotated[int, Field(ge=1, le=50)] = 3

    @model_validator(mode="after")
    def _checks(self) -> Table:
        if self.min_rows > self.max_rows:
            raise ValueError(f"min_rows ({self.min_rows}) är större än max_rows ({self.max_rows})")
        if self.initial_rows > self.max_rows:
            raise ValueError(f"initial_rows ({self.initial_rows}) är större än max_rows "
                             f"({self.max_rows})")
        _unique([c.id for c in self.columns], "kolumnen")
        return self


class MeasureFollowup(QuestionBase):
    """Status and effect of each of the unit's measures from the previous period."""

    type: Literal["measure_followup"]
    statuses: Annotated[list[Option], Field(min_length=1)] = [
        Option(value=v, label=label) for v, label in MEASURE_STATUSES
    ]

    _opts = field_validator("statuses", mode="before")(_options)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} '{item}' förekommer två gånger")
        seen.add(item)


Question = Annotated[
    YesNo | YesPartlyNo | SingleChoice | MultiChoice | Scale | Integer | ShortText | LongText
    | Date | Percentage | IntegerGroup | Attachment | Table | MeasureFollowup,
    Field(discriminator="type"),
]

QUESTION_MODELS: dict[str, type[QuestionBase]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (YesNo, YesPartlyNo, SingleChoice, MultiChoice, Scale, Integer, ShortText, LongText,
              Date, Percentage, IntegerGroup, Attachment, Table, MeasureFollowup)
}


class Section(_Strict):
    """A titled part of a questionnaire."""

    id: Id
    title: Text
    intro: str = ""
    help: str = ""
    show_if: Condition | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Definition(_Strict):
    """A whole questionnaire."""

    id: Annotated[str, Field(pattern=FILE_ID_PATTERN, max_length=60)]
    title: Text
    kind: Literal[KINDS]  # type: ignore[valid-type]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    language: Literal["sv", "en"] = "sv"
    family: str = ""
    description: str = ""
    sections: Annotated[list[Section], Field(min_length=1)]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    def iter_questions(self) -> Iterator[tuple[Section, QuestionBase]]:
        """Yield (section, question) in order."""
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question_ids(self) -> list[str]:
        """Return every question id in order."""
        return [q.id for _, q in self.iter_questions()]

    def question(self, question_id: str) -> QuestionBase | None:
        """Return the question with this id, or None."""
        return next((q for _, q in self.iter_questions() if q.id == question_id), None)


def canonical_json(definition: Definition) -> str:
    """Return the definition as canonical JSON (sorted keys, no spaces) for hashing."""
    return json.dumps(definition.model_dump(mode="json", by_alias=True), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


# -- checks across the document ---------------------------------------------------------------


def _cross_problems(doc: Document, definition: Definition) -> list[Problem]:
    problems: list[Problem] = []
    earlier: dict[str, QuestionBase] = {}
    all_ids = set(definition.question_ids())
    section_ids: set[str] = set()

    def check_condition(cond: Condition, path: tuple[str | int, ...]) -> None:
        target = earlier.get(cond.question)
        if target is None:
            if cond.question in all_ids:
                msg = (f"villkoret pekar på frågan '{cond.question}' som kommer senare; "
                       "ett villkor kan bara bero på en tidigare fråga")
            else:
                msg = f"villkoret pekar på frågan '{cond.question}' som inte finns"
            problems.append(doc.problem((*path, "question"), msg))
            return
        allowed = target.option_values()
        if allowed is None:
            problems.append(doc.problem((*path, "question"), (
                f"frågan '{cond.question}' har typen {getattr(target, 'type', '?')} och kan inte "
                "användas i ett villkor; välj en fråga med svarsalternativ")))
            return
        key = "equals" if cond.in_ is None else "in"
        for value in cond.values():
            if value not in allowed:
                problems.append(doc.problem((*path, key), (
                    f"frågan '{cond.question}' har inget svarsalternativ '{value}'; "
                    f"tillåtna: {', '.join(allowed)}")))

    for s_index, section in enumerate(definition.sections):
        s_path: tuple[str | int, ...] = ("sections", s_index)
        if section.id in section_ids:
            problems.append(doc.problem((*s_path, "id"),
                                        f"avsnittet '{section.id}' förekommer två gånger"))
        section_ids.add(section.id)
        if section.show_if is not None:
            check_condition(section.show_if, (*s_path, "show_if"))
        for q_index, question in enumerate(section.questions):
            q_path = (*s_path, "questions", q_index)
            if question.show_if is not None:
                check_condition(question.show_if, (*q_path, "show_if"))
            if question.id in earlier:
                problems.append(doc.problem((*q_path, "id"), (
                    f"fråge-id '{question.id}' förekommer två gånger; varje fråga behöver ett "
                    "eget id")))
            else:
                earlier[question.id] = question
    return problems


_TAG_MESSAGES = {
    "union_tag_invalid": "har en okänd frågetyp '{tag}'; tillåtna typer: {expected}",
    "union_tag_not_found": "saknar 'type'; ange en frågetyp: {expected}",
}


def _validation_problems(doc: Document, error: ValidationError) -> list[Problem]:
    problems = []
    for err, problem in zip(error.errors(), problems_from_validation(doc, error), strict=True):
        template = _TAG_MESSAGES.get(err["type"])
        if template:
            ctx = err.get("ctx", {})
            expected = ", ".join(sorted(QUESTION_MODELS))
            where = problem.message.split(" ", 1)[0]
            message = f"{where} " + template.format(tag=ctx.get("tag", ""), expected=expected)
            problem = Problem(problem.file, doc.line_of((*err["loc"], "type")), message)
        elif err["type"] == "literal_error" and err["loc"][-2:-1] in (("areas",), ("grounds",)):
            problem = Problem(problem.file, problem.line, problem.message.replace(
                describe_error(err), f"har ett okänt värde '{err.get('input')}'"))
        problems.append(problem)
    return problems


def definition_from_document(doc: Document) -> Definition:
    """Validate parsed YAML; raise FileErrors with every problem found."""
    if not isinstance(doc.data, dict):
        raise FileErrors([doc.problem((), "filen ska innehålla en mappning (nyckel: värde)")])
    try:
        definition = Definition.model_validate(doc.data)
    except ValidationError as exc:
        raise FileErrors(_validation_problems(doc, exc)) from None
    problems = _cross_problems(doc, definition)
    if problems:
        raise FileErrors(problems)
    return definition


def parse_definition(text: str, file: str) -> Definition:
    """Parse and validate YAML text; raise FileErrors on any problem."""
    return definition_from_document(load_text(text, file))


def load_definition(path: str | Path) -> Definition:
    """Read and validate a questionnaire file; raise FileErrors on any problem."""
    return definition_from_document(load_file(path))
