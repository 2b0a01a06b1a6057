"""Two consecutive years of the yearly cycle, driven through the seams the rounds use.

Year one: measures are planned (from the questionnaire's "nya åtgärder" table and by HR).
Year two: the follow-up lists each unit's measures of year one, HR accepts the answers
(apply_followup), one measure is extended, new measures are created from rows, and the
register, the printable plan and the report lists of year two show all of it.
"""

from __future__ import annotations

from tests.factories import gen_unit
from tests.factories import gen_user
from webapp.extensions import db
from webapp.measures import services
from webapp.organisation.models import Role

YEAR_ONE = 2025
YEAR_TWO = 2026


def test_two_year_cycle(client, auth) -> None:  # type: ignore[no-untyped-def]
    kommun = gen_unit(name="Exempelkommun")
    buf = gen_unit(kommun, name="Barn- och utbildningsförvaltningen")
    forskola = gen_unit(buf, name="Förskola", kind="verksamhet")
    soc = gen_unit(kommun, name="Socialförvaltningen")
    hr = gen_user(Role.HR)
    head = gen_user(Role.HEAD, units=[buf])

    # -- Year one: the plan --------------------------------------------------------------
    planned = services.create_planned_from_rows(buf, YEAR_ONE, [
        {"title": "Se över mötestider för APT", "area": "foraldraskap", "grounds": ["kon"],
         "goal": "Alla kan delta på APT", "responsible": "Förvaltningschef",
         "schedule": "Löpande", "followup_method": "Medarbetarenkät"},
        {"title": "Rutin för kontakt med föräldralediga", "area": "foraldraskap",
         "responsible": "Rektor", "schedule": "Löpande"},
    ], origin=f"Uppföljningsenkäten {YEAR_ONE - 1}", origin_round_id=1)
    analysis = services.create_planned_from_rows(forskola, YEAR_ONE, [
        {"title": "Analys av heltid och deltid per kön", "area": "arbetsforhallanden",
         "responsible": "Verksamhetschef", "schedule": "Våren"}])[0]
    other = services.create_planned_from_rows(soc, YEAR_ONE, [
        {"title": "APT-tema om jargong", "area": "trakasserier", "responsible": "Chef"}])[0]
    common = services.save_measure(None, title="Chefsutbildning i aktiva åtgärder",
                                   area="kompetensutveckling", period=YEAR_ONE,
                                   responsible="HR-chef")
    services.change_status(planned[0], "pagar")  # under way during the year
    db.session.commit()

    # -- Year two: the follow-up of year one ---------------------------------------------
    block = services.measures_for_followup(buf, YEAR_ONE)
    assert {item.title for item in block} == {
        "Se över mötestider för APT", "Rutin för kontakt med föräldralediga",
        "Analys av heltid och deltid per kön"}  # not SOC's, not the organisation-wide one
    answers = {
        planned[0].id: ("forlangd", "delvis", "Hälften av enheterna har flyttat APT."),
        planned[1].id: ("genomford", "ja", "Rutinen används av alla enheter."),
        analysis.id: ("avbruten", "ej_bedomd", "Ersatt av kommunens heltidsprojekt."),
    }
    # HR accepts the unit's answers: the rounds capability calls apply_followup per item.
    for item in block:
        measure = db.session.get(type(planned[0]), item.id)
        services.apply_followup(measure, *answers[item.id], accepted_by=hr, round_id=2)
    services.apply_followup(common, "genomford", "ja", "92 av 110 chefer deltog.",
                            accepted_by=hr, round_id=2)
    new = services.create_planned_from_rows(buf, YEAR_TWO, [
        {"title": "Strukturerad introduktion efter föräldraledighet", "area": "foraldraskap",
         "responsible": "Rektor", "goal": "En plan för de första veckorna"},
        {"title": ""},
    ], origin=f"Uppföljningsenkäten {YEAR_ONE}", origin_round_id=2, origin_answer_id=17)
    db.session.commit()

    extended = planned[0].continuation
    assert extended is not None
    assert extended.period == YEAR_TWO
    assert extended.status == "planerad"
    assert extended.extended_from_id == planned[0].id
    assert planned[0].status == "forlangd"
    assert planned[0].effect == "delvis"
    assert [planned[1].status, planned[1].effect] == ["genomford", "ja"]
    assert analysis.status == "avbruten"
    assert other.status == "planerad"  # untouched: another unit's follow-up
    assert len(new) == 1
    assert new[0].origin_answer_id == 17

    # -- What year two shows ---------------------------------------------------------------
    # The board report's lists: evaluated measures of year one, new measures of year two.
    evaluated = {m.title for m in services.evaluated_in(YEAR_ONE)}
    assert evaluated == {"Se över mötestider för APT", "Rutin för kontakt med föräldralediga",
                         "Analys av heltid och deltid per kön",
                         "Chefsutbildning i aktiva åtgärder"}
    assert [m.title for m in services.new_in(YEAR_TWO)] == [
        "Strukturerad introduktion efter föräldraledighet"]

    auth.login_as(head)
    register = client.get("/atgarder", query_string={"period": YEAR_TWO}).get_data(as_text=True)
    assert "Se över mötestider för APT" in register
    assert f"förlängd från {YEAR_ONE}" in register
    assert "Strukturerad introduktion efter föräldraledighet" in register
    last_year = client.get("/atgarder", query_string={"period": YEAR_ONE}).get_data(as_text=True)
    assert "Genomförd" in last_year
    assert "Förlängd" in last_year
    assert "Avbruten" in last_year

    plan = client.get(f"/atgarder/plan/{YEAR_TWO}/enhet/{buf.id}").get_data(as_text=True)
    assert f"Aktiva åtgärder {YEAR_TWO}" in plan
    assert "Förena förvärvsarbete och föräldraskap" in plan
    assert plan.index("Se över mötestider för APT") > plan.index("Förena förvärvsarbete")
    assert "Strukturerad introduktion efter föräldraledighet" in plan

    detail = client.get(f"/atgarder/{extended.id}").get_data(as_text=True)
    assert "Åtgärden genom åren" in detail
    assert str(YEAR_ONE) in detail
    history = client.get(f"/atgarder/{planned[0].id}").get_data(as_text=True)
    assert "Uppföljning godkänd" in history
    assert hr.email in history
    assert "Hälften av enheterna har flyttat APT." in history

    auth.logout()
    auth.login_as(hr)
    whole = client.get(f"/atgarder/plan/{YEAR_ONE}").get_data(as_text=True)
    assert "Chefsutbildning i aktiva åtgärder" in whole
    assert "APT-tema om jargong" in whole
    assert "Effekt: Ja" in whole
