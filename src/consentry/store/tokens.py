"""API tokens: random secrets, stored only as keyed hashes, expiring and revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from consentry.access import Principal, Role
from consentry.errors import InvalidInput, NotFound, Unauthenticated
from consentry.purposes import get_purpose
from consentry.store.parties import get_artist, get_consumer, get_rights_holder
from consentry.store.records import purposes_from_json, purposes_json
from consentry.store.schema import api_tokens
from consentry.timestamps import from_micros, to_micros, utcnow

TOKEN_PREFIX = "cst_"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``secret`` is shown once and never stored."""

    id: int
    name: str
    role: Role
    subject_id: int | None
    expires_at: datetime
    secret: str


def _hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def create_token(
    conn: Connection, secret_key: str, name: str, role: Role, subject_id: int | None = None,
    ttl: timedelta = timedelta(days=90), purposes: frozenset[str] | None = None,
) -> IssuedToken:
    """Issue a token for a role; the subject must exist and fit the role."""
    if role is Role.ADMIN and subject_id is not None:
        raise InvalidInput("an admin token has no subject")
    if role is not Role.ADMIN and subject_id is None:
        raise InvalidInput(f"a {role.value} token needs the id of its {role.value}")
    if role is Role.ARTIST:
        get_artist(conn, subject_id)  # type: ignore[arg-type]
    elif role is Role.RIGHTS_HOLDER:
        get_rights_holder(conn, subject_id)  # type: ignore[arg-type]
    elif role is Role.CONSUMER:
        consumer = get_consumer(conn, subject_id)  # type: ignore[arg-type]
        for purpose in purposes or ():
            get_purpose(purpose)
            if purpose not in consumer.purposes:
                raise InvalidInput(f"'{purpose}' is not in consumer {consumer.id}'s scope")
    if purposes is not None and role is not Role.CONSUMER:
        raise InvalidInput("only consumer tokens are scoped to purposes")
    if ttl <= timedelta(0):
        raise InvalidInput("a token must expire in the future")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + ttl
    new_id = conn.execute(insert(api_tokens).values(
        name=name[:200], token_hash=_hash(secret_key, secret), role=role.value,
        subject_id=subject_id, purposes=None if purposes is None else purposes_json(purposes),
        created_at=to_micros(now),
        expires_at=to_micros(expires_at))).inserted_primary_key[0]  # type: ignore[index]
    return IssuedToken(new_id, name, role, subject_id, expires_at, secret)


def authenticate(conn: Connection, secret_key: str, token: str) -> Principal:
    """The principal behind a presented token, or ``Unauthenticated``."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated("malformed token")
    row = conn.execute(select(api_tokens).where(
        api_tokens.c.token_hash == _hash(secret_key, token))).first()
    if row is None:
        raise Unauthenticated("unknown token")
    if row.revoked_at is not None:
        raise Unauthenticated("token revoked")
    if row.expires_at <= to_micros(utcnow()):
        raise Unauthenticated("token expired")
    role = Role(row.role)
    purposes: frozenset[str] = frozenset()
    if role is Role.CONSUMER:
        consumer = get_consumer(conn, row.subject_id)
        narrowed = purposes_from_json(row.purposes) if row.purposes else None
        purposes = consumer.purposes & narrowed if narrowed is not None else consumer.purposes
    return Principal(row.id, role, row.subject_id, purposes)


def revoke_token(conn: Connection, token_id: int) -> datetime:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    if row is None:
        raise NotFound(f"token {token_id} does not exist")
    if row.revoked_at is not None:
        return from_micros(row.revoked_at)
    now = utcnow()
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                 .values(revoked_at=to_micros(now)))
    return now


def list_tokens(conn: Connection) -> list[dict[str, object]]:
    """Token metadata for admins; hashes never leave the database."""
    rows = conn.execute(select(api_tokens).order_by(api_tokens.c.id))
    return [{
        "id": r.id, "name": r.name, "role": r.role, "subject_id": r.subject_id,
        "created_at": from_micros(r.created_at).isoformat(),
        "expires_at": from_micros(r.expires_at).isoformat(),
        "revoked_at": None if r.revoked_at is None else from_micros(r.revoked_at).isoformat(),
    } for r in rows]
