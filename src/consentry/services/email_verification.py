"""Verifying the e-mail address of an account that signed itself up.

Sign-up mails a link; until it is opened the account can log in and look, but not change
what is recorded in its name (consent choices, tracks, recordings): anyone can type someone
else's address into the sign-up form. The link works once, for ``LINK_LIFETIME``; a new one
can be asked for from the banner, at most ``LINKS_PER_HOUR`` an hour (docs/security.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from consentry.errors import N_, Forbidden
from consentry.i18n import translations
from consentry.store import accounts
from consentry.store.account_tokens import (
    EMAIL_VERIFICATION,
    issue_token,
    issued_since,
    redeem_token,
)
from consentry.store.accounts import User
from consentry.store.outbox import queue_mail
from consentry.timestamps import utcnow

LINK_LIFETIME = timedelta(days=7)
LINKS_PER_HOUR = 3
VERIFY = N_("Confirm that this address is yours by opening this link within a week:\n%(url)s")
SUBJECT = N_("Confirm your e-mail address for consentry")
UNVERIFIED = N_("confirm your e-mail address first: open the link we sent you, or ask for a "
                "new one at the top of the page")


def verification_text(conn: Connection, user: User, base_url: str, now: datetime) -> str:
    """The paragraph with a new link, in the account's language, for the sign-up mail."""
    secret = issue_token(conn, user.id, EMAIL_VERIFICATION, LINK_LIFETIME, now)
    url = f"{base_url.rstrip('/')}/verify-email?token={secret}"
    return translations(user.locale).gettext(VERIFY) % {"url": url}


def resend(conn: Connection, user: User, base_url: str, now: datetime | None = None) -> bool:
    """Mail a new link unless the address is verified or was sent enough this hour."""
    now = now or utcnow()
    if accounts.get_user(conn, user.id).email_verified:
        return False
    if issued_since(conn, user.id, EMAIL_VERIFICATION, now - timedelta(hours=1)) \
            >= LINKS_PER_HOUR:
        return False
    body = verification_text(conn, user, base_url, now)
    subject = translations(user.locale).gettext(SUBJECT)
    queue_mail(conn, user.email, subject, body + "\n", None, now)
    return True


def verify_email(conn: Connection, token: str, now: datetime | None = None) -> User:
    """Mark the address verified; ``InvalidInput`` for a link unknown, used or expired."""
    now = now or utcnow()
    user_id = redeem_token(conn, EMAIL_VERIFICATION, token, now)
    accounts.mark_verified(conn, user_id, now)
    return accounts.get_user(conn, user_id)


def require_verified(user: User) -> None:
    if not user.email_verified:
        raise Forbidden(UNVERIFIED)
