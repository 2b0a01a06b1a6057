"""The board report in Chromium: HR edits this year's draft, previews it, sends it and records
the decision; the board member then finds the approved report in the archive per year."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BOARD
from tests.e2e.conftest import HR

pytestmark = pytest.mark.e2e


def test_hr_takes_the_report_from_draft_to_archive_and_the_board_reads_it(page, login):
    summary = "Rapporten visar att alla förvaltningar har lämnat in sin uppföljning."
    login(HR)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter till kommunstyrelsen")
    page.get_by_role("link", name=re.compile(r"likabehandling 2025$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025")
    expect(page.get_by_text("Status: Utkast")).to_be_visible()

    page.get_by_label("Sammanfattning").fill(summary)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Rapporten är sparad.")).to_be_visible()

    page.get_by_role("link", name="Förhandsgranska rapporten").click()
    expect(page.locator("#main")).to_contain_text(summary)
    expect(page.locator("#main")).to_contain_text("Bilaga 1. Dokumentation enligt")
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Word (.docx)").click()
    assert download.value.suggested_filename.endswith("2025.docx")

    page.get_by_role("button", name="Markera som skickad till nämnden").click()
    expect(page.get_by_text("Rapporten är markerad som skickad till nämnden.")).to_be_visible()
    page.get_by_role("link", name="Registrera beslutet").click()
    page.get_by_label("Sammanträdesdatum").fill("2026-05-12")
    page.get_by_label("Paragraf").fill("paragraf tolv")
    page.get_by_label("Diarienummer").fill("KS 2026/118")
    page.get_by_role("button", name="Registrera beslut och arkivera").click()
    expect(page.locator("#paragraph-error")).to_contain_text("kommunens format")
    page.get_by_label("Paragraf").fill("§ 12/26")
    page.get_by_role("button", name="Registrera beslut och arkivera").click()
    expect(page.get_by_text("Beslutet är registrerat och rapporten är arkiverad.")).to_be_visible()
    expect(page.get_by_text("Status: Beslutad")).to_be_visible()
    digest = page.locator("code.hash").first.inner_text()

    page.get_by_role("button", name="Logga ut").click()
    login(BOARD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", name="Beslutade rapporter")).to_be_visible()
    row = page.locator("tr", has_text="likabehandling 2025")
    expect(row).to_contain_text("§ 12/26")
    expect(row).to_contain_text("KS 2026/118")
    with page.expect_download() as download:
        row.get_by_role("link", name="Ladda ned PDF/A 2025").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == digest
    # The board reads approved reports only: no way into the editing pages.
    assert page.get_by_role("link", name="Skriv årets rapport").count() == 0
