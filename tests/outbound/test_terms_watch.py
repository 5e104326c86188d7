"""The watcher against pages served on loopback that change between runs."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json

import pytest
from sqlalchemy.engine import Engine

from consentry.errors import InvalidInput, UnsafeHeader, WatchFailed
from consentry.outbound.fetch import PoliteFetcher
from consentry.outbound.terms_watch import SIGNATURE_HEADER, TIMESTAMP_HEADER, run_watch
from consentry.settings import Settings
from consentry.store import watch
from consentry.store.outbox import messages_to
from consentry.timestamps import utcnow
from tests.conftest import free_port
from tests.terms.pages import PARAGRAPHS, div_layout, long_page, semantic_layout
from tests.web_server import Site, site  # noqa: F401

AI_SENTENCE = "We may also use your uploads to train artificial intelligence models."


def _settings(settings: Settings, interval: float = 0.0) -> Settings:
    return settings.model_copy(update={"watch_host_interval_seconds": interval,
                                       "watch_timeout_seconds": 5, "watch_max_bytes": 200_000,
                                       "watch_contact": "ops@consentry.test"})


def _run(engine: Engine, settings: Settings, interval: float = 0.0) -> list:  # type: ignore[type-arg]
    with PoliteFetcher(_settings(settings, interval)) as fetcher:
        return run_watch(engine, fetcher, "ops@consentry.test")


def _watch(engine: Engine, url: str, *subscribers: str) -> watch.WatchedPage:
    with engine.begin() as conn:
        page = watch.add_page(conn, url, utcnow())
        for target in subscribers:
            watch.add_subscriber(conn, page.id, target, utcnow())
        return page


def test_a_redesign_is_no_alarm_and_a_buried_ai_sentence_is(
        engine: Engine, settings: Settings, site: Site) -> None:  # noqa: F811
    site.html("/terms", semantic_layout(PARAGRAPHS))
    site.html("/long", long_page(400))
    terms = _watch(engine, site.url("/terms"), "watcher@example.org")
    long = _watch(engine, site.url("/long"), "watcher@example.org")
    first = _run(engine, settings)
    assert [r.status for r in first] == ["first", "first"]
    assert {r[2] for r in site.requests} == {
        f"consentry-terms-watcher/{__import__('consentry').__version__} (+ops@consentry.test)"}

    site.html("/terms", div_layout(PARAGRAPHS))
    site.html("/long", long_page(400, buried=AI_SENTENCE))
    second = {r.page.id: r for r in _run(engine, settings)}
    assert second[terms.id].status == "unchanged", "a new layout with the same text"
    assert second[long.id].status == "ai-changed" and second[long.id].ai_changes == 1
    assert AI_SENTENCE in second[long.id].diff.ai_related[0].new[0]
    with engine.connect() as conn:
        assert watch.snapshot_count(conn, terms.id) == 1
        assert watch.snapshot_count(conn, long.id) == 2
        [mail] = messages_to(conn, "watcher@example.org")
        assert "AI-related change" in mail.subject and AI_SENTENCE in mail.text_body

    site.html("/long", long_page(400, buried=AI_SENTENCE).replace("annex 5.", "annex five."))
    third = {r.page.id: r for r in _run(engine, settings)}
    assert third[long.id].status == "changed" and third[long.id].ai_changes == 0


def test_failures_are_stored_and_reported(engine: Engine, settings: Settings,
                                         site: Site) -> None:  # noqa: F811
    site.html("/gone", "nothing", status=500)
    site.html("/empty", "<html><body><nav>menu only</nav></body></html>")
    site.html("/huge", "<p>" + "x " * 200_000 + "</p>")
    site.html("/private/terms", semantic_layout(PARAGRAPHS))
    site.pages["/robots.txt"] = (200, "text/plain",
                                 b"User-agent: consentry-terms-watcher\nDisallow: /private/\n")
    for path in ("/gone", "/empty", "/huge", "/private/terms"):
        _watch(engine, site.url(path))
    results = _run(engine, settings)
    assert [r.status for r in results] == ["failed"] * 4
    errors = [r.error for r in results]
    assert "HTTP 500" in errors[0] and "no terms text" in errors[1]
    assert "larger than" in errors[2] and "robots.txt" in errors[3]
    assert "/private/terms" not in site.paths(), "robots.txt is honoured"
    with engine.connect() as conn:
        assert {p.last_status for p in watch.list_pages(conn)} == {"failed"}


def test_one_request_per_host_per_interval(engine: Engine, settings: Settings,
                                           site: Site) -> None:  # noqa: F811
    for path in ("/a", "/b"):
        site.html(path, semantic_layout(PARAGRAPHS))
        _watch(engine, site.url(path))
    _run(engine, settings, interval=0.3)
    times = [r[3] for r in site.requests]
    assert [r[1] for r in site.requests] == ["/robots.txt", "/a", "/b"]
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))


def test_webhooks_are_signed(engine: Engine, settings: Settings, site: Site) -> None:  # noqa: F811
    site.html("/terms", semantic_layout(PARAGRAPHS))
    site.html("/hook", "ok")
    page = _watch(engine, site.url("/terms"), site.url("/hook"))
    _run(engine, settings)
    site.html("/terms", semantic_layout([*PARAGRAPHS, AI_SENTENCE]))
    [result] = _run(engine, settings)
    assert result.notified == 1 and result.notify_errors == []
    [(_, _, _, _, body, headers)] = [r for r in site.requests if r[0] == "POST"]
    with engine.connect() as conn:
        [hook] = watch.subscribers_of(conn, page.id)
    expected = hmac.new(hook.secret.encode(), headers[TIMESTAMP_HEADER].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert json.loads(body)["ai_related"] is True


def test_only_web_addresses_and_plain_e_mail_addresses(engine: Engine) -> None:
    with engine.begin() as conn:
        for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://example.org/terms",
                    "http://user@example.org/"):
            with pytest.raises(InvalidInput):
                watch.add_page(conn, url, utcnow())
        page = watch.add_page(conn, "https://example.org/terms", utcnow())
        for target in ("gopher://example.org/", "a@example.org\nBcc: b@example.org"):
            with pytest.raises((InvalidInput, UnsafeHeader)):
                watch.add_subscriber(conn, page.id, target, utcnow())


def test_an_unreachable_host_is_reported_as_unreachable(settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}/terms"
    quick = settings.model_copy(update={"watch_host_interval_seconds": 0})
    with PoliteFetcher(quick) as fetcher, pytest.raises(WatchFailed, match="is unreachable"):
        fetcher.fetch(url)
