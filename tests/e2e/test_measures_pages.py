"""The measures register in Chromium: HR creates a measure, evaluates it, extends it into the
next year and finds both in the printable action plan; a head sees only their units."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import HEAD
from tests.e2e.conftest import HR

pytestmark = pytest.mark.e2e


def test_hr_creates_evaluates_and_extends_a_measure(page, login):
    title = f"Dialogkort om vardagsrasism {uuid.uuid4().hex[:5]}"
    page.on("dialog", lambda dialog: dialog.accept())
    login(HR)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Åtgärder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktiva åtgärder")

    page.get_by_role("link", name="Ny åtgärd").click()
    page.get_by_label("Åtgärd / aktivitet").fill(title)
    page.get_by_label("Mål", exact=True).fill("Alla arbetslag har samtalat om bemötande.")
    page.get_by_label("Ansvarig", exact=True).fill("Enhetschef")
    page.get_by_label("Tidsplan").fill("APT i mars")
    page.get_by_label("År (period)").fill("2026")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_role("link", name="Status och utvärdering").click()
    page.get_by_label("Pågår").check()
    page.get_by_label("Delvis").check()
    page.get_by_label("Utvärdering").fill("Hälften av arbetslagen hann under våren.")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Hälften av arbetslagen hann under våren.")

    page.get_by_role("button", name="Förläng till 2027").first.click()
    expect(page.locator("main")).to_contain_text("2027")
    page.goto("/atgarder?period=2027")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto("/atgarder?period=2026")
    row = page.locator("tr", has_text=title)
    expect(row).to_contain_text("Förlängd")

    page.goto("/atgarder/plan/2027")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aktiva åtgärder 2027")
    expect(page.locator("main")).to_contain_text(title)


def test_head_sees_only_own_units_measures(page, login, live_server):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.organisation.models import Unit

    with live_server.app.app_context():
        buf = db.session.scalar(select(Unit).where(Unit.code == "BUF"))
        allowed = {buf.name, *(u.name for u in buf.descendants()), "Hela kommunen"}
    login(HEAD)
    page.goto("/atgarder?period=2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktiva åtgärder")
    cells = page.locator("td", has_text=re.compile("^Enhet: ")).all_inner_texts()
    assert cells, "the head should see measures of their own units"
    shown = {cell.removeprefix("Enhet: ").strip() for cell in cells}
    assert shown <= allowed, shown - allowed
