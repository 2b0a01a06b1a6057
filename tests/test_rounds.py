"""Yearly follow-up rounds through HTTP: setup, invitations, answering, dashboard, reminders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests import factories
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.rounds.models import Assignment
from webapp.rounds.models import AssignmentState
from webapp.rounds.models import MailLog
from webapp.rounds.models import Round


@pytest.fixture
def world(app, tmp_path):
    """A kommun with two förvaltningar, their heads, HR, and a questionnaire folder."""
    folder = tmp_path / "questionnaires"
    factories.write_followup(folder)
    app.config["QUESTIONNAIRE_FOLDER"] = str(folder)
    kommun = factories.gen_unit(name="Testkommun", kind="kommun")
    soc = factories.gen_unit(parent=kommun, name="Socialförvaltningen", code="SOC", employees=40)
    buf = factories.gen_unit(parent=kommun, name="Barn- och utbildning", code="BUF")
    return {
        "folder": folder,
        "kommun": kommun,
        "soc": soc,
        "buf": buf,
        "hr": factories.gen_user(role="hr", email="hr@kommun.test", name="Hanna HR"),
        "soc_head": factories.gen_user(
            role="head", units=[soc], email="soc@kommun.test", name="Sara Soc"
        ),
        "buf_head": factories.gen_user(
            role="head", units=[buf], email="buf@kommun.test", name="Bo Buf"
        ),
        "top_head": factories.gen_user(
            role="head", units=[kommun], email="kd@kommun.test", name="Kim Kommundirektör"
        ),
    }


def _assignment(world, unit_key="soc") -> Assignment:
    return db.session.scalar(
        select(Assignment)
        .join(Assignment.round_unit)
        .where(Assignment.round_unit.property.mapper.class_.unit_id == world[unit_key].id)
    )


def test_hr_creates_and_opens_round_defaulting_to_forvaltningar(client, auth, world, outbox):
    auth.login_as(world["hr"])
    page = client.get("/rundor/ny")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Both förvaltningar are preselected; the kommun itself is not.
    checked = set(re.findall(r'<input checked[^>]*name="targets"[^>]*value="(\d+)"', html))
    assert checked == {str(world["soc"].id), str(world["buf"].id)}
    response = client.post(
        "/rundor/ny",
        data={
            "title": "Årlig uppföljning av aktiva åtgärder inom likabehandling 2026",
            "year": 2026,
            "questionnaire": "test.yaml",
            "opens_on": "2026-10-01",
            "due_on": "2026-11-30",
            "targets": [world["soc"].id, world["buf"].id],
            "remind_parent_when_overdue": "y",
        },
    )
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert round_.state == "draft" and round_.target_unit_ids == [world["soc"].id, world["buf"].id]
    assert outbox.messages() == []
    response = client.post(f"/rundor/{round_.id}/oppna")
    assert response.status_code == 302
    db.session.refresh(round_)
    assert round_.state == "open"
    assert sorted(u.name for u in round_.units) == ["Barn- och utbildning", "Socialförvaltningen"]
    soc_snapshot = next(u for u in round_.units if u.unit_code == "SOC")
    assert soc_snapshot.head_names == "Sara Soc" and soc_snapshot.parent_name == "Testkommun"
    assert soc_snapshot.employees == 40
    recipients = sorted(m["To"] for m in outbox.messages())
    assert recipients == ["buf@kommun.test", "soc@kommun.test"]
    assert "/uppfoljning/" in outbox.last_body()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"round.created", "round.opened"} <= actions


def test_snapshot_survives_reorganisation(app, world):
    round_ = factories.gen_round([world["soc"]], world["folder"])
    world["soc"].name = "Omsorgsförvaltningen"
    db.session.commit()
    assert round_.units[0].name == "Socialförvaltningen"


def test_due_before_open_is_refused_at_the_field(client, auth, world):
    auth.login_as(world["hr"])
    response = client.post(
        "/rundor/ny",
        data={
            "title": "X",
            "year": 2026,
            "questionnaire": "test.yaml",
            "opens_on": "2026-10-01",
            "due_on": "2026-09-01",
            "targets": [world["soc"].id],
        },
    )
    assert response.status_code == 200
    assert "Sista svarsdag kan inte vara före öppningsdagen." in response.get_data(as_text=True)
    assert db.session.scalar(select(Round)) is None


def test_head_saves_draft_comes_back_and_submits(client, auth, world):
    round_ = factories.gen_round([world["soc"], world["buf"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["soc_head"])
    mine = client.get("/mina-uppfoljningar").get_data(as_text=True)
    assert "Socialförvaltningen" in mine and "Barn- och utbildning" not in mine
    form = client.get(f"/uppfoljning/{assignment.id}")
    assert form.status_code == 200
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.STARTED
    version = assignment.version
    # A draft may be incomplete.
    response = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": version, "action": "draft", "kommentar": "Vi har haft APT-tema."},
    )
    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.answers == {"kommentar": "Vi har haft APT-tema."}
    # Coming back shows the draft.
    assert "Vi har haft APT-tema." in client.get(f"/uppfoljning/{assignment.id}").get_data(
        as_text=True
    )
    # Submitting without the required answer keeps what was typed and names the question.
    response = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": assignment.version, "action": "submit", "kommentar": "Ändrad text"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ändrad text" in html and "Frågan måste besvaras." in html
    # A complete answer goes to the confirmation page first; nothing is submitted yet.
    response = client.post(
        f"/uppfoljning/{assignment.id}",
        data={
            "version": assignment.version,
            "action": "submit",
            "rutin_kand": "ja",
            "kommentar": "Ändrad text",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/skicka-in")
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.STARTED
    confirm = client.get(f"/uppfoljning/{assignment.id}/skicka-in")
    assert "Känner alla chefer till rutinen?" in confirm.get_data(as_text=True)
    response = client.post(
        f"/uppfoljning/{assignment.id}/skicka-in", data={"version": assignment.version}
    )
    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.SUBMITTED
    assert assignment.answers == {"rutin_kand": "ja", "kommentar": "Ändrad text"}
    assert assignment.submitted_by_id == world["soc_head"].id
    # A double submit is harmless, and the form now only shows the read-only view.
    again = client.post(
        f"/uppfoljning/{assignment.id}/skicka-in", data={"version": assignment.version}
    )
    assert again.status_code == 302
    db.session.refresh(assignment)
    assert assignment.answers == {"rutin_kand": "ja", "kommentar": "Ändrad text"}
    assert client.get(f"/uppfoljning/{assignment.id}").location.endswith("/svar")
    # No silent overwrite of a submitted answer.
    overwrite = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": assignment.version, "action": "draft", "kommentar": "Skrivs över?"},
    )
    assert overwrite.status_code == 302
    db.session.refresh(assignment)
    assert assignment.answers["kommentar"] == "Ändrad text"
    view = client.get(f"/uppfoljning/{assignment.id}/svar").get_data(as_text=True)
    assert "Ändrad text" in view and "Ja" in view
    assert round_.is_open


def test_concurrent_edit_gives_conflict_not_lost_update(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["soc_head"])
    client.get(f"/uppfoljning/{assignment.id}")
    db.session.refresh(assignment)
    stale = assignment.version
    first = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": stale, "action": "draft", "kommentar": "Första delegatens text"},
    )
    assert first.status_code == 302
    second = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": stale, "action": "draft", "kommentar": "Andra delegatens text"},
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Någon annan har sparat svaret" in html and "Andra delegatens text" in html
    db.session.refresh(assignment)
    assert assignment.answers == {"kommentar": "Första delegatens text"}


def test_autosave_saves_draft_and_reports_conflicts(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["soc_head"])
    response = client.post(
        f"/uppfoljning/{assignment.id}/autospara",
        data={"version": assignment.version, "kommentar": "Autosparat"},
    )
    assert response.status_code == 200 and response.json["status"] == "saved"
    db.session.refresh(assignment)
    assert assignment.answers == {"kommentar": "Autosparat"}
    assert response.json["version"] == assignment.version
    stale = client.post(
        f"/uppfoljning/{assignment.id}/autospara",
        data={"version": assignment.version - 1, "kommentar": "Gammal"},
    )
    assert stale.status_code == 409 and stale.json["status"] == "conflict"


def test_other_head_cannot_open_or_save_the_answer(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["buf_head"])
    assert client.get(f"/uppfoljning/{assignment.id}").status_code == 403
    assert client.post(f"/uppfoljning/{assignment.id}/autospara", data={}).status_code == 403
    # The head of the unit above may help.
    auth.logout()
    auth.login_as(world["top_head"])
    assert client.get(f"/uppfoljning/{assignment.id}").status_code == 200


def test_reopen_requires_reason_and_allows_resubmission(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    assignment.submit({"rutin_kand": "nej"}, world["soc_head"])
    db.session.commit()
    auth.login_as(world["hr"])
    dashboard = client.get(f"/rundor/{assignment.round_id}").get_data(as_text=True)
    assert "Inskickad" in dashboard
    missing = client.post(f"/rundor/svar/{assignment.id}/ateroppna", data={"reason": " "})
    assert missing.status_code == 400
    assert "Skriv en anledning" in missing.get_data(as_text=True)
    response = client.post(
        f"/rundor/svar/{assignment.id}/ateroppna", data={"reason": "Antal ärenden saknas."}
    )
    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.state == AssignmentState.REOPENED
    assert assignment.reopen_reason == "Antal ärenden saknas."
    assert "assignment.reopened" in set(db.session.scalars(select(AuditEntry.action)))


def test_closed_round_refuses_late_answers_with_a_message(client, auth, world):
    round_ = factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["hr"])
    assert client.post(f"/rundor/{round_.id}/stang").status_code == 302
    auth.logout()
    auth.login_as(world["soc_head"])
    response = client.post(
        f"/uppfoljning/{assignment.id}",
        data={"version": assignment.version, "action": "draft", "kommentar": "Sent"},
        follow_redirects=True,
    )
    assert "Rundan är stängd" in response.get_data(as_text=True)
    db.session.refresh(assignment)
    assert assignment.answers == {}


def test_reminders_once_a_day_and_escalate_after_due_date(
    app, client, auth, world, outbox, monkeypatch
):
    round_ = factories.gen_round([world["soc"], world["buf"]], world["folder"])
    submitted = _assignment(world, "buf")
    submitted.submit({"rutin_kand": "ja"}, world["buf_head"])
    db.session.commit()
    invitations = len(outbox.messages())
    monkeypatch.setattr("webapp.rounds.views.today", lambda: dt.date(2026, 11, 20))
    auth.login_as(world["hr"])
    client.post(f"/rundor/{round_.id}/paminn")
    sent = outbox.messages()[invitations:]
    assert [m["To"] for m in sent] == ["soc@kommun.test"]
    assert "Påminnelse" in sent[0]["Subject"]
    # The same day again: nothing new.
    client.post(f"/rundor/{round_.id}/paminn")
    assert len(outbox.messages()) == invitations + 1
    # After the due date the head of the unit above is told too.
    monkeypatch.setattr("webapp.rounds.views.today", lambda: dt.date(2026, 12, 2))
    client.post(f"/rundor/{round_.id}/paminn")
    later = outbox.messages()[invitations + 1 :]
    assert sorted(m["To"] for m in later) == ["kd@kommun.test", "soc@kommun.test"]
    assert any("Försenat" in m["Subject"] for m in later)


def test_cli_remind_for_cron(app, world, outbox):
    factories.gen_round([world["soc"]], world["folder"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["round", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser skickade" in result.output
    again = runner.invoke(args=["round", "remind"])
    assert "0 påminnelser skickade" in again.output


def test_mail_failure_is_recorded_and_shown(app, client, auth, world):
    app.config["MAIL_OUTBOX"] = "/proc/no-such-place/outbox"
    round_ = factories.gen_round([world["soc"]], world["folder"])
    log = db.session.scalar(select(MailLog))
    assert log is not None and log.error and log.recipient == "soc@kommun.test"
    auth.login_as(world["hr"])
    html = client.get(f"/rundor/{round_.id}").get_data(as_text=True)
    assert "1 mejl kunde inte skickas" in html


def test_dashboard_status_filter_overdue_and_chart(client, auth, world, monkeypatch):
    round_ = factories.gen_round([world["soc"], world["buf"]], world["folder"])
    _assignment(world, "buf").submit({"rutin_kand": "ja"}, world["buf_head"])
    db.session.commit()
    monkeypatch.setattr("webapp.rounds.views.today", lambda: dt.date(2026, 12, 5))
    auth.login_as(world["hr"])
    html = client.get(f"/rundor/{round_.id}").get_data(as_text=True)
    assert "1 av 2 (50 %)" in html.replace("\xa0", " ")
    assert "row-overdue" in html and "Försenad" in html
    filtered = client.get(f"/rundor/{round_.id}?status=submitted").get_data(as_text=True)
    assert "Barn- och utbildning" in filtered and "Socialförvaltningen</a>" not in filtered
    chart = client.get(f"/rundor/{round_.id}/diagram.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert b"<svg" in chart.data


def test_extend_deadline_for_one_unit(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    auth.login_as(world["hr"])
    earlier = client.post(f"/rundor/svar/{assignment.id}/forlang", data={"due_on": "2026-11-01"})
    assert earlier.status_code == 400
    response = client.post(f"/rundor/svar/{assignment.id}/forlang", data={"due_on": "2099-12-15"})
    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.effective_due_on == dt.date(2099, 12, 15)


def test_pdf_of_answers(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    assignment = _assignment(world)
    assignment.submit(
        {"rutin_kand": "ja", "kommentar": "Åtgärder för jämställdhet"}, world["soc_head"]
    )
    db.session.commit()
    auth.login_as(world["soc_head"])
    response = client.get(f"/uppfoljning/{assignment.id}/svar.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Socialförvaltningen" in text and "Åtgärder för jämställdhet" in text


def test_previous_years_answer_is_shown(client, auth, world):
    last = factories.gen_round([world["soc"]], world["folder"], year=2025, title="2025")
    old = last.assignments[0]
    old.submit({"rutin_kand": "nej", "kommentar": "Förra årets kommentar"}, world["soc_head"])
    last.close()
    db.session.commit()
    factories.gen_round([world["soc"]], world["folder"], year=2026)
    current = db.session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
    auth.login_as(world["soc_head"])
    html = client.get(f"/uppfoljning/{current.id}").get_data(as_text=True)
    assert "Förra årets kommentar" in html


def test_audit_log_lists_round_events_for_hr_only(client, auth, world):
    factories.gen_round([world["soc"]], world["folder"])
    auth.login_as(world["hr"])
    html = client.get("/logg?action=round").get_data(as_text=True)
    assert "round.opened" in html and "round.created" in html
    assert "user.login" not in html
    auth.logout()
    auth.login_as(world["soc_head"])
    assert client.get("/logg").status_code == 403


def test_audit_entries_survive_deleting_the_round(client, auth, world):
    round_ = factories.gen_round([world["soc"]], world["folder"])
    round_id = round_.id
    db.session.delete(round_)
    db.session.commit()
    assert db.session.get(Round, round_id) is None
    opened = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.opened"))
    assert opened.object_id == str(round_id) and opened.summary == "Årlig uppföljning 2026"


def test_email_texts_can_be_edited_and_reject_unknown_placeholders(client, auth, world, outbox):
    auth.login_as(world["hr"])
    bad = client.post(
        "/rundor/mejltexter?text=invitation",
        data={"subject": "Hej {namn}", "body": "Svara {senast}"},
    )
    assert bad.status_code == 200
    assert "Okänd platshållare: senast" in bad.get_data(as_text=True)
    ok = client.post(
        "/rundor/mejltexter?text=invitation",
        data={
            "subject": "Dags för uppföljningen, {enhet}",
            "body": "Hej {namn}! Svara senast {sista_dag}: {lank}",
        },
    )
    assert ok.status_code == 302
    factories.gen_round([world["soc"]], world["folder"])
    message = outbox.messages()[-1]
    assert message["Subject"] == "Dags för uppföljningen, Socialförvaltningen"
    assert "Hej Sara Soc! Svara senast 2026-11-30: http" in outbox.last_body()


def test_previous_answer_follows_a_reorganisation(app, client, auth, world):
    last = factories.gen_round([world["soc"]], world["folder"], year=2025, title="2025")
    last.assignments[0].submit({"kommentar": "Från gamla Socialförvaltningen"}, world["soc_head"])
    last.close()
    db.session.commit()
    # In 2026 SOC is replaced by a new unit with a new code.
    new_unit = factories.gen_unit(parent=world["kommun"], name="Omsorgsförvaltningen", code="OMS")
    world["soc_head"].headed_units = [new_unit]
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["org", "succession", "SOC", "OMS", "--year", "2026"]
    )
    assert result.exit_code == 0, result.output
    factories.gen_round([new_unit], world["folder"], year=2026)
    current = db.session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
    auth.login_as(world["soc_head"])
    assert "Från gamla Socialförvaltningen" in client.get(f"/uppfoljning/{current.id}").get_data(
        as_text=True
    )


def test_new_head_goes_through_invitation_straight_to_the_form(client, world, outbox):
    newcomer = factories.gen_user(
        role="head", units=[world["buf"]], password=None, email="ny@kommun.test", name="Nora Ny"
    )
    world["buf"].heads = [newcomer]
    db.session.commit()
    factories.gen_round([world["buf"]], world["folder"])
    link = re.search(r"http://\S+", outbox.last_body()).group(0)
    assert "/inbjudan/" in link, link
    path = link.split("aktiva.test", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(
        path, data={"password": "ett långt lösenord", "confirm": "ett långt lösenord"}
    )
    assert response.status_code == 302
    assignment = _assignment(world, "buf")
    assert response.location.endswith(f"/uppfoljning/{assignment.id}"), link
    assert client.get(response.location).status_code == 200
