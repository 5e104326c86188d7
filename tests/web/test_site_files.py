"""The site files and the platform-wide signals, served by the app and read by real parsers."""

from __future__ import annotations

import json
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import http_sfv
import pytest
from fastapi.testclient import TestClient
from protego import Protego
from sqlalchemy.engine import Engine

from consentry.settings import Settings
from consentry.store import catalogue, parties
from consentry.web.app import create_app

SITE = "http://testserver"


def _can_fetch(txt: str, agent: str, path: str) -> bool:
    stdlib = urllib.robotparser.RobotFileParser()
    stdlib.parse(txt.splitlines())
    by_protego = Protego.parse(txt).can_fetch(SITE + path, agent)
    assert stdlib.can_fetch(agent, SITE + path) == by_protego, (agent, path)
    return by_protego


@pytest.mark.parametrize(("agent", "allowed"), [
    ("GPTBot", False), ("ClaudeBot", False), ("CCBot", False), ("Google-Extended", False),
    ("ChatGPT-User", False), ("Googlebot", True), ("OAI-SearchBot", True),
    ("SomeBrowser", True)])
def test_robots_txt_follows_the_platform_defaults(client: TestClient, agent: str,
                                                  allowed: bool) -> None:
    response = client.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    for path in ("/tracks/1", "/v1/tracks/1/audio", "/artists/1"):
        assert _can_fetch(response.text, agent, path) is allowed
    assert _can_fetch(response.text, agent, "/") is True
    assert "Content-Usage: train-ai=n, ai-use=n, search=y" in response.text


def test_the_operators_robots_lines_are_kept_and_bad_ones_ignored(
    client: TestClient, settings: Settings
) -> None:
    (settings.data_dir / "robots.extra.txt").write_text(
        "User-agent: BadBot\nDisallow: /\n\nSitemap: https://music.example/sitemap.xml\n")
    txt = client.get("/robots.txt").text
    assert not _can_fetch(txt, "BadBot", "/")
    assert "Sitemap: https://music.example/sitemap.xml" in txt
    # a second GPTBot group would be read by some parsers only: the extra lines are dropped
    (settings.data_dir / "robots.extra.txt").write_text("User-agent: GPTBot\nAllow: /\n")
    txt = client.get("/robots.txt").text
    assert "Added by the site operator" not in txt
    assert not _can_fetch(txt, "GPTBot", "/tracks/1")


def test_ai_txt_and_tdmrep_reserve_the_music(client: TestClient) -> None:
    ai_txt = client.get("/ai.txt").text
    assert not Protego.parse(ai_txt).can_fetch(f"{SITE}/files/a.mp3", "img2dataset")
    entries = client.get("/.well-known/tdmrep.json").json()
    assert {"location": "/tracks/*", "tdm-reservation": 1} in entries
    assert client.get("/license.xml").status_code == 404
    assert client.get("/.well-known/tdm-policy.json").status_code == 404


def test_pages_about_no_content_carry_the_platform_signals(client: TestClient) -> None:
    home = client.get("/")
    parsed = http_sfv.Dictionary()
    parsed.parse(home.headers["content-usage"].encode())
    assert str(parsed["train-ai"].value) == "n"
    assert home.headers["tdm-reservation"] == "1"
    assert home.headers["x-robots-tag"] == "noai, noimageai"
    assert '<meta name="robots" content="noai, noimageai">' in home.text
    assert '<meta name="tdm-reservation" content="1">' in home.text
    # JSON API responses are not content pages and carry no page signals
    assert "tdm-reservation" not in client.get("/v1/purposes").headers


@pytest.fixture
def licensing_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    offered = settings.model_copy(update={
        "licence_terms_url": "https://music.example/licensing",
        "public_url": "https://music.example"})
    with TestClient(create_app(offered, engine)) as test_client:
        yield test_client


def test_an_offered_licence_is_announced_everywhere(licensing_client: TestClient,
                                                    engine: Engine) -> None:
    robots = licensing_client.get("/robots.txt").text
    assert "License: https://music.example/license.xml" in robots.splitlines()
    licence = licensing_client.get("/license.xml")
    assert licence.headers["content-type"] == "application/rsl+xml"
    root = ET.fromstring(licence.text)
    assert root.tag == "{https://rslstandard.org/rsl}rsl"
    entries = licensing_client.get("/.well-known/tdmrep.json").json()
    assert entries[0]["tdm-policy"] == "https://music.example/.well-known/tdm-policy.json"
    policy = json.loads(licensing_client.get("/.well-known/tdm-policy.json").text)
    assert policy["permission"][0]["action"] == "tdm:mine"
    home = licensing_client.get("/")
    assert home.headers["link"] == '</license.xml>; rel="license"; type="application/rsl+xml"'
    with engine.begin() as conn:
        track = catalogue.create_track(conn, "Song", parties.create_artist(conn, "Ada").id)
    page = licensing_client.get(f"/tracks/{track.id}")
    assert page.headers["tdm-policy"] == "https://music.example/.well-known/tdm-policy.json"
    assert page.headers["link"] == home.headers["link"]
    assert ('<meta name="tdm-policy" content="https://music.example/.well-known/'
            'tdm-policy.json">') in page.text
