"""The language of a request: from the query, the cookie, the account or the browser."""

from __future__ import annotations

from starlette.requests import Request

from consentry.i18n import DEFAULT_LOCALE, LOCALES

LANG_COOKIE = "consentry_lang"


def negotiate(request: Request, account_locale: str | None = None) -> str:
    """?lang=, then the language cookie, then the account, then Accept-Language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                      account_locale):
        if candidate in LOCALES:
            return candidate
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE
