"""Watched terms pages of other platforms, their snapshots and who hears about changes.

A snapshot is stored whenever the extracted text differs from the last one (and for the
first fetch), so the table holds every text the page ever showed; a fetch that finds the same
text only records its time on the page.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from consentry.errors import N_, InvalidInput, NotFound
from consentry.mail_headers import safe_address
from consentry.store.schema import watch_snapshots, watch_subscribers, watched_pages
from consentry.terms import PageSnapshot, SnapshotDiff
from consentry.timestamps import from_micros, to_micros

SubscriberKind = Literal["email", "webhook"]
PageStatus = Literal["first", "unchanged", "changed", "ai-changed", "failed"]


@dataclass(frozen=True)
class WatchedPage:
    id: int
    url: str
    created_at: datetime
    last_checked_at: datetime | None
    last_status: str | None
    last_error: str | None


@dataclass(frozen=True)
class Subscriber:
    id: int
    page_id: int
    kind: SubscriberKind
    target: str
    secret: str | None


def web_url(url: str) -> str:
    """An http(s) URL with a host, nothing else (no file:, no javascript:, no credentials)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise InvalidInput(N_("only http and https addresses with a host can be used"),
                           {"url": url[:200]})
    return parts.geturl()


def _page(row: Any) -> WatchedPage:
    return WatchedPage(row.id, row.url, from_micros(row.created_at),
                       from_micros(row.last_checked_at) if row.last_checked_at else None,
                       row.last_status, row.last_error)


def add_page(conn: Connection, url: str, at: datetime) -> WatchedPage:
    """Watch a page; adding one that is watched already returns it."""
    url = web_url(url)
    row = conn.execute(select(watched_pages).where(watched_pages.c.url == url)).first()
    if row is None:
        conn.execute(insert(watched_pages).values(url=url, created_at=to_micros(at)))
        row = conn.execute(select(watched_pages).where(watched_pages.c.url == url)).one()
    return _page(row)


def add_subscriber(conn: Connection, page_id: int, target: str, at: datetime) -> Subscriber:
    """An e-mail address, or a webhook URL that gets a fresh HMAC secret."""
    if target.startswith(("http://", "https://")):
        kind: SubscriberKind = "webhook"
        target, secret = web_url(target), secrets.token_urlsafe(32)
    else:
        kind, secret = "email", None
        target = safe_address(target)
    existing = conn.execute(select(watch_subscribers).where(
        watch_subscribers.c.page_id == page_id, watch_subscribers.c.target == target)).first()
    if existing is None:
        conn.execute(insert(watch_subscribers).values(
            page_id=page_id, kind=kind, target=target, secret=secret, created_at=to_micros(at)))
    return next(s for s in subscribers_of(conn, page_id) if s.target == target)


def subscribers_of(conn: Connection, page_id: int) -> list[Subscriber]:
    rows = conn.execute(select(watch_subscribers).where(watch_subscribers.c.page_id == page_id)
                        .order_by(watch_subscribers.c.id))
    return [Subscriber(r.id, r.page_id, r.kind, r.target, r.secret) for r in rows]


def list_pages(conn: Connection) -> list[WatchedPage]:
    return [_page(r) for r in conn.execute(select(watched_pages).order_by(watched_pages.c.id))]


def get_page(conn: Connection, page_id: int) -> WatchedPage:
    row = conn.execute(select(watched_pages).where(watched_pages.c.id == page_id)).first()
    if row is None:
        raise NotFound(N_("no such watched page"), {"id": page_id})
    return _page(row)


def last_snapshot(conn: Connection, page: WatchedPage) -> PageSnapshot | None:
    row = conn.execute(select(watch_snapshots).where(watch_snapshots.c.page_id == page.id)
                       .order_by(watch_snapshots.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return PageSnapshot(page.url, row.fetched_at, tuple(row.text.split("\n\n")), row.text_hash)


def snapshot_count(conn: Connection, page_id: int) -> int:
    return len(conn.execute(select(watch_snapshots.c.id).where(
        watch_snapshots.c.page_id == page_id)).all())


def record_check(conn: Connection, page: WatchedPage, snapshot: PageSnapshot | None,
                 diff: SnapshotDiff | None, status: PageStatus, error: str | None,
                 at: datetime) -> None:
    """The outcome of one fetch: a new snapshot when the text is new, and the page's status."""
    if snapshot is not None and status != "unchanged":
        changes = [{"kind": c.kind, "old": list(c.old), "new": list(c.new),
                    "ai_related": c.ai_related} for c in (diff.changes if diff else ())]
        conn.execute(insert(watch_snapshots).values(
            page_id=page.id, fetched_at=snapshot.fetched_at, text_hash=snapshot.text_hash,
            text=snapshot.text, changed=status in ("changed", "ai-changed"),
            ai_related=status == "ai-changed", changes=json.dumps(changes)))
    conn.execute(update(watched_pages).where(watched_pages.c.id == page.id).values(
        last_checked_at=to_micros(at), last_status=status,
        last_error=error[:2000] if error else None))
