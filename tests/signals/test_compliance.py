"""What a standards-following crawler concludes from robots.txt, the status and the headers."""

from __future__ import annotations

from consentry.signals.compliance import conclude, content_usage
from consentry.signals.crawlers import load_registry

GPTBOT = next(c for c in load_registry().crawlers if c.token == "GPTBot")
RESERVED = {"Content-Usage": "train-ai=n, search=y", "Content-Signal": "search=yes, ai-train=no",
            "tdm-reservation": "1", "X-Robots-Tag": "noai, noimageai"}


def test_content_usage_follows_the_draft_to_the_letter() -> None:
    assert content_usage("train-ai=n, search=y") == {"train-ai": False, "search": True}
    assert content_usage('train-ai="n", search=yes') == {}  # not the Tokens y/n: unknown
    assert content_usage("Train-AI=n") == {}  # a parse failure makes everything unknown
    assert content_usage("train-ai=y, train-ai=n") == {"train-ai": False}  # last one wins
    assert content_usage(None) == {}


def test_a_crawler_kept_out_by_robots_fetches_nothing() -> None:
    seen = conclude(GPTBOT, "GPTBot", False, 403, {})
    assert not seen.fetched and "robots.txt" in seen.why and "403" in seen.why


def test_signals_combine_most_restrictively() -> None:
    seen = conclude(None, "Googlebot", True, 200, RESERVED)
    assert (seen.train, seen.search, seen.ai_input) == ("reserved", "allowed", "reserved")
    # noai alone reserves training even when Content-Usage says yes
    mixed = conclude(None, "x", True, 200, {"Content-Usage": "train-ai=y", "X-Robots-Tag": "noai"})
    assert mixed.train == "reserved"
    silent = conclude(None, "x", True, 200, {})
    assert (silent.train, silent.search, silent.ai_input) == ("unknown", "unknown", "unknown")
    opened = conclude(None, "x", True, 200, {"Content-Usage": "train-ai=y", "tdm-reservation": "0"})
    assert (opened.train, opened.ai_input) == ("allowed", "allowed")
