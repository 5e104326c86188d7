"""The demo's sink: the platform's own mail and a signed webhook arrive and are printed, each
before its sender hears back, so a tour can read them as soon as the send returns."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from consentry.demo.sink import Sink
from consentry.outbound.mail import compose, send_over_smtp
from consentry.outbound.webhooks import signed_headers
from consentry.settings import Settings
from consentry.store.outbox import OutgoingMail


@pytest.fixture
def sink() -> Iterator[tuple[Sink, list[str]]]:
    printed: list[str] = []
    running = Sink(0, 0, printed.append, text=True)
    yield running, printed
    running.close()


def test_mail_is_printed_with_its_text(sink: tuple[Sink, list[str]]) -> None:
    running, printed = sink
    mail = OutgoingMail(
        1,
        "mara@demo.consentry.example",
        "Our terms change",
        "Read them.\n.A line that starts with a dot",
        None,
        0,
        0,
    )
    send_over_smtp(Settings(smtp_port=running.smtp_port), [compose("consentry@localhost", mail)])
    [line] = printed
    assert line.splitlines() == [
        "mail from consentry@localhost to mara@demo.consentry.example: Our terms change",
        "    Read them.",
        "    .A line that starts with a dot",
    ]


def test_webhook_is_printed_and_answered(sink: tuple[Sink, list[str]]) -> None:
    running, printed = sink
    body = b'{"event":"dataset.withdrawal","track_ids":[5]}'
    answer = httpx.post(
        f"http://127.0.0.1:{running.http_port}/hooks/soundlab",
        content=body,
        headers=signed_headers("whsec_x", body, "test"),
    )
    assert answer.status_code == 204
    assert printed == [
        'webhook POST /hooks/soundlab (signed): {"event":"dataset.withdrawal","track_ids":[5]}'
    ]
