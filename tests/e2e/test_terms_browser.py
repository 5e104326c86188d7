"""The demo's terms notice in a real browser: the artist logs in to the banner, reads what
changes, accepts, and the banner is gone; the public history shows both versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import demo_server
from tests.e2e.test_browser import browser, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def terms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("terms-server")
    with demo_server(data, notice_days="30") as (base, _tokens):
        yield base


def test_the_demo_artist_sees_the_banner_and_accepts(terms_server: str,
                                                     page: Page) -> None:  # noqa: F811
    base = terms_server
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill("mara@demo.consentry.example")
    page.get_by_label("Password", exact=True).fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    banner = page.get_by_role("region", name="New terms")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("New terms from")
    banner.get_by_text("What changes").click()
    expect(banner).to_contain_text("now mentions")
    shot(page, "terms-banner")

    banner.get_by_role("link", name="Review and answer").click()
    expect(page.get_by_role("heading", name="New terms", exact=True)).to_be_visible()
    expect(page.locator("table.terms-diff ins").first).to_be_visible()
    expect(page.get_by_text("Your music stays out of every AI feature")).to_be_visible()
    shot(page, "terms-review")
    page.get_by_role("button", name="Accept the new terms").click()
    expect(page.locator("#terms-status")).to_have_text("You accepted this version.")
    page.goto(base + "/me")
    expect(page.get_by_role("region", name="New terms")).to_have_count(0)

    page.goto(base + "/terms/history")
    expect(page.get_by_role("heading", name=re.compile("Version 2026-12"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Version 2024-01"))).to_be_visible()


def test_german_banner_for_artists_only(terms_server: str, page: Page) -> None:  # noqa: F811
    page.goto(terms_server + "/login?lang=de")
    page.get_by_label("E-Mail-Adresse").fill("label@demo.consentry.example")
    page.get_by_label("Passwort", exact=True).fill("demo-password")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Northwind Records")).to_be_visible()
    expect(page.locator("#terms-banner")).to_have_count(0)
