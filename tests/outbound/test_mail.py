"""Terms notices through the outbox to a real SMTP server on loopback, including one that is
down when the notice is published."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from consentry.access import Role
from consentry.errors import UnsafeHeader
from consentry.mail_headers import safe_address, safe_subject
from consentry.outbound.mail import deliver_due
from consentry.services.terms_notices import announce
from consentry.settings import Settings
from consentry.store import accounts
from consentry.store.outbox import messages_to, outbox_counts, queue_mail
from consentry.store.terms import publish_text
from consentry.timestamps import utcnow
from tests.mail_server import SmtpServer, smtp_server  # noqa: F401
from tests.terms.samples import V1, V2

DAY = timedelta(days=1)


def _mail_settings(settings: Settings, server: SmtpServer) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": server.port,
                                       "mail_from": "terms@consentry.test"})


def _publish_material_change(engine: Engine) -> None:
    with engine.begin() as conn:
        publish_text(conn, "2", V1, "admin", notice=30 * DAY, at=utcnow() - 400 * DAY)
        accounts.create_user(conn, "ada@example.org", "correct horse battery", "Ada",
                             Role.ARTIST)
        accounts.create_user(conn, "bea@example.org", "correct horse battery", "Bea",
                             Role.ARTIST, locale="de")
        v3 = publish_text(conn, "3", V2, "admin", notice=30 * DAY)
        assert announce(conn, v3, "http://consentry.test", utcnow()) == 2


def test_notice_reaches_every_affected_user_in_their_language(
        engine: Engine, settings: Settings, smtp_server: SmtpServer) -> None:  # noqa: F811
    _publish_material_change(engine)
    report = deliver_due(engine, _mail_settings(settings, smtp_server))
    assert (report.sent, report.failed) == (2, 0)
    by_recipient = {m["To"]: m for m in smtp_server.mailbox.messages}
    english, german = by_recipient["ada@example.org"], by_recipient["bea@example.org"]
    assert english["From"] == "terms@consentry.test"
    assert "please review" in english["Subject"] and "bitte" in german["Subject"].lower()
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    assert "http://consentry.test/terms/review" in text and "<ul>" in html
    assert "now mentions" in text
    assert deliver_due(engine, _mail_settings(settings, smtp_server)).sent == 0, "sent once"


def test_mail_waits_in_the_outbox_while_the_server_is_down(
        engine: Engine, settings: Settings, smtp_server: SmtpServer,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    smtp_server.stop()
    _publish_material_change(engine)
    caplog.set_level(logging.WARNING, "consentry.outbound.mail")
    down = deliver_due(engine, _mail_settings(settings, smtp_server))
    assert (down.sent, down.failed) == (0, 2) and down.next_retry is not None
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2, "each failed attempt reaches the server log"
    assert f"SMTP {_mail_settings(settings, smtp_server).smtp_host}:" in warned[0]
    assert "failed (attempt 1)" in warned[0] and "Error" in warned[0]
    assert "ada@example.org" not in " ".join(warned), "no addresses in the log"
    with engine.connect() as conn:
        [waiting] = messages_to(conn, "ada@example.org")
        assert waiting.attempts == 1 and outbox_counts(conn).failing == 2
    smtp_server.start()
    too_early = deliver_due(engine, _mail_settings(settings, smtp_server))
    assert too_early.sent == 0, "the backoff is honoured"
    later = deliver_due(engine, _mail_settings(settings, smtp_server), at=down.next_retry)
    assert later.sent == 2 and len(smtp_server.mailbox.messages) == 2
    with engine.connect() as conn:
        assert outbox_counts(conn).waiting == 0


def test_headers_cannot_be_smuggled(engine: Engine, settings: Settings,
                                    smtp_server: SmtpServer) -> None:  # noqa: F811
    assert safe_subject("Hello\r\nBcc: victim@example.org") == "Hello Bcc: victim@example.org"
    for address in ("a@example.org\r\nBcc: b@example.org", "A <a@example.org>",
                    "a@example.org, b@example.org"):
        with pytest.raises(UnsafeHeader):
            safe_address(address)
    with engine.begin() as conn:
        queue_mail(conn, "x@example.org\nBcc: y@example.org", "Hi\nBcc: y@example.org",
                   "text", None, utcnow())
    report = deliver_due(engine, _mail_settings(settings, smtp_server))
    assert report.failed == 1 and smtp_server.mailbox.messages == []


def test_the_server_sends_the_outbox_by_itself(
        engine: Engine, settings: Settings, smtp_server: SmtpServer) -> None:  # noqa: F811
    from fastapi.testclient import TestClient

    from consentry.web.app import create_app

    _publish_material_change(engine)
    serving = _mail_settings(settings, smtp_server).model_copy(
        update={"mail_enabled": True, "outbox_interval_seconds": 1})
    with TestClient(create_app(serving, engine)):
        deadline = time.monotonic() + 10
        while len(smtp_server.mailbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(smtp_server.mailbox.messages) == 2
