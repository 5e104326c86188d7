"""Interoperability (issue 16): for random consent states over the demo's tracks, what real
clients read from a real server equals the decision. Each client is the real one: http-sfv
parses Content-Usage, the crawlers' requests go over HTTP with their User-Agent strings, and
mutagen, ffprobe and c2pa-python's Reader read each delivered format (WAV, FLAC, MP3).

robots.txt, read by protego (and by urllib.robotparser given the product token): a crawler it
keeps out of /tracks/ or /artists/ finds what it may have under its own open prefix
(``signals/open_paths.py``), and the verdict there is the decision; a crawler served reads its
own use allowed in Content-Usage. A FLAC asked for without its C2PA manifest starts with fLaC
and mutagen opens it whatever its name.
"""

from __future__ import annotations

import json
import subprocess
import urllib.robotparser
from collections.abc import Iterator
from pathlib import Path

import http_sfv
import httpx
import mutagen
import mutagen.flac
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protego import Protego
from sqlalchemy import Connection, Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.services.content_signals import artist_allows
from consentry.signals.c2pa_manifest import read_manifest
from consentry.signals.file_rights import split_ai_usage
from consentry.signals.file_tags import AI_USAGE
from consentry.signals.open_paths import open_artist_path, open_track_path
from consentry.store.catalogue import get_track
from consentry.store.database import make_engine
from tests.e2e.conftest import demo_server

ARTISTS = (1, 2, 4)  # Mara Lind, Juno Vale, Kofi Mensah in the demo
TRACKS = (1, 2, 5, 6)  # Mara's two (one co-owned with Juno), Kofi's two
PURPOSES = ("web-search", "ai-input", "train-generative", "third-party-training",
            "third-party-training:openai", "voice-likeness")
RECORDINGS = {1: "audio/wav", 3: "audio/flac", 5: "audio/mpeg"}  # the demo's three formats
CRAWLERS = {  # User-Agent string -> the purpose its visit is judged under
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot": "third-party-training:openai",
    "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)":
        "third-party-training:anthropic",
    "Mozilla/5.0 (compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot)": "web-search",
    "Mozilla/5.0 (compatible; ChatGPT-User/1.0; +https://openai.com/bot)": "ai-input",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": "web-search",
}

choice = st.tuples(st.sampled_from(ARTISTS), st.sampled_from(PURPOSES),
                   st.sampled_from([Choice.ALLOW, Choice.DENY]),
                   st.one_of(st.none(), st.sampled_from(TRACKS)))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Engine]]:
    data = tmp_path_factory.mktemp("interop")
    # no throttling: the suite sends a few hundred requests a second on purpose
    with demo_server(data, scrape_requests_per_minute="0") as (base, tokens):
        engine = make_engine(f"sqlite:///{data / 'consentry.db'}")
        yield base, tokens, engine
        engine.dispose()


def _usage(value: str) -> dict[str, str]:
    parsed = http_sfv.Dictionary()
    parsed.parse(value.encode())
    return {key: str(item.value) for key, item in parsed.items()}


def _allowed(client: httpx.Client, admin: str, track: int, purpose: str) -> bool:
    answer = client.get(f"/v1/tracks/{track}/decision", params={"purpose": purpose},
                        headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["decision"] == "allow")


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(choices=st.lists(choice, min_size=1, max_size=6))
def test_every_client_reads_what_was_decided(
        live: tuple[str, dict[str, str], Engine], tmp_path: Path,
        choices: list[tuple[int, str, Choice, int | None]]) -> None:
    base, tokens, engine = live
    with engine.begin() as conn:
        for artist, purpose, chosen, track in choices:
            if track is not None and not _owns(conn, artist, track):
                continue
            consent_choices.record_choice(conn, ConsentChoice(
                artist, purpose, chosen, track, source="interop test", recorded_by="test"))
    with httpx.Client(base_url=base, timeout=30) as client:
        text = client.get("/robots.txt").text
        robots, stdlib = Protego.parse(text), urllib.robotparser.RobotFileParser()
        stdlib.parse(text.splitlines())
        for track in TRACKS:
            decided = {p: _allowed(client, tokens["admin"], track, p)
                       for p in {*CRAWLERS.values(), "web-search", "ai-input"}}
            page = client.get(f"/tracks/{track}")
            assert page.status_code == 200
            usage = _usage(page.headers["content-usage"])
            assert (usage["search"] == "y") == decided["web-search"], (track, usage)
            assert ("noindex" in page.headers.get("x-robots-tag", "")) == (
                not decided["web-search"])
            assert (f"ai-input={'yes' if decided['ai-input'] else 'no'}"
                    in page.headers["content-signal"])
            for agent, purpose in CRAWLERS.items():
                _check_crawler(client, robots, stdlib, base, agent, purpose, decided[purpose],
                               f"/tracks/{track}", open_track_path(purpose, track))
        for artist in ARTISTS:
            with engine.connect() as conn:
                decided = {p: artist_allows(conn, artist, p) for p in set(CRAWLERS.values())}
            page = client.get(f"/artists/{artist}")
            assert (_usage(page.headers["content-usage"])["search"] == "y") == decided[
                "web-search"], artist
            for agent, purpose in CRAWLERS.items():
                _check_crawler(client, robots, stdlib, base, agent, purpose, decided[purpose],
                               f"/artists/{artist}", open_artist_path(purpose, artist))
        # every delivered format, saved under the name the server gives it, read by
        # mutagen, ffprobe and c2pa-python: the same verdicts as the decisions
        for track, mime in RECORDINGS.items():
            _check_file(client, tmp_path, track, mime,
                        _allowed(client, tokens["admin"], track, "web-search"),
                        _allowed(client, tokens["admin"], track, "train-generative"))


_OWN_CATEGORY = {"web-search": "search", "ai-input": "ai-use"}  # else train-ai


def _check_crawler(client: httpx.Client, robots: Protego,
                   stdlib: urllib.robotparser.RobotFileParser, base: str, agent: str,
                   purpose: str, allowed: bool, canonical: str, opened: str) -> None:
    """robots.txt, the server and the headers agree for one crawler on one page."""
    token = agent.split("compatible; ")[1].split("/")[0]
    for path in (canonical, opened):  # urllib, given the product token, reads as protego
        assert stdlib.can_fetch(token, base + path) == robots.can_fetch(base + path, agent)
    direct = client.get(canonical, headers={"User-Agent": agent})
    if robots.can_fetch(base + canonical, agent):  # robots.txt lets it in
        assert direct.status_code == (200 if allowed else 403), (canonical, agent)
        served = direct
    else:
        # kept out: a compliant crawler goes to its own open prefix instead
        assert robots.can_fetch(base + opened, agent), (canonical, agent)
        served = client.get(opened, headers={"User-Agent": agent})
        assert served.status_code == (200 if allowed else 404), (canonical, agent)
        # and one that asks for the canonical path anyway is sent there, or refused
        assert direct.status_code == (308 if allowed else 403), (canonical, agent)
    if served.status_code == 200:  # let in for its use, and told so
        own = _OWN_CATEGORY.get(purpose, "train-ai")
        assert _usage(served.headers["content-usage"])[own] == "y", (canonical, agent)
        assert "User-Agent" in served.headers["vary"]


def _check_file(client: httpx.Client, folder: Path, track: int, mime: str, search: bool,
                generative: bool) -> None:
    response = client.get(f"/v1/tracks/{track}/audio")
    assert response.status_code == 200, response.text
    name = response.headers["content-disposition"].split('filename="')[1].rstrip('"')
    saved = folder / name
    saved.write_bytes(response.content)
    opened = mutagen.File(saved)
    assert opened is not None and opened.tags is not None, name
    usage = (opened.tags[AI_USAGE][0] if mime == "audio/flac"
             else str(opened.tags[f"TXXX:{AI_USAGE}"].text[0]))
    probed = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(saved)],
        capture_output=True, text=True, check=True).stdout)["format"].get("tags", {})
    by_ffprobe = {k.lower(): v for k, v in probed.items()}
    seen_by_ffprobe = by_ffprobe.get("ai_usage") or by_ffprobe.get("comment") or ""
    for text in (usage, seen_by_ffprobe):
        members = _usage(split_ai_usage(text)[0])
        assert (members["search"] == "y") is search, (name, text)
    manifest = read_manifest(saved, mime)
    assert manifest is not None and manifest.intact, name
    entry = manifest.training_mining["cawg.ai_generative_training"]
    assert (entry != "notAllowed") is generative, (name, entry)
    if mime == "audio/flac":  # the same copy without the manifest's ID3 tag, saved nameless
        plain = folder / "download"
        plain.write_bytes(client.get(f"/v1/tracks/{track}/audio?c2pa=omit").content)
        assert plain.read_bytes()[:4] == b"fLaC"
        opened = mutagen.File(plain)
        assert isinstance(opened, mutagen.flac.FLAC), type(opened)
        assert _usage(split_ai_usage(opened.tags[AI_USAGE][0])[0]) == _usage(split_ai_usage(
            usage)[0])
        assert read_manifest(plain, mime) is None

def _owns(conn: Connection, artist: int, track: int) -> bool:
    return artist in get_track(conn, track).accepted_owner_ids
