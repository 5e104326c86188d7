"""Which known AI crawler a request comes from (by its User-Agent, remembered per string),
and the answer it gets when its kind of use is not allowed."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from consentry.signals.crawlers import Crawler, CrawlerRegistry
from consentry.signals.enforcement import CrawlerRefusal
from consentry.store.refusals import CRAWLER, count_refusals


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


def refusal_response(conn: Connection, refusal: CrawlerRefusal) -> JSONResponse:
    """403 with the machine-readable reason; the count is written in the request's own
    transaction, which commits because nothing is raised."""
    count_refusals(conn, [(refusal.crawler.token, CRAWLER, refusal.purpose, 1)])
    return JSONResponse(refusal.body(), status_code=403,
                        headers={"Cache-Control": "no-store", "Vary": "User-Agent"})
