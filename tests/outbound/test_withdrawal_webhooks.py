"""Withdrawal webhooks against a real receiver on loopback that fails first (a 503, then a
refused connection, then a timeout) and then takes the delivery: retried with a doubling
wait, every attempt in the delivery log, and a signature the receiver checks with the
verifier published in docs/withdrawal.md."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine

from consentry.consent import Choice
from consentry.outbound.webhooks import deliver_due
from consentry.settings import Settings
from consentry.store import webhooks
from consentry.store.datasets import manifest_path
from consentry.store.withdrawals import list_withdrawals
from consentry.timestamps import utcnow
from tests.conftest import free_port
from tests.withdrawal_world import (
    choose,
    snapshot,
    world_fixture,  # noqa: F401  (the "world" fixture)
)

DOC = Path(__file__).parents[2] / "docs" / "withdrawal.md"


def documented_verifier() -> Callable[..., Any]:
    """The sample verifier from the docs, run as published."""
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None, "docs/withdrawal.md has no python sample"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    return namespace["verify_withdrawal_webhook"]  # type: ignore[no-any-return]


class Receiver:
    """A consumer's endpoint: answers with the next planned status (or stalls), and keeps
    what it was sent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.plan: list[int | str] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/consentry"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.received.append((dict(self.headers.items()), body))
                step = receiver.plan.pop(0) if receiver.plan else 204
                if step == "stall":
                    time.sleep(1.5)
                    return
                self.send_response(int(step))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(free_port())
    yield r
    r.stop()


@pytest.mark.slow
def test_a_withdrawal_reaches_a_flaky_receiver_signed_after_retries(
        engine: Engine, tmp_path: Path, settings: Settings, receiver: Receiver,
        world: dict[str, int], caplog: pytest.LogCaptureFixture) -> None:
    settings = settings.model_copy(update={"webhook_timeout_seconds": 0.5})
    taken = snapshot(engine, tmp_path, world["acme"])
    with engine.begin() as conn:
        endpoint = webhooks.register_endpoint(conn, world["acme"], receiver.url, utcnow())
    assert endpoint.secret.startswith("whsec_")
    event = choose(engine, world["ada"], Choice.DENY, track=world["solo"])

    receiver.plan = [503]
    receiver.start()
    caplog.set_level(logging.WARNING, "consentry.outbound.webhooks")
    first = deliver_due(engine, settings)
    assert (first.delivered, first.failed) == (0, 1) and "HTTP 503" in first.errors[0]
    [warned] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert receiver.url in warned and "HTTP 503" in warned and "attempt 1" in warned
    assert first.next_retry is not None
    wait = first.next_retry - utcnow()
    assert timedelta(seconds=28) < wait <= timedelta(seconds=30)
    assert deliver_due(engine, settings).failed == 0  # not due before its time

    receiver.stop()  # connection refused
    second = deliver_due(engine, settings, at=utcnow() + timedelta(seconds=31))
    assert second.failed == 1 and "ConnectError" in second.errors[0]
    assert second.next_retry is not None
    assert timedelta(seconds=58) < second.next_retry - utcnow() <= timedelta(seconds=60)

    receiver.start()
    receiver.plan = ["stall"]  # answers after the sender's timeout
    third = deliver_due(engine, settings, at=utcnow() + timedelta(seconds=61))
    assert third.failed == 1 and "Timeout" in third.errors[0]

    fourth = deliver_due(engine, settings, at=utcnow() + timedelta(seconds=121))
    assert (fourth.delivered, fourth.failed) == (1, 0)
    assert deliver_due(engine, settings, at=utcnow() + timedelta(days=1)).delivered == 0

    # the delivery log has every attempt
    with engine.connect() as conn:
        attempts = webhooks.attempts_of(conn, endpoint_id=endpoint.endpoint.id)
        [withdrawal] = list_withdrawals(conn)
    assert [a.status_code for a in attempts] == [503, None, None, 204]
    assert [a.error is None for a in attempts] == [False, False, False, True]
    assert "ConnectError" in (attempts[1].error or "")
    assert attempts[2].duration_ms >= 450
    assert withdrawal.stage == "delivered"
    assert withdrawal.notified_at is not None and withdrawal.delivered_at is not None

    # what arrived last verifies with the documented verifier, and says what was withdrawn
    headers, body = receiver.received[-1]
    verify = documented_verifier()
    payload = verify(endpoint.secret, headers, body)
    manifest = {r["track_id"]: r["content_sha256"] for r in
                pq.read_table(manifest_path(tmp_path, taken.id)).to_pylist()}
    assert payload["withdrawal_id"] == withdrawal.id and payload["snapshot_id"] == taken.id
    assert payload["track_ids"] == [world["solo"]] and payload["consent_event_id"] == event
    assert payload["tracks"] == [{"track_id": world["solo"],
                                  "content_sha256": manifest[world["solo"]]}]
    assert payload["purpose"] == "train-generative"
    assert payload["log_index"] == withdrawal.log_index
    # a forged body, another secret, or an old delivery replayed are refused
    with pytest.raises(ValueError, match="signature"):
        verify(endpoint.secret, headers, body.replace(b'"purpose"', b'"purpose "'))
    with pytest.raises(ValueError, match="signature"):
        verify("whsec_other", headers, body)
    with pytest.raises(ValueError, match="old"):
        verify(endpoint.secret, headers, body, now=int(headers["X-Consentry-Timestamp"]) + 301)
    assert json.loads(body) == payload


def test_a_late_endpoint_hears_of_unacknowledged_withdrawals_and_a_disabled_one_does_not(
        engine: Engine, tmp_path: Path, settings: Settings, receiver: Receiver,
        world: dict[str, int]) -> None:
    snapshot(engine, tmp_path, world["acme"])
    choose(engine, world["ada"], Choice.DENY, track=world["solo"])
    receiver.start()
    with engine.begin() as conn:
        late = webhooks.register_endpoint(conn, world["acme"], receiver.url, utcnow())
        gone = webhooks.register_endpoint(conn, world["acme"], receiver.url + "/old", utcnow())
        webhooks.disable_endpoint(conn, gone.endpoint.id, utcnow())
    report = deliver_due(engine, settings)
    assert (report.delivered, report.failed) == (1, 0)
    assert [json.loads(b)["track_ids"] for _h, b in receiver.received] == [[world["solo"]]]
    with engine.connect() as conn:
        assert [d.endpoint_id for d in webhooks.deliveries_of(conn)] == [late.endpoint.id,
                                                                          gone.endpoint.id]


def test_a_delivery_is_given_up_after_the_last_attempt(
        engine: Engine, tmp_path: Path, settings: Settings, world: dict[str, int]) -> None:
    snapshot(engine, tmp_path, world["acme"])
    with engine.begin() as conn:
        webhooks.register_endpoint(conn, world["acme"], f"http://127.0.0.1:{free_port()}/",
                                   utcnow())
    choose(engine, world["ada"], Choice.DENY, track=world["solo"])
    waits = []
    at = utcnow()
    for _ in range(webhooks.MAX_ATTEMPTS):
        report = deliver_due(engine, settings, at=at)
        assert report.failed == 1
        if report.next_retry:
            waits.append(report.next_retry - utcnow())
            at = report.next_retry + timedelta(seconds=1)
    assert report.next_retry is None
    assert deliver_due(engine, settings, at=at + timedelta(days=30)).failed == 0
    assert max(waits) <= webhooks.LONGEST_WAIT
    assert waits[0] < waits[1] < waits[2]
    with engine.connect() as conn:
        [delivery] = webhooks.deliveries_of(conn)
    assert delivery.gave_up_at is not None and delivery.attempts == webhooks.MAX_ATTEMPTS
