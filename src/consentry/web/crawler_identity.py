"""Which known AI crawler a request comes from, by its User-Agent, remembered per string."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from consentry.signals.crawlers import Crawler, CrawlerRegistry


@lru_cache(maxsize=4096)
def identify(registry: CrawlerRegistry, user_agent: str) -> Crawler | None:
    """Crawlers send the same few User-Agent strings again and again; matching is a regex per
    token, so the answer is cached (the registry is immutable, hence a valid cache key)."""
    return registry.match(user_agent[:512]) if user_agent else None


def request_crawler(request: Request) -> Crawler | None:
    registry: CrawlerRegistry | None = getattr(request.app.state, "crawlers", None)
    if registry is None:
        return None
    return identify(registry, request.headers.get("user-agent", ""))


KnownCrawler = Annotated[Crawler | None, Depends(request_crawler)]
