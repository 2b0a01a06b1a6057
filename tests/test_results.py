"""Results pages: scope by role, filters, charts with alt text, trends and audited exports."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select

from tests import factories
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.rounds.models import Assignment

YAML = """\
id: testuppfoljning
title: Testuppföljning
kind: unit_followup
version: "1"
sections:
  - id: trakasserier
    title: Trakasserier
    questions:
      - id: rutin_kand
        type: yes_no
        text: Känner alla chefer till rutinen?
        tags: {areas: [trakasserier]}
      - id: antal
        type: integer
        text: Antal arbetstagare
      - id: kommentar
        type: textarea
        text: Kommentar
        max_length: 500
"""


@pytest.fixture
def world(app, tmp_path):
    folder = tmp_path / "q"
    factories.write_followup(folder, YAML)
    kom = factories.gen_unit(code="KOM", name="Kommunen", kind="kommun")
    soc = factories.gen_unit(kom, code="SOC", name="Socialförvaltningen")
    buf = factories.gen_unit(kom, code="BUF", name="Barn- och utbildning")
    hr = factories.gen_user(Role.HR)
    head = factories.gen_user(Role.HEAD, units=[soc], email="soc@kommun.test")
    board = factories.gen_user(Role.BOARD, email="board@kommun.test")
    round_ = factories.gen_round([soc, buf], folder)
    answers = {"SOC": {"rutin_kand": "ja", "antal": 40, "kommentar": "SOC-hemlig-text"},
               "BUF": {"rutin_kand": "nej", "antal": 60, "kommentar": "BUF-hemlig-text"}}
    for a in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        a.submit(answers[a.round_unit.unit_code], hr)
    db.session.commit()
    return {"round": round_, "hr": hr, "head": head, "board": board, "folder": folder}


def test_hr_sees_every_unit_with_figures_tables_and_alt_text(client, auth, world):
    auth.login_as(world["hr"])
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    assert "Socialförvaltningen" in html
    assert "Barn- och utbildning" in html
    assert "SOC-hemlig-text" in html
    assert "BUF-hemlig-text" in html
    assert "Hela organisationen" in html
    # The organisation sum of antal is 100, the share ja 50 %.
    assert ">100<" in html
    assert "50 %" in html
    assert "alt=\"Känner alla chefer till rutinen? Socialförvaltningen: Ja 100 %" in html
    assert "<caption>" in html
    assert 'scope="row"' in html


def test_head_sees_own_unit_next_to_totals_only(client, auth, world):
    auth.login_as(world["head"])
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    assert "Socialförvaltningen" in html
    assert "Hela organisationen" in html
    assert "Barn- och utbildning" not in html
    assert "BUF-hemlig-text" not in html
    assert client.get(f"/resultat/{world['round'].id}?unit=BUF").status_code == 403
    raw = client.get(f"/resultat/{world['round'].id}/svar.csv").get_data(as_text=True)
    assert "SOC-hemlig-text" in raw
    assert "BUF-hemlig-text" not in raw
    agg = client.get(f"/resultat/{world['round'].id}/export.csv").get_data(as_text=True)
    assert "Barn- och utbildning" not in agg
    assert "Hela organisationen" in agg
    # The semicolon variants for Swedish Excel, linked from the page, keep the same scope.
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    for name in ("export", "svar"):
        path = f"/resultat/{world['round'].id}/{name}-semikolon.csv"
        assert f'href="{path}"' in html
        response = client.get(path)
        assert response.headers["Content-Disposition"].endswith('.csv"')
        text = response.get_data(as_text=True)
        assert text.startswith("\ufeff") and ";" in "".join(text.splitlines()[:2])
        assert "Barn- och utbildning" not in text and "BUF-hemlig-text" not in text
    chart = client.get(f"/resultat/{world['round'].id}/diagram.svg?typ=fraga&fraga=rutin_kand")
    assert b"Barn- och" not in chart.data


def test_board_sees_totals_and_no_raw_answers(client, auth, world):
    auth.login_as(world["board"])
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    assert "Hela organisationen" in html
    assert "Socialförvaltningen" not in html
    assert "SOC-hemlig-text" not in html
    assert client.get(f"/resultat/{world['round'].id}/svar.xlsx").status_code == 403


def test_filters_by_unit_and_area(client, auth, world):
    auth.login_as(world["hr"])
    html = client.get(f"/resultat/{world['round'].id}?unit=SOC&area=trakasserier").get_data(
        as_text=True)
    assert "Känner alla chefer" in html
    assert "Antal arbetstagare" not in html
    assert "BUF-hemlig-text" not in html


def test_charts_are_svg_and_png(client, auth, world):
    auth.login_as(world["hr"])
    svg = client.get(f"/resultat/{world['round'].id}/diagram.svg")
    assert svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    png = client.get(f"/resultat/{world['round'].id}/diagram.png?typ=fraga&fraga=rutin_kand")
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_trend_across_years_marks_changes(client, auth, world, app):
    kom_units = [a.round_unit.unit for a in world["round"].assignments]
    earlier = factories.gen_round(kom_units, world["folder"], year=2025,
                                  title="Årlig uppföljning 2025")
    for a in earlier.assignments:
        a.submit({"rutin_kand": "ja", "antal": 50}, world["hr"])
    db.session.commit()
    auth.login_as(world["hr"])
    html = client.get(f"/resultat/{world['round'].id}/utveckling?question=rutin_kand").get_data(
        as_text=True)
    assert "2025" in html
    assert "2026" in html
    assert "stor förändring" in html  # ja went from 100 % to 50 %
    svg = client.get(f"/resultat/{world['round'].id}/utveckling/diagram.svg"
                     "?question=rutin_kand")
    assert b"<svg" in svg.data


def test_exports_are_audited_and_open_in_pandas(client, auth, world):
    auth.login_as(world["hr"])
    response = client.get(f"/resultat/{world['round'].id}/export.xlsx")
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    assert list(sheets) == ["Svarsfrekvens", "Svarsalternativ", "Skalor", "Tal", "Områden",
                            "Fritext"]
    options = sheets["Svarsalternativ"]
    assert {"Enhet", "Fråga", "Svar", "Antal", "Andel (%)"} <= set(options.columns)
    raw = client.get(f"/resultat/{world['round'].id}/svar.xlsx")
    frame = pd.read_excel(io.BytesIO(raw.data))
    assert frame["Enhetskod"].tolist() == ["SOC", "BUF"]
    assert frame["antal"].tolist() == [40, 60]
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "round.exported")).all()
    assert len(actions) == 2


def test_results_page_with_the_demo_data(app, client, auth, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    from webapp.organisation.models import User

    hr = db.session.scalar(select(User).where(User.email == "hr@exempelkommun.se"))
    client.post("/logga-in", data={"email": hr.email, "password": "aktiva-demo"})
    index = client.get("/resultat")
    assert index.status_code == 200
    import re

    round_id = re.findall(r'/resultat/(\d+)"', index.get_data(as_text=True))[0]
    page = client.get(f"/resultat/{round_id}")
    assert page.status_code == 200
    assert "Svarsfrekvens" in page.get_data(as_text=True)
    assert client.get(f"/resultat/{round_id}/utveckling").status_code == 200
    assert client.get(f"/resultat/{round_id}/export.xlsx").status_code == 200


# --- large organisations: totals under the questions, units on request -----------------------


@pytest.fixture
def few_rows(monkeypatch):
    """Make two units count as "many", so the world fixture shows the large-round layout."""
    from webapp.results import queries

    monkeypatch.setattr(queries, "UNIT_ROWS_LIMIT", 1)


def _question_section(html: str) -> str:
    return html[html.index("<h2>Frågor</h2>"):html.index("<h2>Åtgärder")]


def test_many_units_show_totals_under_questions_and_every_unit_above(
        client, auth, world, few_rows):
    auth.login_as(world["hr"])
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    questions = _question_section(html)
    assert "Hela organisationen" in questions
    assert "Socialförvaltningen" not in questions
    assert "SOC-hemlig-text" not in questions  # free texts are counted, not listed
    assert "Fritextsvar: 2, från 2 enheter." in questions
    assert "Jämför alla 2 enheter" in questions
    assert f"/resultat/{world['round'].id}?unit=*&amp;question=rutin_kand#q-rutin_kand" in html
    # Response rates and areas still list every unit, and the filter offers all of them.
    before = html[:html.index("<h2>Frågor</h2>")]
    assert before.count("Socialförvaltningen") >= 3  # filter, response rates, areas
    assert '<option value="*">Alla enheter (2)</option>' in html
    # The chart of a question draws the organisation only; its alt text says the same.
    assert 'alt="Känner alla chefer till rutinen? Hela organisationen: Ja 50 %' in html


def test_all_units_under_every_question_and_one_question_at_a_time(
        client, auth, world, few_rows):
    auth.login_as(world["hr"])
    base = f"/resultat/{world['round'].id}"
    questions = _question_section(client.get(f"{base}?unit=*").get_data(as_text=True))
    assert "Socialförvaltningen" in questions
    assert "Barn- och utbildning" in questions
    assert "SOC-hemlig-text" in questions
    assert "Diagrammet visar hela organisationen." in questions
    one = _question_section(client.get(f"{base}?unit=*&question=rutin_kand").get_data(
        as_text=True))
    assert "Känner alla chefer" in one
    assert "Antal arbetstagare" not in one
    assert "Visa alla frågor" in one
    assert "Socialförvaltningen" in one
    chart = client.get(f"{base}/diagram.svg?typ=fraga&fraga=rutin_kand&unit=*")
    assert chart.status_code == 200
    assert b"Barn- och" not in chart.data
    assert client.get(f"{base}/utveckling?unit=*").status_code == 200


def test_head_with_few_units_keeps_own_units_beside_totals(client, auth, world, few_rows):
    auth.login_as(world["head"])  # one unit: not "many" even with the limit at 1
    questions = _question_section(client.get(f"/resultat/{world['round'].id}").get_data(
        as_text=True))
    assert "Socialförvaltningen" in questions
    assert "SOC-hemlig-text" in questions
    assert "Barn- och utbildning" not in questions


def test_area_table_has_a_row_per_unit(client, auth, world):
    auth.login_as(world["hr"])
    html = client.get(f"/resultat/{world['round'].id}").get_data(as_text=True)
    table = html[html.index("Andel ja per område och enhet"):]
    table = table[:table.index("</table>")]
    header = table[:table.index("</thead>")]
    assert "Trakasserier" in header
    assert "Socialförvaltningen" not in header
    assert '<th scope="row">Socialförvaltningen</th>' in table
    assert '<tr class="total-row"><th scope="row">Hela organisationen</th>' in table


def test_aggregates_are_cached_until_an_answer_changes(app, world):
    from webapp.results import queries

    queries._CACHE.clear()
    round_ = world["round"]
    first = queries.build(round_, world["hr"]).result
    assert queries.build(round_, world["head"]).result is first  # scope applied afterwards
    assignment = db.session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id)).first()
    assignment.reopen("Komplettera")
    db.session.commit()
    changed = queries.build(round_, world["hr"]).result
    assert changed is not first
    assert queries.build(round_, world["hr"]).result is changed


def test_round_frame_decodes_the_stored_answers(app, world):
    from webapp.answer_frames import decode_answers
    from webapp.results import queries

    frame = queries.round_frame(world["round"].id)
    by_unit = dict(zip(frame["unit"], frame["answers"], strict=True))
    assert by_unit["SOC"] == {"rutin_kand": "ja", "antal": 40, "kommentar": "SOC-hemlig-text"}
    assert decode_answers(['{"a": 1}', None, {"b": "x"}]) == [{"a": 1}, {}, {"b": "x"}]
    assert decode_answers(['{"a": [1, 2]}', "{}"]) == [{"a": [1, 2]}, {}]
    assert decode_answers([]) == []
