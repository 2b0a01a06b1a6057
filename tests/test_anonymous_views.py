"""Anonymous surveys through HTTP: codes, drafts, open links, rate limits, no traces, HR pages."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.test_anonymous import every_value
from tests.test_anonymous import make_survey
from webapp.anonymous import services
from webapp.anonymous.models import AccessCode
from webapp.anonymous.models import AnonymousResponse
from webapp.anonymous.models import AnonymousRound
from webapp.audit import AuditEntry
from webapp.clock import today
from webapp.extensions import db
from webapp.extensions import limiter
from webapp.organisation.models import Role

IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (Testtelefon; AnonymitetsTest/9.1)"
ENV = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT}
ANSWER = {"action": "submit", "kon": "kvinna", "aldersgrupp": "over_50", "respekt": "3",
          "forbattringsforslag": "Mer tid för samtal"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_code_flow_with_draft_and_single_submit(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    survey = make_survey({"Enhet A": 12})
    code = services.generate_codes(survey.units[0], 1)[0]
    db.session.commit()
    page = client.get("/enkat", environ_base=ENV)
    assert page.status_code == 200
    assert "Din kod" in _html(page)
    # Lower case with spaces is accepted; the code never appears in a URL.
    typed = code.lower().replace("-", " ")
    entered = client.post("/enkat", data={"code": typed}, environ_base=ENV)
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith("/enkat/svar")
    form = client.get("/enkat/svar", environ_base=ENV)
    html = _html(form)
    assert "Enhet A" in html
    assert "Spara och fortsätt senare" in html
    assert "Skriv inga namn" in html  # the note at the free-text question
    saved = client.post("/enkat/svar", data={"action": "draft", "kon": "kvinna",
                                             "forbattringsforslag": "Utkasttext"},
                        environ_base=ENV)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith("/enkat/sparat")
    # The session forgot the code: the form needs the code again, and the draft comes back.
    assert client.get("/enkat/svar", environ_base=ENV).status_code == 302
    client.post("/enkat", data={"code": code}, environ_base=ENV)
    assert "Utkasttext" in _html(client.get("/enkat/svar", environ_base=ENV))
    done = client.post("/enkat/svar", data=ANSWER, environ_base=ENV)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/enkat/tack")
    again = client.post("/enkat", data={"code": code}, environ_base=ENV)
    assert again.status_code == 200
    assert "Koden är redan använd" in _html(again)
    response = db.session.scalars(select(AnonymousResponse)).one()
    assert response.answers["forbattringsforslag"] == "Mer tid för samtal"
    # No trace of the address, the browser, the code or its hash: in the database or the logs.
    digest = services.code_hash(code.replace("-", ""))
    secrets_ = [IP, AGENT, "Testtelefon", code, code.replace("-", ""), typed]
    for table, column, value in every_value():
        assert not any(s in str(value) for s in secrets_), f"{table}.{column}"
        if table == "anonymous_response":
            assert digest not in str(value)
    for record in caplog.records:
        line = record.getMessage()
        assert not any(s in line for s in [*secrets_, digest]), line
    assert not db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("anonymous.%"), AuditEntry.action.not_in(
            ["anonymous.created", "anonymous.opened", "anonymous.codes_generated"]))).all()


def test_bad_and_unknown_codes_get_clear_swedish_messages(app, client):
    make_survey({"Enhet A": 12})
    short = client.post("/enkat", data={"code": "ABC"})
    assert "Koden ska ha 16 tecken" in _html(short)
    unknown = client.post("/enkat", data={"code": "ACDE-FHJK-LMNP-QRTU"})
    assert "Koden finns inte" in _html(unknown)


def test_required_answers_are_not_checked_but_types_are(app, client):
    survey = make_survey({"Enhet A": 12})
    code = services.generate_codes(survey.units[0], 1)[0]
    db.session.commit()
    client.post("/enkat", data={"code": code})
    bad = client.post("/enkat/svar", data={"action": "submit", "respekt": "9"})
    assert bad.status_code == 200
    assert "error-summary" in _html(bad)
    assert db.session.scalar(select(db.func.count()).select_from(AnonymousResponse)) == 0


def _open_link(survey) -> str:
    token = services.set_code_word(survey.units[0], "Vårsol 2026")
    db.session.commit()
    return f"/enkat/l/{token}"


def test_open_link_with_code_word_has_no_draft(app, client):
    survey = make_survey({"Enhet A": 12})
    url = _open_link(survey)
    assert client.get(f"{url}/svar").status_code == 302  # the code word first
    wrong = client.post(url, data={"code_word": "fel ord"})
    assert "Fel kodord" in _html(wrong)
    right = client.post(url, data={"code_word": "vårsol 2026"})
    assert right.headers["Location"].endswith(f"{url}/svar")
    form = _html(client.get(f"{url}/svar"))
    assert "Spara och fortsätt senare" not in form
    assert "inte att spara ett utkast" in form
    assert client.post(f"{url}/svar", data=ANSWER).headers["Location"].endswith("/enkat/tack")
    assert client.get(f"{url}/svar").status_code == 302  # the word is asked again
    assert services.response_counts(survey) == {survey.units[0].id: 1}


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True,
                                  "ANONYMOUS_WORD_RATE_LIMIT": "5 per minute"}], indirect=True)
def test_code_word_guessing_is_rate_limited_without_storing_the_address(app, client):
    survey = make_survey({"Enhet A": 12})
    url = _open_link(survey)
    codes = [client.post(url, data={"code_word": f"gissning {i}"}, environ_base=ENV).status_code
             for i in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    # Even the right word waits: the limit is on trying, not on failing.
    assert client.post(url, data={"code_word": "Vårsol 2026"}, environ_base=ENV).status_code == 429
    # Another address may still try (the limit is per address, and per link overall).
    other = client.post(url, data={"code_word": "Vårsol 2026"},
                        environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert other.status_code == 302
    # The limiter's in-memory keys hold a keyed hash, never the address.
    keys = " ".join(str(k) for k in getattr(limiter.storage, "storage", {}))
    assert keys
    assert IP not in keys
    assert "198.51.100.1" not in keys


def test_access_log_lines_of_survey_paths_are_dropped(app):
    logger = logging.getLogger("werkzeug")
    survey_line = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                                    '%s - - [%s] "%s" %s %s',
                                    (IP, "23/Nov/2026 10:14:03", "POST /enkat/svar HTTP/1.1",
                                     "302", "-"), None)
    other_line = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s',
                                   (IP, "GET /rundor HTTP/1.1", "200"), None)
    assert logger.filter(survey_line) is False or not logger.filter(survey_line)
    assert logger.filter(other_line)
    limiter_line = logging.LogRecord("flask-limiter", logging.INFO, __file__, 1,
                                     "ratelimit %s (%s) exceeded at endpoint: %s",
                                     ("5 per 1 minute", "abc", "anonymous.link"), None)
    assert not logging.getLogger("flask-limiter").filter(limiter_line)


# -- HR ------------------------------------------------------------------------------------------


@pytest.fixture
def hr(app):
    return factories.gen_user(Role.HR)


def test_hr_creates_opens_and_prints_codes_once(app, client, auth, hr):
    kommun = factories.gen_unit(name="Kommunen", kind="kommun")
    unit = factories.gen_unit(kommun, name="Skolan", employees=40)
    auth.login_as(hr)
    created = client.post("/medarbetarenkat/ny", data={
        "title": "Medarbetarenkät 2026", "year": 2026, "questionnaire": "medarbetarenkat.yaml",
        "opens_on": today().isoformat(), "closes_on": today().isoformat(),
        "targets": [unit.id]})
    assert created.status_code == 302, _html(created)
    survey = db.session.scalars(select(AnonymousRound)).one()
    assert client.post(f"/medarbetarenkat/{survey.id}/oppna").status_code == 302
    detail = _html(client.get(f"/medarbetarenkat/{survey.id}"))
    assert "Koderna visas bara en gång" in detail
    ru = survey.units[0]
    assert ru.employees == 40
    sheet = client.post(f"/medarbetarenkat/{survey.id}/koder",
                        data={"unit": ru.id, "count": 12, "output": "sheet"})
    codes = re.findall(r'class="slip-code">([A-Z0-9-]{19})<', _html(sheet))
    assert len(codes) == 12
    assert "visas bara den här gången" in _html(sheet)
    exported = client.post(f"/medarbetarenkat/{survey.id}/koder",
                           data={"unit": ru.id, "count": 5, "output": "csv"})
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["kod", "enhet", "adress"]
    assert len(rows) == 6
    assert rows[1][2].endswith("/enkat")
    # Neither the sheet's nor the CSV's codes are stored or can be shown again.
    shown = codes + [r[0] for r in rows[1:]]
    assert not any(c in str(v) for _t, _c, v in every_value() for c in shown)
    assert db.session.scalar(select(db.func.count()).select_from(AccessCode)) == 17
    assert not any(c in _html(client.get(f"/medarbetarenkat/{survey.id}")) for c in shown)


def test_results_only_for_closed_surveys_and_exports_hold_aggregates(app, client, auth, hr):
    survey = make_survey({"Stor": 30, "Liten": 10})
    big, small = survey.units
    for unit, n in ((big, 8), (small, 2)):
        services.set_code_word(unit, "kodord123")
        for i in range(n):
            services.submit_open(unit, {"kon": "kvinna", "respekt": 1 + i % 4,
                                        "forbattringsforslag": f"idé {unit.name} {i}"}, today())
    db.session.commit()
    auth.login_as(hr)
    early = _html(client.get(f"/medarbetarenkat/{survey.id}/resultat"))
    assert "först när enkäten är stängd" in early
    assert client.get(f"/medarbetarenkat/{survey.id}/resultat.csv").status_code == 302
    services.close_round(survey, today())
    db.session.commit()
    page = _html(client.get(f"/medarbetarenkat/{survey.id}/resultat?by=enhet"))
    assert "idé Stor" in page
    assert "idé Liten" not in page
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/medarbetarenkat/{survey.id}/resultat.{fmt}?by=enhet+kon")
        assert export.status_code == 200
        body = export.get_data()
        assert b"id\xc3\xa9 " not in body  # no free text, no raw answer
    csv_text = client.get(f"/medarbetarenkat/{survey.id}/resultat.csv").get_data(as_text=True)
    assert "\nLiten;–\n" in csv_text  # its n of 2 is never printed
    texts = re.findall(r'name="digest" value="([0-9a-f]+)"', page)
    assert texts
    redacted = client.post(f"/medarbetarenkat/{survey.id}/maskera",
                           data={"question": "forbattringsforslag", "digest": texts[0]})
    assert redacted.status_code == 302
    assert "[Borttaget av HR]" in _html(client.get(f"/medarbetarenkat/{survey.id}/resultat"))


def test_a_survey_without_answers_exports_nothing_and_says_so(app, client, auth, hr):
    survey = make_survey({"Tom": 12})
    services.close_round(survey, today())
    db.session.commit()
    auth.login_as(hr)
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/medarbetarenkat/{survey.id}/resultat.{fmt}?by=kon")
        assert export.status_code == 302
        assert export.headers["Location"].endswith(f"/medarbetarenkat/{survey.id}/resultat?by=kon")
        page = _html(client.get(export.headers["Location"]))
        assert "Enkäten fick inga svar, så det finns inget att exportera." in page


def test_settings_hr_sets_retention_only_admin_sets_k(app, client, auth, hr):
    auth.login_as(hr)
    page = client.get("/installningar/anonymitet")
    assert page.status_code == 200
    assert "Bara en administratör" in _html(page)
    assert client.post("/installningar/anonymitet", data={"months": 18}).status_code == 302
    assert client.post("/installningar/anonymitet/k", data={"k": 8}).status_code == 403
    from webapp import settings

    assert settings.get_retention_months() == 18
    assert settings.get_min_group_size() == 5
    auth.logout()
    auth.login_as(factories.gen_user(Role.ADMIN))
    client.post("/installningar/anonymitet/k", data={"k": 2})
    assert settings.get_min_group_size() == 5  # refused: below 3
    client.post("/installningar/anonymitet/k", data={"k": 8})
    assert settings.get_min_group_size() == 8


# -- charts on the results page ----------------------------------------------------------------

# Unit -> submitted answers: with k = 5 "Lilla enheten" is below k, and complementary
# suppression hides one more sibling ("Trean"), so that its figure cannot be derived from the
# total; "Stora" and "Mellan" stay visible.
CHART_UNITS = {"Stora": 9, "Mellan": 7, "Trean": 6, "Lilla enheten": 2}


def _closed_survey_with_answers(counts: dict[str, int] = CHART_UNITS) -> AnonymousRound:
    survey = make_survey({name: 20 for name in counts})
    for unit in survey.units:
        services.set_code_word(unit, "kodord123")
        for i in range(counts[unit.name]):
            services.submit_open(unit, {
                "kon": "kvinna" if i % 3 else "man", "respekt": 1 + i % 4,
                "vet_vart_vanda": "ja" if i % 2 else "osaker",
                "sexuella_trakasserier": {"selected": ["inget"] if i % 3 else ["beroring"]},
                "forbattringsforslag": f"idé {unit.name} {i}"}, today())
    services.close_round(survey, today())
    db.session.commit()
    return survey


def _swedish_percent(share: float) -> str:
    value = round(float(share), 1)
    return f"{value:.0f} %" if value.is_integer() else f"{value:.1f} %".replace(".", ",")


def test_chart_route_serves_svg_and_png_to_staff_only(app, client, auth, hr):
    survey = _closed_survey_with_answers()
    base = f"/medarbetarenkat/{survey.id}/resultat/diagram"
    auth.login_as(hr)
    svg = client.get(f"{base}.svg?fraga=respekt&by=enhet")
    assert svg.status_code == 200
    assert svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.get_data()
    png = client.get(f"{base}.png?fraga=respekt&by=enhet")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    assert png.get_data().startswith(b"\x89PNG")
    narrow = client.get(f"{base}.svg?fraga=sexuella_trakasserier&by=enhet%2Bkon&smal=1")
    assert narrow.status_code == 200
    assert narrow.get_data() != client.get(
        f"{base}.svg?fraga=sexuella_trakasserier&by=enhet%2Bkon").get_data()
    # Only questions with option shares have a chart; the grouping question is not charted.
    assert client.get(f"{base}.svg?fraga=forbattringsforslag").status_code == 404
    assert client.get(f"{base}.svg?fraga=finns_inte").status_code == 404
    assert client.get(f"{base}.svg?fraga=kon&by=kon").status_code == 404
    # The results page shows the charts as images with alt text, and SVG and PNG to download.
    page = _html(client.get(f"/medarbetarenkat/{survey.id}/resultat?by=enhet"))
    assert f'src="{base}.svg?by=enhet&amp;fraga=respekt"' in page
    assert f'href="{base}.png?by=enhet&amp;fraga=respekt"' in page
    assert f'srcset="{base}.svg?smal=1&amp;by=enhet&amp;fraga=respekt"' in page
    assert "Grupper med färre än 5 svar visas inte i diagrammet" in page
    assert 'alt=""' not in page
    auth.logout()
    for role in (Role.HEAD, Role.BOARD):
        auth.login_as(factories.gen_user(role))
        assert client.get(f"{base}.svg?fraga=respekt").status_code == 403
        assert client.get(f"{base}.png?fraga=respekt").status_code == 403
        auth.logout()
    anonymous = client.get(f"{base}.png?fraga=respekt")
    assert anonymous.status_code == 302
    assert "/logga-in" in anonymous.headers["Location"]


def test_no_chart_before_closing(app, client, auth, hr):
    survey = make_survey({"Stora": 20})
    services.set_code_word(survey.units[0], "kodord123")
    for i in range(6):
        services.submit_open(survey.units[0], {"respekt": 1 + i % 4}, today())
    db.session.commit()
    auth.login_as(hr)
    assert client.get(f"/medarbetarenkat/{survey.id}/resultat/diagram.svg?fraga=respekt"
                      ).status_code == 404
    assert "diagram.svg" not in _html(client.get(f"/medarbetarenkat/{survey.id}/resultat"))


def test_chart_data_and_alt_text_hold_nothing_of_a_group_below_k(app, client, auth, hr):
    from webapp.anonymous import charts
    from webapp.anonymous import results

    survey = _closed_survey_with_answers()
    view = results.build(survey, "enhet")
    hidden = {"Lilla enheten", "Trean"}  # below k, and its complementary sibling
    options = view.aggregates.options
    assert set(options[options["suppressed"]]["enhet"]) == hidden
    for question in ("respekt", "vet_vart_vanda", "sexuella_trakasserier", "kon"):
        spec = next(qr.spec for qr in view.questions if qr.spec.id == question)
        table = charts.chart_table(view, question)
        assert list(dict.fromkeys(table["group"])) == ["Hela organisationen", "Mellan", "Stora"]
        assert not table[["n", "share"]].isna().any().any()
        alt = charts.alt_text(view, spec)
        for name in hidden:
            assert name not in alt
            assert not table.astype(str).apply(lambda col, n=name: col.str.contains(n)).any().any()
        assert "(2 svar)" not in alt and "(6 svar)" not in alt  # the hidden groups' n
        assert ("Grupper med färre än 5 svar, och grupper som döljs för att skydda dem, "
                "visas inte.") in alt
    # The same for crossings: no group the analysis layer hid reaches a chart.
    for grouping, _label in results.groupings(survey):
        view = results.build(survey, grouping)
        options = view.aggregates.options
        for qr in view.questions:
            if not charts.chartable(qr.spec):
                continue
            rows = options[options["question"] == qr.spec.id]
            hidden_groups = set(results.group_labels(rows[rows["suppressed"]], view.by))
            shown = set(charts.chart_table(view, qr.spec.id)["group"])
            assert not hidden_groups & shown, (grouping, qr.spec.id)
            alt = charts.alt_text(view, qr.spec)
            assert not any(f"{g} (" in alt for g in hidden_groups), (grouping, qr.spec.id)
    # Nothing to draw when no group (not even the whole organisation) reaches k.
    tiny = _closed_survey_with_answers({"Ensam": 3})
    tiny_view = results.build(tiny, "enhet")
    assert charts.chart_table(tiny_view, "respekt").empty
    auth.login_as(hr)
    assert client.get(f"/medarbetarenkat/{tiny.id}/resultat/diagram.png?fraga=respekt"
                      ).status_code == 404


def test_chart_alt_text_numbers_match_the_aggregates(app, client, auth, hr):
    from webapp.anonymous import charts
    from webapp.anonymous import results

    survey = _closed_survey_with_answers()
    view = results.build(survey, "enhet")
    options = view.aggregates.options
    for question in ("respekt", "vet_vart_vanda", "sexuella_trakasserier"):
        spec = next(qr.spec for qr in view.questions if qr.spec.id == question)
        alt = charts.alt_text(view, spec)
        table = charts.chart_table(view, question)
        visible = options[(options["question"] == question) & ~options["suppressed"]]
        assert len(table) == len(visible)
        for group, part in visible.groupby("enhet", sort=False):
            chunk = alt.split(f"{group} ({int(part['n'].iloc[0])} svar): ")[1].split(";")[0]
            for label, share in zip(part["label"], part["share"], strict=True):
                assert f"{label} {_swedish_percent(share)}" in chunk, (question, group, label)
            drawn = table[table["group"] == group].set_index("label")["share"]
            assert drawn.to_dict() == dict(zip(part["label"], part["share"], strict=True))
    # By hand: each unit answers respekt 1, 2, 3, 4, 1, ... so the 24 answers are 8 × 1, 7 × 2,
    # 5 × 3 and 4 × 4 (the hidden units' answers count in the total, as in the table).
    respekt = next(qr.spec for qr in view.questions if qr.spec.id == "respekt")
    alt = charts.alt_text(view, respekt)
    assert ("Hela organisationen (24 svar): Stämmer inte alls 33,3 %, Stämmer till viss del "
            "29,2 %, Stämmer till stor del 20,8 %, Stämmer helt 16,7 %, Vet ej 0 %;") in alt
    assert ("Stora (9 svar): Stämmer inte alls 33,3 %, Stämmer till viss del 22,2 %, "
            "Stämmer till stor del 22,2 %, Stämmer helt 22,2 %, Vet ej 0 %.") in alt
    # The page's img carries the same alt text.
    auth.login_as(hr)
    page = _html(client.get(f"/medarbetarenkat/{survey.id}/resultat?by=enhet"))
    assert f'alt="{alt}"' in page


# -- the aggregate cache never serves stale results --------------------------------------------


def _count_aggregations(monkeypatch) -> list[tuple[str, ...]]:
    """Record the aggregate cache's misses: the grouping columns of each aggregation."""
    from webapp.anonymous import results

    calls: list[tuple[str, ...]] = []
    original = results._aggregate_answers

    def counting(wide, specs, by, k):
        calls.append(tuple(by))
        return original(wide, specs, by, k)

    monkeypatch.setattr(results, "_aggregate_answers", counting)
    return calls


def _count_reads(monkeypatch) -> list[int]:
    """Record the reads of a survey's answers from the database (by survey id)."""
    from webapp.anonymous import results

    calls: list[int] = []
    original = results.wide_frame

    def counting(round_):
        calls.append(round_.id)
        return original(round_)

    monkeypatch.setattr(results, "wide_frame", counting)
    return calls


def _row_cells(page: str, question: str, group: str) -> list[str]:
    """Return the cells of a group's row in a question's table on the results page."""
    section = page[page.index(f'id="q-{question}"'):]
    section = section[:section.index("</section>")]
    row = re.search(rf'<th scope="row">{re.escape(group)}</th>(.*?)</tr>', section, re.S)
    assert row, (question, group)
    return re.findall(r"</span>([^<]*)</td>", row.group(1))


def test_page_charts_and_exports_aggregate_once_per_state(app, client, auth, hr, monkeypatch):
    survey = _closed_survey_with_answers()
    aggregations, reads = _count_aggregations(monkeypatch), _count_reads(monkeypatch)
    auth.login_as(hr)
    base = f"/medarbetarenkat/{survey.id}/resultat"
    page = _html(client.get(f"{base}?by=enhet"))
    # Mellan answered respekt 1, 2, 3, 4, 1, 2, 3: 2/7, 2/7, 2/7, 1/7, no "vet ej", mean 16/7.
    assert _row_cells(page, "respekt", "Mellan") == ["7", "29 %", "29 %", "29 %", "14 %", "0 %",
                                                     "2,3"]
    assert aggregations == [("enhet",)] and reads == [survey.id]
    # The chart images and the exports of the same grouping use the same aggregates.
    assert client.get(f"{base}/diagram.svg?by=enhet&fraga=respekt").status_code == 200
    assert client.get(f"{base}/diagram.png?by=enhet&fraga=vet_vart_vanda").status_code == 200
    csv_text = client.get(f"{base}.csv?by=enhet").get_data(as_text=True)
    assert "\nStora;9\n" in csv_text
    assert "\nLilla enheten;–\n" in csv_text
    assert _row_cells(_html(client.get(f"{base}?by=enhet")), "respekt", "Mellan")[0] == "7"
    assert aggregations == [("enhet",)]
    # Another grouping is aggregated once, then cached too, from the answers read already.
    assert "Kvinna" in _html(client.get(f"{base}?by=kon"))
    assert "Kvinna" in _html(client.get(f"{base}?by=kon"))
    assert aggregations == [("enhet",), ("bakgrund_kon",)]
    assert reads == [survey.id]


def test_a_redacted_free_text_leaves_the_cached_results(app, client, auth, hr, monkeypatch):
    survey = _closed_survey_with_answers()
    reads = _count_reads(monkeypatch)
    auth.login_as(hr)
    base = f"/medarbetarenkat/{survey.id}/resultat"
    page = _html(client.get(f"{base}?by=enhet"))
    target = "idé Stora 4"
    assert f'<span class="pre">{target}</span>' in page
    digest = services.text_digest(target)
    assert f'name="digest" value="{digest}"' in page
    redacted = client.post(f"/medarbetarenkat/{survey.id}/maskera?by=enhet",
                           data={"question": "forbattringsforslag", "digest": digest})
    assert redacted.status_code == 302
    after = _html(client.get(f"{base}?by=enhet"))
    assert target not in after
    assert after.count('<span class="pre">[Borttaget av HR]</span>') == 1
    assert after.count('<span class="pre">idé Stora ') == 8  # the other 8 of Stora's 9
    # The figures are those of the same answers: only the text changed.
    assert _row_cells(after, "respekt", "Mellan") == _row_cells(page, "respekt", "Mellan")
    assert len(reads) == 2  # read again once, after the redaction
    # Redacting a text of another grouping's page changes that grouping's cached texts too.
    by_gender = _html(client.get(f"{base}?by=kon"))
    assert target not in by_gender
    assert "[Borttaget av HR]" in by_gender


def test_a_changed_k_changes_the_cached_suppression(app, client, auth, monkeypatch):
    survey = _closed_survey_with_answers()
    aggregations = _count_aggregations(monkeypatch)
    auth.login_as(factories.gen_user(Role.ADMIN))
    base = f"/medarbetarenkat/{survey.id}/resultat"
    before = _html(client.get(f"{base}?by=enhet"))
    assert _row_cells(before, "respekt", "Mellan")[0] == "7"
    assert "idé Mellan 0" in before
    assert "\nMellan;7\n" in client.get(f"{base}.csv?by=enhet").get_data(as_text=True)
    assert client.post("/installningar/anonymitet/k", data={"k": 8}).status_code == 302
    after = _html(client.get(f"{base}?by=enhet"))
    assert "Grupper med färre än 8 svar visas inte" in after
    # Mellan (7 answers) is now below k: every figure and every free text of it is hidden.
    assert set(_row_cells(after, "respekt", "Mellan")) == {"–"}
    assert "idé Mellan" not in after
    assert _row_cells(after, "respekt", "Stora")[0] == "9"
    assert "\nMellan;–\n" in client.get(f"{base}.csv?by=enhet").get_data(as_text=True)
    assert len(aggregations) == 2
    client.post("/installningar/anonymitet/k", data={"k": 5})
    assert _row_cells(_html(client.get(f"{base}?by=enhet")), "respekt", "Mellan")[0] == "7"


def test_retention_empties_the_cached_results(app, client, auth, hr):
    import datetime as dt

    from webapp import settings
    from webapp.anonymous import results

    survey = _closed_survey_with_answers()
    auth.login_as(hr)
    base = f"/medarbetarenkat/{survey.id}/resultat"
    assert "idé Stora 0" in _html(client.get(f"{base}?by=enhet"))
    assert results.build(survey, "enhet").total == sum(CHART_UNITS.values())
    survey.closed_on = today() - dt.timedelta(days=70)
    settings.set_retention_months(1)
    db.session.commit()
    assert [r.responses for r in services.apply_retention(today())] == [24]
    db.session.commit()
    page = _html(client.get(f"{base}?by=enhet"))
    assert "De enskilda svaren raderades" in page
    assert "idé Stora" not in page
    assert client.get(f"{base}/diagram.svg?by=enhet&fraga=respekt").status_code == 404
    assert client.get(f"{base}.csv?by=enhet").status_code == 302
    # What the board report reads (no page gate): nothing left of the deleted answers.
    view = results.build(survey, "enhet")
    assert view.aggregates is None
    assert view.total is None
    assert view.questions == []
