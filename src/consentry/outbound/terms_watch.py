"""``terms watch run``: fetch every watched page, keep its text, diff it against the last one,
flag AI-related changes and tell the subscribers (e-mail through the outbox, or a webhook
signed with HMAC-SHA256). A page that fails is stored as failed and reported, never skipped."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from markupsafe import escape
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from consentry.errors import WatchFailed
from consentry.outbound.fetch import PoliteFetcher, user_agent
from consentry.store import watch
from consentry.store.outbox import queue_mail
from consentry.terms import SnapshotDiff, compare_snapshots, snapshot_page
from consentry.timestamps import to_micros, utcnow

SIGNATURE_HEADER = "X-Consentry-Signature"
TIMESTAMP_HEADER = "X-Consentry-Timestamp"


@dataclass
class CheckResult:
    page: watch.WatchedPage
    status: watch.PageStatus
    error: str | None = None
    diff: SnapshotDiff | None = None
    notified: int = 0
    notify_errors: list[str] = field(default_factory=list)

    @property
    def ai_changes(self) -> int:
        return len(self.diff.ai_related) if self.diff else 0


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``timestamp.body``: the receiver recomputes it
    with its secret, and the timestamp stops an old delivery being replayed."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def run_watch(engine: Engine, fetcher: PoliteFetcher, contact: str) -> list[CheckResult]:
    with engine.connect() as conn:
        pages = watch.list_pages(conn)
    return [check_page(engine, fetcher, page, contact) for page in pages]


def check_page(engine: Engine, fetcher: PoliteFetcher, page: watch.WatchedPage,
               contact: str) -> CheckResult:
    at = utcnow()
    try:
        snapshot = snapshot_page(page.url, fetcher.fetch(page.url), to_micros(at))
        if not snapshot.paragraphs:
            raise WatchFailed(f"no terms text found on {page.url}")
    except WatchFailed as error:
        with engine.begin() as conn:
            watch.record_check(conn, page, None, None, "failed", error.message, at)
        return CheckResult(page, "failed", error.message)
    with engine.begin() as conn:
        last = watch.last_snapshot(conn, page)
        diff = compare_snapshots(last, snapshot) if last else None
        status: watch.PageStatus = (
            "first" if diff is None else "unchanged" if not diff.changed
            else "ai-changed" if diff.ai_related else "changed")
        watch.record_check(conn, page, snapshot, diff, status, None, at)
        result = CheckResult(page, status, diff=diff)
        if diff is not None and diff.changed:
            result.notified = _mail_subscribers(conn, page, diff, at)
            webhooks = [s for s in watch.subscribers_of(conn, page.id) if s.kind == "webhook"]
    if diff is not None and diff.changed:
        for subscriber in webhooks:
            _post_webhook(subscriber, page, diff, contact, result)
    return result


def change_payload(page: watch.WatchedPage, diff: SnapshotDiff) -> dict[str, object]:
    return {"url": page.url, "fetched_at": diff.new.fetched_at, "old_hash": diff.old.text_hash,
            "new_hash": diff.new.text_hash, "ai_related": bool(diff.ai_related),
            "changes": [{"kind": c.kind, "old": list(c.old), "new": list(c.new),
                         "ai_related": c.ai_related} for c in diff.changes]}


def _mail_subscribers(conn: Connection, page: watch.WatchedPage, diff: SnapshotDiff,
                      at: datetime) -> int:
    emails = [s for s in watch.subscribers_of(conn, page.id) if s.kind == "email"]
    flag = "AI-related change" if diff.ai_related else "change"
    subject = f"[consentry watcher] {flag} in the terms at {page.url}"
    lines = [f"The terms at {page.url} changed ({len(diff.changes)} passages, "
             f"{len(diff.ai_related)} about AI).", ""]
    for c in diff.changes:
        mark = "AI " if c.ai_related else ""
        lines += [f"{mark}{c.kind}:", *(f"  - {p}" for p in c.old), *(f"  + {p}" for p in c.new),
                  ""]
    text = "\n".join([*lines, f"Text hash: {diff.new.text_hash}"])
    html = f"<!doctype html><html><body><pre>{escape(text)}</pre></body></html>"
    for s in emails:
        queue_mail(conn, s.target, subject, text, html, at)
    return len(emails)


def _post_webhook(subscriber: watch.Subscriber, page: watch.WatchedPage, diff: SnapshotDiff,
                  contact: str, result: CheckResult) -> None:
    body = json.dumps(change_payload(page, diff), sort_keys=True).encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": user_agent(contact),
               TIMESTAMP_HEADER: stamp,
               SIGNATURE_HEADER: webhook_signature(subscriber.secret or "", stamp, body)}
    try:
        response = httpx.post(subscriber.target, content=body, headers=headers, timeout=15)
        response.raise_for_status()
    except httpx.HTTPError as error:
        result.notify_errors.append(f"{subscriber.target}: {type(error).__name__}: {error}")
        return
    result.notified += 1
