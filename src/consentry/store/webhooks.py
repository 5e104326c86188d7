"""Consumers' webhook endpoints and the queue of withdrawal deliveries to them.

A delivery is queued in the transaction that records its withdrawal, so a receiver that is
down delays the news but never loses it; every attempt is kept (status, error, duration).
Claims work as in the mail outbox: two senders never post one delivery at the same time.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row, insert, select, update

from consentry.errors import InvalidInput, NotFound
from consentry.retries import doubling_wait
from consentry.store.outbox import to_micros_delta
from consentry.store.parties import get_consumer
from consentry.store.schema import (
    dataset_snapshots,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
    withdrawal_acknowledgements,
    withdrawals,
)
from consentry.timestamps import from_micros, to_micros

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# After this many attempts (about three days with the waits above) a delivery is given up;
# the withdrawal still waits for its acknowledgement and shows as undelivered.
MAX_ATTEMPTS = 16
CLAIM = timedelta(minutes=2)


@dataclass(frozen=True)
class Endpoint:
    id: int
    consumer_id: int
    url: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class NewEndpoint:
    """An endpoint just registered, with its secret: the only time the secret is shown."""

    endpoint: Endpoint
    secret: str


@dataclass(frozen=True)
class DueDelivery:
    id: int
    endpoint_id: int
    url: str
    secret: str
    withdrawal_id: int
    attempts: int


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    withdrawal_id: int
    endpoint_id: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: int
    withdrawal_id: int
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    gave_up_at: datetime | None
    last_error: str | None


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise InvalidInput("a webhook URL must be an http or https address of at most 2000 "
                           "characters", {"url": url[:200]})
    return url.strip()


def _endpoint(row: Row[Any]) -> Endpoint:
    r = row
    return Endpoint(r.id, r.consumer_id, r.url, from_micros(r.created_at),
                    None if r.disabled_at is None else from_micros(r.disabled_at))


def register_endpoint(conn: Connection, consumer_id: int, url: str, at: datetime) -> NewEndpoint:
    """A new endpoint with a random secret; withdrawals not yet acknowledged are queued for it,
    so a consumer that registers late still hears of them."""
    get_consumer(conn, consumer_id)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint_id = conn.execute(insert(webhook_endpoints).values(
        consumer_id=consumer_id, url=check_url(url), secret=secret, created_at=to_micros(at),
    )).inserted_primary_key[0]  # type: ignore[index]
    pending = conn.execute(select(withdrawals.c.id)
                           .join(dataset_snapshots,
                                 dataset_snapshots.c.id == withdrawals.c.snapshot_id)
                           .where(dataset_snapshots.c.consumer_id == consumer_id,
                                  withdrawals.c.id.not_in(select(
                                      withdrawal_acknowledgements.c.withdrawal_id)))
                           .order_by(withdrawals.c.id)).scalars().all()
    _queue(conn, [(endpoint_id, w) for w in pending], at)
    return NewEndpoint(get_endpoint(conn, endpoint_id), secret)


def get_endpoint(conn: Connection, endpoint_id: int) -> Endpoint:
    row = conn.execute(select(webhook_endpoints)
                       .where(webhook_endpoints.c.id == endpoint_id)).first()
    if row is None:
        raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
    return _endpoint(row)


def list_endpoints(conn: Connection, consumer_id: int | None = None) -> list[Endpoint]:
    query = select(webhook_endpoints).order_by(webhook_endpoints.c.id)
    if consumer_id is not None:
        query = query.where(webhook_endpoints.c.consumer_id == consumer_id)
    return [_endpoint(r) for r in conn.execute(query)]


def disable_endpoint(conn: Connection, endpoint_id: int, at: datetime) -> Endpoint:
    """No more deliveries to it; what it was sent stays in the delivery log."""
    get_endpoint(conn, endpoint_id)
    conn.execute(update(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id,
                                                 webhook_endpoints.c.disabled_at.is_(None))
                 .values(disabled_at=to_micros(at)))
    return get_endpoint(conn, endpoint_id)


def queue_deliveries(conn: Connection, withdrawal_ids: Sequence[int], at: datetime) -> int:
    """One delivery per withdrawal and active endpoint of the snapshot's consumer."""
    if not withdrawal_ids:
        return 0
    pairs = conn.execute(
        select(webhook_endpoints.c.id, withdrawals.c.id)
        .join(dataset_snapshots, dataset_snapshots.c.id == withdrawals.c.snapshot_id)
        .join(webhook_endpoints,
              webhook_endpoints.c.consumer_id == dataset_snapshots.c.consumer_id)
        .where(withdrawals.c.id.in_(withdrawal_ids), webhook_endpoints.c.disabled_at.is_(None))
        .order_by(withdrawals.c.id, webhook_endpoints.c.id)).all()
    return _queue(conn, [(e, w) for e, w in pairs], at)


def _queue(conn: Connection, pairs: list[tuple[int, int]], at: datetime) -> int:
    if pairs:
        now = to_micros(at)
        conn.execute(insert(webhook_deliveries), [
            {"endpoint_id": e, "withdrawal_id": w, "created_at": now, "attempts": 0,
             "next_attempt_at": now} for e, w in pairs])
    return len(pairs)


def claim_due(conn: Connection, at: datetime, limit: int = 100) -> list[DueDelivery]:
    """Undelivered deliveries whose time has come, each claimed for :data:`CLAIM`."""
    now = to_micros(at)
    rows = conn.execute(
        select(webhook_deliveries, webhook_endpoints.c.url, webhook_endpoints.c.secret)
        .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
        .where(webhook_deliveries.c.delivered_at.is_(None),
               webhook_deliveries.c.gave_up_at.is_(None),
               webhook_deliveries.c.next_attempt_at <= now,
               webhook_endpoints.c.disabled_at.is_(None))
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)).all()
    claimed = []
    for r in rows:
        taken = conn.execute(update(webhook_deliveries).where(
            webhook_deliveries.c.id == r.id,
            webhook_deliveries.c.next_attempt_at == r.next_attempt_at,
            webhook_deliveries.c.delivered_at.is_(None),
        ).values(next_attempt_at=now + to_micros_delta(CLAIM)))
        if taken.rowcount == 1:
            claimed.append(DueDelivery(r.id, r.endpoint_id, r.url, r.secret, r.withdrawal_id,
                                       r.attempts))
    return claimed


def record_attempt(conn: Connection, delivery: DueDelivery, at: datetime, duration_ms: int,
                   status_code: int | None, error: str | None) -> datetime | None:
    """Keep the attempt; mark the delivery done, or due again after the backoff (``None``
    when it is done or given up)."""
    now = to_micros(at)
    conn.execute(insert(webhook_attempts).values(
        delivery_id=delivery.id, attempted_at=now, duration_ms=duration_ms,
        status_code=status_code, error=None if error is None else error[:2000]))
    attempts = delivery.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_error": error and error[:2000]}
    retry: datetime | None = None
    if error is None:
        values["delivered_at"] = now
    elif attempts >= MAX_ATTEMPTS:
        values["gave_up_at"] = now
    else:
        retry = at + doubling_wait(delivery.attempts, FIRST_RETRY, LONGEST_WAIT)
        values["next_attempt_at"] = to_micros(retry)
    conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery.id)
                 .values(**values))
    return retry


def _delivery(r: Row[Any]) -> Delivery:
    def at(value: int | None) -> datetime | None:
        return None if value is None else from_micros(value)

    return Delivery(r.id, r.endpoint_id, r.withdrawal_id, from_micros(r.created_at),
                    r.attempts, from_micros(r.next_attempt_at), at(r.delivered_at),
                    at(r.gave_up_at), r.last_error)


def deliveries_of(conn: Connection, withdrawal_ids: Sequence[int] | None = None,
                  endpoint_id: int | None = None) -> list[Delivery]:
    query = select(webhook_deliveries).order_by(webhook_deliveries.c.id)
    if withdrawal_ids is not None:
        query = query.where(webhook_deliveries.c.withdrawal_id.in_(withdrawal_ids))
    if endpoint_id is not None:
        query = query.where(webhook_deliveries.c.endpoint_id == endpoint_id)
    return [_delivery(r) for r in conn.execute(query)]


def attempts_of(conn: Connection, endpoint_id: int | None = None,
                consumer_id: int | None = None) -> list[Attempt]:
    """The delivery log, oldest first."""
    query = (select(webhook_attempts, webhook_deliveries.c.withdrawal_id,
                    webhook_deliveries.c.endpoint_id)
             .join(webhook_deliveries,
                   webhook_deliveries.c.id == webhook_attempts.c.delivery_id)
             .order_by(webhook_attempts.c.id))
    if endpoint_id is not None:
        query = query.where(webhook_deliveries.c.endpoint_id == endpoint_id)
    if consumer_id is not None:
        query = query.where(webhook_deliveries.c.endpoint_id.in_(
            select(webhook_endpoints.c.id).where(webhook_endpoints.c.consumer_id == consumer_id)))
    return [Attempt(r.delivery_id, r.withdrawal_id, r.endpoint_id, from_micros(r.attempted_at),
                    r.duration_ms, r.status_code, r.error) for r in conn.execute(query)]


def still_failing(conn: Connection) -> list[Delivery]:
    """Deliveries that failed and wait for a retry or were given up: what a send that found
    nothing due must still own up to."""
    query = (select(webhook_deliveries)
             .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
             .where(webhook_deliveries.c.delivered_at.is_(None),
                    webhook_deliveries.c.attempts > 0,
                    webhook_endpoints.c.disabled_at.is_(None))
             .order_by(webhook_deliveries.c.id))
    return [_delivery(r) for r in conn.execute(query)]
