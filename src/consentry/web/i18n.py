"""English and German: message catalogues (Babel .po files) and the choice of language.

The German catalogue is read from its .po file and compiled in memory, so the repository
holds only the text translators edit.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locales"
LANG_COOKIE = "consentry_lang"


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for a locale; English is the source text itself."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


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
