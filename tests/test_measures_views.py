"""Pages of the measures register: who may see and change what, forms, filters and the plan."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.factories import gen_measure
from tests.factories import gen_unit
from tests.factories import gen_user
from webapp.extensions import db
from webapp.measures import services
from webapp.measures.models import Measure
from webapp.organisation.models import Role


@pytest.fixture
def org(app):  # type: ignore[no-untyped-def]
    """A kommun with two förvaltningar, a head of one, HR, a board reader and measures."""
    kommun = gen_unit(name="Exempelkommun")
    buf = gen_unit(kommun, name="Barn- och utbildningsförvaltningen")
    skola = gen_unit(buf, name="Norrskolan", kind="enhet")
    soc = gen_unit(kommun, name="Socialförvaltningen")
    head = gen_user(Role.HEAD, units=[buf])
    return {
        "buf": buf, "skola": skola, "soc": soc, "head": head,
        "hr": gen_user(Role.HR), "board": gen_user(Role.BOARD),
        "own": gen_measure(skola, title="Kontakt med föräldralediga", area="foraldraskap"),
        "other": gen_measure(soc, title="Jargong på APT", area="trakasserier"),
        "common": gen_measure(None, title="Chefsutbildning", area="kompetensutveckling"),
    }


def ids(org, *names):  # type: ignore[no-untyped-def]
    return [org[n].id for n in names]


def test_anonymous_is_sent_to_login(client: FlaskClient, org) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/atgarder")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_head_sees_own_and_common_measures_only(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    page = client.get("/atgarder").get_data(as_text=True)
    assert "Kontakt med föräldralediga" in page
    assert "Chefsutbildning" in page
    assert "Jargong på APT" not in page
    assert "endast läsning" in page  # the common measure is read-only for a head


@pytest.mark.parametrize("path", ["/atgarder/{id}", "/atgarder/{id}/redigera",
                                  "/atgarder/{id}/status"])
def test_head_cannot_open_another_units_measure(client, auth, org, path) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    assert client.get(path.format(id=org["other"].id)).status_code == 403
    assert client.get(path.format(id=org["own"].id)).status_code == 200


def test_head_cannot_extend_or_edit_other_or_common(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    assert client.post(f"/atgarder/{org['other'].id}/forlang").status_code == 403
    assert client.post(f"/atgarder/{org['other'].id}/redigera",
                       data={"title": "Kapad"}).status_code == 403
    assert client.get(f"/atgarder/{org['common'].id}").status_code == 200
    assert client.get(f"/atgarder/{org['common'].id}/redigera").status_code == 403
    assert db.session.get(Measure, org["other"].id).title == "Jargong på APT"


def test_hr_can_open_and_edit_everything(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["hr"])
    for measure_id in ids(org, "own", "other", "common"):
        assert client.get(f"/atgarder/{measure_id}").status_code == 200
        assert client.get(f"/atgarder/{measure_id}/redigera").status_code == 200


def test_missing_measure_is_404(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["hr"])
    assert client.get("/atgarder/999999").status_code == 404


def test_board_reads_the_organisation_plan_only(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["board"])
    year = services.current_period()
    assert client.get("/atgarder").status_code == 403
    assert client.get(f"/atgarder/{org['common'].id}").status_code == 403
    page = client.get(f"/atgarder/plan/{year}")
    assert page.status_code == 200
    assert f"Aktiva åtgärder {year}" in page.get_data(as_text=True)


def test_head_plans(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    year = services.current_period()
    assert client.get(f"/atgarder/plan/{year}").status_code == 403
    assert client.get(f"/atgarder/plan/{year}/enhet/{org['soc'].id}").status_code == 403
    page = client.get(f"/atgarder/plan/{year}/enhet/{org['buf'].id}").get_data(as_text=True)
    assert "Kontakt med föräldralediga" in page
    assert "Chefsutbildning" in page
    assert "Jargong på APT" not in page


def form_data(**overrides):  # type: ignore[no-untyped-def]
    data = {"title": "Se över mötestider", "area": "foraldraskap", "grounds": ["kon", "alder"],
            "goal": "Alla kan delta på APT", "responsible": "Rektor", "period": "2026",
            "schedule": "Löpande", "deadline": "2026-05-31", "responsible_user_id": ""}
    data.update(overrides)
    return data


def test_head_creates_measure_for_own_unit(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    response = client.post("/atgarder/ny", data=form_data(unit_id=str(org["skola"].id)))
    assert response.status_code == 302
    measure = db.session.scalar(db.select(Measure).where(Measure.title == "Se över mötestider"))
    assert measure.unit_id == org["skola"].id
    assert measure.grounds == ["kon", "alder"]
    assert measure.deadline.isoformat() == "2026-05-31"
    assert response.headers["Location"].endswith(f"/atgarder/{measure.id}")


@pytest.mark.parametrize("unit_key", ["soc", None])
def test_head_cannot_create_for_other_unit_or_whole_organisation(client, auth, org,
                                                                unit_key) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    unit = str(org[unit_key].id) if unit_key else "org"
    page = client.post("/atgarder/ny", data=form_data(unit_id=unit)).get_data(as_text=True)
    assert "Formuläret har fel" in page
    assert db.session.scalar(db.select(Measure).where(Measure.title == "Se över mötestider")) \
        is None


def test_hr_creates_organisation_wide_measure(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["hr"])
    assert client.post("/atgarder/ny", data=form_data(unit_id="org")).status_code == 302
    measure = db.session.scalar(db.select(Measure).where(Measure.title == "Se över mötestider"))
    assert measure.unit_id is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "Skriv vad som ska göras."),
    ("responsible", "", "Skriv vem som ansvarar"),
    ("period", "26", "Ange ett år med fyra siffror."),
    ("deadline", "31/5", "Skriv datumet som ÅÅÅÅ-MM-DD"),
])
def test_form_errors_are_summarised_and_linked(client, auth, org, field, value, message) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["hr"])
    page = client.post("/atgarder/ny", data=form_data(unit_id="org", **{field: value}))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="#{field}"' in text
    assert message in text


def test_edit_and_history(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    measure = org["own"]
    data = form_data(unit_id=str(org["skola"].id), title="Kontakt med föräldralediga, rutin")
    assert client.post(f"/atgarder/{measure.id}/redigera", data=data).status_code == 302
    page = client.get(f"/atgarder/{measure.id}").get_data(as_text=True)
    assert "Historik" in page
    assert "Kontakt med föräldralediga → Kontakt med föräldralediga, rutin" in page
    assert org["head"].email in page


def test_evaluate_form(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    measure = org["own"]
    bad = client.post(f"/atgarder/{measure.id}/status",
                      data={"status": "planerad", "effect": "ja", "evaluation": ""})
    assert "En planerad åtgärd kan inte ha haft effekt" in bad.get_data(as_text=True)
    response = client.post(f"/atgarder/{measure.id}/status",
                           data={"status": "genomford", "effect": "delvis",
                                 "evaluation": "Rutinen finns men används inte överallt"})
    assert response.status_code == 302
    db.session.refresh(measure)
    assert (measure.status, measure.effect) == ("genomford", "delvis")
    # Avbruten is not offered once a measure is genomförd.
    page = client.get(f"/atgarder/{measure.id}/status").get_data(as_text=True)
    assert 'value="avbruten"' not in page
    assert 'value="pagar"' in page


def test_extend_button(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    measure = org["own"]
    year = measure.period
    page = client.get(f"/atgarder/{measure.id}").get_data(as_text=True)
    assert f"Förläng till {year + 1}" in page
    response = client.post(f"/atgarder/{measure.id}/forlang")
    assert response.status_code == 302
    db.session.refresh(measure)
    successor = measure.continuation
    assert successor.period == year + 1
    assert measure.status == "forlangd"
    assert response.headers["Location"].endswith(f"/atgarder/{successor.id}")
    page = client.get(f"/atgarder/{successor.id}").get_data(as_text=True)
    assert "Åtgärden genom åren" in page
    again = client.post(f"/atgarder/{measure.id}/forlang", follow_redirects=True)
    assert "redan förlängd" in again.get_data(as_text=True)


def test_list_filters(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["hr"])
    year = services.current_period()
    gen_measure(org["soc"], title="Gammal åtgärd", period=year - 3)

    def titles(**args):  # type: ignore[no-untyped-def]
        page = client.get("/atgarder", query_string=args).get_data(as_text=True)
        return {t for t in ("Kontakt med föräldralediga", "Jargong på APT", "Chefsutbildning",
                            "Gammal åtgärd") if t in page}

    assert titles() == {"Kontakt med föräldralediga", "Jargong på APT", "Chefsutbildning"}
    assert "Gammal åtgärd" in titles(period="")
    assert titles(period=str(year - 3)) == {"Gammal åtgärd"}
    assert titles(period="", unit=str(org["buf"].id)) == {"Kontakt med föräldralediga"}
    assert titles(period="", unit="org") == {"Chefsutbildning"}
    assert titles(period="", area="trakasserier") == {"Jargong på APT"}
    assert titles(period="", q="chefsutb") == {"Chefsutbildning"}
    assert titles(period="", status="genomford") == set()


def test_head_filter_offers_only_their_units(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    page = client.get("/atgarder", query_string={"unit": str(org["soc"].id)})
    assert page.status_code == 200
    assert 'href="#unit"' in page.get_data(as_text=True)  # reported in the error summary
    assert "Jargong på APT" not in page.get_data(as_text=True)


def test_menu_entry(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(org["head"])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/atgarder"' in page


def test_printable_plan_groups_by_area(client, auth, org) -> None:  # type: ignore[no-untyped-def]
    gen_measure(org["soc"], title="Lönekartläggning", area="lonekartlaggning")
    gen_measure(org["soc"], title="Skyddsrond", area="arbetsforhallanden")
    auth.login_as(org["hr"])
    page = client.get(f"/atgarder/plan/{services.current_period()}").get_data(as_text=True)
    headings = [h.split(">", 1)[1] for h in page.split("</h2>")[:-1]]
    assert [h.rsplit(">", 1)[-1] for h in headings] == [
        "Arbetsförhållanden", "Utbildning och övrig kompetensutveckling",
        "Förena förvärvsarbete och föräldraskap",
        "Trakasserier, sexuella trakasserier och repressalier", "Lönekartläggning"]
    for column in ("Aktivitet/Åtgärd", "Mål", "Ansvarig", "Tidsplan", "Uppföljning", "Status"):
        assert f'<th scope="col">{column}</th>' in page
    assert page.index("Skyddsrond") < page.index("Lönekartläggning")
