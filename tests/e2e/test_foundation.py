"""The foundation in a real browser: login, organisation, permissions, phone layout, language."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import HEAD
from tests.e2e.conftest import HR

pytestmark = pytest.mark.e2e


def test_hr_edits_a_unit_and_sees_the_change(page, login):
    login(HR)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Hanna")

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation")
    page.get_by_role("link", name="Bibliotek", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bibliotek")
    expect(page.get_by_role("navigation", name="Brödsmulor")).to_contain_text(
        "Kultur- och fritidsnämnden")

    new_name = f"Stadsbiblioteket {uuid.uuid4().hex[:6]}"
    page.get_by_role("link", name="Redigera").click()
    page.get_by_label("Namn").fill(new_name)
    page.get_by_label("Antal anställda i enheten").fill("61")
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("status")).to_contain_text("Ändringarna är sparade.")
    expect(page.get_by_role("heading", level=1)).to_have_text(new_name)
    expect(page.locator(".facts")).to_contain_text("61")
    page.goto("/organisation")
    expect(page.get_by_role("link", name=new_name)).to_be_visible()


def test_wrong_password_shows_the_swedish_error(page, login):
    login(HR, password="fel-lösenord-123")
    expect(page).to_have_url(re.compile(r"/logga-in"))
    expect(page.get_by_role("alert")).to_contain_text("Fel e-postadress eller lösenord.")
    expect(page.get_by_label("Lösenord")).to_have_attribute("aria-invalid", "true")
    page.goto("/organisation")
    expect(page).to_have_url(re.compile(r"/logga-in"))


def test_head_sees_only_their_own_subtree(page, login):
    login(HEAD)
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Användare")).to_have_count(0)
    nav.get_by_role("link", name="Organisation").click()
    tree = page.locator("main")
    expect(tree.get_by_role("link", name="Barn- och utbildningsförvaltningen")).to_be_visible()
    expect(tree.get_by_role("link", name="Norrskolan")).to_be_visible()
    expect(tree.get_by_role("link", name="Socialförvaltningen")).to_have_count(0)
    expect(tree.get_by_role("link", name="Exempelkommun", exact=True)).to_have_count(0)
    # A unit outside the subtree is refused, not shown.
    page.goto("/organisation")
    hrefs = page.locator("main a[href*='/organisation/enheter/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    own_ids = {int(h.rstrip("/").split("/")[-1]) for h in hrefs if h.rstrip("/")[-1].isdigit()}
    other = next(i for i in range(1, 200) if i not in own_ids)
    response = page.goto(f"/organisation/enheter/{other}")
    assert response is not None
    assert response.status in (403, 404)


def test_login_page_fits_a_phone(phone_page, live_server):
    phone_page.goto("/logga-in")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Logga in")
    widths = phone_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
    box = phone_page.get_by_role("button", name="Logga in").bounding_box()
    assert box is not None
    assert box["height"] >= 24
    assert box["x"] + box["width"] <= 390


def test_language_switch_to_english_and_back(page, login):
    login(HR)
    page.get_by_role("link", name="Organisation").first.click()
    page.get_by_role("button", name="In English").click()
    # The switch keeps the user on the page they were reading.
    expect(page).to_have_url(re.compile(r"/organisation$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="På svenska").click()
    expect(page).to_have_url(re.compile(r"/organisation$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="In English")).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
