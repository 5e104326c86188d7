"""What a standards-following crawler concludes from robots.txt, the status and the headers."""

from __future__ import annotations

from consentry.signals.compliance import conclude, content_usage, robots_usage
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


ROBOTS = """User-agent: GPTBot
Allow: /open/third-party-training-openai/
Disallow: /open/
Disallow: /tracks/
Content-Usage: train-ai=n, search=y
Content-Usage: /open/third-party-training-openai/ train-ai=y  # what it is let in for

User-agent: *
Allow: /
Content-Usage: train-ai=n
"""


def test_robots_usage_takes_the_longest_matching_rule_of_the_crawlers_group() -> None:
    """draft-ietf-aipref-attach-05 section 3: a path-less rule applies everywhere, a longer
    matching path wins, and a crawler without a group of its own reads ``*``."""
    opened = "/open/third-party-training-openai/tracks/5"
    assert robots_usage(ROBOTS, "GPTBot", opened) == {"train-ai": True}
    assert robots_usage(ROBOTS, "gptbot", "/tracks/5") == {"train-ai": False, "search": True}
    assert robots_usage(ROBOTS, "CCBot", opened) == {"train-ai": False}
    assert robots_usage("", "GPTBot", "/") == {}


def test_a_crawler_served_content_its_signals_reserve_is_a_disagreement() -> None:
    served = conclude(GPTBOT, "GPTBot", True, 200, RESERVED, {"train-ai": False})
    assert served.disagreements == ("served, yet the signals reserve its use (train-ai)",)
    told = conclude(GPTBOT, "GPTBot", True, 200,
                    {"Content-Usage": "train-ai=y", "tdm-reservation": "0"}, {"train-ai": False})
    assert told.disagreements == ("robots.txt says train-ai=n here, the response train-ai=y",)
    ignored = conclude(GPTBOT, "GPTBot", False, 200, {"Content-Usage": "train-ai=y"})
    assert "robots.txt keeps it out, yet the server answers 200" in ignored.disagreements
    # a refusal where robots.txt lets it in says why this content differs: no disagreement
    assert conclude(GPTBOT, "GPTBot", True, 403, RESERVED, {"train-ai": True}).disagreements == ()
    assert conclude(None, "Mozilla", True, 200, RESERVED).disagreements == ()
