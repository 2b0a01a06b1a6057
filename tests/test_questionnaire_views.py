"""Pages, frozen versions and attachments of the questionnaires capability."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from tests import factories
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.questionnaires import services
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.models import Attachment
from webapp.questionnaires.models import QuestionnaireVersion
from webapp.questionnaires.schema import load_definition
from webapp.questionnaires.schema import parse_definition

ROOT = Path(__file__).resolve().parent.parent / "questionnaires"

ALL_TYPES = """\
id: alla
title: Alla typer
kind: unit_followup
version: 1
sections:
  - id: s
    title: Avsnitt
    questions:
      - {id: jn, type: yes_no, text: JN-fråga, required: true}
      - {id: jdn, type: yes_partly_no, text: JDN-fråga}
      - {id: val, type: single_choice, text: Val-fråga, options: [Ett, Två]}
      - {id: fler, type: multi_choice, text: Fler-fråga, options: [Ett, Två], other: true}
      - {id: skala, type: scale, text: Skal-fråga, points: 4, dont_know: true}
      - {id: tal, type: integer, text: Tal-fråga, max: 10}
      - {id: kort, type: text, text: Kort-fråga, max_length: 5}
      - {id: lang, type: textarea, text: Lång-fråga, max_length: 10}
      - {id: datum, type: date, text: Datum-fråga}
      - {id: andel, type: percentage, text: Andel-fråga}
      - id: grupp
        type: integer_group
        text: Grupp-fråga
        items: [{id: a, label: A}]
      - {id: fil, type: attachment, text: Fil-fråga, accept: [pdf], max_size_mb: 0.001}
      - id: tabell
        type: table
        text: Tabell-fråga
        columns: [{id: c, label: C, type: integer}]
      - {id: matt, type: measure_followup, text: Åtgärds-fråga}
"""


@pytest.fixture
def folder(app: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "questionnaires"
    path.mkdir()
    for source in ROOT.glob("*.yaml"):
        (path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (path / "alla.yaml").write_text(ALL_TYPES, encoding="utf-8")
    (path / "trasig.yaml").write_text(
        ALL_TYPES.replace("type: date", "type: datum"), encoding="utf-8"
    )
    app.config["QUESTIONNAIRE_FOLDER"] = str(path)
    return path


@pytest.fixture
def hr(app: Flask, client: FlaskClient, auth) -> object:  # type: ignore[no-untyped-def]
    user = factories.gen_user(Role.HR)
    auth.login_as(user)
    return user


@pytest.mark.parametrize("name", ["arlig-uppfoljning", "medarbetarenkat"])
def test_preview_defaults_show_every_question(
    client: FlaskClient, hr: object, folder: Path, name: str
) -> None:
    response = client.get(f"/enkater/{name}/forhandsgranska")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    definition = load_definition(folder / f"{name}.yaml")
    from markupsafe import escape

    for _s, q in definition.iter_questions():
        assert str(escape(q.text)) in html, q.id
    for section in definition.sections:
        assert str(escape(section.title)) in html


def test_preview_with_example_measures(client: FlaskClient, hr: object, folder: Path) -> None:
    html = client.get("/enkater/arlig-uppfoljning/forhandsgranska?exempel=1").get_data(as_text=True)
    assert "Utbilda alla chefer i rutinen mot trakasserier" in html
    html = client.get("/enkater/arlig-uppfoljning/forhandsgranska").get_data(as_text=True)
    assert "Inga åtgärder registrerade för föregående period" in html


def test_index_lists_files_and_problems(client: FlaskClient, hr: object, folder: Path) -> None:
    html = client.get("/enkater").get_data(as_text=True)
    assert "Årlig uppföljning av aktiva åtgärder" in html and "Giltig" in html
    assert "trasig.yaml" in html and "Har fel" in html
    assert "okänd frågetyp &#39;datum&#39;" in html or "okänd frågetyp 'datum'" in html
    assert client.get("/enkater/trasig/forhandsgranska").status_code == 422
    assert client.get("/enkater/finns-inte/forhandsgranska").status_code == 404
    assert client.get("/enkater/..%2F..%2Fetc/forhandsgranska").status_code == 404


@pytest.mark.parametrize(
    ("data", "question", "message"),
    [
        ({"jn": "kanske"}, "JN-fråga", "Välj ett av svarsalternativen."),
        ({"jn": "ja", "jdn": "x"}, "JDN-fråga", "Välj ett av svarsalternativen."),
        ({"jn": "ja", "val": "tre"}, "Val-fråga", "Välj ett av svarsalternativen."),
        ({"jn": "ja", "fler": "tre"}, "Fler-fråga", "Välj bland svarsalternativen."),
        ({"jn": "ja", "skala": "9"}, "Skal-fråga", "Välj ett av svarsalternativen."),
        ({"jn": "ja", "tal": "11"}, "Tal-fråga", "Talet får inte vara större än 10."),
        ({"jn": "ja", "kort": "sexsex"}, "Kort-fråga", "högst 5 tecken"),
        ({"jn": "ja", "lang": "x" * 11}, "Lång-fråga", "högst 10 tecken"),
        ({"jn": "ja", "datum": "igår"}, "Datum-fråga", "ÅÅÅÅ-MM-DD"),
        ({"jn": "ja", "andel": "120"}, "Andel-fråga", "mellan 0 och 100"),
        ({"jn": "ja", "grupp-a": "en"}, "Grupp-fråga", "Skriv ett heltal"),
        (
            {"jn": "ja", "fil": (io.BytesIO(b"%PDF" + b"x" * 2000), "p.pdf")},
            "Fil-fråga",
            "för stor",
        ),
        ({"jn": "ja", "fil": (io.BytesIO(b"hej"), "p.docx")}, "Fil-fråga", "typen pdf"),
        ({"jn": "ja", "tabell-rows": "3", "tabell-0-c": "x"}, "Tabell-fråga", "Rad 1, C"),
        ({}, "JN-fråga", "Frågan måste besvaras."),
    ],
)
def test_preview_post_invalid(
    client: FlaskClient, hr: object, folder: Path, data: dict, question: str, message: str
) -> None:
    response = client.post(
        "/enkater/alla/forhandsgranska",
        data={**data, "action": "submit"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Formuläret har fel som behöver rättas" in html
    assert question in html and message in html
    assert "Svaren är giltiga" not in html


def test_preview_post_valid_stores_nothing(
    client: FlaskClient, hr: object, folder: Path, app: Flask
) -> None:
    data = {
        "jn": "ja",
        "jdn": "delvis",
        "jdn-comment": "Bra",
        "val": "tva",
        "fler": ["ett"],
        "fler-other": "Tre",
        "skala": "vet_ej",
        "tal": "7",
        "kort": "hej",
        "lang": "lång",
        "datum": "2025-01-02",
        "andel": "55,5",
        "grupp-a": "3",
        "fil": (io.BytesIO(b"%PDF-1.4 liten"), "protokoll.pdf"),
        "tabell-rows": "3",
        "tabell-0-c": "4",
        "action": "submit",
    }
    response = client.post(
        "/enkater/alla/forhandsgranska", data=data, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert "Svaren är giltiga" in html, html[:3000]
    assert "Vet ej" in html and "55,5 %" in html and "protokoll.pdf" in html
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "attachments").exists()


def test_preview_draft_ignores_required(client: FlaskClient, hr: object, folder: Path) -> None:
    html = client.post("/enkater/alla/forhandsgranska", data={"action": "draft"}).get_data(
        as_text=True
    )
    assert "Svaren är giltiga" in html


def test_preview_add_row(client: FlaskClient, hr: object, folder: Path) -> None:
    html = client.post(
        "/enkater/alla/forhandsgranska", data={"tabell-rows": "3", "_add_row": "tabell"}
    ).get_data(as_text=True)
    assert 'name="tabell-3-c"' in html
    assert "Formuläret har fel" not in html


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ADMIN, 200), (Role.HR, 200), (Role.HEAD, 403), (Role.BOARD, 403)]
)
def test_pages_by_role(
    client: FlaskClient,
    auth,
    folder: Path,
    role: str,  # type: ignore[no-untyped-def]
    status: int,
) -> None:
    auth.login_as(factories.gen_user(role))
    assert client.get("/enkater").status_code == status
    assert client.get("/enkater/medarbetarenkat/forhandsgranska").status_code == status


def test_anonymous_user_is_sent_to_login(client: FlaskClient, folder: Path) -> None:
    assert client.get("/enkater").status_code == 302


def test_start_page_links_enkater_for_hr(client: FlaskClient, hr: object, folder: Path) -> None:
    assert ">Enkäter</a>" in client.get("/").get_data(as_text=True)


# -- versions ------------------------------------------------------------------------------


def test_freeze_twice_gives_one_version_and_edit_gives_new(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "alla.yaml"
    path.write_text(ALL_TYPES, encoding="utf-8")
    first = services.freeze(load_definition(path), str(path))
    again = services.freeze(load_definition(path), str(path))
    db.session.commit()
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1
    assert first.source_file == "alla.yaml" and len(first.content_hash) == 64
    old_json = dict(first.definition_json)

    path.write_text(ALL_TYPES.replace("JN-fråga", "Ny JN-fråga"), encoding="utf-8")
    second = services.freeze(load_definition(path), str(path))
    db.session.commit()
    assert second.id != first.id and second.content_hash != first.content_hash
    db.session.expire_all()
    reloaded = db.session.get(QuestionnaireVersion, first.id)
    assert reloaded.definition_json == old_json
    assert reloaded.definition.question("jn").text == "JN-fråga"
    assert second.definition.question("jn").text == "Ny JN-fråga"
    assert reloaded.definition.question_ids() == second.definition.question_ids()
    assert [v.id for v in services.versions("alla")] == [second.id, first.id]


def test_hash_ignores_formatting(app: Flask) -> None:
    a = parse_definition(ALL_TYPES, "a.yaml")
    b = parse_definition(
        "# kommentar\n" + ALL_TYPES.replace("version: 1", "version: '1'"), "b.yaml"
    )
    assert services.content_hash(a) == services.content_hash(b)


def test_cli_freeze(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "alla.yaml"
    path.write_text(ALL_TYPES, encoding="utf-8")
    runner = app.test_cli_runner()
    out1 = runner.invoke(args=["questionnaire", "freeze", str(path)]).output
    out2 = runner.invoke(args=["questionnaire", "freeze", str(path)]).output
    assert out1 == out2 and "alla 1: version" in out1


# -- attachments ---------------------------------------------------------------------------


def _upload(app: Flask, user: object) -> Attachment:
    definition = parse_definition(ALL_TYPES, "alla.yaml")
    from werkzeug.datastructures import FileStorage
    from werkzeug.datastructures import MultiDict

    upload = FileStorage(stream=io.BytesIO(b"%PDF-1.4 protokoll"), filename="Protokoll FSG.pdf")
    form = QuestionnaireForm(definition, formdata=MultiDict({"jn": "ja", "fil": upload}))
    assert form.validate(), form.errors_by_question
    answers = services.store_uploads(form, user)
    db.session.commit()
    ref = answers["fil"]
    assert set(ref) == {"attachment_id", "filename", "size", "sha256"}
    return db.session.get(Attachment, ref["attachment_id"])


def test_attachment_stored_outside_web_root(app: Flask) -> None:
    head = factories.gen_user(Role.HEAD)
    item = _upload(app, head)
    path = services.attachment_path(item)
    assert path.read_bytes() == b"%PDF-1.4 protokoll"
    assert str(path).startswith(app.config["UPLOAD_FOLDER"])
    assert not str(path).startswith(app.static_folder or "/nonexistent")
    assert item.stored_name not in item.original_name and len(item.stored_name) >= 32
    import hashlib

    assert item.sha256 == hashlib.sha256(b"%PDF-1.4 protokoll").hexdigest()


@pytest.mark.parametrize(
    ("who", "status"),
    [("uploader", 200), ("hr", 200), ("admin", 200), ("other_head", 403), ("board", 403)],
)
def test_attachment_download_permissions(
    app: Flask,
    client: FlaskClient,
    auth,  # type: ignore[no-untyped-def]
    who: str,
    status: int,
) -> None:
    uploader = factories.gen_user(Role.HEAD)
    item = _upload(app, uploader)
    users = {
        "uploader": uploader,
        "hr": factories.gen_user(Role.HR),
        "admin": factories.gen_user(Role.ADMIN),
        "other_head": factories.gen_user(Role.HEAD),
        "board": factories.gen_user(Role.BOARD),
    }
    auth.login_as(users[who])
    response = client.get(f"/bilagor/{item.id}")
    assert response.status_code == status
    if status == 200:
        assert response.data == b"%PDF-1.4 protokoll"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "Protokoll" in disposition
        assert response.mimetype == "application/pdf"
    response.close()


def test_attachment_download_needs_login(app: Flask, client: FlaskClient) -> None:
    item = _upload(app, factories.gen_user(Role.HEAD))
    assert client.get(f"/bilagor/{item.id}").status_code == 302
    auth_user = factories.gen_user(Role.HR)
    client.post("/logga-in", data={"email": auth_user.email, "password": factories.PASSWORD})
    assert client.get("/bilagor/99999").status_code == 404
