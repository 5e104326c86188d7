"""Issue 16, scenario 1: a per-track opt-in reaches robots.txt. A crawler the site's defaults
keep out of /tracks/ is let into its own open prefix, where exactly the tracks allowed for its
purpose are served, and its requests to the canonical paths are sent there; robots.txt and
the server agree for every parser and every crawler."""

from __future__ import annotations

import urllib.robotparser

import pytest
from fastapi.testclient import TestClient
from protego import Protego
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.settings import Settings
from consentry.signals.compliance import conclude, content_usage, robots_usage
from consentry.signals.crawlers import load_registry
from consentry.store import catalogue, media, parties
from tests.audio.synth import write_audio

GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; " \
         "+https://openai.com/gptbot"
CLAUDEBOT = "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"
OPENAI = "/open/third-party-training-openai"


@pytest.fixture
def opted(engine: Engine, settings: Settings, tmp_path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Kofi lets OpenAI train on one track of two; both have a recording."""
    recording = tmp_path / "song.wav"
    write_audio(recording, "wav", seconds=0.5)
    with engine.begin() as conn:
        kofi = parties.create_artist(conn, "Kofi").id
        ids = {}
        for name in ("open", "closed"):
            track = catalogue.create_track(conn, name, kofi)
            with recording.open("rb") as source:
                stored = media.store_upload(source, settings.data_dir,
                                            settings.max_upload_bytes, max_seconds=60)
            catalogue.attach_audio(conn, track.id, stored)
            ids[name] = track.id
        for purpose in ("train-generative", "third-party-training:openai"):
            consent_choices.record_choice(conn, ConsentChoice(
                kofi, purpose, Choice.ALLOW, track_id=ids["open"]))
    return ids


def _parsers(client: TestClient) -> tuple[urllib.robotparser.RobotFileParser, Protego]:
    text = client.get("/robots.txt").text
    stdlib = urllib.robotparser.RobotFileParser()
    stdlib.parse(text.splitlines())
    return stdlib, Protego.parse(text)


def test_robots_txt_opens_each_crawler_s_own_prefix_and_no_other(
        client: TestClient, opted: dict[str, int]) -> None:
    stdlib, protego = _parsers(client)
    base = "http://testserver"
    track = opted["open"]
    for agent, path, allowed in (
            ("GPTBot", f"/tracks/{track}", False),
            ("GPTBot", f"{OPENAI}/tracks/{track}", True),
            ("GPTBot", f"{OPENAI}/tracks/{track}/audio", True),
            ("GPTBot", f"/open/web-search/tracks/{track}", False),
            ("ClaudeBot", f"{OPENAI}/tracks/{track}", False),
            ("OAI-SearchBot", f"/tracks/{track}", True)):
        assert stdlib.can_fetch(agent, base + path) is allowed, (agent, path)
        assert protego.can_fetch(base + path, agent) is allowed, (agent, path)
    assert f"Sitemap: {base}{OPENAI}/sitemap.xml" in client.get("/robots.txt").text


def test_the_server_agrees_with_robots_txt(client: TestClient, opted: dict[str, int]) -> None:
    open_id, closed_id = opted["open"], opted["closed"]
    sent = client.get(f"/tracks/{open_id}", headers={"User-Agent": GPTBOT},
                      follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (308, f"{OPENAI}/tracks/{open_id}")
    page = client.get(f"{OPENAI}/tracks/{open_id}", headers={"User-Agent": GPTBOT})
    assert page.status_code == 200 and 'rel="canonical"' in page.headers["link"]
    audio = client.get(f"/v1/tracks/{open_id}/audio", headers={"User-Agent": GPTBOT})
    assert audio.status_code == 200 and audio.url.path == f"{OPENAI}/tracks/{open_id}/audio"
    # the other track is not open for OpenAI: refused where it lives, absent from the prefix
    assert client.get(f"/tracks/{closed_id}", headers={"User-Agent": GPTBOT}).status_code == 403
    assert client.get(f"{OPENAI}/tracks/{closed_id}").status_code == 404
    # another company's crawler on OpenAI's prefix is judged by its own use
    assert client.get(f"{OPENAI}/tracks/{open_id}",
                      headers={"User-Agent": CLAUDEBOT}).status_code == 403
    assert client.get("/open/not-a-purpose/tracks/1").status_code == 404
    assert client.get("/open/recommendations/tracks/1").status_code == 404


def test_the_sitemap_lists_exactly_the_open_tracks(client: TestClient,
                                                   opted: dict[str, int]) -> None:
    sitemap = client.get(f"{OPENAI}/sitemap.xml")
    assert sitemap.status_code == 200
    assert f"{OPENAI}/tracks/{opted['open']}</loc>" in sitemap.text
    assert f"{OPENAI}/tracks/{opted['open']}/audio</loc>" in sitemap.text
    assert f"/tracks/{opted['closed']}<" not in sitemap.text
    assert client.get(f"{OPENAI}/sitemap-2.xml").status_code == 404


def test_the_crawler_let_in_reads_what_it_is_let_in_for_and_no_one_else_does(
        client: TestClient, opted: dict[str, int]) -> None:
    """One verdict per (crawler, path): robots.txt's Content-Usage rule for the prefix, the
    headers GPTBot gets there and the enforcer all say OpenAI may train on this track; a
    browser on the same path reads the track's own reservation, since no vocabulary can say
    "only OpenAI" (the response varies by User-Agent)."""
    track, text = opted["open"], client.get("/robots.txt").text
    path = f"{OPENAI}/tracks/{track}"
    assert robots_usage(text, "GPTBot", path) == {"train-ai": True}
    assert robots_usage(text, "GPTBot", f"/tracks/{track}")["train-ai"] is False
    gpt = client.get(path, headers={"User-Agent": GPTBOT})
    assert gpt.status_code == 200 and "User-Agent" in gpt.headers["vary"]
    assert content_usage(gpt.headers["content-usage"])["train-ai"] is True
    assert gpt.headers["tdm-reservation"] == "0" and "noai" not in gpt.headers.get(
        "x-robots-tag", "")
    crawler = next(c for c in load_registry().crawlers if c.token == "GPTBot")
    seen = conclude(crawler, "GPTBot", True, gpt.status_code, gpt.headers,
                    robots_usage(text, "GPTBot", path))
    assert seen.train == "allowed" and seen.disagreements == ()
    browser = client.get(path)
    assert content_usage(browser.headers["content-usage"])["train-ai"] is False
    assert browser.headers["tdm-reservation"] == "1"
    audio = client.get(f"{path}/audio", headers={"User-Agent": GPTBOT})
    assert content_usage(audio.headers["content-usage"])["train-ai"] is True
    assert content_usage(client.get(f"{path}/audio").headers["content-usage"])["train-ai"] is False


def test_an_artist_page_opened_by_the_artist_s_defaults_is_under_the_prefix(
        client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        kofi = parties.create_artist(conn, "Kofi").id
        mara = parties.create_artist(conn, "Mara").id
        consent_choices.record_choice(conn, ConsentChoice(
            kofi, "third-party-training:openai", Choice.ALLOW))
    moved = client.get(f"/artists/{kofi}", headers={"User-Agent": GPTBOT},
                       follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == f"{OPENAI}/artists/{kofi}"
    there = client.get(moved.headers["location"], headers={"User-Agent": GPTBOT})
    assert there.status_code == 200 and 'rel="canonical"' in there.headers["link"]
    assert client.get(f"/artists/{mara}", headers={"User-Agent": GPTBOT}).status_code == 403
    assert client.get(f"{OPENAI}/artists/{mara}").status_code == 404
