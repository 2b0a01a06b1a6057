"""The yearly follow-up end to end in Chromium: HR opens a round, the head answers via the
invitation email, saves a draft, comes back, submits; HR sees it and reopens it."""

from __future__ import annotations

import email
import email.policy
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.conftest import HR

pytestmark = pytest.mark.e2e

HEAD_EMAIL = "ali.yousef@exempelkommun.se"  # head of Kultur- och fritidsförvaltningen


def _last_mail_to(live_server, recipient: str) -> str:
    for path in sorted(live_server.outbox.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == recipient:
            return message.get_body(preferencelist=("plain",)).get_content()
    raise AssertionError(f"no mail to {recipient} in {live_server.outbox}")


def _answer_what_is_missing(page) -> None:
    """Fill each question the error summary points to, the way a hurried head would."""
    for _attempt in range(5):
        summary = page.locator(".error-summary")
        if summary.count() == 0:
            return
        targets = summary.locator("a").evaluate_all("links => links.map(a => a.hash.slice(1))")
        for target in targets:
            field = page.locator(f"[id='{target}']")
            kind = field.evaluate("e => e.tagName + ':' + (e.type || '')")
            if kind in ("INPUT:radio", "INPUT:checkbox"):
                field.check()
            elif kind == "INPUT:number" or kind.startswith("INPUT:text") and "antal" in target:
                # A group of numbers (ärenden per type) wants every row filled.
                group = field.locator("xpath=ancestor::fieldset[1]")
                for box in group.locator("input[inputmode=numeric], input[type=number]").all():
                    if not box.input_value():
                        box.fill("2")
                if not field.input_value():
                    field.fill("2")
            elif kind == "SELECT:select-one":
                field.select_option(index=1)
            else:
                field.fill("Svar från e2e-testet")
        page.get_by_role("button", name="Granska och skicka in").click()
    raise AssertionError(
        "the form still has errors after five rounds of answering: "
        + page.locator(".error-summary").inner_text()
    )


def test_round_from_invitation_to_reopen(browser, live_server, page, login):
    title = f"Uppföljning e2e {uuid.uuid4().hex[:6]}"
    page.on("dialog", lambda dialog: dialog.accept())

    # HR creates and opens a round for one förvaltning.
    login(HR)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rundor").click()
    page.get_by_role("link", name="Ny runda").click()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Verksamhetsår").fill("2027")
    page.get_by_label("Sista svarsdag", exact=True).fill("2099-12-31")
    targets = page.get_by_role("group", name="Enheter som ska svara")
    checked = targets.get_by_role("checkbox", checked=True)
    while checked.count():
        checked.first.uncheck()
    targets.get_by_label("Kultur- och fritidsförvaltningen", exact=True).check()
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Öppna rundan och skicka inbjudningar").click()
    expect(page.get_by_role("status").first).to_contain_text("1 inbjudningar är skickade")
    dashboard_url = page.url

    # The head follows the link in the invitation email and logs in on the way.
    body = _last_mail_to(live_server, HEAD_EMAIL)
    assert title in body
    link = re.search(r"http://\S+", body).group(0)
    head = browser.new_context(
        locale="sv-SE", viewport={"width": 1366, "height": 900}, base_url=live_server.url
    ).new_page()
    head.goto(link)
    head.get_by_label("E-postadress").fill(HEAD_EMAIL)
    head.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    head.get_by_role("button", name="Logga in").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Kultur- och fritidsförvaltningen")

    # A draft, saved with the button.
    observation = "Biblioteket har haft APT-tema om bemötande."
    head.locator("textarea[name=positiva_iakttagelser]").fill(observation)
    head.get_by_role("button", name="Spara utkast").click()
    expect(head.get_by_role("status").first).to_contain_text("Utkastet är sparat")

    # Coming back later through "Mina uppföljningar".
    head.goto("/")
    head.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Mina uppföljningar"
    ).click()
    card = head.locator(".assignment-card", has_text=title)
    card.get_by_role("link", name=re.compile("Fortsätt")).click()
    expect(head.locator("textarea[name=positiva_iakttagelser]")).to_have_value(observation)

    # Submit: required questions first, then the confirmation step.
    head.get_by_role("button", name="Granska och skicka in").click()
    _answer_what_is_missing(head)
    expect(head.get_by_role("heading", level=1)).to_have_text("Granska och skicka in")
    expect(head.locator(".answer-summary")).to_contain_text(observation)
    head.get_by_role("button", name=re.compile("Skicka in svaret för")).click()
    expect(head.get_by_role("status").first).to_contain_text("Tack!")
    head.context.close()

    # HR sees it as submitted and reopens it with a reason.
    page.goto(dashboard_url)
    row = page.locator("tr", has_text="Kultur- och fritidsförvaltningen")
    expect(row).to_contain_text("Inskickad")
    row.get_by_role("link", name="Kultur- och fritidsförvaltningen").click()
    page.get_by_label("Varför återöppnas svaret?").fill("Antal ärenden saknas.")
    page.get_by_role("button", name="Återöppna").click()
    expect(page.get_by_role("status").first).to_contain_text("Svaret är återöppnat")
    page.goto(dashboard_url)
    expect(page.locator("tr", has_text="Kultur- och fritidsförvaltningen")).to_contain_text(
        "Återöppnad"
    )
