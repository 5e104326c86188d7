"""The generated robots.txt, read by two real parsers that must agree with the RFC answer."""

from __future__ import annotations

import urllib.robotparser

import pytest
from protego import Protego

from consentry.errors import InvalidInput
from consentry.purposes import VOCABULARY
from consentry.signals.crawlers import load_registry
from consentry.signals.preferences import derive_preferences
from consentry.signals.robots import EXTRA_HEADING, robots_txt

REGISTRY = load_registry()
ALL_ALLOWED = {p.id: True for p in VOCABULARY}
NO_TRAINING = derive_preferences(ALL_ALLOWED | {"train-ai": False, "train-generative": False})
OPEN = derive_preferences(ALL_ALLOWED)
SITE = "https://music.example"
TRACK, HOME = f"{SITE}/tracks/42/audio.mp3", f"{SITE}/"
PATHS = ["/tracks/", "/media/"]


def _verdicts(txt: str, agent: str, url: str) -> bool:
    stdlib = urllib.robotparser.RobotFileParser()
    stdlib.parse(txt.splitlines())
    by_stdlib = stdlib.can_fetch(agent, url)
    by_protego = Protego.parse(txt).can_fetch(url, agent)
    assert by_stdlib == by_protego, (agent, url)
    return by_protego


@pytest.mark.parametrize(("agent", "track_allowed"), [
    ("GPTBot", False), ("ClaudeBot", False), ("CCBot", False), ("Google-Extended", False),
    ("Applebot-Extended", False), ("Applebot", True), ("OAI-SearchBot", True),
    ("ChatGPT-User", True), ("Googlebot", True), ("SomeBrowser", True),
])
def test_training_crawlers_are_kept_out_of_the_reserved_paths(agent: str,
                                                              track_allowed: bool) -> None:
    txt = robots_txt(REGISTRY, NO_TRAINING, PATHS)
    assert _verdicts(txt, agent, TRACK) is track_allowed
    assert _verdicts(txt, agent, HOME) is True


@pytest.mark.parametrize("agent", ["GPTBot", "ClaudeBot", "CCBot", "Google-Extended",
                                   "Googlebot", "SomeBrowser"])
def test_an_open_site_lets_everyone_in(agent: str) -> None:
    txt = robots_txt(REGISTRY, OPEN, PATHS)
    assert _verdicts(txt, agent, TRACK) and _verdicts(txt, agent, HOME)


def test_denying_ai_input_keeps_user_triggered_fetchers_out() -> None:
    txt = robots_txt(REGISTRY, derive_preferences(ALL_ALLOWED | {"ai-input": False}), PATHS)
    assert not _verdicts(txt, "ChatGPT-User", TRACK)
    assert _verdicts(txt, "GPTBot", TRACK) and _verdicts(txt, "OAI-SearchBot", TRACK)


def _groups(txt: str) -> list[list[str]]:
    body = [line for line in txt.splitlines() if not line.startswith("#")]
    return [group.splitlines() for group in "\n".join(body).strip().split("\n\n")]


def test_every_group_carries_the_preferences_and_no_token_has_two_groups() -> None:
    txt = robots_txt(REGISTRY, NO_TRAINING, PATHS)
    groups = _groups(txt)
    agents = [group[0].removeprefix("User-agent: ").lower() for group in groups]
    assert len(agents) == len(set(agents)) == len(REGISTRY.crawlers) + 1 and agents[-1] == "*"
    for group in groups:
        assert "Content-Usage: train-ai=n, ai-use=y, search=y" in group
        assert "Content-Signal: search=yes, ai-input=yes, ai-train=no" in group
        assert "" not in group and not any("*" in line for line in group[1:])


def test_operator_lines_are_appended_after_a_comment() -> None:
    extra = "User-agent: BadBot\nDisallow: /\nSitemap: https://music.example/sitemap.xml"
    txt = robots_txt(REGISTRY, NO_TRAINING, PATHS, extra)
    assert txt.endswith(f"{EXTRA_HEADING}\n{extra}\n")
    assert txt.startswith(robots_txt(REGISTRY, NO_TRAINING, PATHS))
    assert not _verdicts(txt, "BadBot", HOME)
    assert not _verdicts(txt, "GPTBot", TRACK) and _verdicts(txt, "Googlebot", TRACK)


@pytest.mark.parametrize("extra", ["Disallow: /admin/", "user-agent: gptbot\nAllow: /",
                                   "User-agent: *\nDisallow: /"])
def test_operator_lines_cannot_override_the_generated_groups(extra: str) -> None:
    with pytest.raises(InvalidInput):
        robots_txt(REGISTRY, NO_TRAINING, PATHS, extra)


@pytest.mark.parametrize("path", ["tracks/", "/a b/", "/x#y", "/ok/\n", "/ok/\nUser-agent: *"])
def test_bad_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidInput):
        robots_txt(REGISTRY, NO_TRAINING, [path])


def test_a_full_user_agent_string_finds_its_group_in_protego() -> None:
    txt = robots_txt(REGISTRY, NO_TRAINING, PATHS)
    agent = "Mozilla/5.0 (compatible; GPTBot/1.1; +https://openai.com/gptbot)"
    assert not Protego.parse(txt).can_fetch(TRACK, agent)
    assert REGISTRY.match(agent) is not None


def test_urllib_wants_the_product_token_not_the_user_agent_string() -> None:
    """Issue 16, scenario 7, as docs/signals.md says: Python's urllib.robotparser cuts the
    agent at its first "/" and looks for groups inside what is left, so a full User-Agent
    string (which starts "Mozilla/5.0") finds no group of its own and reads "*". Called with
    the product token, as RFC 9309 means, it agrees with protego."""
    txt = robots_txt(REGISTRY, NO_TRAINING, PATHS)
    full = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; " \
           "+https://openai.com/gptbot"
    stdlib = urllib.robotparser.RobotFileParser()
    stdlib.parse(txt.splitlines())
    assert stdlib.can_fetch(full, TRACK)  # the "*" group: the wrong group
    assert not Protego.parse(txt).can_fetch(TRACK, full)
    token = REGISTRY.match(full)
    assert token is not None and not stdlib.can_fetch(token.token, TRACK)  # the right one


def test_a_kept_out_crawler_s_open_prefix_carries_its_own_content_usage_rule() -> None:
    """attach-05's path-scoped rule: inside the open prefix the crawler reads what it is let
    in for (the longest match), elsewhere the site's defaults."""
    groups = {g[0].removeprefix("User-agent: "): g for g in _groups(
        robots_txt(REGISTRY, NO_TRAINING, PATHS))}
    assert "Content-Usage: /open/third-party-training-openai/ train-ai=y" in groups["GPTBot"]
    assert not any(line.startswith("Content-Usage: /") for line in groups["*"])
