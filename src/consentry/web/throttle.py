"""Per-client rate limits on the public content, against scrapers that do not say who they are.

A token bucket per client address, kept in the worker's memory: a refusal costs no database
write, so a flood cannot turn into write load. Refusals are counted in memory and flushed to
``refusal_counts`` every ``FLUSH_SECONDS`` (by the app's own task) and at shutdown. With several
workers each keeps its own buckets, so the effective limit is at most the configured one times
the worker count.

A known AI crawler whose bucket is empty is still judged first: where the artists' choices
refuse it, it gets the 403 that says why (``ai-use-reserved``), never a bare 429 that would
only tell it to come back later. Only content it may have is throttled.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass

import anyio
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.signals.crawlers import CrawlerRegistry
from consentry.store.refusals import THROTTLED, count_refusals
from consentry.web.crawler_policy import identify

PUBLIC_PAGES = ("/tracks/", "/artists/", "/open/")
MAX_CLIENTS = 100_000
FLUSH_SECONDS = 5.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """``rate`` requests per second with bursts of ``burst``, per key, oldest keys evicted."""

    def __init__(self, per_minute: int, burst: int, max_keys: int = MAX_CLIENTS) -> None:
        self.rate, self.burst, self.max_keys = per_minute / 60.0, float(burst), max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str, now: float) -> float | None:
        """Spend one token; ``None`` when allowed, else the seconds until one is available."""
        bucket = self._buckets.pop(key, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.rate


def is_public_content(path: str) -> bool:
    """The pages and recordings anyone may fetch; the rest of /v1 needs a token."""
    return path.startswith(PUBLIC_PAGES) or (
        path.startswith("/v1/tracks/") and path.endswith("/audio"))


class ThrottledCounts:
    """Refusals counted in memory, written to ``refusal_counts`` in one batch."""

    def __init__(self, engine: Engine, interval: float = FLUSH_SECONDS) -> None:
        self.engine, self.interval = engine, interval
        self.pending: Counter[str] = Counter()

    def add(self, agent: str) -> None:
        self.pending[agent] += 1

    async def flush_forever(self) -> None:
        """Write what was counted every ``interval`` seconds, so the counts an admin sees are
        at most that old."""
        while True:
            await anyio.sleep(self.interval)
            await self.flush()

    async def flush(self) -> None:
        """Write the counted refusals; called every few seconds and by the app at shutdown."""
        pending, self.pending = self.pending, Counter()
        if pending:
            await anyio.to_thread.run_sync(self._write, pending)

    def _write(self, pending: Counter[str]) -> None:
        with self.engine.begin() as conn:
            count_refusals(conn, [(agent, THROTTLED, "", n) for agent, n in pending.items()])


class ScrapeThrottle:
    """ASGI middleware: 429 with Retry-After once a client exceeds its bucket on public content."""

    def __init__(self, app: ASGIApp, counts: ThrottledCounts, registry: CrawlerRegistry,
                 per_minute: int, burst: int) -> None:
        self.app, self.counts, self.registry = app, counts, registry
        self.buckets = TokenBuckets(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not is_public_content(scope["path"])):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown", time.monotonic())
        if wait is None:
            await self.app(scope, receive, send)
            return
        agent = dict(scope["headers"]).get(b"user-agent", b"").decode("latin-1")
        crawler = identify(self.registry, agent)
        if crawler is None:
            await self._refuse(send, "unidentified", wait)
            return
        await self._judged_first(scope, receive, send, crawler.token, wait)

    async def _judged_first(self, scope: Scope, receive: Receive, send: Send, token: str,
                            wait: float) -> None:
        """Let the app judge the crawler: its 403 goes out as it is; any other answer is
        replaced by the 429."""
        refused = False

        async def forward(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                refused = message["status"] == 403
            if refused:
                await send(message)

        await self.app(scope, receive, forward)
        if not refused:
            await self._refuse(send, token, wait)

    async def _refuse(self, send: Send, counted_as: str, wait: float) -> None:
        self.counts.add(counted_as)
        seconds = max(1, math.ceil(wait))
        body = json.dumps({
            "error": "rate_limited",
            "detail": f"too many requests from this client; retry in {seconds} s",
            "retry_after": seconds}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
