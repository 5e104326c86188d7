"""Changing a password, and resetting a forgotten one by a link sent by mail.

Asking for a reset answers alike whether or not the address has an account, and whether or
not the request was throttled: only the mailbox learns. The link is single-use and expires
after ``RESET_LIFETIME``; using it ends every session of the account, changing the password
while logged in every session but the current one. The rules are in docs/security.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from consentry.errors import N_, InvalidInput, Unauthenticated
from consentry.i18n import translations
from consentry.store import accounts, login_throttle
from consentry.store.account_tokens import (
    PASSWORD_RESET,
    issue_token,
    issued_since,
    redeem_token,
    spend_all,
)
from consentry.store.accounts import User
from consentry.store.outbox import queue_mail
from consentry.timestamps import utcnow

RESET_LIFETIME = timedelta(hours=1)
RESETS_PER_HOUR = 3  # mails per address and hour: a form submitted in a loop cannot flood it
RESET_SUBJECT = N_("Reset your consentry password")
RESET = N_("Someone, perhaps you, asked to reset the password of the consentry account of "
           "this e-mail address. To choose a new password, open this link within an hour; it "
           "works once:\n%(url)s\n\nIf you did not ask, ignore this message: your password "
           "stays as it is.")
WRONG_PASSWORD = N_("the current password is not correct")


def request_reset(conn: Connection, email: str, base_url: str,
                  now: datetime | None = None) -> None:
    """Send a reset link if the address has an enabled account and was not sent
    ``RESETS_PER_HOUR`` in the last hour; otherwise do nothing. Returns nothing either way,
    so no caller can tell the cases apart."""
    now = now or utcnow()
    try:
        email = accounts.normalise_email(email)
    except InvalidInput:
        return
    user = accounts.find_user(conn, email)
    if user is None or not accounts.is_enabled(conn, user.id):
        return
    if issued_since(conn, user.id, PASSWORD_RESET, now - timedelta(hours=1)) >= RESETS_PER_HOUR:
        return
    secret = issue_token(conn, user.id, PASSWORD_RESET, RESET_LIFETIME, now)
    _ = translations(user.locale).gettext
    url = f"{base_url.rstrip('/')}/password/reset?token={secret}"
    queue_mail(conn, user.email, _(RESET_SUBJECT), _(RESET) % {"url": url} + "\n", None, now)


def reset_password(conn: Connection, token: str, new_password: str,
                   now: datetime | None = None) -> User:
    """Set the new password with a reset link's token; every session of the account ends and
    every other reset link sent to it stops working. ``InvalidInput`` for a token that is
    unknown, used or expired (nothing is spent then) or a password too weak (the token stays
    good, so the owner can try another)."""
    now = now or utcnow()
    accounts.check_password_strength(new_password)
    user_id = redeem_token(conn, PASSWORD_RESET, token, now)
    accounts.set_password(conn, user_id, new_password)
    spend_all(conn, user_id, PASSWORD_RESET, now)
    accounts.end_sessions_of(conn, user_id)
    return accounts.get_user(conn, user_id)


def change_password(conn: Connection, user: User, current: str, new_password: str,
                    client: str, keep_session: str, now: datetime | None = None) -> None:
    """Replace the password of a logged-in account, which must give the current one (counted
    like a failed login when wrong); every other session of the account ends."""
    now = now or utcnow()
    accounts.check_password_strength(new_password)
    login_throttle.check_allowed(conn, user.email, client, now)
    if not accounts.check_password(conn, user.id, current):
        login_throttle.record_failure(conn, user.email, client, now)
        raise Unauthenticated(WRONG_PASSWORD)
    accounts.set_password(conn, user.id, new_password)
    accounts.end_sessions_of(conn, user.id, keep=keep_session)
