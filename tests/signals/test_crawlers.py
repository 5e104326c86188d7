"""The crawler registry: the shipped file, User-Agent matching, and malformed files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consentry.signals.crawlers import (
    Crawler,
    CrawlerRegistry,
    InvalidCrawlerRegistry,
    load_registry,
    parse_registry,
)

REGISTRY = load_registry()


def test_the_shipped_registry_is_dated_sourced_and_has_the_known_tokens() -> None:
    assert REGISTRY.date == "2026-08-22" and "ai.robots.txt" in REGISTRY.source
    tokens = {c.token: c for c in REGISTRY.crawlers}
    assert {"GPTBot", "ClaudeBot", "Google-Extended", "CCBot", "Applebot-Extended",
            "PerplexityBot", "meta-externalagent", "Bytespider"} <= tokens.keys()
    assert tokens["OAI-SearchBot"].purpose == "search"
    assert tokens["Claude-User"].purpose == "user"
    assert not tokens["Bytespider"].respects_robots


@pytest.mark.parametrize(("user_agent", "token"), [
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; "
     "+https://openai.com/gptbot)", "GPTBot"),
    ("gptbot", "GPTBot"),
    ("Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot"),
    ("Mozilla/5.0 (compatible; Claude-User/1.0)", "Claude-User"),
    ("CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot"),
    ("Mozilla/5.0 (Macintosh) Applebot/0.1; +http://www.apple.com/go/applebot", "Applebot"),
    ("meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
     "meta-externalagent"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", None),
    ("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", None),
    ("NotGPTBot/1.0", None),
    ("GPTBotty/1.0", None),
    ("", None),
])
def test_user_agents_match_whole_tokens_only(user_agent: str, token: str | None) -> None:
    crawler = REGISTRY.match(user_agent)
    assert (crawler.token if crawler else None) == token


def test_a_longer_token_is_not_taken_for_a_shorter_one() -> None:
    claude = Crawler("Claude", "Example", "training", respects_robots=True)
    registry = CrawlerRegistry("test", "2026-01-01", (claude,))
    assert registry.match("Mozilla/5.0 (compatible; ClaudeBot/1.0)") is None
    assert registry.match("Mozilla/5.0 (compatible; Claude-User/1.0)") is None
    assert registry.match("Mozilla/5.0 (compatible; claude/1.0)") == claude


def _valid() -> dict[str, object]:
    return {"source": "test", "date": "2026-01-01", "crawlers": [
        {"token": "GPTBot", "operator": "OpenAI", "purpose": "training", "respects_robots": True}]}


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("source"),
    lambda d: d.update(date=""),
    lambda d: d.update(crawlers=[]),
    lambda d: d.update(crawlers="GPTBot"),
    lambda d: d["crawlers"][0].update(purpose="scraping"),
    lambda d: d["crawlers"][0].update(token="GPT Bot"),
    lambda d: d["crawlers"][0].update(respects_robots="yes"),
    lambda d: d["crawlers"][0].pop("operator"),
    lambda d: d["crawlers"][0].update(colour="red"),
    lambda d: d["crawlers"].append(dict(d["crawlers"][0], token="gptbot")),
])
def test_malformed_registries_are_refused(breakage: object) -> None:
    data = _valid()
    breakage(data)  # type: ignore[operator]
    with pytest.raises(InvalidCrawlerRegistry, match="crawler registry"):
        parse_registry(data)


def test_unreadable_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "crawlers.json"
    broken.write_text("{not json")
    with pytest.raises(InvalidCrawlerRegistry, match="cannot read"):
        load_registry(broken)
    with pytest.raises(InvalidCrawlerRegistry, match="cannot read"):
        load_registry(tmp_path / "missing.json")
    broken.write_text(json.dumps(_valid()))
    assert load_registry(broken).crawlers[0].token == "GPTBot"


def test_the_bundled_list_cites_only_documents_that_exist() -> None:
    """robots.txt's second line quotes the list's source; it named a docs/standards.md that
    was never written (issue 23)."""
    root = Path(__file__).resolve().parents[2]
    cited = re.findall(r"[\w./-]+\.md\b", load_registry().source)
    assert [c for c in cited if not (root / c).exists() and not (root / "docs" / c).exists()
            ] == []
    assert "standards.md" not in load_registry().source
