"""Single-use links sent by mail (password reset, e-mail verification).

The link carries a random secret; only its SHA-256 is stored, so a copy of the database
resets nobody's password. A token is spent the moment it is used, and refused once spent or
expired with a message that says which, so the owner knows to ask for a new link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from consentry.errors import N_, InvalidInput
from consentry.store.schema import account_tokens
from consentry.timestamps import to_micros

PASSWORD_RESET = "password-reset"
EMAIL_VERIFICATION = "email-verification"
UNKNOWN = N_("this link is not valid; ask for a new one")
USED = N_("this link was already used; ask for a new one")
EXPIRED = N_("this link has expired; ask for a new one")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(conn: Connection, user_id: int, purpose: str, lifetime: timedelta,
                now: datetime) -> str:
    """A new secret for the link; it exists only in the message sent."""
    secret = secrets.token_urlsafe(32)
    conn.execute(insert(account_tokens).values(
        user_id=user_id, purpose=purpose, token_hash=_hash(secret), created_at=to_micros(now),
        expires_at=to_micros(now + lifetime)))
    return secret


def redeem_token(conn: Connection, purpose: str, secret: str, now: datetime) -> int:
    """Spend a token and return its account's id; ``InvalidInput`` saying whether it is
    unknown, used or expired. Spending is one conditional update, so two requests racing
    with the same link cannot both succeed."""
    row = _live(conn, purpose, secret, now)
    spent = conn.execute(update(account_tokens).where(
        account_tokens.c.id == row.id, account_tokens.c.used_at.is_(None),
    ).values(used_at=to_micros(now)))
    if spent.rowcount != 1:
        raise InvalidInput(USED)
    return int(row.user_id)


def check_token(conn: Connection, purpose: str, secret: str, now: datetime) -> None:
    """Refuse as ``redeem_token`` would, without spending: the form behind a link says at
    once that the link is no good, before anyone types a new password."""
    _live(conn, purpose, secret, now)


def _live(conn: Connection, purpose: str, secret: str, now: datetime) -> Any:
    if not secret or len(secret) > 100:
        raise InvalidInput(UNKNOWN)
    row = conn.execute(select(account_tokens).where(
        account_tokens.c.token_hash == _hash(secret),
        account_tokens.c.purpose == purpose)).first()
    if row is None:
        raise InvalidInput(UNKNOWN)
    if row.used_at is not None:
        raise InvalidInput(USED)
    if row.expires_at <= to_micros(now):
        raise InvalidInput(EXPIRED)
    return row


def spend_all(conn: Connection, user_id: int, purpose: str, now: datetime) -> None:
    """Spend every open token of an account for a purpose: once the password is reset, older
    reset links sent to it are worthless."""
    conn.execute(update(account_tokens).where(
        account_tokens.c.user_id == user_id, account_tokens.c.purpose == purpose,
        account_tokens.c.used_at.is_(None)).values(used_at=to_micros(now)))


def issued_since(conn: Connection, user_id: int, purpose: str, since: datetime) -> int:
    """How many tokens of this purpose the account was sent since then (the throttle)."""
    return int(conn.execute(select(func.count()).select_from(account_tokens).where(
        account_tokens.c.user_id == user_id, account_tokens.c.purpose == purpose,
        account_tokens.c.created_at >= to_micros(since))).scalar_one())
