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
    passwords,
    permissions,
    public,
    references,
    terms,
    terms_admin,
    track_removal,
    tracks,
    usage,
    verification,
    withdrawals,
)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for module in (public, account, artist, permissions, tracks, invitations, label, claims,
                   references, admin, terms, terms_admin, usage, withdrawals, open_content,
                   passwords, track_removal, verification):
        pages.include_router(module.router)
    return pages
