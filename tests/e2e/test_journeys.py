"""The main journeys of an artist, a label and an administrator in Chromium, each at a desktop
and a phone size, every step screenshotted (test-artifacts/journeys/) and checked by axe-core
and, on the phone, for a layout that hides nothing. The label's journey is in German.

One server (with mail through a real local SMTP server) and one browser serve the module."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import free_port
from tests.e2e.conftest import demo_server
from tests.e2e.page_checks import boxes_apart, check_page
from tests.e2e.test_browser import browser  # noqa: F401
from tests.mail_server import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "demo-password"


@pytest.fixture(scope="module")
def mail() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, mail: SmtpServer) -> Iterator[str]:
    """The demo, sending its mail every second to the local SMTP server."""
    data: Path = tmp_path_factory.mktemp("journeys")
    with demo_server(
        data, mail_enabled="true", outbox_interval_seconds="1", smtp_port=str(mail.port)
    ) as (base, _tokens):
        yield base


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A fresh visitor at one size; the page's CSP is bypassed only to inject axe-core."""
    context = browser.new_context(
        viewport=SIZES[request.param], accept_downloads=True, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def size_of(page: Page) -> str:
    assert page.viewport_size is not None
    return "phone" if page.viewport_size["width"] < 640 else "desktop"


def log_in(page: Page, base: str, email: str, *, german: bool = False) -> None:
    page.goto(base + ("/login?lang=de" if german else "/login"))
    page.get_by_label("E-Mail-Adresse" if german else "E-mail address").fill(email)
    page.get_by_label("Passwort" if german else "Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden" if german else "Log in").click()


def mailed_link(mail: SmtpServer, address: str, path: str) -> str:
    """The ``path`` link in the last mail delivered to ``address``, waiting for the outbox."""
    for _ in range(100):
        for message in reversed(mail.mailbox.messages):
            if address in str(message["To"]):
                body = message.get_body(("plain",))
                assert body is not None
                found = re.search(re.escape(path) + r"\?token=[A-Za-z0-9_-]+", body.get_content())
                if found:
                    return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no mail with {path} reached {address}")


def test_artist_signs_up_registers_a_track_sets_permissions_and_exports(
    site: str, mail: SmtpServer, page: Page, tmp_path: Path
) -> None:
    size = size_of(page)
    email = f"journey-{size}@example.org"
    page.goto(site + "/")
    check_page(page, f"artist-{size}-1-home")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Artist name").fill(f"Journey Band {size}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    check_page(page, f"artist-{size}-2-signup")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    check_page(page, f"artist-{size}-3-check-mail")

    page.goto(site + mailed_link(mail, email, "/verify-email"))
    expect(page.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    log_in(page, site, email)
    expect(page.get_by_role("heading", name=f"Journey Band {size}")).to_be_visible()
    expect(page.get_by_role("region", name="Confirm your e-mail address")).to_have_count(0)
    check_page(page, f"artist-{size}-4-my-music")

    page.get_by_role("link", name="Add a track").click()
    page.get_by_label("Title").fill("Harbour Walk")
    check_page(page, f"artist-{size}-5-new-track")
    page.get_by_role("button", name="Create track").click()
    expect(page.get_by_role("heading", name="Harbour Walk")).to_be_visible()
    check_page(page, f"artist-{size}-6-track")

    page.get_by_role("link", name="AI permissions").first.click()
    expect(page.locator(".description").first).to_be_visible()
    check_page(page, f"artist-{size}-7-permissions")
    page.get_by_label("Train AI that generates music", exact=True).select_option("allow")
    page.get_by_role("button", name="Review changes").click()
    expect(page.get_by_role("heading", name="Confirm your changes")).to_be_visible()
    expect(page.locator("ul.changes li")).to_contain_text("Train AI that generates music")
    expect(page.locator("table.effects")).to_be_visible()
    check_page(page, f"artist-{size}-8-review")
    page.get_by_role("button", name="Confirm and record").click()
    expect(page.get_by_role("status")).to_have_text("Your choices were recorded.")
    check_page(page, f"artist-{size}-9-recorded")

    page.get_by_role("link", name="History").click()
    entry = page.locator("ol.timeline li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Train AI that generates music")
    event_id = entry.get_attribute("id")
    assert event_id is not None
    expect(entry.locator(".event-id")).to_have_text(f"Event {event_id.removeprefix('event-')}")
    check_page(page, f"artist-{size}-10-history")

    page.get_by_role("link", name="My music").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything recorded about my consent").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    assert [e["id"] for e in exported["consent_events"]] == [int(event_id.removeprefix("event-"))]


def test_label_reviews_its_catalogue_claims_and_agreements_in_german(site: str, page: Page) -> None:
    size = size_of(page)
    log_in(page, site, "label@demo.consentry.example", german=True)
    expect(page.get_by_role("heading", name="Northwind Records")).to_be_visible()
    expect(page.locator("#terms-banner")).to_have_count(0)
    expect(page.get_by_role("heading", name="Katalog")).to_be_visible()
    check_page(page, f"label-{size}-1-catalogue")

    page.goto(site + "/label/claims")
    expect(page.get_by_role("heading", name="Inhaltsansprüche")).to_be_visible()
    claim = page.locator("tr[id^=claim-]")
    expect(claim).to_have_count(1)
    assert claim.inner_text().count("Offen") == 1, claim.inner_text()
    check_page(page, f"label-{size}-2-claims")

    page.goto(site + "/label")
    form = page.locator("form[action='/label/agreements']")
    form.locator("#title").fill(f"Keine Stimmklone ({size})")
    form.locator("input[name=restricts][value=voice-likeness]").check()
    check_page(page, f"label-{size}-3-agreement-form")
    form.get_by_role("button", name="Vereinbarung hinzufügen").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text(f"Keine Stimmklone ({size})")).to_be_visible()
    check_page(page, f"label-{size}-4-agreement-added")


def test_admin_reviews_tracks_revokes_a_token_with_confirmation_and_drafts_terms(
    site: str, page: Page
) -> None:
    size = size_of(page)
    log_in(page, site, "admin@demo.consentry.example")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    expect(page.locator("#terms-banner")).to_have_count(0)
    check_page(page, f"admin-{size}-1-administration")

    page.get_by_role("navigation").get_by_role("link", name="Tracks").click()
    expect(page.get_by_role("link", name="Red Earth")).to_be_visible()
    check_page(page, f"admin-{size}-2-tracks")

    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    revoke = page.get_by_role("link", name=re.compile(r"^Revoke token")).first
    label = revoke.get_attribute("aria-label")
    revoke.click()
    expect(page.get_by_role("heading", name="Revoke a token")).to_be_visible()
    expect(page.get_by_text("this cannot be undone")).to_be_visible()
    assert boxes_apart(page, "main button.danger", "main a.button.secondary")
    check_page(page, f"admin-{size}-3-revoke-confirmation")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name=label)).to_be_visible()  # nothing revoked yet
    page.get_by_role("link", name=label).click()
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_role("link", name=label)).to_have_count(0)
    check_page(page, f"admin-{size}-4-revoked")

    page.get_by_role("navigation").get_by_role("link", name="Terms").click()
    page.get_by_label("Version").fill(f"draft-{size}")
    page.get_by_label("Text (Markdown)").fill("# Terms\n\n## 1. Your music\n\nYou keep it.\n")
    page.get_by_role("button", name="Compare with the latest version").click()
    expect(page.get_by_role("heading", name=re.compile("Compared with version"))).to_be_visible()
    check_page(page, f"admin-{size}-5-terms-draft")


def test_the_terms_review_keeps_accept_and_refuse_apart(site: str, page: Page) -> None:
    size = size_of(page)
    log_in(page, site, "mara@demo.consentry.example")
    check_page(page, f"terms-{size}-1-banner")
    page.get_by_role("region", name="New terms").get_by_role(
        "link", name="Review and answer"
    ).click()
    accept = page.get_by_role("button", name="Accept the new terms")
    refuse = page.get_by_role("button", name="Refuse and keep my current terms")
    expect(accept).to_be_visible()
    assert accept.evaluate("b => getComputedStyle(b).backgroundColor") != refuse.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert boxes_apart(page, "button[value=accept]", "button[value=refuse]")
    check_page(page, f"terms-{size}-2-review")
