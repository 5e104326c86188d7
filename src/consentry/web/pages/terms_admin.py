"""Admins draft a terms version, see it compared clause by clause with the latest one, and
publish it; a version that changes AI use starts its notice period and queues its notices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import N_, InvalidInput
from consentry.services.terms_notices import publish_with_notice
from consentry.store.outbox import outbox_counts
from consentry.store.terms import list_published, review_draft
from consentry.terms import summarise
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.admin import _require_admin
from consentry.web.pages.page import Page
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext, check_csrf
from consentry.web.terms_view import change_rows, summary_lines

router = APIRouter()
MAX_TERMS_CHARS = 200_000


def _versions_page(request: Request, page: PageContext, db: Db, **extra: Any) -> Response:
    return render(request, page, "admin_terms.html", versions=list(reversed(list_published(db))),
                  outbox=outbox_counts(db), **extra)


async def _draft_form(request: Request, page: PageContext) -> tuple[str, str, str]:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    _require_admin(page)
    markdown = str(form.get("markdown", ""))
    if len(markdown) > MAX_TERMS_CHARS:
        raise InvalidInput(N_("the terms are too long"), {"max_chars": MAX_TERMS_CHARS})
    return (str(form.get("version", "")).strip(), markdown,
            str(form.get("refusal_note", ""))[:1000])


@router.get("/admin/terms")
def terms_admin(request: Request, page: Page, db: Db) -> Response:
    _require_admin(page)
    return _versions_page(request, page, db)


@router.post("/admin/terms/preview")
async def preview(request: Request, page: Page, db: Db, settings: SettingsDep) -> Response:
    """The draft against the latest version: nothing is stored yet."""
    version, markdown, note = await _draft_form(request, page)
    draft = review_draft(db, markdown)
    return _versions_page(
        request, page, db, draft=draft, version=version, markdown=markdown, refusal_note=note,
        rows=change_rows(draft.review, page.locale),
        lines=summary_lines(summarise(draft.review), page.locale),
        notice_days=settings.notice_days)


@router.post("/admin/terms/publish")
async def publish(request: Request, page: Page, db: Db, settings: SettingsDep) -> Response:
    version, markdown, note = await _draft_form(request, page)
    assert page.user is not None
    base = settings.public_url or str(request.base_url)
    publish_with_notice(db, version, markdown, page.user.email, notice_days=settings.notice_days,
                        base_url=base, refusal_note=note)
    return finish(request, page, RedirectResponse("/admin/terms?notice=published",
                                                  status_code=303))
