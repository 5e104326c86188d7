"""The platform-wide AI-use signals: headers on every page that is not about one content, and
the site files (/robots.txt, /ai.txt, /.well-known/tdmrep.json, the RSL licence, the TDM
policy), all derived from the platform's defaults under the terms in force."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.errors import InvalidInput, NotFound
from consentry.services.content_signals import signal_headers, signal_meta, site_decisions
from consentry.settings import Settings
from consentry.signals import site_files
from consentry.signals.crawlers import Crawler, CrawlerRegistry
from consentry.signals.preferences import ContentPreferences, derive_preferences
from consentry.signals.robots import keeps_out, robots_txt
from consentry.web.crawler_policy import request_crawler

logger = logging.getLogger(__name__)
CONTENT_PATHS = ("/tracks/", "/artists/", "/v1/tracks/")
SITE_TTL_SECONDS = 10.0
LICENCE_PATH, POLICY_PATH = "/license.xml", "/.well-known/tdm-policy.json"
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SiteSignals:
    """The platform defaults as preferences, headers and meta pairs, computed together."""

    prefs: ContentPreferences
    headers: dict[str, str]
    meta: list[tuple[str, str]]


def compute_site_signals(engine: Engine, settings: Settings) -> SiteSignals:
    with engine.connect() as conn:
        decisions = site_decisions(conn)
    policy = policy_url(settings, settings.public_url or "")
    return SiteSignals(derive_preferences(decisions),
                       signal_headers(decisions, policy) | licence_link(settings),
                       signal_meta(decisions, policy))


def policy_url(settings: Settings, base_url: str) -> str | None:
    """Where a ``tdm-policy`` points: the ODRL offer, when the operator offers a licence."""
    return f"{base_url.rstrip('/')}{POLICY_PATH}" if settings.licence_terms_url else None


def content_signals(request: Request, settings: Settings,
                    decisions: Mapping[str, bool]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Headers and meta pairs for one content's response, with the licence where offered.

    A known crawler is served only when its use is allowed, and reads that in the signals
    too, so they vary by User-Agent (``seen_by``)."""
    policy, crawler = policy_url(settings, base_url(request, settings)), request_crawler(request)
    return (signal_headers(decisions, policy, crawler) | licence_link(settings)
            | {"Vary": "User-Agent"}, signal_meta(decisions, policy, crawler))


def licence_link(settings: Settings) -> dict[str, str]:
    """RSL's ``Link`` header, when the operator offers a licence for AI use."""
    if not settings.licence_terms_url:
        return {}
    return {"Link": f'<{LICENCE_PATH}>; rel="license"; type="application/rsl+xml"'}


class SiteSignalsMiddleware:
    """Adds the platform's signals to HTML responses that carry none of their own, and leaves
    them in ``request.state.site_signals`` for the templates' meta tags. The defaults change
    only with the terms, so they are recomputed at most every few seconds, before the request
    takes its own database connection."""

    def __init__(self, app: ASGIApp, engine: Engine, settings: Settings) -> None:
        self.app, self.engine, self.settings = app, engine, settings
        self._signals: SiteSignals | None = None
        self._expires = 0.0

    async def current(self) -> SiteSignals:
        if self._signals is None or time.monotonic() >= self._expires:
            self._signals = await anyio.to_thread.run_sync(
                compute_site_signals, self.engine, self.settings)
            self._expires = time.monotonic() + SITE_TTL_SECONDS
        return self._signals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signals = await self.current()
        scope.setdefault("state", {})["site_signals"] = signals

        async def send_with_signals(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if ("tdm-reservation" not in headers
                        and headers.get("content-type", "").startswith("text/html")):
                    headers.update(signals.headers)
            await send(message)

        await self.app(scope, receive, send_with_signals)


def _extra(settings: Settings, name: str) -> str:
    path = Path(settings.data_dir) / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        logger.error("cannot read the operator's %s: %s; serving the generated lines only",
                     path, error)
        return ""


def _state(request: Request) -> tuple[Settings, CrawlerRegistry, SiteSignals]:
    signals = getattr(request.state, "site_signals", None)
    if signals is None:  # the signals are switched off: say what the defaults are anyway
        signals = compute_site_signals(request.app.state.engine, request.app.state.settings)
    return request.app.state.settings, request.app.state.crawlers, signals


def kept_out(request: Request, crawler: Crawler) -> bool:
    """Whether robots.txt keeps ``crawler`` out of the content paths (and sends it to its own
    open prefix): the same site defaults the file is written from."""
    return keeps_out(crawler, _state(request)[2].prefs)


def render_robots(settings: Settings, registry: CrawlerRegistry, prefs: ContentPreferences,
                  base_url: str) -> str:
    """robots.txt with the operator's extra lines, or without them if they would break it."""
    extra = _extra(settings, "robots.extra.txt")
    try:
        text = robots_txt(registry, prefs, CONTENT_PATHS, extra, base_url)
    except InvalidInput as error:
        logger.error("ignoring %s/robots.extra.txt: %s", settings.data_dir, error)
        text = robots_txt(registry, prefs, CONTENT_PATHS, base_url=base_url)
    if settings.licence_terms_url:
        text += f"\nLicense: {base_url}{LICENCE_PATH}\n"
    return text


def base_url(request: Request, settings: Settings) -> str:
    """The site's address for generated links: the configured one, else the request's."""
    return (settings.public_url or str(request.base_url)).rstrip("/")


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
def robots(request: Request) -> Response:
    settings, registry, signals = _state(request)
    return PlainTextResponse(render_robots(settings, registry, signals.prefs,
                                           base_url(request, settings)))


@router.api_route("/ai.txt", methods=["GET", "HEAD"])
def ai_txt(request: Request) -> Response:
    settings, _registry, signals = _state(request)
    return PlainTextResponse(site_files.ai_txt(signals.prefs, CONTENT_PATHS,
                                               _extra(settings, "ai.extra.txt")))


@router.api_route("/.well-known/tdmrep.json", methods=["GET", "HEAD"])
def tdmrep(request: Request) -> Response:
    settings, _registry, signals = _state(request)
    policy = policy_url(settings, base_url(request, settings))
    return Response(site_files.tdmrep_json(signals.prefs, CONTENT_PATHS, policy),
                    media_type="application/json")


@router.api_route(LICENCE_PATH, methods=["GET", "HEAD"])
def rsl_licence(request: Request) -> Response:
    settings, _registry, signals = _state(request)
    if not settings.licence_terms_url:
        raise NotFound("this platform offers no licence for AI use")
    return Response(site_files.rsl_licence(signals.prefs, CONTENT_PATHS,
                                           settings.licence_terms_url, settings.licence_server),
                    media_type="application/rsl+xml")


@router.api_route(POLICY_PATH, methods=["GET", "HEAD"])
def tdm_policy(request: Request) -> Response:
    settings, _registry, _signals = _state(request)
    if not settings.licence_terms_url:
        raise NotFound("this platform offers no licence for text and data mining")
    base = base_url(request, settings)
    return Response(site_files.tdm_policy(f"{base}{POLICY_PATH}", base,
                                          settings.licence_terms_url, settings.operator_name),
                    media_type="application/json")
