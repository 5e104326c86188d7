"""Signing up without telling anyone which addresses have accounts.

A new address gets its artist account and a message saying so, with a link that verifies
the address (services.email_verification); an address that already has
an account gets a message saying someone tried (at most one a day), and its account is left
as it was. The page answers both alike, "check your e-mail", and logs nobody in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from consentry.access import Role
from consentry.errors import N_, InvalidInput
from consentry.i18n import translations
from consentry.services.email_verification import verification_text
from consentry.store import accounts
from consentry.store.outbox import queue_mail, queued_since
from consentry.store.parties import artist_name_taken
from consentry.timestamps import utcnow

ATTEMPT_MAIL_EVERY = timedelta(days=1)  # someone repeating the form cannot flood the owner
WELCOME_SUBJECT = N_("Your consentry artist account")
WELCOME = N_("Your artist account '%(name)s' was created with this e-mail address. Log in "
             "to choose what AI may do with your music:\n%(url)s\n\nIf you did not sign up, "
             "someone else gave this address; you may ignore this message.")
ATTEMPT_SUBJECT = N_("Someone tried to sign up with your e-mail address")
ATTEMPT = N_("Someone, perhaps you, tried to create a new consentry artist account with this "
             "e-mail address, which already has one. Nothing was changed.\n\nIf it was you, "
             "log in with your password:\n%(url)s\n\nIf it was not, you may ignore this "
             "message.")


def sign_up(conn: Connection, email: str, password: str, display_name: str, locale: str,
            base_url: str, now: datetime | None = None) -> str:
    """Create the artist account or tell the address's owner of the attempt; the address
    written to. ``InvalidInput`` for a bad field or an artist name already in use, which is
    public anyway, checked before the address is looked up."""
    now = now or utcnow()
    email, display_name = accounts.check_new_account(email, password, display_name, locale)
    if artist_name_taken(conn, display_name):
        raise InvalidInput(accounts.ARTIST_NAME_TAKEN)
    login = f"{base_url.rstrip('/')}/login"
    owner = accounts.find_user(conn, email)
    if owner is None:
        user = accounts.create_user(conn, email, password, display_name, Role.ARTIST,
                                    locale=locale, verified=False)
        _tell(conn, user.email, user.locale, WELCOME_SUBJECT, WELCOME,
              {"name": user.display_name, "url": login}, now,
              verification_text(conn, user, base_url, now))
        return email
    accounts.hash_password(password)  # as long as creating an account takes
    subject = translations(owner.locale).gettext(ATTEMPT_SUBJECT)
    if not queued_since(conn, owner.email, subject, now - ATTEMPT_MAIL_EVERY):
        _tell(conn, owner.email, owner.locale, ATTEMPT_SUBJECT, ATTEMPT, {"url": login}, now)
    return email


def _tell(conn: Connection, email: str, locale: str, subject: str, body: str,
          values: dict[str, str], at: datetime, after: str = "") -> None:
    _ = translations(locale).gettext
    text = _(body) % values + (f"\n\n{after}" if after else "")
    queue_mail(conn, email, _(subject), text + "\n", None, at)
