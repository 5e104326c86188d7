"""Fetching other platforms' terms pages politely: a user agent that says who we are, one
request per host per interval, robots.txt honoured for that agent, timeouts and a size cap."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from consentry import __version__
from consentry.errors import WatchFailed
from consentry.settings import Settings

ROBOTS_TOKEN = "consentry-terms-watcher"
MAX_REDIRECTS = 5


def user_agent(contact: str) -> str:
    return f"{ROBOTS_TOKEN}/{__version__} (+{contact})"


class PoliteFetcher:
    """One per run: remembers each host's robots.txt and when it was last asked."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = settings.watch_host_interval_seconds
        self.max_bytes = settings.watch_max_bytes
        self.agent = user_agent(settings.watch_contact)
        self.client = httpx.Client(timeout=settings.watch_timeout_seconds,
                                   headers={"User-Agent": self.agent}, follow_redirects=False)
        self.sleep, self.clock = sleep, clock
        self.last_request: dict[str, float] = {}
        self.robots: dict[str, Protego | bool] = {}
        self.robots_problem: dict[str, str] = {}  # why a host's robots.txt disallows all

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(self, url: str) -> str:
        """The page's HTML; every way it can fail is a :class:`WatchFailed`. Redirects are
        followed by hand, so each hop is checked against its own host's robots.txt."""
        for _hop in range(MAX_REDIRECTS + 1):
            host = urlsplit(url).netloc
            robots = self._robots(url, host)
            if robots is False:
                raise WatchFailed(f"{self.robots_problem[host]}; RFC 9309 then means 'do not "
                                  "crawl', so the page was not fetched")
            if robots is not True and not robots.can_fetch(url, ROBOTS_TOKEN):
                raise WatchFailed(f"robots.txt of {host} does not allow {ROBOTS_TOKEN} here")
            status, body, content_type, location = self._get(url, host)
            if status not in (301, 302, 303, 307, 308) or not location:
                break
            url = urljoin(url, location)
            if urlsplit(url).scheme not in ("http", "https"):
                raise WatchFailed(f"redirected off the web: {url[:200]}")
        else:
            raise WatchFailed(f"more than {MAX_REDIRECTS} redirects")
        if status != 200:
            raise WatchFailed(f"HTTP {status} from {url}")
        if content_type and not content_type.startswith(("text/html", "application/xhtml",
                                                         "text/plain")):
            raise WatchFailed(f"{url} is {content_type}, not a web page")
        return body

    def _robots(self, url: str, host: str) -> Protego | bool:
        """RFC 9309 2.3.1: a 4xx robots.txt allows everything; an unreachable one or a
        server error disallows everything."""
        if host not in self.robots:
            try:
                status, body, _type, _location = self._get(urljoin(url, "/robots.txt"), host)
            except WatchFailed as error:
                self.robots[host] = False
                self.robots_problem[host] = f"robots.txt of {host} is unreachable ({error})"
            else:
                self.robots[host] = (True if 400 <= status < 500 else
                                     Protego.parse(body) if status == 200 else False)
                self.robots_problem[host] = f"robots.txt of {host} answered HTTP {status}"
        return self.robots[host]

    def _get(self, url: str, host: str) -> tuple[int, str, str, str]:
        wait = self.last_request.get(host, -1e18) + self.interval - self.clock()
        if wait > 0:
            self.sleep(wait)
        self.last_request[host] = self.clock()
        try:
            with self.client.stream("GET", url) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise WatchFailed(f"{url} is larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
                body = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
                return (response.status_code, body,
                        response.headers.get("content-type", "").lower(),
                        response.headers.get("location", ""))
        except httpx.HTTPError as error:
            raise WatchFailed(f"cannot fetch {url}: {type(error).__name__}: {error}") from error
        finally:
            self.last_request[host] = self.clock()
