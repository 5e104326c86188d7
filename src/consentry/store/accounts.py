"""Web accounts: argon2-hashed passwords, server-side sessions, rate-limited logins."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from consentry.access import Role
from consentry.errors import N_, InvalidInput, Unauthenticated
from consentry.store import login_throttle
from consentry.store.parties import artist_name_taken, create_artist, get_rights_holder
from consentry.store.schema import users, web_sessions
from consentry.timestamps import to_micros, utcnow

LOCALES = ("en", "de")
SESSION_LIFETIME = timedelta(days=14)
ARTIST_NAME_TAKEN = N_("another artist already goes by this name; choose another")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
_hasher = PasswordHasher()
# Verifying against this keeps an unknown e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anybody has")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    display_name: str
    role: Role
    artist_id: int | None
    rights_holder_id: int | None
    locale: str
    email_verified: bool = True  # signing up leaves it false until the mailed link is opened


@dataclass(frozen=True)
class WebSession:
    """A browser session; ``secret`` is the cookie value and exists only in the browser."""

    secret: str
    csrf_token: str
    user: User | None


def _user(row: Row[Any]) -> User:
    return User(row.id, row.email, row.display_name, Role(row.role), row.artist_id,
                row.rights_holder_id, row.locale, row.email_verified_at is not None)


def _session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(N_("that is not an e-mail address"))
    return email


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput(N_("the password must be at least 10 characters"))
    if len(password) > 1024:
        raise InvalidInput(N_("the password must be at most 1024 characters"))


def check_new_account(email: str, password: str, display_name: str,
                      locale: str = "en") -> tuple[str, str]:
    """The e-mail address and name as stored (whitespace collapsed), or ``InvalidInput``."""
    email = normalise_email(email)
    check_password_strength(password)
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > 200:
        raise InvalidInput(N_("the name must be 1 to 200 characters"))
    if locale not in LOCALES:
        raise InvalidInput(f"language must be one of {', '.join(LOCALES)}")
    return email, display_name


def create_user(
    conn: Connection, email: str, password: str, display_name: str, role: Role,
    *, artist_id: int | None = None, rights_holder_id: int | None = None, locale: str = "en",
    verified: bool = True,
) -> User:
    """Create an account. An artist account without an artist gets a new artist record, under
    a name no other artist goes by. Accounts an operator creates count as verified (the
    operator vouches for the address); sign-up passes ``verified=False``."""
    email, display_name = check_new_account(email, password, display_name, locale)
    if find_user(conn, email) is not None:
        raise InvalidInput(N_("an account with this e-mail address already exists"))
    if role is Role.ARTIST and artist_id is None:
        if artist_name_taken(conn, display_name):
            raise InvalidInput(ARTIST_NAME_TAKEN)
        artist_id = create_artist(conn, display_name).id
    if role is Role.RIGHTS_HOLDER:
        if rights_holder_id is None:
            raise InvalidInput(N_("a rights-holder account needs its rights holder"))
        get_rights_holder(conn, rights_holder_id)
    if role is Role.CONSUMER:
        raise InvalidInput(N_("AI consumers use API tokens, not web accounts"))
    now = utcnow()
    new_id = conn.execute(insert(users).values(
        email=email, password_hash=hash_password(password), display_name=display_name,
        role=role.value, artist_id=artist_id, rights_holder_id=rights_holder_id, locale=locale,
        created_at=to_micros(now), email_verified_at=to_micros(now) if verified else None,
    )).inserted_primary_key[0]  # type: ignore[index]
    return User(new_id, email, display_name, role, artist_id, rights_holder_id, locale,
                verified)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user(conn: Connection, email: str) -> User | None:
    """The account of an e-mail address (as normalise_email leaves it), if any."""
    row = conn.execute(select(users).where(users.c.email == email)).first()
    return _user(row) if row is not None else None


def verify_login(conn: Connection, email: str, password: str, client: str,
                 now: datetime | None = None) -> User:
    """The user for a correct e-mail and password. Failures are counted per (account,
    address) pair and per address and answered with doubling waits (store.login_throttle);
    a correct login clears its pair's."""
    email, now = email.strip().lower()[:254], now or utcnow()
    login_throttle.check_allowed(conn, email, client, now)
    row = conn.execute(select(users).where(users.c.email == email)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or row.disabled_at is not None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        login_throttle.record_failure(conn, email, client, now)
        raise Unauthenticated(N_("wrong e-mail address or password")) from None
    login_throttle.forget_failures(conn, email, client)
    return _user(row)


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise Unauthenticated(N_("no such account"))
    return _user(row)


def mark_verified(conn: Connection, user_id: int, at: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id, users.c.email_verified_at.is_(None))
                 .values(email_verified_at=to_micros(at)))


def is_enabled(conn: Connection, user_id: int) -> bool:
    return conn.execute(select(users.c.id).where(
        users.c.id == user_id, users.c.disabled_at.is_(None))).first() is not None


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.id))]


def accounts_of(conn: Connection, artist_ids: Sequence[int] = (),
                rights_holder_ids: Sequence[int] = ()) -> list[User]:
    """The enabled accounts that speak for these artists and rights holders: who is told."""
    query = select(users).where(users.c.disabled_at.is_(None), or_(
        users.c.artist_id.in_(list(artist_ids)),
        users.c.rights_holder_id.in_(list(rights_holder_ids)))).order_by(users.c.id)
    return [_user(r) for r in conn.execute(query)]


def set_locale(conn: Connection, user_id: int, locale: str) -> None:
    if locale in LOCALES:
        conn.execute(update(users).where(users.c.id == user_id).values(locale=locale))


def start_session(conn: Connection, user: User) -> WebSession:
    """A new session with a fresh id and CSRF token: a login always starts a new one (a
    visitor who is not logged in has no session row)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(insert(web_sessions).values(
        id_hash=_session_hash(secret), user_id=user.id, csrf_token=csrf,
        created_at=to_micros(now), expires_at=to_micros(now + SESSION_LIFETIME)))
    return WebSession(secret, csrf, user)


def load_session(conn: Connection, secret: str) -> WebSession | None:
    """The live session behind a cookie value, or None."""
    if not secret or len(secret) > 100:
        return None
    row = conn.execute(select(web_sessions).where(
        web_sessions.c.id_hash == _session_hash(secret))).first()
    if row is None or row.expires_at <= to_micros(utcnow()):
        return None
    user = get_user(conn, row.user_id) if row.user_id is not None else None
    return WebSession(secret, row.csrf_token, user)


def end_session(conn: Connection, secret: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _session_hash(secret)))


def set_password(conn: Connection, user_id: int, password: str) -> None:
    check_password_strength(password)
    conn.execute(update(users).where(users.c.id == user_id).values(
        password_hash=hash_password(password)))


def check_password(conn: Connection, user_id: int, password: str) -> bool:
    """Whether ``password`` is the account's; as slow as a login either way."""
    row = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).first()
    try:
        return bool(_hasher.verify(row.password_hash if row else _DUMMY_HASH, password)) \
            and row is not None
    except (VerificationError, InvalidHashError):
        return False


def end_sessions_of(conn: Connection, user_id: int, keep: str | None = None) -> int:
    """End the account's sessions, all or all but the one whose cookie is ``keep``; how many.
    A changed password must lock out whoever else was logged in with the old one."""
    query = delete(web_sessions).where(web_sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(web_sessions.c.id_hash != _session_hash(keep))
    return conn.execute(query).rowcount


def purge_sessions(conn: Connection, now: datetime) -> int:
    """Delete the sessions that have expired; how many."""
    return conn.execute(delete(web_sessions).where(
        web_sessions.c.expires_at <= to_micros(now))).rowcount
