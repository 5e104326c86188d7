"""Reading a crawler list published elsewhere into our registry shape.

Two shapes are accepted: our own (``{"source", "date", "crawlers": [...]}``) and the
``robots.json`` of the ai.robots.txt project (token -> operator, respect, function, ...), whose
free-text "function" is mapped onto our three kinds; anything we cannot place is treated as a
training crawler, the cautious reading.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from consentry.signals.crawlers import (
    PRODUCT_TOKEN,
    PURPOSES,
    Crawler,
    CrawlerPurpose,
    CrawlerRegistry,
    InvalidCrawlerRegistry,
    parse_registry,
)

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_USER_WORDS = ("user", "assistant", "on behalf", "agent", "real-time", "realtime")


@dataclass(frozen=True)
class ImportedRegistry:
    """The registry read, and the entries left out with the reason for each."""

    registry: CrawlerRegistry
    skipped: tuple[tuple[str, str], ...]


def _kind(function: str) -> CrawlerPurpose:
    text = function.lower()
    if "train" in text:
        return "training"
    if "search" in text:
        return "search"
    if any(word in text for word in _USER_WORDS):
        return "user"
    return "training"


def _text(value: object) -> str:
    return _MARKDOWN_LINK.sub(r"\1", value).strip() if isinstance(value, str) else ""


def _from_ai_robots(data: dict[str, object], source: str, date: str) -> ImportedRegistry:
    crawlers, skipped, seen = [], [], set()
    for token, entry in data.items():
        if not isinstance(entry, dict):
            skipped.append((token, "not an object"))
        elif not PRODUCT_TOKEN.match(token):
            skipped.append((token, "not an RFC 9309 product token"))
        elif token.lower() in seen:
            skipped.append((token, "appears twice (tokens ignore case)"))
        else:
            seen.add(token.lower())
            operator = _text(entry.get("operator")) or "unknown operator"
            respects = _text(entry.get("respect")).lower().startswith("yes")
            function = _text(entry.get("function"))
            crawlers.append(Crawler(token, operator, _kind(function), respects,
                                    function[:200]))
    if not crawlers:
        raise InvalidCrawlerRegistry("crawler registry: no usable entry in the file")
    return ImportedRegistry(CrawlerRegistry(source, date, tuple(crawlers)), tuple(skipped))


def import_registry(text: str, source: str, date: str) -> ImportedRegistry:
    """Our own registry as it is, or an ai.robots.txt ``robots.json`` converted."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidCrawlerRegistry(f"crawler registry: not JSON: {error}") from error
    if isinstance(data, dict) and "crawlers" in data:
        return ImportedRegistry(parse_registry(data), ())
    if isinstance(data, dict):
        return _from_ai_robots(data, source, date)
    raise InvalidCrawlerRegistry("crawler registry: expected a JSON object")


def registry_json(registry: CrawlerRegistry) -> str:
    """The registry in our file shape, ready to be written where the app looks for it."""
    entries = []
    for crawler in registry.crawlers:
        entry = asdict(crawler)
        if not entry["note"]:
            del entry["note"]
        entries.append(entry)
    assert all(e["purpose"] in PURPOSES for e in entries)
    return json.dumps({"source": registry.source, "date": registry.date, "crawlers": entries},
                      indent=2, ensure_ascii=False) + "\n"
