"""Property tests: random valid definitions and answers validate and round-trip; random
invalid values are rejected with a message."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import RenderContext
from webapp.questionnaires.schema import Definition
from webapp.questionnaires.schema import canonical_json

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s not in ("csrf_token", "submit", "action", "next")
)
label = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip())
text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)
MEASURES = [{"id": 1, "title": "M1"}, {"id": 2, "title": "M2"}]


def options(draw: st.DrawFn) -> list[dict[str, str]]:
    values = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    return [{"value": v, "label": draw(label)} for v in values]


@st.composite
def question(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    qtype = draw(
        st.sampled_from(
            [
                "yes_no",
                "yes_partly_no",
                "single_choice",
                "multi_choice",
                "scale",
                "integer",
                "text",
                "textarea",
                "date",
                "percentage",
                "integer_group",
                "table",
                "measure_followup",
            ]
        )
    )
    q: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "text": draw(label),
        "required": draw(st.booleans()),
    }
    if qtype in ("single_choice", "multi_choice"):
        q["options"] = options(draw)
        if qtype == "multi_choice":
            q["other"] = draw(st.booleans())
    elif qtype == "scale":
        q["points"] = draw(st.integers(2, 11))
        q["dont_know"] = draw(st.booleans())
    elif qtype in ("integer", "integer_group"):
        low = draw(st.none() | st.integers(-1000, 1000))
        high = draw(st.none() | st.integers(low if low is not None else -1000, 2000))
        q["min"], q["max"] = low, high
        if qtype == "integer_group":
            q["items"] = [
                {"id": i, "label": draw(label)}
                for i in draw(st.lists(ids, min_size=1, max_size=4, unique=True))
            ]
    elif qtype in ("text", "textarea"):
        q["max_length"] = draw(st.integers(1, 300))
    elif qtype == "table":
        cols = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
        q["columns"] = [
            {
                "id": c,
                "label": draw(label),
                "type": draw(st.sampled_from(["text", "integer", "date"])),
            }
            for c in cols
        ]
        q["max_rows"] = draw(st.integers(1, 6))
        q["initial_rows"] = draw(st.integers(1, q["max_rows"]))
    return q


@st.composite
def definitions(draw: st.DrawFn) -> Definition:
    qids = draw(st.lists(ids, min_size=1, max_size=8, unique=True))
    questions = [draw(question(qid)) for qid in qids]
    data = {
        "id": "prop",
        "title": "P",
        "kind": draw(st.sampled_from(["unit_followup", "anonymous"])),
        "version": "1",
        "sections": [{"id": "s", "title": "S", "questions": questions}],
    }
    return Definition.model_validate(data)


def value_for(draw: st.DrawFn, q: Any) -> Any:
    t = q.type
    if t == "yes_no":
        return draw(st.sampled_from(["ja", "nej"]))
    if t == "yes_partly_no":
        return {
            "answer": draw(st.sampled_from(["ja", "delvis", "nej"])),
            "comment": draw(st.just("") | text),
        }
    if t == "single_choice":
        return draw(st.sampled_from([o.value for o in q.options]))
    if t == "multi_choice":
        chosen = draw(
            st.lists(st.sampled_from([o.value for o in q.options]), min_size=1, unique=True)
        )
        return {
            "selected": [o.value for o in q.options if o.value in chosen],
            "other": draw(text) if q.other and draw(st.booleans()) else "",
        }
    if t == "scale":
        return draw(st.integers(1, q.points) | (st.just("vet_ej") if q.dont_know else st.nothing()))
    if t == "integer":
        return draw(
            st.integers(
                q.min if q.min is not None else -(10**6), q.max if q.max is not None else 10**6
            )
        )
    if t in ("text", "textarea"):
        return draw(text.filter(lambda s: len(s) <= q.max_length))
    if t == "date":
        return draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))).isoformat()
    if t == "percentage":
        return draw(
            st.integers(0, 100)
            | st.integers(0, 999).map(lambda i: i / 10).filter(lambda f: f != int(f))
        )
    if t == "integer_group":
        low = q.min if q.min is not None else -(10**6)
        high = q.max if q.max is not None else 10**6
        return {i.id: draw(st.integers(low, high)) for i in q.items}
    if t == "table":
        rows = []
        for _ in range(draw(st.integers(1, q.max_rows))):
            row = {}
            for c in q.columns:
                if c.type == "integer":
                    row[c.id] = draw(st.integers(-(10**6), 10**6))
                elif c.type == "date":
                    row[c.id] = draw(st.dates(dt.date(2000, 1, 1), dt.date(2050, 1, 1))).isoformat()
                else:
                    row[c.id] = draw(text.filter(lambda s, limit=c.max_length: len(s) <= limit))
            rows.append(row)
        return rows
    if t == "measure_followup":
        return [
            {
                "measure_id": m["id"],
                "title": m["title"],
                "status": draw(st.sampled_from([o.value for o in q.statuses])),
                "effect": draw(st.sampled_from(["ja", "delvis", "nej"])),
                "comment": draw(st.just("") | text),
            }
            for m in MEASURES
        ]
    raise AssertionError(t)


@st.composite
def filled(draw: st.DrawFn) -> tuple[Definition, dict[str, Any]]:
    d = draw(definitions())
    answers = {q.id: value_for(draw, q) for _s, q in d.iter_questions()}
    return d, answers


@SETTINGS
@given(case=filled())
def test_valid_answers_validate_and_round_trip(app: Flask, case: tuple[Definition, dict]) -> None:
    d, answers = case
    context = RenderContext(measures=MEASURES)
    shown = QuestionnaireForm(d, data=answers, context=context)
    assert shown.validate(), shown.errors_by_question
    assert shown.answers() == answers
    json.dumps(shown.answers())
    submitted = QuestionnaireForm(d, formdata=shown.as_formdata(), context=context)
    assert submitted.validate(), submitted.errors_by_question
    assert submitted.answers() == answers


@SETTINGS
@given(d=definitions())
def test_definitions_survive_freezing(app: Flask, d: Definition) -> None:
    again = Definition.model_validate(json.loads(canonical_json(d)))
    assert canonical_json(again) == canonical_json(d)
    assert again.question_ids() == d.question_ids()


@SETTINGS
@given(d=definitions())
def test_draft_of_nothing_is_valid(app: Flask, d: Definition) -> None:
    form = QuestionnaireForm(d, formdata=MultiDict(), context=RenderContext(measures=MEASURES))
    assert form.validate(partial=True)
    assert form.answers() == {}


not_a_number = st.text(min_size=1, max_size=12).filter(
    lambda s: s.strip() and not s.replace(" ", "").replace("\u00a0", "").lstrip("-−").isdigit()
)


@SETTINGS
@given(
    raw=not_a_number,
    qtype=st.sampled_from(["integer", "percentage", "date", "yes_no", "single_choice", "scale"]),
)
def test_random_invalid_values_are_rejected(app: Flask, raw: str, qtype: str) -> None:
    q: dict[str, Any] = {"id": "q", "type": qtype, "text": "Fråga"}
    if qtype == "single_choice":
        q["options"] = [{"value": "aa", "label": "A"}]
    d = Definition.model_validate(
        {
            "id": "x",
            "title": "X",
            "kind": "anonymous",
            "version": "1",
            "sections": [{"id": "s", "title": "S", "questions": [q]}],
        }
    )
    form = QuestionnaireForm(d, formdata=MultiDict({"q": raw}))
    accepted = form.validate()
    if accepted:
        # Only values that really are valid get through.
        value = form.answers().get("q")
        if qtype == "percentage":
            assert value is None or 0 <= value <= 100
        elif qtype == "date":
            assert value is None or dt.date.fromisoformat(value)
        else:
            assert value is None or str(value).strip() == raw.strip()
    else:
        assert form.errors_by_question["q"] and all(
            isinstance(m, str) and m for m in form.errors_by_question["q"]
        )


@SETTINGS
@given(n=st.integers(), low=st.integers(-100, 0), high=st.integers(1, 100))
def test_integer_limits(app: Flask, n: int, low: int, high: int) -> None:
    d = Definition.model_validate(
        {
            "id": "x",
            "title": "X",
            "kind": "anonymous",
            "version": "1",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [
                        {"id": "q", "type": "integer", "text": "T", "min": low, "max": high}
                    ],
                }
            ],
        }
    )
    form = QuestionnaireForm(d, formdata=MultiDict({"q": str(n)}))
    assert form.validate() == (low <= n <= high)
    if not low <= n <= high:
        assert form.errors_by_question["q"][0].startswith("Talet ")
