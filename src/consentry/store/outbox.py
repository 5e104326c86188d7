"""The mail outbox: a message is stored with the change that caused it and leaves it only
once the mail server took it, so a server that is down delays mail but never loses it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update

from consentry.retries import doubling_wait
from consentry.store.schema import outbox
from consentry.timestamps import to_micros

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# Long enough for one delivery; a worker that died mid-send frees its message after it.
CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    recipient: str
    subject: str
    text_body: str
    html_body: str | None
    attempts: int
    next_attempt_at: int


def queue_mail(conn: Connection, recipient: str, subject: str, text_body: str,
               html_body: str | None, at: datetime) -> int:
    return int(conn.execute(insert(outbox).values(
        recipient=recipient, subject=subject, text_body=text_body, html_body=html_body,
        created_at=to_micros(at), attempts=0, next_attempt_at=to_micros(at),
    ).returning(outbox.c.id)).scalar_one())


def queued_since(conn: Connection, recipient: str, subject: str, since: datetime) -> bool:
    """Whether this message went into the outbox for this address since then."""
    return conn.execute(select(outbox.c.id).where(
        outbox.c.recipient == recipient, outbox.c.subject == subject,
        outbox.c.created_at >= to_micros(since)).limit(1)).first() is not None


def claim_due(conn: Connection, at: datetime, limit: int = 100) -> list[OutgoingMail]:
    """Unsent messages whose time has come, each claimed for :data:`CLAIM` so that two
    senders (server workers, the CLI) never send the same one twice."""
    now = to_micros(at)
    rows = conn.execute(select(outbox).where(
        outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now,
    ).order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit)).all()
    claimed = []
    for r in rows:
        taken = conn.execute(update(outbox).where(
            outbox.c.id == r.id, outbox.c.next_attempt_at == r.next_attempt_at,
            outbox.c.sent_at.is_(None),
        ).values(next_attempt_at=now + to_micros_delta(CLAIM)))
        if taken.rowcount == 1:
            claimed.append(OutgoingMail(r.id, r.recipient, r.subject, r.text_body, r.html_body,
                                        r.attempts, r.next_attempt_at))
    return claimed


def mark_sent(conn: Connection, mail_id: int, at: datetime) -> None:
    conn.execute(update(outbox).where(outbox.c.id == mail_id).values(
        sent_at=to_micros(at), attempts=outbox.c.attempts + 1, last_error=None))


def mark_failed(conn: Connection, mail: OutgoingMail, error: str, at: datetime) -> datetime:
    """Record a failed attempt; the wait doubles each time, up to :data:`LONGEST_WAIT`."""
    retry: datetime = at + doubling_wait(mail.attempts, FIRST_RETRY, LONGEST_WAIT)
    conn.execute(update(outbox).where(outbox.c.id == mail.id).values(
        attempts=mail.attempts + 1, last_error=error[:2000], next_attempt_at=to_micros(retry)))
    return retry


@dataclass(frozen=True)
class OutboxCounts:
    waiting: int
    sent: int
    failing: int


def outbox_counts(conn: Connection) -> OutboxCounts:
    waiting = outbox.c.sent_at.is_(None)
    count = select(func.count()).select_from(outbox)
    return OutboxCounts(
        conn.execute(count.where(waiting)).scalar_one(),
        conn.execute(count.where(outbox.c.sent_at.is_not(None))).scalar_one(),
        conn.execute(count.where(waiting, outbox.c.attempts > 0)).scalar_one())


def messages_to(conn: Connection, recipient: str) -> list[OutgoingMail]:
    rows = conn.execute(select(outbox).where(outbox.c.recipient == recipient)
                        .order_by(outbox.c.id))
    return [OutgoingMail(r.id, r.recipient, r.subject, r.text_body, r.html_body, r.attempts,
                         r.next_attempt_at) for r in rows]


def to_micros_delta(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
