"""The FastAPI application: JSON API under /v1, OpenAPI docs at /docs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.engine import Engine

from consentry import __version__
from consentry.operator_files import crawler_registry, download_signer, log_signing_key
from consentry.outbound.mail import deliver_due
from consentry.outbound.webhooks import deliver_due as deliver_webhooks
from consentry.services.claim_disputes import release_lapsed
from consentry.services.withdrawal_causes import withdraw_for_due
from consentry.settings import Settings, get_settings
from consentry.store.accounts import purge_sessions
from consentry.store.backup import missing_key_message
from consentry.store.catalogue_index import INDEX_SNAPSHOT, CatalogueIndex
from consentry.store.database import make_engine
from consentry.store.ledger_memo import LedgerMemo
from consentry.store.login_throttle import purge_failures
from consentry.store.migrate import head_revision, require_migrated
from consentry.timestamps import utcnow
from consentry.web import health, pages, site_signals
from consentry.web.api import (
    artists,
    audio,
    claims,
    consent,
    consumers,
    datasets,
    decisions,
    identify,
    invitations,
    log,
    purposes,
    references,
    rights_holders,
    signals,
    terms,
    tokens,
    tracks,
    usage,
    webhooks,
    withdrawals,
)
from consentry.web.errors import UncaughtErrors, install_error_handlers
from consentry.web.openapi import install_openapi
from consentry.web.security_headers import SecurityHeaders
from consentry.web.site_signals import SiteSignalsMiddleware
from consentry.web.throttle import ScrapeThrottle, ThrottledCounts

SWEEP_SECONDS = 300
# FastAPI's HTML (Swagger UI, ReDoc and Swagger's OAuth2 redirect), by path: fastapi_offline
# serves them at the same paths but leaves app.docs_url and app.redoc_url empty.
DOCS_PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")


async def send_outbox_forever(engine: Engine, settings: Settings) -> None:
    """Deliver due mail every ``outbox_interval_seconds`` in a thread beside the server, so a
    terms notice leaves without a cron job; claims keep several workers and the CLI from
    sending one message twice, and a server that is down only delays the next attempt."""
    log = logging.getLogger("consentry.outbound.mail")
    while True:
        try:
            report = await asyncio.to_thread(deliver_due, engine, settings)
            if report.sent or report.failed:
                log.info("outbox: %d sent, %d failed", report.sent, report.failed)
        except Exception:  # keep sending later; the error is in the log, the mail in the outbox
            log.exception("outbox delivery failed")
        await asyncio.sleep(settings.outbox_interval_seconds)


async def send_webhooks_forever(engine: Engine, settings: Settings) -> None:
    """Deliver due withdrawal webhooks every ``webhook_interval_seconds``, as the outbox does
    for mail; the first round waits one interval, so starting the server does no I/O."""
    log = logging.getLogger("consentry.outbound.webhooks")
    while True:
        await asyncio.sleep(settings.webhook_interval_seconds)
        try:
            report = await asyncio.to_thread(deliver_webhooks, engine, settings)
            if report.delivered or report.failed:
                log.info("webhooks: %d delivered, %d failed", report.delivered, report.failed)
        except Exception:  # the deliveries stay queued; try again next round
            log.exception("webhook delivery failed")


@dataclass(frozen=True)
class SweepReport:
    released: int
    withdrawn: int
    sessions_purged: int
    failures_purged: int


def sweep_once(engine: Engine, settings: Settings) -> SweepReport:
    """Release the disputes whose window ended; withdraw for the agreements and terms versions
    that came into force; delete the expired sessions and the failed logins that no longer
    count."""
    with engine.begin() as conn:
        released = release_lapsed(conn, settings.base_url)
        withdrawn = withdraw_for_due(conn)
        sessions = purge_sessions(conn, utcnow())
        failures = purge_failures(conn, utcnow())
    return SweepReport(len(released), len(withdrawn), sessions, failures)


async def sweep_forever(engine: Engine, settings: Settings) -> None:
    """Every ``SWEEP_SECONDS``: record and tell the disputes whose response window ended
    (decisions treat them as released from the deadline already; this writes the release into
    the log and the mail into the outbox), record the withdrawals of causes that took effect
    since (an agreement's start, a terms version's effective date), and purge what expired."""
    log = logging.getLogger("consentry.sweep")
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            report = await asyncio.to_thread(sweep_once, engine, settings)
            if report.released:
                log.info("claims: %d unanswered disputes released", report.released)
            if report.withdrawn:
                log.info("withdrawals: %d recorded for agreements and terms in force",
                         report.withdrawn)
        except Exception:  # the next round finds them again
            log.exception("the periodic sweep failed")


def load_catalogue_index(engine: Engine, index: CatalogueIndex) -> None:
    """Read every stored fingerprint before the first request, not during it."""
    with engine.connect() as conn:
        load = index.refresh(conn)
    logging.getLogger("consentry.web").info(
        "fingerprint index: %d recordings (%.1f hours) loaded in %.2f s%s", index.recordings,
        index.hours, load.seconds, " from its snapshot" if load.from_snapshot else "")


DESCRIPTION = """
Every AI use of a track, consented, explained and recorded.

Authenticate with `Authorization: Bearer <token>`; create tokens with
`consentry tokens create`. Every error is `{"error": code, "detail": message}` (the `Error`
schema), with the status codes each operation lists; see docs/api.md.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the app; refuses to start on unsafe settings or an unmigrated database."""
    settings = settings or get_settings()
    settings.check_safe()
    engine = engine or make_engine(settings.effective_database_url)
    require_migrated(engine)

    throttled = ThrottledCounts(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        senders = ([asyncio.create_task(send_outbox_forever(engine, settings))]
                   if settings.mail_enabled else []) + (
            [asyncio.create_task(send_webhooks_forever(engine, settings))]
            if settings.webhooks_enabled else []) + [
            asyncio.create_task(sweep_forever(engine, settings)),
            asyncio.create_task(throttled.flush_forever())]
        await asyncio.to_thread(load_catalogue_index, engine, catalogue_index)
        yield
        for sender in senders:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        await throttled.flush()
        engine.dispose()

    # /docs and /redoc with Swagger UI and ReDoc served from the package, not a CDN: the
    # docs work on a machine without internet.
    app = FastAPIOffline(title="consentry", version=__version__, description=DESCRIPTION,
                         lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.schema_head = head_revision(engine)
    app.state.refusal_counts = throttled
    app.state.crawlers = registry = crawler_registry(settings)
    app.state.signer = download_signer(settings)
    app.state.ledger_memo = LedgerMemo()
    app.state.catalogue_index = catalogue_index = CatalogueIndex(
        settings.data_dir / INDEX_SNAPSHOT)
    app.state.log_key = log_signing_key(settings)
    app.state.no_log_key = missing_log_key(engine, settings)
    install_error_handlers(app)
    install_openapi(app)
    if settings.signals_enabled:
        app.add_middleware(SiteSignalsMiddleware, engine=engine, settings=settings)
    if settings.scrape_requests_per_minute:
        app.add_middleware(ScrapeThrottle, counts=throttled, registry=registry,
                           per_minute=settings.scrape_requests_per_minute,
                           burst=settings.scrape_burst)
    app.add_middleware(UncaughtErrors)  # outside the middlewares that read the store
    app.add_middleware(SecurityHeaders, docs_pages=DOCS_PAGES,
                       hsts_seconds=settings.effective_hsts_seconds)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(site_signals.router)
    app.include_router(pages.router())
    for module in (purposes, artists, tracks, invitations, audio, identify, claims, consent,
                   decisions, rights_holders, references, consumers, tokens, signals, log, terms,
                   datasets, usage, withdrawals, webhooks):
        app.include_router(module.router, prefix="/v1")
    app.include_router(log.receipts, prefix="/v1")
    app.include_router(health.router)
    return app


def missing_log_key(engine: Engine, settings: Settings) -> str:
    """What the log's routes answer without a key: after a restore that left the keys behind,
    which key to put back (a new one would not verify the old checkpoints), else init."""
    if settings.effective_log_key.exists() or settings.log_key:
        return "the log's signing key could not be loaded"
    with engine.connect() as conn:
        restored = missing_key_message(conn, settings.effective_log_key)
    if restored:
        logging.getLogger("consentry.web").warning(restored)
    return restored or "the log has no signing key yet: run 'consentry init'"


def create_default_app() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment."""
    return create_app()
