"""Server-rendered pages for artists, labels and admins (Jinja2, no external assets)."""

from __future__ import annotations

from fastapi import APIRouter

from consentry.web.pages import (
    account,
    admin,
    artist,
    claims,
    invitations,
    label,
    open_content,
    permissions,
    public,
    references,
    terms,
    terms_admin,
    tracks,
    usage,
    withdrawals,
)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for module in (public, account, artist, permissions, tracks, invitations, label, claims,
                   references, admin, terms, terms_admin, usage, withdrawals, open_content):
        pages.include_router(module.router)
    return pages
