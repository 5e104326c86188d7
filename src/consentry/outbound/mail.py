"""Sending the outbox over SMTP: plain-text and HTML parts, headers that cannot be smuggled.

Delivery claims due messages in one short transaction, talks to the server outside any
transaction, then records each outcome: a server that is down costs a retry, never a message.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.engine import Engine

from consentry.errors import UnsafeHeader
from consentry.mail_headers import safe_address, safe_subject
from consentry.settings import Settings
from consentry.store.outbox import OutgoingMail, claim_due, mark_failed, mark_sent
from consentry.timestamps import utcnow

logger = logging.getLogger("consentry.outbound.mail")


def compose(sender: str, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = safe_address(sender)
    message["To"] = safe_address(mail.recipient)
    message["Subject"] = safe_subject(mail.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


def send_over_smtp(settings: Settings, messages: list[EmailMessage]) -> None:
    """One connection for a batch; an exception leaves the rest to the caller."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                      timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        for message in messages:
            smtp.send_message(message)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    next_retry: datetime | None = None


def deliver_due(engine: Engine, settings: Settings, at: datetime | None = None) -> DeliveryReport:
    """Send every message that is due; failures are stored with the next attempt's time."""
    at = at or utcnow()
    with engine.begin() as conn:
        due = claim_due(conn, at)
    report = DeliveryReport()
    for mail in due:
        try:
            send_over_smtp(settings, [compose(settings.mail_from, mail)])
        except (OSError, smtplib.SMTPException, UnsafeHeader) as error:
            message = f"{type(error).__name__}: {error}"
            with engine.begin() as conn:
                retry = mark_failed(conn, mail, message, at)
            # the server, not the recipient: the log is no place for addresses; the id finds it
            logger.warning("mail %d to SMTP %s:%d failed (attempt %d): %s; next attempt at %s",
                           mail.id, settings.smtp_host, settings.smtp_port, mail.attempts + 1,
                           message, f"{retry:%Y-%m-%d %H:%M:%S} UTC")
            report.failed += 1
            report.errors.append(f"{mail.recipient}: {message}")
            report.next_retry = min(filter(None, (report.next_retry, retry)))
            continue
        with engine.begin() as conn:
            mark_sent(conn, mail.id, utcnow())
        report.sent += 1
    return report
