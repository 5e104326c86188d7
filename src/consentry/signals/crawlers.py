"""The AI crawlers we know by product token, and which of them a User-Agent names.

The list is data (``crawlers.json``, dated and sourced) because operators rename and add
crawlers more often than we release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from consentry.errors import ConsentryError

CrawlerPurpose = Literal["training", "search", "user"]
PURPOSES: tuple[CrawlerPurpose, ...] = ("training", "search", "user")
# RFC 9309 section 2.2.1: a product token is made of letters, "_" and "-".
PRODUCT_TOKEN = re.compile(r"^[A-Za-z_-]+$")
# A token inside a User-Agent ends where token characters (and version digits) stop.
_TOKEN_CHARS = r"A-Za-z0-9_-"


class InvalidCrawlerRegistry(ConsentryError):
    """A crawler registry file that is not the documented shape."""


@dataclass(frozen=True)
class Crawler:
    """One AI crawler's robots.txt product token and what its operator uses it for."""

    token: str
    operator: str
    purpose: CrawlerPurpose
    respects_robots: bool
    note: str = ""


@dataclass(frozen=True)
class CrawlerRegistry:
    """Known crawlers, with the source and date of the list."""

    source: str
    date: str
    crawlers: tuple[Crawler, ...]

    def match(self, user_agent: str) -> Crawler | None:
        """The crawler whose token appears in ``user_agent`` as a whole token, ignoring case;
        the longest wins, so ``Claude-User`` beats a crawler named ``Claude``."""
        found = [c for c in self.crawlers if _mentions(user_agent, c.token)]
        return max(found, key=lambda c: len(c.token), default=None)

    def by_purpose(self, purpose: CrawlerPurpose) -> tuple[Crawler, ...]:
        """Crawlers of one kind, in file order."""
        return tuple(c for c in self.crawlers if c.purpose == purpose)


# Public web search engines: not AI crawlers, so no AI crawler list names them, but a track
# whose artist keeps it out of web search must be kept from them too (judged as web-search).
WEB_SEARCH_ENGINES = (
    Crawler("Googlebot", "Google", "search", True, "web search; Google-Extended is its AI use"),
    Crawler("Bingbot", "Microsoft", "search", True, "web search, also feeds Copilot answers"),
)


def with_search_engines(registry: CrawlerRegistry) -> CrawlerRegistry:
    """The registry and the web search engines it does not name already."""
    known = {c.token.lower() for c in registry.crawlers}
    extra = tuple(c for c in WEB_SEARCH_ENGINES if c.token.lower() not in known)
    return replace(registry, crawlers=registry.crawlers + extra)


def _mentions(user_agent: str, token: str) -> bool:
    pattern = rf"(?<![{_TOKEN_CHARS}]){re.escape(token)}(?![{_TOKEN_CHARS}])"
    return re.search(pattern, user_agent, re.IGNORECASE) is not None


def _fail(message: str, detail: object = None) -> InvalidCrawlerRegistry:
    return InvalidCrawlerRegistry(f"crawler registry: {message}", detail)


def _crawler(index: int, entry: object) -> Crawler:
    if not isinstance(entry, dict):
        raise _fail(f"entry {index} is not an object", entry)
    missing = {"token", "operator", "purpose", "respects_robots"} - entry.keys()
    unknown = entry.keys() - {"token", "operator", "purpose", "respects_robots", "note"}
    if missing or unknown:
        raise _fail(f"entry {index} has missing or unknown fields",
                    {"missing": sorted(missing), "unknown": sorted(unknown)})
    token, operator, purpose = entry["token"], entry["operator"], entry["purpose"]
    note = entry.get("note", "")
    if not isinstance(token, str) or not PRODUCT_TOKEN.match(token):
        raise _fail(f"entry {index}: token must be an RFC 9309 product token", token)
    if not isinstance(operator, str) or not operator or not isinstance(note, str):
        raise _fail(f"entry {index}: operator and note must be text", entry)
    if purpose not in PURPOSES:
        raise _fail(f"entry {index}: purpose must be one of {', '.join(PURPOSES)}", purpose)
    if not isinstance(entry["respects_robots"], bool):
        raise _fail(f"entry {index}: respects_robots must be true or false", entry)
    return Crawler(token, operator, cast(CrawlerPurpose, purpose), entry["respects_robots"], note)


def parse_registry(data: object) -> CrawlerRegistry:
    """Check and convert the decoded JSON; refuses anything but the documented shape."""
    if not isinstance(data, dict):
        raise _fail("the top level must be an object")
    source, date, entries = data.get("source"), data.get("date"), data.get("crawlers")
    if not isinstance(source, str) or not source or not isinstance(date, str) or not date:
        raise _fail('"source" and "date" are required text fields')
    if not isinstance(entries, list) or not entries:
        raise _fail('"crawlers" must be a non-empty list')
    crawlers = tuple(_crawler(i, e) for i, e in enumerate(entries))
    seen: set[str] = set()
    for crawler in crawlers:
        if crawler.token.lower() in seen:
            raise _fail(f"token {crawler.token!r} appears twice (tokens ignore case)")
        seen.add(crawler.token.lower())
    return CrawlerRegistry(source, date, crawlers)


def load_registry(path: Path | str | None = None) -> CrawlerRegistry:
    """Read a registry file; without a path, the one shipped with consentry."""
    try:
        if path is None:
            text = resources.files("consentry.signals").joinpath("crawlers.json").read_text(
                encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _fail(f"cannot read {path or 'the bundled file'}: {error}") from error
    return parse_registry(data)
