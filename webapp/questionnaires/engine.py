"""The one form engine: renders any questionnaire definition and validates its answers.

Every capability that shows a questionnaire (department follow-ups, anonymous surveys, the HR
preview) uses it the same way::

    from webapp.questionnaires.engine import QuestionnaireForm, RenderContext, request_formdata

    context = RenderContext(measures=measures_for_followup(unit, year - 1),
                            previous_answers=last_years_answers)
    qform = QuestionnaireForm(definition, formdata=request_formdata(), data=saved_answers,
                              context=context)
    if request.method == "POST" and not qform.add_row_requested:
        if qform.validate(partial=is_draft):     # partial: type checks only, nothing required
            answers = services.store_uploads(qform, current_user)   # or qform.answers()
            ...                                   # save, commit, flash, redirect
    return render_template("my/page.html", qform=qform)

and in the template (inside your own <form method="post" enctype="multipart/form-data">
with the CSRF token and your buttons)::

    {% from "questionnaires/_form.html" import questionnaire_fields %}
    {{ questionnaire_fields(qform) }}

- `formdata`: the submitted data (a MultiDict with files; `request_formdata()` builds it), or
  None to show `data` (stored answers keyed by question id, e.g. a draft) for editing.
- `validate(partial=False) -> bool`: decides conditions on the server (hidden questions are not
  required and their answers are dropped), checks types and, unless partial, required answers
  and completeness. `errors_by_question` maps question id -> Swedish messages.
- `answers() -> dict[str, Any]`: the validated, JSON-serialisable answers of visible questions,
  keyed by question id; unanswered questions are left out. Shapes: questionnaires/README.md.
- `as_formdata()`: the current field data as a MultiDict (answers -> form data -> answers).
- `add_row_requested`: the "Lägg till rad" button of a table was pressed; re-render, don't save.
- `RenderContext.measures`: objects or dicts with id, title, responsible, deadline, status
  (e.g. measures.services.FollowupItem); `previous_answers`: last period's answers by id, shown
  beside the question with the same id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields.core import Field
from wtforms.fields.core import UnboundField

from webapp.questionnaires import fields as registry
from webapp.questionnaires.schema import Condition
from webapp.questionnaires.schema import Definition
from webapp.questionnaires.schema import QuestionBase
from webapp.questionnaires.schema import Section

registry.check_registry()

ADD_ROW = "_add_row"
ID_PREFIX = "fq-"


@dataclass(frozen=True)
class RenderContext:
    """What a questionnaire is shown with: the unit's measures and last period's answers."""

    measures: Sequence[Any] = ()
    previous_answers: Mapping[str, Any] = field(default_factory=dict)


def request_formdata() -> CombinedMultiDict | None:
    """Return the submitted form and files of a POST request, else None."""
    if request.method != "POST":
        return None
    return CombinedMultiDict((request.files, request.form))


def dom_id(name: str) -> str:
    """Return the HTML id of a field (or, with a `--suffix`, of a question's element)."""
    return ID_PREFIX + name


@dataclass
class QuestionView:
    """One question as the template renders it."""

    number: int
    question: QuestionBase
    section: Section
    qform: QuestionnaireForm
    extra: Any
    errors: list[str]
    previous: str | None

    @property
    def type(self) -> str:
        """Return the question type (the widget macro's name)."""
        return str(self.question.type)  # type: ignore[attr-defined]

    @property
    def grouped(self) -> bool:
        """Whether the inputs form a group (fieldset/legend) rather than one labelled input."""
        return registry.answer_type(self.question).grouped

    def f(self, part: str | int = "") -> Field:
        """Return the bound field `id` or `id-part`."""
        name = self.question.id if part == "" else f"{self.question.id}-{part}"
        return self.qform.form[name]

    def id(self, suffix: str) -> str:
        """Return the id of an element of this question: wrap, hint, error, prev, cond."""
        return dom_id(f"{self.question.id}--{suffix}")

    @property
    def first_id(self) -> str:
        """Return the id the error summary links to."""
        kind = registry.answer_type(self.question)
        name = dom_id(kind.first_field(self.question, self.extra))
        # Option groups are rendered as one input per option (id-0, id-1 ...; scales id-1 ...):
        # link to the first input so the summary link lands on something focusable.
        if isinstance(kind, registry.ScaleType):
            return f"{name}-1"
        if isinstance(kind, registry._Radio | registry.MultiChoiceType):
            return f"{name}-0"
        return name

    def described_by(self, *extra: str) -> str:
        """Return the aria-describedby value: help, previous answer, condition, errors."""
        ids = [self.id("hint")] if self.question.help or self.no_names_note else []
        if self.previous is not None:
            ids.append(self.id("prev"))
        if self.condition is not None:
            ids.append(self.id("cond"))
        ids += list(extra)
        if self.errors:
            ids.append(self.id("error"))
        return " ".join(ids)

    def input_attrs(self, *extra: str, describe: bool = True,
                    aria_label: str | None = None) -> dict[str, str]:
        """Return aria attributes for an input: describedby (unless inside a fieldset), invalid."""
        attrs: dict[str, str] = {}
        described = self.described_by(*extra) if describe else " ".join(extra)
        if described:
            attrs["aria-describedby"] = described
        if self.errors:
            attrs["aria-invalid"] = "true"
        if aria_label:
            attrs["aria-label"] = aria_label
        return attrs

    @property
    def condition(self) -> Condition | None:
        """Return the question's own condition, or its section's."""
        return self.question.show_if

    @property
    def no_names_note(self) -> bool:
        """Whether to remind respondents of an anonymous survey not to write names."""
        return self.qform.definition.kind == "anonymous" and self.type in ("text", "textarea")

    @property
    def rows(self) -> range:
        """Return the row numbers of a table."""
        return range(self.extra if isinstance(self.extra, int) else 0)

    def condition_note(self) -> str:
        """Return "Besvara bara om ..." for readers without JavaScript."""
        return self.qform.condition_note(self.question.show_if)


@dataclass
class SectionView:
    """A section with its questions, as the template renders it."""

    section: Section
    questions: list[QuestionView]
    note: str | None

    @property
    def id(self) -> str:
        """Return the section's HTML id."""
        return dom_id(f"section-{self.section.id}")


class QuestionnaireForm:
    """A questionnaire's form: fields from the registry, server-side conditions and checks."""

    def __init__(self, definition: Definition, formdata: Any = None,
                 data: Mapping[str, Any] | None = None,
                 context: RenderContext | None = None) -> None:
        self.definition = definition
        self.context = context or RenderContext()
        self.data = dict(data or {})
        if formdata is not None and not hasattr(formdata, "getlist"):
            formdata = MultiDict(formdata)
        self.formdata = formdata
        self.errors_by_question: dict[str, list[str]] = {}
        self._answers: dict[str, Any] | None = None
        self._questions = {q.id: q for _s, q in definition.iter_questions()}
        self.add_row_requested = bool(formdata is not None and formdata.get(ADD_ROW))
        self._extra = {qid: self._extra_for(q) for qid, q in self._questions.items()}
        self._trusted: dict[str, Any] = {}
        field_data: dict[str, Any] = {}
        attrs: dict[str, UnboundField] = {}
        for qid, q in self._questions.items():
            kind = registry.answer_type(q)
            for name, unbound in kind.fields(q, self._extra[qid]).items():
                attrs[name] = UnboundField(unbound.field_class, *unbound.args,
                                           **{**unbound.kwargs, "id": dom_id(name)})
            if qid in self.data:
                values = kind.to_data(q, self.data[qid], self._extra[qid])
                self._trusted.update({k: v for k, v in values.items() if k.endswith("-current")})
                field_data.update(values)
        form_class = type("GeneratedQuestionnaireForm", (Form,), attrs)
        self.form: Form = form_class(formdata=formdata, data=field_data)
        for qid, q in self._questions.items():
            if q.type == "table":  # type: ignore[attr-defined]
                self.form[f"{qid}-rows"].data = str(self._extra[qid])

    # -- building ------------------------------------------------------------------------------

    def _extra_for(self, q: QuestionBase) -> Any:
        if q.type == "measure_followup":  # type: ignore[attr-defined]
            return list(self.context.measures)
        if q.type != "table":  # type: ignore[attr-defined]
            return None
        low = max(q.initial_rows, q.min_rows, 1)  # type: ignore[attr-defined]
        high = q.max_rows  # type: ignore[attr-defined]
        if self.formdata is not None:
            try:
                rows = int(self.formdata.get(f"{q.id}-rows", low))
            except (TypeError, ValueError):
                rows = low
            if self.formdata.get(ADD_ROW) == q.id:
                rows += 1
            return max(1, min(rows, high))
        stored = self.data.get(q.id)
        return max(1, min(max(low, len(stored) if isinstance(stored, list) else 0), high))

    # -- validation ----------------------------------------------------------------------------

    def _get(self, name: str) -> Any:
        if name.endswith("-current"):
            return self._trusted.get(name)
        bound = self.form._fields.get(name)
        return None if bound is None else bound.data

    def _shown(self, cond: Condition | None, answers: Mapping[str, Any]) -> bool:
        if cond is None:
            return True
        target = self._questions[cond.question]
        values = registry.answer_type(target).condition_values(answers.get(cond.question))
        return any(v in cond.values() for v in values)

    def validate(self, partial: bool = False) -> bool:
        """Decide conditions, check every visible answer; with partial, required is not checked."""
        answers: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for section in self.definition.sections:
            section_shown = self._shown(section.show_if, answers)
            for q in section.questions:
                if not section_shown or not self._shown(q.show_if, answers):
                    continue  # hidden: not required, and any stale answer is dropped
                kind = registry.answer_type(q)
                value, problems = kind.parse(q, self._get, self._extra[q.id])
                if (not problems and value is None and not partial
                        and kind.required(q, self._extra[q.id])):
                    problems = [_("Frågan måste besvaras.")]
                if not problems and value is not None and not partial:
                    problems = kind.complete(q, value, self._extra[q.id])
                if problems:
                    errors[q.id] = problems
                elif value is not None:
                    answers[q.id] = value
        self.errors_by_question = errors
        self._answers = answers
        return not errors

    def answers(self) -> dict[str, Any]:
        """Return the validated answers keyed by question id (call validate() first)."""
        if self._answers is None:
            raise RuntimeError("call validate() before answers()")
        return dict(self._answers)

    def visible_ids(self) -> list[str]:
        """Return the ids of the questions shown for the validated answers."""
        answers = self.answers()
        shown = []
        for section in self.definition.sections:
            if not self._shown(section.show_if, answers):
                continue
            shown += [q.id for q in section.questions if self._shown(q.show_if, answers)]
        return shown

    def as_formdata(self) -> MultiDict:
        """Return the current field data as submitted form data (for round trips and tests)."""
        result: MultiDict = MultiDict()
        for name, bound in self.form._fields.items():
            value = bound.data
            if value is None or value is False or hasattr(value, "stream"):
                continue
            if value is True:
                result.add(name, "y")
            elif isinstance(value, list):
                for item in value:
                    result.add(name, str(item))
            else:
                result.add(name, str(value))
        return result

    # -- rendering -----------------------------------------------------------------------------

    def condition_note(self, cond: Condition | None) -> str:
        """Return the plain-language note about when to answer."""
        if cond is None:
            return ""
        target = self._questions[cond.question]
        labels = dict(_option_labels(target))
        values = " " + _("eller") + " "
        wanted = values.join(f"”{labels.get(v, v)}”" for v in cond.values())
        return _("Besvara bara om du svarat %(values)s på frågan ”%(question)s”.",
                 values=wanted, question=target.text)

    def condition_attrs(self, cond: Condition | None) -> dict[str, str]:
        """Return data- attributes that let questionnaire.js show and hide live."""
        if cond is None:
            return {}
        target = self._questions[cond.question]
        return {"data-show-if": dom_id(cond.question), "data-show-type": str(target.type),  # type: ignore[attr-defined]
                "data-show-values": json.dumps(cond.values())}

    def sections(self) -> list[SectionView]:
        """Return the sections and questions for the template, numbered in order."""
        result = []
        number = 0
        for section in self.definition.sections:
            views = []
            for q in section.questions:
                number += 1
                previous = None
                if q.id in self.context.previous_answers:
                    prev_value = self.context.previous_answers[q.id]
                    previous = registry.answer_type(q).describe(q, prev_value) or _("Inget svar")
                views.append(QuestionView(number, q, section, self, self._extra[q.id],
                                          self.errors_by_question.get(q.id, []), previous))
            result.append(SectionView(section, views, self.condition_note(section.show_if)
                                      if section.show_if else None))
        return result

    def error_list(self) -> list[tuple[str, str, str]]:
        """Return (link id, question text, message) for the error summary."""
        result = []
        for section in self.sections():
            for view in section.questions:
                for message in view.errors:
                    result.append((view.first_id, view.question.text, message))
        return result

    def describe(self, question_id: str, value: Any) -> str:
        """Return the read-only text of an answer to a question."""
        q = self._questions[question_id]
        return registry.answer_type(q).describe(q, value)


def _option_labels(q: QuestionBase) -> list[tuple[str, str]]:
    kind = registry.answer_type(q)
    if isinstance(kind, registry._Radio):
        return kind.choices(q)
    options = getattr(q, "options", [])
    return [(o.value, o.label) for o in options]


def summary(definition: Definition, answers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Return (section title, question text, answer text) for the answered questions."""
    rows = []
    for section, q in definition.iter_questions():
        if q.id in answers:
            rows.append((section.title, q.text,
                         registry.answer_type(q).describe(q, answers[q.id])))
    return rows
