"""Telling consumers of withdrawals: a JSON body signed with the endpoint's secret (HMAC-SHA256
over ``timestamp.body``, the same scheme as the terms watcher's webhooks), posted outside any
transaction, every attempt kept, and failures retried with a doubling wait.

``consentry webhooks send`` and the server's background sender both call ``deliver_due``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy.engine import Engine

from consentry.outbound.fetch import user_agent
from consentry.outbound.terms_watch import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature
from consentry.settings import Settings
from consentry.store.datasets import manifest_path
from consentry.store.webhooks import DueDelivery, claim_due, record_attempt
from consentry.store.withdrawals import Withdrawal, list_withdrawals
from consentry.timestamps import to_micros, utcnow

logger = logging.getLogger("consentry.outbound.webhooks")

EVENT = "dataset.withdrawal"
SIGNATURE_PREFIX = "sha256="
REPLAY_WINDOW_SECONDS = 300  # what the documented verifier accepts


def manifest_content(data_dir: Path, snapshot_id: int, track_ids: tuple[int, ...]
                     ) -> dict[int, str | None]:
    """The content hashes the snapshot's manifest gave these tracks: what the consumer holds,
    even if a track's recording was replaced since."""
    path = manifest_path(data_dir, snapshot_id)
    if not path.exists():
        return {}
    table = pq.read_table(path, columns=["track_id", "content_sha256"])
    table = table.filter(pc.is_in(table.column("track_id"),
                                  value_set=pa.array(track_ids, pa.int64())))
    return dict(zip(table.column("track_id").to_pylist(),
                    table.column("content_sha256").to_pylist(), strict=True))


def payload(withdrawal: Withdrawal, content: dict[int, str | None]) -> dict[str, object]:
    return {
        "event": EVENT,
        "withdrawal_id": withdrawal.id,
        "snapshot_id": withdrawal.snapshot_id,
        "consumer_id": withdrawal.consumer_id,
        "purpose": withdrawal.purpose,
        "track_ids": list(withdrawal.track_ids),
        "tracks": [{"track_id": t, "content_sha256": content.get(t)}
                   for t in withdrawal.track_ids],
        "withdrawn_at": withdrawal.recorded_at.isoformat().replace("+00:00", "Z"),
        "withdrawn_at_micros": to_micros(withdrawal.recorded_at),
        "cause": {"kind": withdrawal.cause[0], "id": withdrawal.cause[1]},
        "consent_event_id": withdrawal.consent_event_id,
        "log_index": withdrawal.log_index,
    }


def body_bytes(data: dict[str, object]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signed_headers(secret: str, body: bytes, contact: str, at: float | None = None
                   ) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    return {"Content-Type": "application/json", "User-Agent": user_agent(contact),
            TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: webhook_signature(secret, stamp, body)}


@dataclass
class WebhookReport:
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    next_retry: datetime | None = None


def _post(delivery: DueDelivery, body: bytes, settings: Settings
          ) -> tuple[int | None, str | None, int]:
    """(status code, error, milliseconds): an answer outside 2xx is an error too."""
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        response = httpx.post(delivery.url, content=body,
                              headers=signed_headers(delivery.secret, body,
                                                     settings.watch_contact),
                              timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    return status, error, round((time.perf_counter() - started) * 1000)


def deliver_due(engine: Engine, settings: Settings, at: datetime | None = None
                ) -> WebhookReport:
    """Post every delivery that is due; each outcome is recorded as soon as it is known."""
    at = at or utcnow()
    with engine.begin() as conn:
        due = claim_due(conn, at)
        news = {w.id: w for w in list_withdrawals(
            conn, withdrawal_ids=sorted({d.withdrawal_id for d in due}))} if due else {}
    report = WebhookReport()
    for delivery in due:
        withdrawal = news[delivery.withdrawal_id]
        content = manifest_content(settings.data_dir, withdrawal.snapshot_id,
                                   withdrawal.track_ids)
        status, error, took = _post(delivery, body_bytes(payload(withdrawal, content)), settings)
        with engine.begin() as conn:
            retry = record_attempt(conn, delivery, utcnow(), took, status, error)
        if error is None:
            report.delivered += 1
            continue
        logger.warning("webhook delivery %d of withdrawal %d to %s failed (attempt %d): %s; %s",
                       delivery.id, delivery.withdrawal_id, delivery.url, delivery.attempts + 1,
                       error, f"next attempt at {retry:%Y-%m-%d %H:%M:%S} UTC"
                       if retry is not None else "given up (see 'consentry webhooks')")
        report.failed += 1
        report.errors.append(f"{delivery.url}: {error}")
        if retry is not None:
            report.next_retry = min(filter(None, (report.next_retry, retry)))
    return report
