"""Browser sessions for the pages: a server-side session per browser, CSRF on every form.

The cookie carries a random id (only its hash is stored); logging in starts a new session,
so an id planted before login is worthless afterwards.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import Connection

from consentry.errors import N_, Forbidden
from consentry.store import accounts
from consentry.store.accounts import User, WebSession

COOKIE = "consentry_session"


@dataclass
class PageContext:
    """What a page handler knows about the browser: its session, user and language."""

    session: WebSession
    locale: str
    is_new: bool = False
    # The terms banner (consentry.web.terms_view.TermsBanner) for a user with a version to
    # answer; filled in by the page dependency.
    terms_banner: object | None = None

    @property
    def user(self) -> User | None:
        return self.session.user


def load_page_context(request: Request, conn: Connection) -> PageContext:
    from consentry.web.language import negotiate

    session = accounts.load_session(conn, request.cookies.get(COOKIE, ""))
    is_new = session is None
    if session is None:
        session = accounts.start_session(conn, None)
    locale = negotiate(request, session.user.locale if session.user else None)
    return PageContext(session, locale, is_new)


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
