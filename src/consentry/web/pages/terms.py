"""The terms in public (in force, history with diffs, Atom feed, verifiable sources) and each
user's notice: the banner on every page, the review page, acceptance or refusal."""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from consentry.errors import N_, InvalidInput, NotFound
from consentry.i18n import translations
from consentry.services.terms_notices import review_since, since_line
from consentry.store.terms import PublishedTerms, in_force_text, list_published
from consentry.store.terms_acceptance import record_answer, standing_of
from consentry.terms import summarise
from consentry.timestamps import utcnow
from consentry.web.dependencies import Db
from consentry.web.pages.page import Page, require_user
from consentry.web.rendering import SECURITY_HEADERS, finish, render
from consentry.web.sessions import check_csrf
from consentry.web.terms_view import (
    BANNER_HIDDEN_COOKIE,
    change_rows,
    previous_version,
    render_markdown,
    summary_lines,
)

router = APIRouter()


@router.get("/terms")
def terms_in_force(request: Request, page: Page, db: Db) -> Response:
    terms = in_force_text(db, utcnow())
    upcoming = [t for t in list_published(db) if t.has_text and t.effective_at > utcnow()]
    return render(request, page, "terms.html", terms=terms, upcoming=upcoming,
                  body=render_markdown(terms.markdown) if terms else None)


@router.get("/terms/history")
def terms_history(request: Request, page: Page, db: Db) -> Response:
    versions = list_published(db)
    entries = []
    for terms in reversed([t for t in versions if t.has_text]):
        previous = previous_version(versions, terms)
        review = review_since(previous, terms)
        entries.append((terms, previous, summary_lines(summarise(review), page.locale),
                        change_rows(review, page.locale) if previous else []))
    return render(request, page, "terms_history.html", entries=entries)


@router.get("/terms/feed.atom")
def terms_feed(request: Request, db: Db) -> Response:
    """An Atom feed of the versions, newest first, each with its text hash."""
    base = str(request.base_url).rstrip("/")
    versions = [t for t in list_published(db) if t.has_text]
    updated = max((t.published_at for t in versions), default=utcnow()).isoformat()
    entries = "".join(
        f"<entry><id>{base}/terms/versions/{xml_escape(t.version)}</id>"
        f"<title>{xml_escape(t.title or 'Terms')} ({xml_escape(t.version)})</title>"
        f"<updated>{t.published_at.isoformat()}</updated>"
        f"<link href=\"{base}/terms/versions/{xml_escape(t.version)}\"/>"
        f"<summary>{'Changes AI use; ' if t.material else ''}applies from "
        f"{t.effective_at.date().isoformat()}; sha256 {t.text_hash}</summary></entry>"
        for t in reversed(versions))
    feed = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
            f"<id>{base}/terms/feed.atom</id><title>Terms versions</title>"
            f"<updated>{updated}</updated><link rel=\"self\" href=\"{base}/terms/feed.atom\"/>"
            f"<link href=\"{base}/terms/history\"/>{entries}</feed>")
    return Response(feed, media_type="application/atom+xml",
                    headers={"X-Content-Type-Options": "nosniff"})


def _version(db: Db, version: str) -> PublishedTerms:
    found = next((t for t in list_published(db) if t.version == version and t.has_text), None)
    if found is None:
        raise NotFound(N_("no such terms version"), {"version": version})
    return found


@router.get("/terms/versions/{version}")
def terms_version(version: str, request: Request, page: Page, db: Db) -> Response:
    terms = _version(db, version)
    return render(request, page, "terms.html", terms=terms, upcoming=[],
                  body=render_markdown(terms.markdown))


@router.get("/terms/versions/{version}/source")
def terms_source(version: str, db: Db) -> Response:
    """The exact published text: its SHA-256 is the hash shown everywhere."""
    terms = _version(db, version)
    return PlainTextResponse(terms.markdown, headers={
        **SECURITY_HEADERS, "X-Terms-SHA256": terms.text_hash})


@router.get("/terms/review")
def review(request: Request, page: Page, db: Db) -> Response:
    """A user's pending version: every change since the version they last accepted or signed
    up under (not merely since the one before it), the full diff, and accept or refuse."""
    user = require_user(page)
    standing = standing_of(db, user.id, utcnow())
    pending, baseline, rows, lines, since = standing.pending, standing.baseline, [], [], ""
    if pending is not None and pending.has_text:
        review = review_since(baseline.terms if baseline else None, pending)
        rows = change_rows(review, page.locale)
        lines = summary_lines(summarise(review), page.locale)
        since = since_line(baseline, translations(page.locale).gettext, page.locale)
    return render(request, page, "terms_review.html", standing=standing, pending=pending,
                  rows=rows, lines=lines, since=since)


@router.post("/terms/answer")
async def answer(request: Request, page: Page, db: Db) -> Response:
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    user = require_user(page)
    choice = str(form.get("answer", ""))
    if choice not in ("accept", "refuse"):
        raise InvalidInput(N_("choose to accept or to refuse"))
    record_answer(db, user.id, str(form.get("version", "")), str(form.get("text_hash", "")),
                  choice == "accept", utcnow())
    return finish(request, page, RedirectResponse("/terms/review?notice=answered",
                                                  status_code=303))


@router.post("/terms/banner/hide")
async def hide_banner(request: Request, page: Page) -> Response:
    """Hide the banner of one version on this browser, once the user has seen it (the button
    is on the banner); the review page keeps the version, and a newer one shows again."""
    form = await request.form()
    check_csrf(page, str(form.get("csrf_token", "")))
    version = str(form.get("version", ""))[:100]
    back = str(form.get("next", "/"))
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(BANNER_HIDDEN_COOKIE, version, max_age=365 * 86400, samesite="lax",
                        httponly=True, path="/")
    return finish(request, page, response)
