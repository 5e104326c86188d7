"""What every page handler receives: the request's page context (session, language, CSRF
token) with the user's terms banner, and the check that someone is logged in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from consentry.access import Role
from consentry.errors import N_, Unauthenticated
from consentry.store.accounts import User
from consentry.web.dependencies import Db
from consentry.web.sessions import PageContext, load_page_context
from consentry.web.terms_view import BANNER_HIDDEN_COOKIE, terms_banner


class LoginRequired(Unauthenticated):
    """A page that needs an account; the error handler sends the browser to /login."""


def page_context(request: Request, db: Db) -> PageContext:
    context = load_page_context(request, db)
    # the banner speaks to artists about their music; staff answer no terms with it
    if context.user is not None and context.user.role is Role.ARTIST:
        banner = terms_banner(db, context.user.id, context.locale)
        if banner is None or request.cookies.get(BANNER_HIDDEN_COOKIE) != banner.version:
            context.terms_banner = banner
    return context


Page = Annotated[PageContext, Depends(page_context)]


def require_user(context: PageContext) -> User:
    if context.user is None:
        raise LoginRequired(N_("please log in"))
    return context.user
