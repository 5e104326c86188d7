"""Rendering pages: one Jinja environment per language, security headers on every page."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from consentry.i18n import LOCALES, TERMS_LANGUAGE, translations
from consentry.i18n.formatting import day, moment, number
from consentry.purposes import VOCABULARY
from consentry.web.language import LANG_COOKIE
from consentry.web.sessions import PageContext, set_session_cookie

TEMPLATES = Path(__file__).parent / "templates"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@cache
def environment(locale: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(locales=LOCALES, vocabulary=VOCABULARY, terms_lang=TERMS_LANGUAGE)
    env.filters.update(day=lambda value: day(value, locale),
                       moment=lambda value: moment(value, locale),
                       number=lambda value: number(value, locale))
    return env


def gettext(context: PageContext, message: str, **values: Any) -> str:
    """Translate a message from Python code (flash messages, reasons)."""
    text = translations(context.locale).gettext(message)
    return text % values if values else text


def render(request: Request, context: PageContext, template: str, status: int = 200,
           **values: Any) -> HTMLResponse:
    if "meta" not in values:  # pages about no content in particular: the platform's signals
        site = getattr(request.state, "site_signals", None)
        values["meta"] = site.meta if site else []
    html = environment(context.locale).get_template(template).render(
        request=request, user=context.user, csrf_token=context.session.csrf_token,
        locale=context.locale, notice=request.query_params.get("notice"),
        terms_banner=context.terms_banner, **values)
    # A form on the page carries the token; a visitor without a cookie needs it set to match.
    context.token_shown = context.token_shown or context.session.csrf_token in html
    return finish(request, context, HTMLResponse(html, status_code=status))


ResponseT = TypeVar("ResponseT", bound=Response)


def finish(request: Request, context: PageContext, response: ResponseT) -> ResponseT:
    """Cookies and headers every page response carries."""
    if context.is_new and context.token_shown:
        set_session_cookie(request, response, context.session)
    if request.query_params.get("lang") in LOCALES:
        response.set_cookie(LANG_COOKIE, context.locale, max_age=365 * 86400, samesite="lax",
                            httponly=True, path="/")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response
