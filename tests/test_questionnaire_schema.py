"""Questionnaire definitions: the defaults, located errors for broken files, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from webapp.questionnaires.cli import questionnaire
from webapp.questionnaires.schema import load_definition
from webapp.questionnaires.schema import parse_definition
from webapp.yamlio import FileErrors

ROOT = Path(__file__).resolve().parent.parent / "questionnaires"
DEFAULTS = sorted(ROOT.glob("*.yaml"))

MINIMAL = """\
id: test
title: Test
kind: unit_followup
version: 1
sections:
  - id: a
    title: Avsnitt
    questions:
      - id: forekommit
        type: yes_no
        text: Har det förekommit?
      - id: antal
        type: integer
        text: Hur många?
        show_if: {question: forekommit, equals: ja}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(FileErrors) as info:
        parse_definition(text, "enkat.yaml")
    return [str(p) for p in info.value.problems]


def test_defaults_validate() -> None:
    names = {p.name for p in DEFAULTS}
    assert {"arlig-uppfoljning.yaml", "medarbetarenkat.yaml"} <= names
    yearly = load_definition(ROOT / "arlig-uppfoljning.yaml")
    survey = load_definition(ROOT / "medarbetarenkat.yaml")
    assert yearly.kind == "unit_followup" and len(yearly.question_ids()) >= 40
    assert survey.kind == "anonymous" and 18 <= len(survey.question_ids()) <= 25


def test_yearly_followup_covers_the_law() -> None:
    d = load_definition(ROOT / "arlig-uppfoljning.yaml")
    areas = {a for _s, q in d.iter_questions() for a in q.tags.areas}
    assert {
        "arbetsforhallanden",
        "loner",
        "rekrytering",
        "kompetensutveckling",
        "foraldraskap",
        "trakasserier",
        "lonekartlaggning",
        "samverkan",
        "jamn_konsfordelning",
        "undersoka",
        "analysera",
        "atgarda",
        "folja_upp",
    } <= areas
    types = {q.type for _s, q in d.iter_questions()}  # type: ignore[attr-defined]
    assert {"measure_followup", "table", "attachment", "integer_group"} <= types


def test_anonymous_survey_never_asks_about_sensitive_categories() -> None:
    d = load_definition(ROOT / "medarbetarenkat.yaml")
    background = d.sections[0]
    assert [q.id for q in background.questions] == ["kon", "aldersgrupp"]
    assert all(not q.required for _s, q in d.iter_questions())
    for _s, q in d.iter_questions():
        text = q.text.lower()
        assert not any(
            w in text
            for w in (
                "vilken religion",
                "din etniska",
                "din sexuella",
                "din hälsa",
                "ditt ursprung",
            )
        )


def test_minimal_is_valid() -> None:
    d = parse_definition(MINIMAL, "enkat.yaml")
    assert d.question_ids() == ["forekommit", "antal"]
    assert d.version == "1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda t: t.replace("type: integer", "type: integr"),
            "enkat.yaml:13: sections[1].questions[2] har en okänd frågetyp",
        ),
        (lambda t: t.replace("type: integer", "type: integr"), "okänd frågetyp 'integr'"),
        (
            lambda t: t.replace(
                "        text: Hur många?", "        text: Hur många?\n        colour: red"
            ),
            "colour är en okänd nyckel",
        ),
        (
            lambda t: t.replace("id: antal", "id: forekommit"),
            "enkat.yaml:12: fråge-id 'forekommit' förekommer två gånger",
        ),
        (
            lambda t: t.replace("question: forekommit", "question: saknas"),
            "enkat.yaml:15: villkoret pekar på frågan 'saknas' som inte finns",
        ),
        (lambda t: t.replace("equals: ja", "equals: kanske"), "har inget svarsalternativ 'kanske'"),
        (
            lambda t: t.replace(
                "        text: Hur många?",
                "        text: Hur många?\n        min: 5\n        max: 2",
            ),
            "min (5) är större än max (2)",
        ),
        (
            lambda t: t.replace(
                "        text: Hur många?", "        text: Hur många?\n        required: ja"
            ),
            "required ska vara true eller false",
        ),
        (
            lambda t: t.replace("kind: unit_followup", "kind: survey"),
            "enkat.yaml:3: kind har ett okänt värde 'survey'",
        ),
        (lambda t: t.replace("id: antal", "id: Antal-2"), "har otillåtna tecken"),
        (lambda t: t.replace("title: Test\n", ""), "title saknas men måste anges"),
        (lambda t: t.replace("version: 1", "version: [1]"), "version ska vara en text"),
    ],
)
def test_broken_definitions_give_located_errors(change, expected) -> None:  # type: ignore[no-untyped-def]
    found = problems(change(MINIMAL))
    assert any(expected in p for p in found), found
    assert all(p.startswith("enkat.yaml:") for p in found)


def test_condition_to_later_question() -> None:
    text = MINIMAL.replace(
        """      - id: forekommit
        type: yes_no
        text: Har det förekommit?
""",
        "",
    ).replace(
        """        show_if: {question: forekommit, equals: ja}
""",
        """        show_if: {question: forekommit, equals: ja}
      - id: forekommit
        type: yes_no
        text: Har det förekommit?
""",
    )
    assert any("som kommer senare" in p for p in problems(text))


def test_condition_on_question_without_options() -> None:
    text = (
        MINIMAL
        + """      - id: kommentar
        type: text
        text: Kommentar
        show_if: {question: antal, equals: 3}
"""
    )
    assert any("kan inte användas i ett villkor" in p for p in problems(text))


def test_unknown_area_and_ground() -> None:
    text = MINIMAL.replace(
        "        text: Hur många?",
        "        text: Hur många?\n        tags: {areas: [lon], grounds: [hudfarg]}",
    )
    found = problems(text)
    assert any("tags.areas[1] har ett okänt värde 'lon'" in p for p in found), found
    assert any("tags.grounds[1] har ett okänt värde 'hudfarg'" in p for p in found), found


# -- the CLI ---------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (BOMB, "referenser (*alias) är inte tillåtna"),
        ("id: x\n" + "# " + "x" * 1_100_000 + "\n", "filen är större än 1000 kB"),
        (
            MINIMAL.replace(
                "        text: Hur många?", "        text: Hur många?\n        colour: red"
            ),
            "okänd nyckel",
        ),
        (MINIMAL.replace("id: antal", "id: forekommit"), "förekommer två gånger"),
        (MINIMAL.replace("question: forekommit", "question: saknas"), "som inte finns"),
        (MINIMAL.replace("version: 1", "version: {a: 1}"), "version ska vara en text"),
        ("id: [unclosed\n", "kan inte läsa YAML"),
        ("- bara\n- en lista\n", "filen ska innehålla en mappning"),
        (b"id: \xff\xfe\n", "inte UTF-8"),
        ("", "filen är tom"),
        ("title: a\ntitle: b\n", "nyckeln 'title' förekommer två gånger"),
    ],
)
def test_cli_validate_reports_broken_files(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    path = write(tmp_path, "trasig.yaml", content)
    result = CliRunner().invoke(questionnaire, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line]
    assert lines and all(line.startswith(f"{path}:") for line in lines), result.output
    assert expected in result.output


def test_cli_validate_ok_and_mixed(tmp_path: Path) -> None:
    good = write(tmp_path, "bra.yaml", MINIMAL)
    bad = write(tmp_path, "dalig.yaml", MINIMAL.replace("kind: unit_followup", "kind: x"))
    result = CliRunner().invoke(questionnaire, ["validate", str(good)])
    assert result.exit_code == 0
    assert f"{good}: OK (test 1, 2 frågor)" in result.output
    result = CliRunner().invoke(questionnaire, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: kind har ett okänt värde 'x'" in result.output


def test_cli_validate_defaults() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK (") == len(DEFAULTS)


def test_cli_list(app: Flask, tmp_path: Path) -> None:
    write(tmp_path, "bra.yaml", MINIMAL)
    write(tmp_path, "dalig.yaml", "id: [")
    result = app.test_cli_runner().invoke(args=["questionnaire", "list", "--folder", str(tmp_path)])
    assert result.exit_code == 0
    assert (
        "test" in result.output and "unit_followup" in result.output and "bra.yaml" in result.output
    )
    assert "dalig.yaml: 1 fel" in result.output
    result = app.test_cli_runner().invoke(args=["questionnaire", "list"])
    assert "arlig-uppfoljning" in result.output and "medarbetarenkat" in result.output


def test_cli_diff(tmp_path: Path) -> None:
    old = write(
        tmp_path,
        "old.yaml",
        MINIMAL
        + """      - id: borttagen
        type: text
        text: Tas bort
""",
    )
    new = write(
        tmp_path,
        "new.yaml",
        MINIMAL.replace("Hur många?", "Hur många ärenden?").replace(
            "type: yes_no", "type: yes_partly_no"
        )
        + """      - id: ny_fraga
        type: single_choice
        text: Ny fråga
        required: true
        options: [Ett, Två]
""",
    )
    result = CliRunner().invoke(questionnaire, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Tillagda frågor (1):" in out and "+ ny_fraga (single_choice): Ny fråga" in out
    assert "Borttagna frågor (1):" in out and "- borttagen (text): Tas bort" in out
    assert "~ antal:" in out and "text: ”Hur många?” → ”Hur många ärenden?”" in out
    assert "~ forekommit:" in out and "typ: yes_no → yes_partly_no" in out
    assert "alternativ: nya: delvis=Delvis" in out
    same = CliRunner().invoke(questionnaire, ["diff", str(old), str(old)])
    assert "Inga skillnader" in same.output
    broken = write(tmp_path, "broken.yaml", "id: [")
    result = CliRunner().invoke(questionnaire, ["diff", str(old), str(broken)])
    assert result.exit_code == 1 and "broken.yaml:" in result.output


def test_cli_diff_required_and_options(tmp_path: Path) -> None:
    base = (
        MINIMAL
        + """      - id: val
        type: single_choice
        text: Välj
        options: [Ett, Två]
"""
    )
    old = write(tmp_path, "old.yaml", base)
    new = write(
        tmp_path,
        "new.yaml",
        base.replace("options: [Ett, Två]", "options: [Ett, Tre]\n        required: true"),
    )
    out = CliRunner().invoke(questionnaire, ["diff", str(old), str(new)]).output
    assert "obligatorisk: nej → ja" in out
    assert "alternativ: borttagna: tva=Två; nya: tre=Tre" in out


def test_readme_example_validates_and_covers_every_type() -> None:
    from webapp.questionnaires.fields import REGISTRY

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\nid: exempel")
    text = readme[start + len("```yaml\n") : readme.index("```", start + 7)]
    d = parse_definition(text, "README.md")
    assert {q.type for _s, q in d.iter_questions()} == set(REGISTRY)  # type: ignore[attr-defined]
