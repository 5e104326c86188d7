"""Admins draft a terms version, see it compared clause by clause with the latest one, and
publish it; a version that changes AI use starts its notice period and queues its notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from consentry.errors import N_, InvalidInput
from consentry.purposes import get_purpose
from consentry.services.terms_notices import publish_with_notice
from consentry.store.outbox import outbox_counts
from consentry.store.terms import list_published, review_draft, terms_at
from consentry.terms import summarise
from consentry.timestamps import utcnow
from consentry.web.dependencies import Db, SettingsDep
from consentry.web.pages.admin import _require_admin
from consentry.web.pages.page import Page
from consentry.web.rendering import finish, render
from consentry.web.sessions import PageContext, check_csrf
from consentry.web.terms_view import change_rows, summary_lines

router = APIRouter()
MAX_TERMS_CHARS = 200_000


def _versions_page(request: Request, page: PageContext, db: Db, **extra: Any) -> Response:
    versions = list_published(db)
    current = versions[-1].policy if versions else terms_at(db, utcnow())
    extra.setdefault("required", ", ".join(sorted(current.required)))
    extra.setdefault("prohibited", ", ".join(sorted(current.prohibited)))
    return render(request, page, "admin_terms.html", versions=list(reversed(versions)),
                  outbox=outbox_counts(db), **extra)


@dataclass(frozen=True)
class _DraftForm:
    version: str
    markdown: str
    refusal_note: str
    # the purposes as the admin left them in the form; None: a form without the field keeps
    # the previous version's
    required: frozenset[str] | None
    prohibited: frozenset[str] | None


def _purposes(field: object) -> frozenset[str] | None:
    if field is None:
        return None
    text = str(field)[:2000]
    found = frozenset(p.strip() for p in text.replace("\n", ",").split(",") if p.strip())
    for purpose in found:
        get_purpose(purpose)
    return found


async def _draft_form(request: Request, page: PageContext) -> _DraftForm:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    _require_admin(page)
    markdown = str(form.get("markdown", ""))
    if len(markdown) > MAX_TERMS_CHARS:
        raise InvalidInput(N_("the terms are too long"), {"max_chars": MAX_TERMS_CHARS})
    return _DraftForm(str(form.get("version", "")).strip(), markdown,
                      str(form.get("refusal_note", ""))[:1000],
                      _purposes(form.get("required")), _purposes(form.get("prohibited")))


@router.get("/admin/terms")
def terms_admin(request: Request, page: Page, db: Db) -> Response:
    _require_admin(page)
    return _versions_page(request, page, db)


@router.post("/admin/terms/preview")
async def preview(request: Request, page: Page, db: Db, settings: SettingsDep) -> Response:
    """The draft against the latest version: nothing is stored yet."""
    form = await _draft_form(request, page)
    draft = review_draft(db, form.markdown, required=form.required, prohibited=form.prohibited)
    return _versions_page(
        request, page, db, draft=draft, version=form.version, markdown=form.markdown,
        refusal_note=form.refusal_note,
        **({} if form.required is None else {"required": ", ".join(sorted(form.required))}),
        **({} if form.prohibited is None else {"prohibited": ", ".join(sorted(form.prohibited))}),
        rows=change_rows(draft.review, page.locale),
        lines=summary_lines(summarise(draft.review), page.locale),
        notice_days=settings.notice_days)


@router.post("/admin/terms/publish")
async def publish(request: Request, page: Page, db: Db, settings: SettingsDep) -> Response:
    form = await _draft_form(request, page)
    assert page.user is not None
    base = settings.public_url or str(request.base_url)
    publish_with_notice(db, form.version, form.markdown, page.user.email,
                        notice_days=settings.notice_days, base_url=base,
                        refusal_note=form.refusal_note, required=form.required,
                        prohibited=form.prohibited)
    return finish(request, page, RedirectResponse("/admin/terms?notice=published",
                                                  status_code=303))
