"""``consentry signals check`` against the real demo server, as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import demo_server, run

pytestmark = pytest.mark.slow


def test_the_check_shows_the_site_as_each_crawler_sees_it(tmp_path: Path) -> None:
    with demo_server(tmp_path) as (base, tokens):
        result = run({"CONSENTRY_DATA_DIR": str(tmp_path)}, "signals", "check",
                     f"{base}/tracks/1", "--json")
        assert result.returncode == 0, result.stderr
        seen = {c["agent"]: c for c in json.loads(result.stdout)}
        gpt, search, browser = seen["GPTBot"], seen["OAI-SearchBot"], seen["Mozilla"]
        assert (gpt["robots_allows"], gpt["status"], gpt["fetched"]) == (False, 403, False)
        assert (search["robots_allows"], search["status"]) == (True, 200)
        assert (search["train"], search["search"]) == ("reserved", "allowed")
        assert browser["fetched"] and browser["train"] == "reserved"
        # the crawlers' requests were real: the admin sees the refusals
        refusals = httpx.get(f"{base}/v1/signals/refusals",
                             headers={"Authorization": f"Bearer {tokens['admin']}"}).json()
        assert {"GPTBot", "ClaudeBot", "CCBot"} <= {r["agent"] for r in refusals}

        # Mara lets OpenAI train on track 1: GPTBot finds it under its open prefix, and
        # robots.txt and the server agree there (issue 16, scenario 1)
        env = {"CONSENTRY_DATA_DIR": str(tmp_path)}
        assert run(env, "consent", "set", "1", "third-party-training:openai", "allow",
                   "--track", "1").returncode == 0
        again = json.loads(run(env, "signals", "check", f"{base}/tracks/1", "--json").stdout)
        assert len(again) == len({c["agent"] for c in again})  # each agent asked once
        gpt = next(c for c in again if c["agent"] == "GPTBot")
        assert (gpt["robots_allows"], gpt["status"], gpt["fetched"]) == (True, 200, True)
        assert "open prefix /open/third-party-training-openai/tracks/1" in gpt["why"]

        # a demo recording downloads with its rights inside, signed
        download = tmp_path / "harmattan.mp3"
        download.write_bytes(httpx.get(f"{base}/v1/tracks/5/audio").content)
        read = run({"CONSENTRY_DATA_DIR": str(tmp_path)}, "signals", "read", str(download),
                   "--json")
        assert read.returncode == 0, read.stderr
        rights = json.loads(read.stdout)
        assert rights["tags"]["usage"] == "train-ai=n, ai-use=n, search=y"
        assert rights["c2pa"]["intact"] and rights["c2pa"]["validation_state"] == "Valid"
        # Kofi opted into generative training but not voice cloning (issue 16, scenario 3)
        assert rights["c2pa"]["training_mining"]["cawg.ai_generative_training"] == "constrained"
        assert rights["c2pa"]["constraints"]["cawg.ai_generative_training"].startswith(
            "training AI that generates music allowed; ")

        bad = run({"CONSENTRY_DATA_DIR": str(tmp_path)}, "signals", "check", "ftp://x/")
        assert bad.returncode == 1 and "not an http(s) URL" in bad.stderr


def test_no_carrier_disagrees_for_any_demo_content_after_each_scenario(tmp_path: Path) -> None:
    """Issue 16's done-when: after each scenario of the issue, `signals check` over every demo
    track page, recording and artist page finds robots.txt (its verdict and its Content-Usage
    rule), the server's answer and the headers agreeing for every known crawler."""
    env = {"CONSENTRY_DATA_DIR": str(tmp_path)}
    scenarios = [
        [],  # the demo as seeded: Kofi (artist 4) allows generative training, not voice
        [("4", "third-party-training:openai", "allow", "--track", "5")],
        [("4", "web-search", "deny", "--track", "6"),
         ("4", "ai-input", "allow", "--track", "5")],
        [("4", "train-ai", "allow"), ("4", "third-party-training", "allow"),
         ("4", "voice-likeness", "allow")],  # full training opted in
    ]
    with demo_server(tmp_path, scrape_requests_per_minute="0") as (base, _tokens):
        urls = ([f"{base}/tracks/{t}" for t in range(1, 7)]
                + [f"{base}/v1/tracks/{t}/audio" for t in range(1, 7)]
                + [f"{base}/artists/{a}" for a in range(1, 5)])
        for scenario in scenarios:
            for choice in scenario:
                assert run(env, "consent", "set", *choice).returncode == 0
            result = run(env, "signals", "check", *urls, "--json")
            seen = json.loads(result.stdout)
            disagreeing = {(url, c["agent"]): c["disagreements"] for url, cs in seen.items()
                           for c in cs if c["disagreements"]}
            assert not disagreeing and result.returncode == 0, (scenario, disagreeing)
        # at the end, GPTBot fetches Harmattan under its open prefix and reads train-ai=y
        # there, while everyone else still reads the track's own n (it is not open to all)
        gpt = next(c for c in seen[f"{base}/tracks/5"] if c["agent"] == "GPTBot")
        assert gpt["fetched"] and gpt["train"] == "allowed", gpt
        crawl = next(c for c in seen[f"{base}/tracks/6"] if c["agent"] == "OAI-SearchBot")
        assert crawl["status"] == 403 and not crawl["disagreements"]
