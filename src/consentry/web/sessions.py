"""Browser sessions for the pages: a server-side session per account login, CSRF on every form.

The cookie carries a random id (only its hash is stored); logging in starts a new session,
so an id planted before login is worthless afterwards. A visitor who is not logged in has no
session row: the login and sign-up forms carry a token derived from the cookie with the
secret key (a signed double-submit token), and the cookie is set only with such a form, so
reading public pages stores nothing and sets no cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import Connection

from consentry.errors import N_, Forbidden
from consentry.store import accounts
from consentry.store.accounts import User, WebSession

COOKIE = "consentry_session"
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32,100}$")


@dataclass
class PageContext:
    """What a page handler knows about the browser: its session, user and language."""

    session: WebSession
    locale: str
    is_new: bool = False  # the browser has no usable cookie yet
    token_shown: bool = False  # a page rendered the CSRF token: the cookie must go with it
    # The terms banner (consentry.web.terms_view.TermsBanner) for a user with a version to
    # answer; filled in by the page dependency.
    terms_banner: object | None = None

    @property
    def user(self) -> User | None:
        return self.session.user


def load_page_context(request: Request, conn: Connection) -> PageContext:
    from consentry.web.language import negotiate

    secret = request.cookies.get(COOKIE, "")
    session = accounts.load_session(conn, secret)
    is_new = False
    if session is None:
        if not _COOKIE_VALUE.match(secret):
            secret, is_new = secrets.token_urlsafe(32), True
        session = WebSession(secret, anonymous_csrf_token(
            request.app.state.settings.secret_key, secret), None)
    locale = negotiate(request, session.user.locale if session.user else None)
    return PageContext(session, locale, is_new)


def anonymous_csrf_token(secret_key: str, cookie: str) -> str:
    """The CSRF token of a visitor without a session: the cookie signed with the secret key,
    so a forged form cannot guess it and nothing needs storing."""
    mac = hmac.new(secret_key.encode(), b"anonymous-csrf:" + cookie.encode(), hashlib.sha256)
    return urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    response.set_cookie(
        COOKIE, session.secret, max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True, samesite="lax", secure=_secure(request), path="/")


def _secure(request: Request) -> bool:
    forced = request.app.state.settings.cookie_secure
    return forced if forced is not None else request.url.scheme == "https"


def check_csrf(context: PageContext, submitted: str | None) -> None:
    """Every state-changing form carries the session's token; anything else is refused."""
    if not submitted or not hmac.compare_digest(submitted, context.session.csrf_token):
        raise Forbidden(N_("the form expired or did not come from this site; reload and retry"))
