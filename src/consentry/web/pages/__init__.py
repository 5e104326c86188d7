"""Server-rendered pages for artists, labels and admins (Jinja2, no external assets)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from consentry.errors import N_, Unauthenticated
from consentry.store.accounts import User
from consentry.web.dependencies import Db
from consentry.web.sessions import PageContext, load_page_context


class LoginRequired(Unauthenticated):
    """A page that needs an account; the error handler sends the browser to /login."""


def page_context(request: Request, db: Db) -> PageContext:
    from consentry.web.pages.terms import terms_banner

    context = load_page_context(request, db)
    if context.user is not None:
        context.terms_banner = terms_banner(db, context.user.id, context.locale)
    return context


Page = Annotated[PageContext, Depends(page_context)]


def require_user(context: PageContext) -> User:
    if context.user is None:
        raise LoginRequired(N_("please log in"))
    return context.user


def router() -> APIRouter:
    from consentry.web.pages import (
        account,
        admin,
        artist,
        claims,
        label,
        public,
        references,
        terms,
        terms_admin,
        tracks,
        usage,
        withdrawals,
    )

    pages = APIRouter(include_in_schema=False)
    for module in (public, account, artist, tracks, label, claims, references, admin, terms,
                   terms_admin, usage, withdrawals):
        pages.include_router(module.router)
    return pages
