"""robots.txt generated from the site's preferences (RFC 9309 plus the aipref lines of
draft-ietf-aipref-attach-05 and Content Signals' lines).

Written so that every parser we test reaches RFC 9309's answer (docs/signals.md, "Site-wide
files"): one group per product token, no blank line inside a group, no wildcards, and the
preference lines repeated in every group because a crawler with its own group ignores ``*``
(RFC 9309 section 2.2.1: a crawler obeys the group that names it, else ``*``).

A crawler kept out of the content paths is let into its own open prefix
(``/open/<purpose>/``, see ``open_paths``), where the tracks allowed for its purpose are
served; the Allow line comes first, since Python's parser takes the first rule that matches
where RFC 9309 takes the longest. A ``Content-Usage`` rule scoped to that prefix tells the crawler
what it is let in for there (the group's path-less rule states the site's defaults elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from consentry.errors import InvalidInput
from consentry.purposes import get_purpose
from consentry.signals.crawlers import Crawler, CrawlerRegistry
from consentry.signals.enforcement import crawler_purpose
from consentry.signals.open_paths import OPEN_ROOT, open_prefix, sitemap_path
from consentry.signals.preferences import ContentPreferences, content_signal, content_usage_header

_PATH = re.compile(r"/[^\s#]*")
_GROUP_RULES = {"allow", "disallow", "content-usage", "content-signal", "crawl-delay"}
EXTRA_HEADING = "# Added by the site operator"


def keeps_out(crawler: Crawler, prefs: ContentPreferences) -> bool:
    """Whether the site's defaults keep ``crawler`` out of the content paths."""
    if crawler.purpose == "training":
        return prefs.reserves_training
    if crawler.purpose == "user":
        return prefs.ai_input is False
    return prefs.search is False or prefs.signal_search is False


def _group(agent: str, disallow: Iterable[str], preference_lines: list[str],
           opened: str | None = None, opened_usage: str | None = None) -> list[str]:
    # urllib's parser drops a group without any rule, so an open group says "Allow: /".
    rules = [f"Disallow: {path}" for path in disallow] or ["Allow: /"]
    if opened is not None and rules != ["Allow: /"]:
        rules = [f"Allow: {opened}", f"Disallow: {OPEN_ROOT}", *rules]
        if opened_usage:  # attach-05: the longest matching Content-Usage rule applies
            preference_lines = [*preference_lines, f"Content-Usage: {opened} {opened_usage}"]
    return [f"User-agent: {agent}", *rules, *preference_lines]


def opened_usage(purpose: str) -> str | None:
    """What the open prefix of ``purpose`` says to the crawler it is opened for, in aipref:
    every track there is allowed for that purpose (``seen_by`` says the same per response)."""
    category = get_purpose(purpose).aipref
    return f"{category}=y" if category else None


def _check_extra(extra_lines: str, generated: set[str]) -> list[str]:
    lines = extra_lines.splitlines()
    in_group = False
    for number, line in enumerate(lines, 1):
        key, colon, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            continue
        if key == "user-agent":
            in_group = True
            if value.lower() in generated:
                raise InvalidInput(
                    f"extra robots.txt line {number} opens a second group for {value!r}; "
                    "some parsers read only the first, so edit the preferences instead",
                    {"line": line})
        elif key in _GROUP_RULES and not in_group:
            raise InvalidInput(
                f"extra robots.txt line {number} comes before any User-agent line and would "
                "silently join the last generated group", {"line": line})
    return lines


def robots_txt(registry: CrawlerRegistry, site_prefs: ContentPreferences,
               disallow_paths: Iterable[str], extra_lines: str = "",
               base_url: str | None = None) -> str:
    """The whole file: a group per known crawler (kept out of ``disallow_paths`` when the site
    denies its kind of use, and let into its own open prefix), then ``*``, then the sitemaps
    of the open prefixes (with ``base_url``), then the operator's own lines."""
    paths = list(dict.fromkeys(disallow_paths))
    bad = [p for p in paths if not _PATH.fullmatch(p)]
    if bad:
        raise InvalidInput("disallowed paths must start with '/' and hold no space or '#'",
                           {"paths": bad})
    usage, signal = content_usage_header(site_prefs), content_signal(site_prefs)
    preference_lines = ([f"Content-Usage: {usage}"] if usage else []) + (
        [f"Content-Signal: {signal}"] if signal else [])
    # Longest token first: urllib takes the first group whose token is a substring of the
    # agent, so Applebot-Extended must come before Applebot.
    crawlers = sorted(registry.crawlers, key=lambda c: (-len(c.token), c.token.lower()))
    lines = ["# Generated by consentry from the artists' AI-use choices.",
             f"# Crawler list: {registry.source} ({registry.date})"]
    opened: dict[str, None] = {}
    for crawler in crawlers:
        kept_out = keeps_out(crawler, site_prefs)
        blocked = paths if kept_out else []
        purpose = crawler_purpose(crawler)
        prefix = open_prefix(purpose) if kept_out else None
        if kept_out:
            opened[purpose] = None
        lines += ["", *_group(crawler.token, blocked, preference_lines, prefix,
                              opened_usage(purpose))]
    lines += ["", *_group("*", [], preference_lines)]
    if base_url is not None and opened:
        lines += ["", *(f"Sitemap: {base_url}{sitemap_path(p)}" for p in sorted(opened))]
    generated = {c.token.lower() for c in crawlers} | {"*"}
    extra = _check_extra(extra_lines, generated)
    if extra:
        lines += ["", EXTRA_HEADING, *extra]
    return "\n".join(lines) + "\n"
