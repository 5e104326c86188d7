"""An artist's path in a real browser (Debian's Chromium, driven by Playwright).

Sign up, change a permission with confirmation, see the outcome and the history, export,
switch language, log out. Screenshots of the main pages go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from consentry.store import outbox
from consentry.store.database import make_engine
from tests.audio.synth import write_audio

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The machine has no network: background services would only fail noisily.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _verification_link(data: Path, email: str) -> str:
    """The link in the last mail the server queued for ``email``, as its owner would open."""
    engine = make_engine(f"sqlite:///{data / 'consentry.db'}")
    try:
        with engine.connect() as conn:
            body = outbox.messages_to(conn, email)[-1].text_body
    finally:
        engine.dispose()
    match = re.search(r"/verify-email\?token=[A-Za-z0-9_-]+", body)
    assert match, body
    return match.group(0)


def test_artist_signs_up_changes_a_permission_and_exports(
    server: tuple[str, dict[str, str]], server_dir: Path, page: Page, tmp_path: Path
) -> None:
    base, _ = server
    page.goto(base + "/")
    shot(page, "home")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Artist name").fill("Browser Band")
    page.get_by_label("E-mail address").fill("band@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough secret")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill("band@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Browser Band")).to_be_visible()
    page.goto(base + _verification_link(server_dir, "band@example.org"))  # from the mail
    page.goto(base + "/me")

    page.get_by_role("link", name="Add a track").click()
    page.get_by_label("Title").fill("Night Drive")
    page.get_by_role("button", name="Create track").click()
    recording = tmp_path / "night-drive.wav"
    write_audio(recording, "wav", seconds=2.0)
    page.get_by_label("Recording (WAV, FLAC, OGG or MP3)").set_input_files(recording)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("The recording was saved.")
    duration = page.eval_on_selector("audio", """audio => new Promise(done => {
        if (audio.readyState >= 1) done(audio.duration);
        audio.onloadedmetadata = () => done(audio.duration); audio.load(); })""")
    assert abs(duration - 2.0) < 0.05, "the browser played the uploaded file's header"
    shot(page, "track")

    page.get_by_role("link", name="AI permissions").first.click()
    generative = page.get_by_label("Train AI that generates music", exact=True)
    expect(generative).to_have_value("")
    generative.select_option("allow")
    page.get_by_label("Clone my voice or likeness", exact=True).select_option("deny")
    shot(page, "permissions")
    page.get_by_role("button", name="Review changes").click()
    expect(page.get_by_role("heading", name="Confirm your changes")).to_be_visible()
    expect(page.locator("ul.changes li")).to_have_count(2)
    page.get_by_role("button", name="Confirm and record").click()
    expect(page.get_by_role("status")).to_have_text("Your choices were recorded.")
    expect(page.get_by_label("Train AI that generates music", exact=True)).to_have_value("allow")

    page.get_by_role("link", name="History").click()
    expect(page.locator("ol.timeline li")).to_have_count(2)
    expect(page.locator("ol.timeline")).to_contain_text("Clone my voice or likeness")
    shot(page, "history")

    page.get_by_role("link", name="My music").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything recorded about my consent").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    assert exported["artist"]["name"] == "Browser Band"
    assert {e["purpose"] for e in exported["consent_events"]} == {
        "train-generative", "voice-likeness"}

    page.get_by_role("button", name="Log out").click()
    page.goto(base + "/me/permissions")
    expect(page).to_have_url(re.compile(r"/login"))


def test_seeded_artist_sees_outcomes_with_reasons(
    server: tuple[str, dict[str, str]], page: Page
) -> None:
    base, _ = server
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill("mara@demo.consentry.example")
    page.get_by_label("Password", exact=True).fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="AI permissions").first.click()
    page.locator("details#track-1 summary").click()
    outcome = page.locator('table[data-track="1"] td[data-purpose="train-generative"]')
    expect(outcome).to_contain_text("You said yes for this track")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "permissions-phone")
    page.goto(base + "/tracks/3")
    expect(page.get_by_role("row", name=re.compile("Train AI that generates music"))
           ).to_contain_text("Not allowed")


def test_keyboard_reaches_the_permission_controls(
    server: tuple[str, dict[str, str]], page: Page
) -> None:
    base, _ = server
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.get_by_label("E-mail address").focus()
    page.keyboard.type("mara@demo.consentry.example")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mara Lind")).to_be_visible()
