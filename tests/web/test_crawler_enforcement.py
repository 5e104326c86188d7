"""AI crawlers are judged by the artists' choices: refused with a reason, counted, shown to
admins; unidentified clients that scrape too fast are throttled."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from consentry.consent import Choice, ConsentChoice
from consentry.services import consent_choices
from consentry.settings import Settings
from consentry.store import catalogue, media, parties
from consentry.store.refusals import recent_refusals
from consentry.store.tokens import Role, create_token
from consentry.web.app import create_app
from consentry.web.throttle import TokenBuckets
from tests.audio.synth import write_audio
from tests.conftest import TEST_SECRET

GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; " \
         "+https://openai.com/gptbot"
CLAUDEBOT = "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"
SEARCHBOT = "Mozilla/5.0 (compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot)"
USERBOT = "Mozilla/5.0 (compatible; ChatGPT-User/1.0; +https://openai.com/bot)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


@pytest.fixture
def song(engine: Engine, settings: Settings, tmp_path) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """An artist with one track that has a recording."""
    with engine.begin() as conn:
        artist = parties.create_artist(conn, "Ada")
        track = catalogue.create_track(conn, "Song", artist.id)
    recording = tmp_path / "song.wav"
    write_audio(recording, "wav", seconds=0.5)
    with recording.open("rb") as source:
        stored = media.store_upload(source, settings.data_dir, settings.max_upload_bytes,
                                    max_seconds=60)
    with engine.begin() as conn:
        catalogue.attach_audio(conn, track.id, stored)
    return artist.id, track.id


def _get(client: TestClient, path: str, agent: str) -> int:
    return client.get(path, headers={"User-Agent": agent}).status_code


def test_training_crawlers_are_refused_with_a_reason_and_counted(
    client: TestClient, engine: Engine, song: tuple[int, int]
) -> None:
    artist, track = song
    refused = client.get(f"/tracks/{track}", headers={"User-Agent": GPTBOT})
    assert refused.status_code == 403
    body = refused.json()
    assert body["error"] == "ai-use-reserved"
    assert (body["crawler"], body["operator"]) == ("GPTBot", "OpenAI")
    assert body["purpose"] == "third-party-training:openai"
    assert "GPTBot" in body["detail"] and body["detail"].endswith(".")
    assert _get(client, f"/v1/tracks/{track}/audio", GPTBOT) == 403
    assert _get(client, f"/artists/{artist}", CLAUDEBOT) == 403
    # search crawlers and browsers keep working
    for agent in (SEARCHBOT, BROWSER, "Googlebot/2.1"):
        assert _get(client, f"/tracks/{track}", agent) == 200
        assert _get(client, f"/v1/tracks/{track}/audio", agent) == 200
    # an artist's "no AI input" (the default) keeps user-triggered fetchers out
    assert _get(client, f"/tracks/{track}", USERBOT) == 403

    with engine.connect() as conn:
        counts = {(r.agent, r.kind, r.purpose): r.count for r in recent_refusals(conn)}
    assert counts == {("GPTBot", "crawler", "third-party-training:openai"): 2,
                      ("ClaudeBot", "crawler", "third-party-training:anthropic"): 1,
                      ("ChatGPT-User", "crawler", "ai-input"): 1}


def test_an_opt_in_for_one_company_lets_only_its_crawler_in(
    client: TestClient, engine: Engine, song: tuple[int, int]
) -> None:
    artist, track = song
    with engine.begin() as conn:
        for purpose in ("ai-use", "train-ai", "third-party-training:openai"):
            consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
    assert _get(client, f"/tracks/{track}", GPTBOT) == 200
    assert _get(client, f"/v1/tracks/{track}/audio", GPTBOT) == 200
    assert _get(client, f"/tracks/{track}", CLAUDEBOT) == 403
    # and a later "no" on this track shuts the door again, on the next request
    with engine.begin() as conn:
        consent_choices.record_choice(conn, ConsentChoice(artist, "train-ai", Choice.DENY,
                                                 track_id=track))
    assert _get(client, f"/tracks/{track}", GPTBOT) == 403


def test_admins_see_the_refusals(client: TestClient, engine: Engine,
                                 song: tuple[int, int]) -> None:
    _artist, track = song
    with engine.begin() as conn:
        admin_headers = {"Authorization": "Bearer " + create_token(
            conn, TEST_SECRET, "admin", Role.ADMIN).secret}
    for _ in range(3):
        _get(client, f"/tracks/{track}", GPTBOT)
    rows = client.get("/v1/signals/refusals", headers=admin_headers).json()
    assert [(r["agent"], r["kind"], r["count"]) for r in rows] == [("GPTBot", "crawler", 3)]
    crawlers = client.get("/v1/signals/crawlers").json()
    assert {"token": "CCBot", "operator": "Common Crawl", "kind": "training",
            "purpose": "third-party-training:common-crawl",
            "respects_robots": True} in crawlers["crawlers"]


@pytest.fixture
def throttled_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    # one request each 10 s refilled: a slow machine serving the burst cannot earn a 4th
    strict = settings.model_copy(update={"scrape_requests_per_minute": 6, "scrape_burst": 3})
    with TestClient(create_app(strict, engine)) as test_client:
        yield test_client


def test_fast_unidentified_clients_get_429_with_retry_after(
    throttled_client: TestClient, engine: Engine, song: tuple[int, int]
) -> None:
    _artist, track = song
    statuses = [_get(throttled_client, f"/tracks/{track}", "scraper") for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = throttled_client.get(f"/v1/tracks/{track}/audio")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    # The header and the body say the same wait, exactly.
    assert limited.headers["retry-after"] == str(limited.json()["retry_after"])
    # A range on purpose: 6 a minute refill one request each 10 s, so the wait, rounded up,
    # is 1 to 10 s, and where in that range depends on how long the burst took to serve.
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    # the open prefixes are public content too
    assert throttled_client.get(f"/open/web-search/tracks/{track}").status_code == 429
    # the rest of the site and the API are not throttled
    assert throttled_client.get("/").status_code == 200
    assert throttled_client.get("/robots.txt").status_code == 200
    throttled_client.__exit__(None, None, None)  # shutdown flushes the counts
    with engine.connect() as conn:
        assert [(r.agent, r.kind, r.count) for r in recent_refusals(conn)] == [
            ("unidentified", "throttled", 2)]


def test_head_requests_get_the_same_headers_and_verdicts(
    client: TestClient, song: tuple[int, int]
) -> None:
    _artist, track = song
    for path in (f"/tracks/{track}", f"/v1/tracks/{track}/audio", "/robots.txt"):
        head, get = client.head(path), client.get(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers.get("tdm-reservation") == get.headers.get("tdm-reservation")
    assert client.head(f"/v1/tracks/{track}/audio").headers["etag"] == client.get(
        f"/v1/tracks/{track}/audio").headers["etag"]
    assert client.head(f"/tracks/{track}", headers={"User-Agent": GPTBOT}).status_code == 403


def test_token_buckets_refill_at_the_configured_rate() -> None:
    buckets = TokenBuckets(per_minute=120, burst=2)  # two a second
    assert [buckets.take("a", 0.0), buckets.take("a", 0.0)] == [None, None]
    assert buckets.take("a", 0.0) == pytest.approx(0.5)  # half a second to the next token
    assert buckets.take("a", 0.25) == pytest.approx(0.25)
    assert buckets.take("a", 0.5) is None  # refilled by then
    assert buckets.take("b", 0.5) is None  # each client has its own bucket
    assert buckets.take("a", 10.0) is None and buckets.take("a", 10.0) is None
    assert buckets.take("a", 10.0) is not None  # the burst caps what idling saves up


def test_a_known_crawler_out_of_tokens_still_hears_why_it_is_refused(
    throttled_client: TestClient, engine: Engine, song: tuple[int, int]
) -> None:
    """Issue 16, scenario 6: the 403 with its explanation comes before throttling."""
    artist, track = song
    for _ in range(5):  # past the burst of 3: every answer is still the reasoned 403
        refused = throttled_client.get(f"/tracks/{track}", headers={"User-Agent": GPTBOT})
        assert refused.status_code == 403
        assert refused.json()["error"] == "ai-use-reserved"
    with engine.begin() as conn:  # once the artist lets OpenAI train, it is only throttled
        for purpose in ("train-generative", "third-party-training:openai"):
            consent_choices.record_choice(conn, ConsentChoice(artist, purpose, Choice.ALLOW))
    limited = throttled_client.get(f"/tracks/{track}", headers={"User-Agent": GPTBOT})
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    throttled_client.__exit__(None, None, None)
    with engine.connect() as conn:
        counted = {(r.agent, r.kind): r.count for r in recent_refusals(conn)}
    assert counted == {("GPTBot", "crawler"): 5, ("GPTBot", "throttled"): 1}


@pytest.mark.slow
def test_refusal_counts_are_written_within_the_flush_interval(
    settings: Settings, engine: Engine, song: tuple[int, int]
) -> None:
    """Counts are flushed by the app's own task, not only when a later refusal comes by."""
    strict = settings.model_copy(update={"scrape_requests_per_minute": 60, "scrape_burst": 1})
    _artist, track = song
    app = create_app(strict, engine)
    app.state.refusal_counts.interval = 0.2  # five seconds in production
    with TestClient(app) as client:
        assert [_get(client, f"/tracks/{track}", "scraper") for _ in range(2)] == [200, 429]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if recent_refusals(conn):
                    break
            time.sleep(0.05)
        with engine.connect() as conn:  # the app still runs: no shutdown flush helped
            assert [(r.agent, r.count) for r in recent_refusals(conn)] == [("unidentified", 1)]
