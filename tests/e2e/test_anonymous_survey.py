"""An employee answers the anonymous survey with a code on a phone: saves a draft, comes
back with the same code, submits, and cannot submit twice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _open_survey_with_code(live_server) -> str:
    """Open a survey for a new unit in the live database; return one printed code."""
    from tests.test_anonymous import make_survey
    from webapp.anonymous import services
    from webapp.extensions import db

    with live_server.app.app_context():
        survey = make_survey({"Mobilenheten": 15})
        code = services.generate_codes(survey.units[0], 1)[0]
        db.session.commit()
        db.session.remove()
    return code


def test_answer_with_a_code_on_a_phone(live_server, phone_page):
    page = phone_page
    code = _open_survey_with_code(live_server)
    page.goto("/enkat")
    expect(page.get_by_role("heading", name="Medarbetarenkät")).to_be_visible()
    # Typed the way a person copies from paper: lower case with spaces.
    page.get_by_label("Din kod").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Mobilenheten")).to_be_visible()
    assert "/enkat/svar" in page.url
    assert code not in page.url
    page.get_by_label("Kvinna").check()
    page.get_by_label("50 år eller äldre").check()
    suggestion = page.get_by_label(re.compile("Vad skulle göra din arbetsplats bättre"))
    expect(page.get_by_text("Skriv inga namn eller andra uppgifter")).to_be_visible()
    suggestion.fill("Fler samtal om bemötande")
    # Nothing overflows sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Spara och fortsätt senare").click()
    expect(page.get_by_role("heading", name="Utkastet är sparat")).to_be_visible()
    page.get_by_role("link", name="Fortsätt svara").click()
    page.get_by_label("Din kod").fill(code)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_label(re.compile("Vad skulle göra din arbetsplats bättre"))).to_have_value(
        "Fler samtal om bemötande")
    expect(page.get_by_label("Kvinna")).to_be_checked()
    page.get_by_role("button", name="Skicka in").click()
    expect(page.get_by_role("heading", name="Tack för ditt svar")).to_be_visible()
    page.goto("/enkat")
    page.get_by_label("Din kod").fill(code)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator("#code-error")).to_contain_text("Koden är redan använd")
