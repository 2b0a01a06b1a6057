"""The form engine: every answer type valid and invalid, conditions, drafts, round trips."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict

from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import RenderContext
from webapp.questionnaires.schema import Definition

QUESTIONS: dict[str, dict[str, Any]] = {
    "yes_no": {},
    "yes_partly_no": {},
    "single_choice": {"options": ["Röd", "Grön"]},
    "multi_choice": {"options": ["Röd", "Grön", "Blå"], "other": True, "max_selected": 2},
    "scale": {"points": 4, "labels": ["Inte alls", "Lite", "Mycket", "Helt"], "dont_know": True},
    "integer": {"min": 0, "max": 100, "unit": "st"},
    "text": {"max_length": 10},
    "textarea": {"max_length": 20},
    "date": {"min": "2020-01-01", "max": "2030-12-31"},
    "percentage": {},
    "integer_group": {"items": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
    "attachment": {"accept": ["pdf", "txt"], "max_size_mb": 0.001},
    "table": {
        "columns": [
            {"id": "atgard", "label": "Åtgärd", "required": True},
            {"id": "antal", "label": "Antal", "type": "integer"},
            {"id": "nar", "label": "När", "type": "date"},
            {
                "id": "omrade",
                "label": "Område",
                "type": "choice",
                "options": ["Lön", "Rekrytering"],
            },
        ],
        "max_rows": 3,
        "initial_rows": 2,
    },
    "measure_followup": {},
}

MEASURES = [
    {
        "id": 7,
        "title": "Utbilda chefer",
        "responsible": "HR",
        "deadline": "2025-06-30",
        "status": "pågår",
    },
    {"id": 9, "title": "Ny annonsmall", "responsible": "", "deadline": None, "status": "planerad"},
]


def definition(qtype: str, required: bool = False, **extra: Any) -> Definition:
    question = {
        "id": "q",
        "type": qtype,
        "text": f"Fråga {qtype}",
        "required": required,
        **QUESTIONS[qtype],
        **extra,
    }
    return Definition.model_validate(
        {
            "id": "t",
            "title": "T",
            "kind": "unit_followup",
            "version": "1",
            "sections": [{"id": "s", "title": "S", "questions": [question]}],
        }
    )


def run(
    qtype: str, data: dict[str, Any], required: bool = False, partial: bool = False
) -> QuestionnaireForm:
    form = QuestionnaireForm(
        definition(qtype, required),
        formdata=MultiDict(data),
        context=RenderContext(measures=MEASURES),
    )
    form.validate(partial=partial)
    return form


def pdf(size: int = 100, name: str = "protokoll.pdf", head: bytes = b"%PDF-1.7\n") -> FileStorage:
    body = head + b"x" * max(0, size - len(head))
    return FileStorage(stream=io.BytesIO(body), filename=name, content_type="application/pdf")


VALID = [
    ("yes_no", {"q": "ja"}, "ja"),
    ("yes_no", {"q": "nej"}, "nej"),
    (
        "yes_partly_no",
        {"q": "delvis", "q-comment": " bra "},
        {"answer": "delvis", "comment": "bra"},
    ),
    ("yes_partly_no", {"q": "nej"}, {"answer": "nej", "comment": ""}),
    ("single_choice", {"q": "gron"}, "gron"),
    ("multi_choice", [("q", "bla"), ("q", "rod")], {"selected": ["rod", "bla"], "other": ""}),
    ("multi_choice", {"q-other": "Lila"}, {"selected": [], "other": "Lila"}),
    ("scale", {"q": "3"}, 3),
    ("scale", {"q": "vet_ej"}, "vet_ej"),
    ("integer", {"q": " 1 2 "}, 12),
    ("integer", {"q": "0"}, 0),
    ("text", {"q": "  hej  "}, "hej"),
    ("textarea", {"q": "rad 1\nrad 2"}, "rad 1\nrad 2"),
    ("date", {"q": "2025-03-31"}, "2025-03-31"),
    ("percentage", {"q": "12,5"}, 12.5),
    ("percentage", {"q": "100"}, 100),
    ("integer_group", {"q-a": "3", "q-b": "0"}, {"a": 3, "b": 0}),
    (
        "table",
        {
            "q-rows": "2",
            "q-0-atgard": "Utbilda",
            "q-0-antal": "3",
            "q-0-omrade": "lon",
            "q-1-atgard": "",
        },
        [{"atgard": "Utbilda", "antal": 3, "omrade": "lon"}],
    ),
    (
        "measure_followup",
        {
            "q-7-status": "genomford",
            "q-7-effect": "ja",
            "q-7-comment": "Klart",
            "q-9-status": "pagar",
        },
        [
            {
                "measure_id": 7,
                "title": "Utbilda chefer",
                "status": "genomford",
                "effect": "ja",
                "comment": "Klart",
            },
            {
                "measure_id": 9,
                "title": "Ny annonsmall",
                "status": "pagar",
                "effect": None,
                "comment": "",
            },
        ],
    ),
]


@pytest.mark.parametrize(("qtype", "data", "expected"), VALID)
def test_valid_answers(app: Flask, qtype: str, data: Any, expected: Any) -> None:
    form = run(qtype, data)
    assert form.errors_by_question == {}
    assert form.answers() == {"q": expected}
    json.dumps(form.answers())  # JSON-serialisable


INVALID = [
    ("yes_no", {"q": "kanske"}, "Välj ett av svarsalternativen."),
    ("yes_partly_no", {"q": "ibland"}, "Välj ett av svarsalternativen."),
    ("yes_partly_no", {"q-comment": "bara kommentar"}, "kommentaren räcker inte"),
    ("single_choice", {"q": "gul"}, "Välj ett av svarsalternativen."),
    ("multi_choice", {"q": "gul"}, "Välj bland svarsalternativen."),
    ("multi_choice", [("q", "rod"), ("q", "gron"), ("q", "bla")], "Välj högst 2 alternativ."),
    ("scale", {"q": "5"}, "Välj ett av svarsalternativen."),
    ("scale", {"q": "0"}, "Välj ett av svarsalternativen."),
    ("integer", {"q": "tolv"}, "Skriv ett heltal"),
    ("integer", {"q": "1.5"}, "Skriv ett heltal"),
    ("integer", {"q": "-1"}, "inte vara mindre än 0"),
    ("integer", {"q": "101"}, "inte vara större än 100"),
    ("text", {"q": "x" * 11}, "högst 10 tecken"),
    ("textarea", {"q": "x" * 21}, "högst 20 tecken"),
    ("date", {"q": "31/3 2025"}, "ÅÅÅÅ-MM-DD"),
    ("date", {"q": "2025-02-30"}, "ÅÅÅÅ-MM-DD"),
    ("date", {"q": "2019-12-31"}, "inte vara före 2020-01-01"),
    ("date", {"q": "2031-01-01"}, "inte vara efter 2030-12-31"),
    ("percentage", {"q": "101"}, "mellan 0 och 100"),
    ("percentage", {"q": "-3"}, "mellan 0 och 100"),
    ("percentage", {"q": "12,55"}, "högst en decimal"),
    ("percentage", {"q": "mycket"}, "andel i procent"),
    ("percentage", {"q": "NaN"}, "mellan 0 och 100"),
    ("integer_group", {"q-a": "x"}, "A: Skriv ett heltal"),
    ("integer_group", {"q-b": "-2"}, "B: Talet får inte vara mindre än 0."),
    ("table", {"q-rows": "2", "q-0-antal": "3"}, "Rad 1: fyll i Åtgärd."),
    (
        "table",
        {"q-rows": "2", "q-1-atgard": "A", "q-1-antal": "många"},
        "Rad 2, Antal: Skriv ett heltal",
    ),
    ("table", {"q-rows": "2", "q-0-atgard": "A", "q-0-nar": "snart"}, "Rad 1, När"),
    ("table", {"q-rows": "2", "q-0-atgard": "A", "q-0-omrade": "x"}, "Välj bland"),
    ("measure_followup", {"q-7-status": "klar"}, "Utbilda chefer: Välj en status i listan."),
    (
        "measure_followup",
        {"q-7-status": "pagar", "q-7-effect": "kanske"},
        "Välj Ja, Delvis eller Nej.",
    ),
]


@pytest.mark.parametrize(("qtype", "data", "message"), INVALID)
def test_invalid_answers(app: Flask, qtype: str, data: Any, message: str) -> None:
    form = run(qtype, data)
    assert not form.validate()
    assert "q" in form.errors_by_question
    assert any(message in e for e in form.errors_by_question["q"]), form.errors_by_question
    assert form.answers() == {}


@pytest.mark.parametrize("qtype", sorted(QUESTIONS))
def test_required_and_draft(app: Flask, qtype: str) -> None:
    form = run(qtype, {}, required=True)
    if qtype == "measure_followup":
        # Measures are listed, so status for each is needed.
        assert form.errors_by_question["q"] == ["Frågan måste besvaras."]
    else:
        assert form.errors_by_question["q"] == ["Frågan måste besvaras."]
    draft = run(qtype, {}, required=True, partial=True)
    assert draft.errors_by_question == {} and draft.answers() == {}


def test_required_completeness(app: Flask) -> None:
    group = run("integer_group", {"q-a": "1"}, required=True)
    assert "Fyll i alla rader" in group.errors_by_question["q"][0]
    assert run("integer_group", {"q-a": "1"}, required=True, partial=True).answers() == {
        "q": {"a": 1}
    }
    measures = run("measure_followup", {"q-7-status": "pagar"}, required=True)
    assert "Ny annonsmall" in measures.errors_by_question["q"][0]
    table = QuestionnaireForm(
        definition("table", min_rows=2), formdata=MultiDict({"q-rows": "2", "q-0-atgard": "A"})
    )
    assert not table.validate()
    assert "minst 2 rader" in table.errors_by_question["q"][0]


def test_measure_followup_without_measures(app: Flask) -> None:
    form = QuestionnaireForm(definition("measure_followup", required=True), formdata=MultiDict())
    assert form.validate()
    assert form.answers() == {}
    html = render(app, form)
    assert "Inga åtgärder registrerade för föregående period" in html


def test_measure_followup_ignores_unknown_measures(app: Flask) -> None:
    form = run("measure_followup", {"q-99-status": "genomford", "q-7-status": "pagar"})
    assert [i["measure_id"] for i in form.answers()["q"]] == [7]


def test_measures_as_objects(app: Flask) -> None:
    class Item:
        def __init__(self, **kw: Any) -> None:
            self.__dict__.update(kw)

    items = [Item(id=3, title="Objekt", responsible="Chef", deadline=None, status="Pågår")]
    form = QuestionnaireForm(
        definition("measure_followup"),
        formdata=MultiDict({"q-3-status": "avbruten"}),
        context=RenderContext(measures=items),
    )
    assert form.validate()
    assert form.answers()["q"][0]["status"] == "avbruten"
    assert "Objekt" in render(app, form)


# -- attachments (checked, not stored, by the engine) ----------------------------------------


def test_attachment_valid_upload_is_pending(app: Flask) -> None:
    form = run("attachment", {"q": pdf(500)})
    assert form.answers()["q"] == {
        "attachment_id": None,
        "filename": "protokoll.pdf",
        "size": 500,
        "pending": True,
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf(1001), "Filen är för stor"),
        (pdf(100, name="virus.exe"), "Filen måste vara av typen pdf, txt."),
        (pdf(100, name="utan-typ"), "Filen måste vara av typen"),
        (pdf(100, head=b"MZ\x90\x00"), "stämmer inte med typen pdf"),
        (pdf(100, name="a.txt", head=b"\x00\x01binary"), "stämmer inte med typen txt"),
        (FileStorage(stream=io.BytesIO(b""), filename="tom.pdf"), "Filen är tom."),
    ],
)
def test_attachment_invalid_upload(app: Flask, upload: FileStorage, message: str) -> None:
    form = run("attachment", {"q": upload})
    assert any(message in e for e in form.errors_by_question["q"]), form.errors_by_question


def test_attachment_reference_comes_only_from_server_data(app: Flask) -> None:
    ref = {"attachment_id": 5, "filename": "p.pdf", "size": 10, "sha256": "ab"}
    kept = QuestionnaireForm(definition("attachment"), formdata=MultiDict(), data={"q": ref})
    assert kept.validate() and kept.answers() == {"q": ref}
    removed = QuestionnaireForm(
        definition("attachment"), formdata=MultiDict({"q-remove": "y"}), data={"q": ref}
    )
    assert removed.validate() and removed.answers() == {}
    forged = QuestionnaireForm(
        definition("attachment"), formdata=MultiDict({"q-current": json.dumps(ref)})
    )
    assert forged.validate() and forged.answers() == {}


# -- conditions --------------------------------------------------------------------------------

CONDITIONAL = {
    "id": "c",
    "title": "C",
    "kind": "unit_followup",
    "version": "1",
    "sections": [
        {
            "id": "a",
            "title": "A",
            "questions": [
                {
                    "id": "forekommit",
                    "type": "yes_no",
                    "text": "Har det förekommit?",
                    "required": True,
                },
                {
                    "id": "antal",
                    "type": "integer_group",
                    "text": "Hur många?",
                    "required": True,
                    "items": [{"id": "t", "label": "Trakasserier"}],
                    "show_if": {"question": "forekommit", "equals": "ja"},
                },
                {
                    "id": "hur",
                    "type": "textarea",
                    "text": "Hur hanterades de?",
                    "required": True,
                    "show_if": {"question": "forekommit", "equals": "ja"},
                },
                {
                    "id": "farger",
                    "type": "multi_choice",
                    "text": "Färger",
                    "options": ["Röd", "Blå"],
                },
                {
                    "id": "varfor_rod",
                    "type": "text",
                    "text": "Varför röd?",
                    "required": True,
                    "show_if": {"question": "farger", "in": ["rod"]},
                },
            ],
        },
        {
            "id": "b",
            "title": "B",
            "show_if": {"question": "forekommit", "equals": "ja"},
            "questions": [{"id": "i_b", "type": "text", "text": "I B", "required": True}],
        },
    ],
}


def test_hidden_questions_are_not_required_and_answers_dropped(app: Flask) -> None:
    d = Definition.model_validate(CONDITIONAL)
    form = QuestionnaireForm(
        d,
        formdata=MultiDict(
            {
                "forekommit": "nej",
                "antal-t": "4",
                "hur": "gammalt svar",
                "i_b": "gammalt",
                "farger": "bla",
                "varfor_rod": "gammalt",
            }
        ),
    )
    assert form.validate(), form.errors_by_question
    assert form.answers() == {"forekommit": "nej", "farger": {"selected": ["bla"], "other": ""}}
    assert form.visible_ids() == ["forekommit", "farger"]


def test_shown_questions_are_required(app: Flask) -> None:
    d = Definition.model_validate(CONDITIONAL)
    form = QuestionnaireForm(d, formdata=MultiDict({"forekommit": "ja", "farger": "rod"}))
    assert not form.validate()
    assert set(form.errors_by_question) == {"antal", "hur", "varfor_rod", "i_b"}
    form = QuestionnaireForm(
        d, formdata=MultiDict({"forekommit": "ja", "antal-t": "2", "hur": "Utrett", "i_b": "x"})
    )
    assert form.validate()
    assert form.answers()["antal"] == {"t": 2}


def test_condition_on_unanswered_question_hides(app: Flask) -> None:
    d = Definition.model_validate(CONDITIONAL)
    form = QuestionnaireForm(d, formdata=MultiDict({"hur": "x"}))
    form.validate(partial=True)
    assert form.answers() == {}


def test_condition_rendered_for_no_js(app: Flask) -> None:
    d = Definition.model_validate(CONDITIONAL)
    html = render(app, QuestionnaireForm(d))
    assert "Besvara bara om du svarat ”Ja” på frågan ”Har det förekommit?”." in html
    assert 'data-show-if="fq-forekommit"' in html


# -- rendering and round trips -------------------------------------------------------------------


def render(app: Flask, form: QuestionnaireForm) -> str:
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "questionnaires/_form.html" import questionnaire_fields %}'
            "{{ questionnaire_fields(qform) }}"
        )
        return template.render(qform=form)


@pytest.mark.parametrize(("qtype", "data", "expected"), VALID)
def test_round_trip(app: Flask, qtype: str, data: Any, expected: Any) -> None:
    d = definition(qtype)
    context = RenderContext(measures=MEASURES)
    shown = QuestionnaireForm(d, data={"q": expected}, context=context)
    assert shown.validate(), shown.errors_by_question
    assert shown.answers() == {"q": expected}
    if qtype != "attachment":
        again = QuestionnaireForm(d, formdata=shown.as_formdata(), context=context)
        assert again.validate() and again.answers() == {"q": expected}
    render(app, shown)


def test_rendering_accessibility(app: Flask) -> None:
    form = run("integer", {"q": "x"}, required=True)
    html = render(app, form)
    assert '<div class="error-summary" role="alert"' in html
    assert 'href="#fq-q"' in html
    assert '<label class="q-text" for="fq-q">' in html
    assert 'aria-describedby="fq-q--error"' in html and 'aria-invalid="true"' in html
    group = render(app, run("yes_no", {"q": "kanske"}))
    assert "<fieldset" in group and '<legend class="q-text">' in group
    assert 'href="#fq-q-0"' in group and 'id="fq-q-0"' in group
    scale = render(app, run("scale", {"q": "9"}))
    assert 'href="#fq-q-1"' in scale and 'id="fq-q-1"' in scale


def test_previous_answers_shown(app: Flask) -> None:
    form = QuestionnaireForm(
        definition("yes_partly_no"),
        context=RenderContext(
            previous_answers={"q": {"answer": "delvis", "comment": "Halvvägs"}, "annan": "x"}
        ),
    )
    html = render(app, form)
    assert "Förra året:" in html and "Delvis – Halvvägs" in html
    assert 'aria-describedby="fq-q--prev"' in html


def test_selected_values_rerender(app: Flask) -> None:
    html = render(app, run("scale", {"q": "vet_ej"}))
    assert 'value="vet_ej" checked' in html
    html = render(app, run("multi_choice", [("q", "gron")]))
    assert 'value="gron" checked' in html and 'value="rod" checked' not in html


def test_table_add_row(app: Flask) -> None:
    d = definition("table")
    form = QuestionnaireForm(
        d, formdata=MultiDict({"q-rows": "2", "q-0-atgard": "A", "_add_row": "q"})
    )
    assert form.add_row_requested
    html = render(app, form)
    assert 'name="q-2-atgard"' in html and 'name="q-3-atgard"' not in html
    assert 'name="q-0-atgard" type="text" value="A"' in html
    full = QuestionnaireForm(d, formdata=MultiDict({"q-rows": "3", "_add_row": "q"}))
    assert 'name="q-3-atgard"' not in render(app, full)  # max_rows 3
    assert "Lägg till rad" not in render(app, full)


def test_anonymous_text_has_no_names_note(app: Flask) -> None:
    d = Definition.model_validate(
        {
            "id": "a",
            "title": "A",
            "kind": "anonymous",
            "version": "1",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [{"id": "t", "type": "textarea", "text": "Förslag"}],
                }
            ],
        }
    )
    assert "Skriv inga namn" in render(app, QuestionnaireForm(d))
