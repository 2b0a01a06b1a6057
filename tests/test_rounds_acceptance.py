"""Two consecutive years: measures planned in year one are evaluated in year two's follow-up,
one is extended, new ones are created, and HR's acceptance writes it all to the register."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories
from webapp.extensions import db
from webapp.measures.models import Measure
from webapp.rounds.models import Assignment

CYCLE_YAML = """\
id: cykel
title: Uppföljning med åtgärder
kind: unit_followup
version: "1"
sections:
  - id: uppfoljning
    title: Uppföljning
    questions:
      - id: forra_arets_atgarder
        type: measure_followup
        text: Hur gick det med förra årets åtgärder?
        statuses:
          - {value: genomford, label: Genomförd}
          - {value: pagar, label: Pågår}
          - {value: forlangd, label: Förlängs till nästa år}
          - {value: avbruten, label: Avbruten}
      - id: nya_atgarder
        type: table
        text: Vilka åtgärder planerar ni för nästa år?
        columns:
          - {id: title, label: Åtgärd}
          - {id: responsible, label: Ansvarig}
          - {id: schedule, label: Tidsplan}
"""


def test_two_consecutive_years(app, client, auth, tmp_path):
    folder = tmp_path / "q"
    factories.write_followup(folder, CYCLE_YAML, name="test.yaml")
    app.config["QUESTIONNAIRE_FOLDER"] = str(folder)
    kommun = factories.gen_unit(name="Kommun", kind="kommun")
    soc = factories.gen_unit(parent=kommun, name="Socialförvaltningen", code="SOC")
    head = factories.gen_user(role="head", units=[soc], email="soc@kommun.test")
    hr = factories.gen_user(role="hr", email="hr@kommun.test")
    # Year one (2025): three planned measures for the unit.
    done = factories.gen_measure(soc, title="APT-tema om jargong", period=2025)
    extended = factories.gen_measure(soc, title="Heltid som norm", period=2025)
    stopped = factories.gen_measure(soc, title="Mentorprogram", period=2025)
    # Year two (2026): the follow-up lists the 2025 measures.
    factories.gen_round([soc], folder, year=2026)
    assignment = db.session.scalar(select(Assignment))
    auth.login_as(head)
    form = client.get(f"/uppfoljning/{assignment.id}").get_data(as_text=True)
    for title in ("APT-tema om jargong", "Heltid som norm", "Mentorprogram"):
        assert title in form
    q = "forra_arets_atgarder"
    data = {
        "version": assignment.version,
        "action": "submit",
        f"{q}-{done.id}-status": "genomford",
        f"{q}-{done.id}-effect": "ja",
        f"{q}-{done.id}-comment": "Bra samtal i alla arbetslag.",
        f"{q}-{extended.id}-status": "forlangd",
        f"{q}-{extended.id}-effect": "delvis",
        f"{q}-{stopped.id}-status": "avbruten",
        f"{q}-{stopped.id}-effect": "nej",
        "nya_atgarder-rows": "3",
        "nya_atgarder-0-title": "Rutin för kontakt med föräldralediga",
        "nya_atgarder-0-responsible": "Enhetschefer",
        "nya_atgarder-0-schedule": "Löpande",
    }
    response = client.post(f"/uppfoljning/{assignment.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.refresh(assignment)
    assert (
        client.post(
            f"/uppfoljning/{assignment.id}/skicka-in", data={"version": assignment.version}
        ).status_code
        == 302
    )
    auth.logout()
    # HR accepts: the register follows the answers.
    auth.login_as(hr)
    response = client.post(f"/rundor/svar/{assignment.id}/godkann")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Measure, done.id).status == "genomford"
    assert db.session.get(Measure, done.id).effect == "ja"
    assert db.session.get(Measure, done.id).evaluation == "Bra samtal i alla arbetslag."
    assert db.session.get(Measure, stopped.id).status == "avbruten"
    old = db.session.get(Measure, extended.id)
    assert old.status == "forlangd" and old.effect == "delvis"
    continuation = db.session.scalar(select(Measure).where(Measure.extended_from_id == old.id))
    assert continuation.period == 2026 and continuation.title == "Heltid som norm"
    new = db.session.scalar(
        select(Measure).where(Measure.title == "Rutin för kontakt med föräldralediga")
    )
    assert new.period == 2027 and new.unit_id == soc.id and new.status == "planerad"
    assert new.origin_round_id == assignment.round_id and new.responsible == "Enhetschefer"
    # Accepting twice changes nothing, and the accepted answer cannot be reopened.
    again = client.post(f"/rundor/svar/{assignment.id}/godkann", follow_redirects=True)
    assert "redan godkänt" in again.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Measure)) == 5
    reopen = client.post(f"/rundor/svar/{assignment.id}/ateroppna", data={"reason": "X"})
    assert reopen.status_code == 400
    # The 2026 register and plan show the continuation; the new measure is planned for 2027.
    listing = client.get("/atgarder?period=2026").get_data(as_text=True)
    assert "Heltid som norm" in listing
    # Year two's board report lists the evaluated measures and the new ones.
    created = client.post("/rapporter/ny", data={"round_id": assignment.round_id})
    assert created.status_code == 302
    docx = client.get(created.headers["Location"] + "/dokument.docx")
    assert docx.status_code == 200
    tables = _docx_tables(docx.data)
    evaluated = tables["Åtgärder 2025 och deras status"]
    assert evaluated[0] == ["Åtgärd", "Enhet", "Område", "Status", "Effekt"]
    assert sorted((row[0], row[3], row[4]) for row in evaluated[1:]) == [
        ("APT-tema om jargong", "Genomförd", "Ja"),
        ("Heltid som norm", "Förlängd", "Delvis"),
        ("Mentorprogram", "Avbruten", "Nej"),
    ]
    proposed = tables["Föreslagna åtgärder 2027"]
    assert [(row[0], row[1], row[3], row[4]) for row in proposed[1:]] == [
        ("Rutin för kontakt med föräldralediga", "Socialförvaltningen", "Enhetschefer",
         "Löpande")]


def _docx_tables(data: bytes) -> dict[str, list[list[str]]]:
    """Return the tables of a .docx by the caption paragraph just before each."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    tables: dict[str, list[list[str]]] = {}
    caption = ""
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            caption = text.strip() or caption
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            tables[caption] = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    return tables


def test_acceptance_is_all_or_nothing(app, client, auth, tmp_path):
    folder = tmp_path / "q"
    factories.write_followup(folder, CYCLE_YAML, name="test.yaml")
    app.config["QUESTIONNAIRE_FOLDER"] = str(folder)
    kommun = factories.gen_unit(name="Kommun", kind="kommun")
    soc = factories.gen_unit(parent=kommun, name="Soc", code="SOC")
    head = factories.gen_user(role="head", units=[soc])
    hr = factories.gen_user(role="hr")
    first = factories.gen_measure(soc, title="Första", period=2025)
    cancelled = factories.gen_measure(soc, title="Redan avbruten", period=2025)
    factories.gen_round([soc], folder, year=2026)
    assignment = db.session.scalar(select(Assignment))
    assignment.submit(
        {
            "forra_arets_atgarder": [
                {
                    "measure_id": first.id,
                    "title": "Första",
                    "status": "genomford",
                    "effect": "ja",
                    "comment": "",
                },
                {
                    "measure_id": cancelled.id,
                    "title": "Redan avbruten",
                    "status": "genomford",
                    "effect": "ja",
                    "comment": "",
                },
            ]
        },
        head,
    )
    # Meanwhile HR cancelled the second measure in the register: a final state.
    cancelled.change_status("avbruten")
    db.session.commit()
    status_before = first.status
    auth.login_as(hr)
    page = client.post(f"/rundor/svar/{assignment.id}/godkann", follow_redirects=True)
    assert "Redan avbruten" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, first.id).status == status_before  # untouched
    assert db.session.get(Measure, first.id).effect != "ja"
    assert db.session.get(Assignment, assignment.id).accepted_at is None
